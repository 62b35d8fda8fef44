"""On PostgreSQL a release's partitions are staged on connections of their own, then attached by the publish:
the rows stored are those of the other database, and no staged table outlives a publish that did not commit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from termtem.golden_store import Release, current_release, engine_for, prune_releases, publish_release, read_release
from termtem.golden_store.partitions import partition_name, stage_release_partition
from termtem.golden_store.sample import sample_release
from termtem.golden_store.schema import PSEUDONYMISED_TABLES, RELEASE_TABLES, person_xref

POSTGRES_ONLY = pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)

#: Tables a release without a pseudonym key fills.
FILLED = [table.name for table in RELEASE_TABLES if table not in PSEUDONYMISED_TABLES]


@pytest.fixture(scope="module")
def first() -> Release:
    return sample_release(400, seed=31, run_id="first")


@pytest.fixture(scope="module")
def second() -> Release:
    return sample_release(300, seed=32, run_id="second")


def _release_tables(engine: sa.Engine) -> set[str]:
    """Every table in the schema named like a release's partition, attached or not."""
    with engine.connect() as connection:
        names = connection.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars()
        return {name for name in names if "_r" in name and name.rsplit("_r", 1)[1].isdigit()}


def _partitions_of(sequence: int) -> set[str]:
    return {partition_name(name, sequence) for name in FILLED}


def _stored(engine: sa.Engine, run_id: str) -> dict[str, pd.DataFrame]:
    """The release's rows of every filled table, in one canonical order and with comparable types."""
    _, frames = read_release(engine, FILLED, run_id=run_id)
    return {name: frame.astype(str).sort_values(list(frame.columns)).reset_index(drop=True)
            for name, frame in frames.items()}


@POSTGRES_ONLY
def test_postgresql_stores_exactly_the_rows_sqlite_stores(tmp_path: Path, database_url: str, first: Release) -> None:
    sqlite = engine_for(f"sqlite:///{tmp_path / 'reference.sqlite'}")
    postgresql = engine_for(database_url)
    publish_release(sqlite, first)
    publish_release(postgresql, first)
    expected, stored = _stored(sqlite, "first"), _stored(postgresql, "first")
    for name in FILLED:
        assert len(stored[name]) == len(first.frames[name]), name
        pd.testing.assert_frame_equal(stored[name], expected[name], obj=name)


@POSTGRES_ONLY
def test_a_failed_publish_drops_the_tables_it_staged(database_url: str, first: Release, second: Release) -> None:
    engine = engine_for(database_url)
    publish_release(engine, first)

    def fail_after_persons(table: str, rows: int) -> None:
        if table == "golden_person":
            raise RuntimeError("connection lost (simulated)")

    with pytest.raises(RuntimeError, match="simulated"):
        publish_release(engine, second, progress=fail_after_persons)
    assert current_release(engine)["run_id"] == "first"
    assert _release_tables(engine) == _partitions_of(1)


@POSTGRES_ONLY
def test_a_value_that_cannot_be_stored_fails_the_publish_and_leaves_no_staged_table(
        database_url: str, first: Release, second: Release) -> None:
    engine = engine_for(database_url)
    publish_release(engine, first)
    frames = dict(second.frames)
    frames["person_xref"] = frames["person_xref"].assign(source_row="not a number")
    with pytest.raises(ValueError, match=r"person_xref\.source_row"):
        publish_release(engine, Release(second.run_id, second.as_of_date, frames))
    assert current_release(engine)["run_id"] == "first"
    assert _release_tables(engine) == _partitions_of(1)


@POSTGRES_ONLY
def test_tables_a_killed_publish_staged_are_replaced_by_the_next_publish_or_dropped_by_a_prune(
        database_url: str, first: Release, second: Release) -> None:
    engine = engine_for(database_url)
    publish_release(engine, first)
    killed = sample_release(200, seed=33, run_id="killed")
    stage_release_partition(engine, person_xref, killed.frames["person_xref"], "killed", 2)  # as if then killed
    assert prune_releases(engine, keep=1) == []
    assert _release_tables(engine) == _partitions_of(1)

    stage_release_partition(engine, person_xref, killed.frames["person_xref"], "killed", 2)
    publish_release(engine, second)
    assert current_release(engine)["release_seq"] == 2
    assert _release_tables(engine) == _partitions_of(1) | _partitions_of(2)
    _, frames = read_release(engine, ["person_xref"])
    assert len(frames["person_xref"]) == len(second.frames["person_xref"])
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(person_xref)
                                  .where(person_xref.c.run_id == "killed")).scalar_one() == 0
