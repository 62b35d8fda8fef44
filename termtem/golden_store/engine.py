"""Engines for the golden database: the same transactional guarantees on the embedded SQLite and on PostgreSQL.

SQLite needs two adjustments to give readers a consistent view while a release loads. Write-ahead logging lets
readers keep reading the last committed release during a long write, and SQLAlchemy (not the ``sqlite3``
driver, which skips ``BEGIN`` before a ``SELECT``) emits ``BEGIN``, so every transaction, reads included, sees
one snapshot and DDL is transactional. Writers start with ``BEGIN IMMEDIATE`` (SQLite) or take an advisory lock
(PostgreSQL), so two publishes queue instead of interleaving.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

#: Execution option marking a transaction that will write (SQLite then begins IMMEDIATE).
_WRITER_OPTION = "termtem_writer"

#: Seconds a SQLite writer waits for another writer before giving up.
SQLITE_WRITER_WAIT_SECONDS = 120


def _prepare_sqlite(engine: sa.Engine, in_file: bool) -> None:
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        if in_file:
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        writer = connection.get_execution_options().get(_WRITER_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


def engine_for(url: str) -> sa.Engine:
    """Create an engine; for a SQLite file, make its folder so the embedded default needs no set-up.

    Args:
        url: SQLAlchemy URL: ``sqlite:///path`` or ``postgresql+psycopg://user@host/db``.
    """
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url)
    in_file = parsed.database not in (None, "", ":memory:")
    if in_file:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_WRITER_WAIT_SECONDS})
    _prepare_sqlite(engine, in_file)
    return engine


@contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One transaction that holds the database's writer lock until it commits or rolls back.

    Publishes, withdrawals and migrations use it, so they run one at a time while readers carry on.
    """
    with engine.execution_options(**{_WRITER_OPTION: True}).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(current_schema()))"))
        yield connection
