"""Shared fixtures: golden databases (SQLite file and the real local PostgreSQL) and generated samples."""

from __future__ import annotations

import uuid
from collections import Counter
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


#: Share of households that moved in the movers' sample, well above the configured 8 %, so that many persons'
#: records lie in two provinces.
MOVED_SHARE = 0.4


@pytest.fixture(scope="session")
def movers_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated sample where 40 % of households moved, shared by the province-partition tests."""
    from termtem.settings import load_generator_rates
    from termtem.synth import generate_registries

    folder = tmp_path_factory.mktemp("movers")
    rates = load_generator_rates()
    rates = rates.model_copy(update={"population": rates.population.model_copy(update={"moved": MOVED_SHARE})})
    generate_registries(folder, people=3000, seed=11, rates=rates)
    return folder


@pytest.fixture(scope="module")
def movers_resources(movers_sample: Path) -> dict:
    """Resources of a run over the movers' sample (its golden database beside it)."""
    from assets.resources import GoldenDatabase, TermtemSettings

    return {"settings": TermtemSettings(data_dir=str(movers_sample)),
            "database": GoldenDatabase(url=f"sqlite:///{movers_sample}/golden.sqlite")}


@pytest.fixture(scope="module")
def lasting_instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """A Dagster instance whose storage outlives one run, so that a later run re-uses earlier outputs."""
    import dagster as dg

    with dg.DagsterInstance.local_temp(tempdir=str(tmp_path_factory.mktemp("instance"))) as local:
        yield local


def materialisations_per_partition(instance: object, asset: str) -> Counter:
    """How many times each partition (None for an unpartitioned asset) of an asset was materialised."""
    import dagster as dg

    records = instance.fetch_materializations(dg.AssetKey(asset), limit=10_000).records  # type: ignore[attr-defined]
    return Counter(record.partition_key for record in records)


def all_provinces_run(selection: object, instance: object, resources: dict) -> object:
    """Materialise ``selection`` for every province in one run, tagged with the whole partition range as the CLI
    and the schedule tag theirs; the run must succeed."""
    import dagster as dg

    from assets.provinces import all_provinces_tags
    from pipelines.definitions import all_assets

    result = dg.materialize(all_assets, selection=selection, instance=instance, resources=resources,
                            tags=all_provinces_tags())
    assert result.success
    return result

