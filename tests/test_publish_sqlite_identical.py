"""The fast SQLite publish stores exactly what SQLAlchemy's plain row-by-row insert stores, byte for byte.

The SQLite load binds Arrow columns straight to ``executemany`` and writes the run ID into the statement; the
reference publish sends the same rows through ``table.insert()`` with SQLAlchemy's own type handling. Every
release table must hold the same values, of the same SQLite storage class, in the same row order.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyarrow as pa
import pytest
import sqlalchemy as sa

from termtem.golden_store import Release, bulk, engine_for, publish_release
from termtem.golden_store.sample import sample_release
from termtem.golden_store.schema import RELEASE_TABLES

PSEUDONYM_KEY = "a-test-key-that-is-long-enough-0123456789"


@pytest.fixture(scope="module")
def release() -> Release:
    """A release whose run ID needs quoting in SQL, with Thai text, dates, booleans, floats and NULLs."""
    return sample_release(2_000, seed=11, run_id="run-o'brien; --")


def _publish(path: Path, release: Release) -> None:
    engine = engine_for(f"sqlite:///{path}")
    try:
        publish_release(engine, release, pseudonym_key=PSEUDONYM_KEY)
    finally:
        engine.dispose()


def _stored(path: Path, table: sa.Table) -> list[tuple]:
    """Every row's storage class and bytes per column, in the order the rows were inserted."""
    columns = ", ".join(f'typeof("{column.name}"), hex("{column.name}")' for column in table.columns)
    with sqlite3.connect(path) as connection:
        return connection.execute(f"SELECT {columns} FROM {table.name} ORDER BY rowid").fetchall()


def _reference_insert(connection: sa.Connection, table: sa.Table, rows: pa.Table) -> None:
    connection.execute(table.insert(), rows.to_pylist())


def test_every_release_table_is_stored_byte_for_byte_as_the_plain_insert_stores_it(
        release: Release, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, reference = tmp_path / "fast.sqlite", tmp_path / "reference.sqlite"
    _publish(fast, release)
    monkeypatch.setattr(bulk, "_insert_sqlite", _reference_insert)
    _publish(reference, release)
    for table in RELEASE_TABLES:
        stored = _stored(fast, table)
        assert stored, f"{table.name} is empty: nothing compared"
        assert stored == _stored(reference, table), table.name


def test_the_run_id_written_into_the_statement_reads_back_exactly(release: Release, tmp_path: Path) -> None:
    path = tmp_path / "golden.sqlite"
    _publish(path, release)
    with sqlite3.connect(path) as connection:
        run_ids = connection.execute("SELECT DISTINCT run_id FROM golden_person").fetchall()
    assert run_ids == [(release.run_id,)]


def test_rows_of_several_run_ids_are_all_bound_not_written_as_one_literal(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'golden.sqlite'}")
    table = sa.Table("mixed", sa.MetaData(), sa.Column("run_id", sa.String), sa.Column("value", sa.Integer))
    rows = pa.table({"run_id": ["a", "b", "a"], "value": [1, 2, 3]})
    try:
        with engine.begin() as connection:
            table.create(connection)
            bulk.insert_rows(connection, table, rows)
            stored = connection.execute(sa.select(table).order_by(table.c.value)).all()
    finally:
        engine.dispose()
    assert stored == [("a", 1), ("b", 2), ("a", 3)]
