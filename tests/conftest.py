"""Shared fixtures: golden databases (SQLite file and the real local PostgreSQL) and generated samples."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

#: The PostgreSQL server on this machine and CI (trust auth). Each test gets a schema of its own.
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A SQLAlchemy URL to an empty golden database: a SQLite file, then a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'golden.sqlite'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


#: People in the sample the end-to-end tests generate (small enough to keep the suite fast).
E2E_PEOPLE = 2000
E2E_SEED = 7


@pytest.fixture(scope="session")
def generated_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated multi-agency sample with ground truth, shared by the end-to-end tests."""
    from termtem.synth import generate_registries

    folder = tmp_path_factory.mktemp("sample")
    generate_registries(folder, people=E2E_PEOPLE, seed=E2E_SEED)
    return folder
