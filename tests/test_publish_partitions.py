"""On PostgreSQL each release is a partition of every release table: created by the publish, dropped by a prune,
carried both ways by migration 0004, and invisible to Alembic's autogenerate."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from termtem.golden_store import (
    Release,
    engine_for,
    prune_releases,
    publish_release,
    read_release,
    upgrade_schema,
    write_transaction,
)
from termtem.golden_store.migrate import alembic_config
from termtem.golden_store.partitions import is_release_partition, partition_name
from termtem.golden_store.sample import sample_release
from termtem.golden_store.schema import PSEUDONYMISED_TABLES, RELEASE_TABLES, metadata
from termtem.golden_store.views import drop_views

POSTGRES_ONLY = pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)

#: Tables a release without a pseudonym key fills.
FILLED = [table for table in RELEASE_TABLES if table not in PSEUDONYMISED_TABLES]

COMPARED = ["golden_person", "person_xref", "linked_pair", "id_history"]


@pytest.fixture(scope="module")
def first() -> Release:
    return sample_release(80, seed=21, run_id="first")


@pytest.fixture(scope="module")
def second() -> Release:
    return sample_release(40, seed=22, run_id="second")


def _partitions(engine: sa.Engine, table: str) -> list[str]:
    with engine.connect() as connection:
        return connection.execute(sa.text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(:table) ORDER BY c.relname"), {"table": table}).scalars().all()


def _declared(name: str | None, type_: str, parent_names: dict) -> bool:
    """The ``include_name`` hook of migrations/env.py."""
    return not is_release_partition(name, type_, parent_names)


def _rows(engine: sa.Engine, run_id: str) -> dict[str, pd.DataFrame]:
    _, frames = read_release(engine, COMPARED, run_id=run_id)
    return {name: frame.sort_values(list(frame.columns[:3])).reset_index(drop=True) for name, frame in frames.items()}


@POSTGRES_ONLY
def test_each_release_is_a_partition_of_every_release_table_and_a_prune_drops_it(
        database_url: str, first: Release, second: Release) -> None:
    engine = engine_for(database_url)
    publish_release(engine, first)
    publish_release(engine, second)
    for table in FILLED:
        assert _partitions(engine, table.name) == [partition_name(table, 1), partition_name(table, 2)]
    kept = _rows(engine, "second")
    assert prune_releases(engine, keep=1) == ["first"]
    for table in FILLED:
        assert _partitions(engine, table.name) == [partition_name(table, 2)]
    after = _rows(engine, "second")
    for name in COMPARED:
        pd.testing.assert_frame_equal(after[name], kept[name])
    assert len(after["person_xref"]) == len(second.frames["person_xref"])


@POSTGRES_ONLY
def test_autogenerate_sees_the_partitions_as_data_not_as_tables_to_drop(database_url: str, first: Release) -> None:
    engine = engine_for(database_url)
    publish_release(engine, first)
    with engine.connect() as connection:
        seen = compare_metadata(MigrationContext.configure(connection), metadata)
        filtered = compare_metadata(MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": _declared}), metadata)
    assert {change[1].name for change in seen if change[0] == "remove_table"} == {
        partition_name(table, 1) for table in FILLED}
    assert filtered == []


@POSTGRES_ONLY
def test_migration_0004_carries_every_release_into_plain_tables_and_back(database_url: str, first: Release,
                                                                      second: Release) -> None:
    engine = engine_for(database_url)
    publish_release(engine, first)
    publish_release(engine, second)
    before = {run_id: _rows(engine, run_id) for run_id in ("first", "second")}
    with write_transaction(engine) as connection:
        drop_views(connection)
        command.downgrade(alembic_config(connection), "0003")
    assert _partitions(engine, "person_xref") == []
    upgrade_schema(engine)
    assert _partitions(engine, "person_xref") == ["person_xref_r1", "person_xref_r2"]
    for run_id, frames in before.items():
        after = _rows(engine, run_id)
        for name in COMPARED:
            pd.testing.assert_frame_equal(after[name], frames[name])
