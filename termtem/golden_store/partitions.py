"""PostgreSQL: every release table is LIST-partitioned by ``run_id``, one partition per release.

Copying a release into a table that already holds earlier releases updates its primary key and indexes row by
row (1M ``person_xref`` rows: 24 s wall under load, against 14.5 s copying into a bare table and indexing after).
A release's partition is instead created as a table of its own, filled with ``COPY`` (rows in key order,
:func:`termtem.golden_store.bulk.in_key_order`), indexed in one sorted pass per index, and only then attached to
its table. Pruning a release drops its partitions instead of deleting rows.

The partitions are filled ("staged") on :data:`LOAD_CONNECTIONS` connections of their own, side by side, each
in its own transaction, while the publish transaction waits: the server then loads and indexes on every core
instead of one (the client's conversion to Arrow and CSV overlaps it too). A staged table is not part of any
release table until the publish transaction attaches it, and attaching is cheap: a ``CHECK`` on ``run_id``
proves the partition bound without a scan, and the staged indexes match the parent's and are adopted as they
are. So atomicity is unchanged: readers see no row of the release until the ``golden_release`` row commits with
the attachments, and a failed or killed publish leaves the previous release current. What a killed publish can
leave behind is staged tables that no release table contains; they carry the number the next release will get,
so the next publish (or a prune) drops them. ``ATTACH PARTITION`` takes SHARE UPDATE EXCLUSIVE on the table,
which does not conflict with readers; concurrent publishes are already serialised by the writer lock.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor

import pandas as pd
import sqlalchemy as sa

from termtem.golden_store.bulk import arrow_table, in_key_order
from termtem.golden_store.engine import write_transaction
from termtem.golden_store.pg_copy import copy_postgresql
from termtem.golden_store.schema import RELEASE_TABLES, golden_release

log = logging.getLogger(__name__)

_PARTITION_NAME = re.compile("(?:" + "|".join(table.name for table in RELEASE_TABLES) + r")_r\d+")

#: Memory for each staging connection's index builds: a 1M-person ``person_xref`` index sorts in memory.
INDEX_BUILD_MEMORY = "256MB"

#: Connections staging partitions at once: two, for the two cores the project's machines have (the server's
#: backends and the client's conversion share them); more would only queue for the same cores.
LOAD_CONNECTIONS = 2

#: Called in the publish transaction after each table's partition is attached, with the table and its rows.
Attached = Callable[[sa.Table, int], None]


def partition_name(table: sa.Table | str, release_seq: int) -> str:
    """The partition of ``table`` holding release number ``release_seq``."""
    name = table if isinstance(table, str) else table.name
    return f"{name}_r{release_seq}"


def is_release_partition(name: str | None, type_: str, _parent_names: object = None) -> bool:
    """Whether a reflected object is a release's partition; Alembic's ``include_name`` hook passes the arguments.

    Partitions are not in the declared schema: autogenerate must not offer to drop them.
    """
    return type_ == "table" and name is not None and _PARTITION_NAME.fullmatch(name) is not None


def _bound_constraint(table: sa.Table, release_seq: int) -> str:
    return f"{partition_name(table, release_seq)}_bound"


def _index_statements(connection: sa.Connection, table: sa.Table, partition: str) -> list[str]:
    """The parent's primary key and indexes, on the partition: ``ATTACH PARTITION`` adopts them instead of building.

    The names left to PostgreSQL are the ones it gives the indexes it builds when it attaches a bare table.
    """
    preparer = connection.dialect.identifier_preparer

    def columns(of: Iterable[sa.Column]) -> str:
        return ", ".join(preparer.quote(column.name) for column in of)

    statements = []
    if table.primary_key.columns:
        statements.append(f"ALTER TABLE {partition} ADD PRIMARY KEY ({columns(table.primary_key.columns)})")
    for index in table.indexes:
        unique = "UNIQUE " if index.unique else ""
        statements.append(f"CREATE {unique}INDEX ON {partition} ({columns(index.columns)})")
    return statements


def stage_release_partition(engine: sa.Engine, table: sa.Table, frame: pd.DataFrame, run_id: str,
                            release_seq: int) -> int:
    """Create, fill and index the release's partition of ``table`` as a table of its own, and commit it.

    Any table of that name is an orphan of a publish that never committed (the caller holds the writer lock and
    ``release_seq`` is the next number), so it is dropped first. The rows are converted here, in the staging
    thread, so their conversion overlaps the other connections' loads.

    Returns:
        The rows loaded.

    Raises:
        ValueError: A column is missing or holds values its type cannot store.
    """
    started = time.perf_counter()
    constants = {"run_id": run_id}
    rows = in_key_order(table, arrow_table(table, frame, constants), constants)
    timings = {"convert": time.perf_counter() - started}
    with engine.begin() as connection:
        preparer = connection.dialect.identifier_preparer
        partition = preparer.quote(partition_name(table, release_seq))
        connection.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {partition}")
        connection.exec_driver_sql(
            f"CREATE TABLE {partition} (LIKE {preparer.format_table(table)} INCLUDING DEFAULTS, "
            f"CONSTRAINT {preparer.quote(_bound_constraint(table, release_seq))} "
            f"CHECK (run_id = {_string_literal(connection, run_id)}))")
        started = time.perf_counter()
        timings["csv"] = copy_postgresql(connection, partition, rows) if rows.num_rows else 0.0
        timings["copy"] = time.perf_counter() - started - timings["csv"]
        started = time.perf_counter()
        for statement in _index_statements(connection, table, partition):
            connection.exec_driver_sql(statement)
        timings["index"] = time.perf_counter() - started
        started = time.perf_counter()
    timings["commit"] = time.perf_counter() - started
    _log_timings(table, rows.num_rows, timings)
    return rows.num_rows


def _log_timings(table: sa.Table, rows: int, seconds: dict[str, float]) -> None:
    """Log where a table's load went (``extra``: ``table``, ``rows``, ``seconds``), for the publish benchmark."""
    log.debug("%s (%d rows): %s", table.name, rows,
              ", ".join(f"{phase} {value:.2f} s" for phase, value in seconds.items()),
              extra={"table": table.name, "rows": rows, "seconds": seconds})


def attach_release_partition(connection: sa.Connection, table: sa.Table, run_id: str, release_seq: int) -> None:
    """Attach a staged partition to ``table`` in the caller's (publish) transaction; drop its now redundant CHECK."""
    preparer = connection.dialect.identifier_preparer
    partition = preparer.quote(partition_name(table, release_seq))
    connection.exec_driver_sql(f"ALTER TABLE {preparer.format_table(table)} ATTACH PARTITION {partition} "
                               f"FOR VALUES IN ({_string_literal(connection, run_id)})")
    connection.exec_driver_sql(f"ALTER TABLE {partition} DROP CONSTRAINT "
                               f"{preparer.quote(_bound_constraint(table, release_seq))}")


def load_release_partitions(connection: sa.Connection, frames: dict[sa.Table, pd.DataFrame], run_id: str,
                            release_seq: int, attached: Attached) -> None:
    """Stage every table's partition on connections of their own, then attach each in the caller's transaction.

    Tables are staged largest first, so the longest loads start early; they are attached in the order of
    ``frames``, each as soon as it is staged, calling ``attached`` after each. If anything fails, the tables not
    yet staged are not started and the ones staging are waited for, so the caller can drop them once its
    transaction has rolled back (:func:`drop_unpublished_partitions`).
    """
    engine = connection.engine
    largest_first = sorted(frames, key=lambda table: len(frames[table]), reverse=True)
    pool = ThreadPoolExecutor(LOAD_CONNECTIONS, thread_name_prefix="stage-partition")
    try:
        staged: dict[sa.Table, Future[int]] = {
            table: pool.submit(stage_release_partition, engine, table, frames[table], run_id, release_seq)
            for table in largest_first}
        for table in frames:
            rows = staged[table].result()
            started = time.perf_counter()
            attach_release_partition(connection, table, run_id, release_seq)
            _log_timings(table, rows, {"attach": time.perf_counter() - started})
            attached(table, rows)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def drop_unpublished_partitions(engine: sa.Engine, release_seq: int) -> None:
    """Drop the staged tables of a publish that failed, unless a release with that number has since committed.

    Best effort, called while the publish's own error propagates: if the database cannot be reached now, the
    tables stay until the next publish or prune drops them, and the publish's error is the one reported.
    """
    try:
        with write_transaction(engine) as connection:
            published = connection.execute(sa.select(golden_release.c.run_id)
                                           .where(golden_release.c.release_seq == release_seq)).scalar()
            if published is None:
                drop_release_partitions(connection, RELEASE_TABLES, release_seq)
    except sa.exc.SQLAlchemyError as error:
        log.warning("could not drop the tables staged for release #%d (the next publish will): %s",
                    release_seq, error)


def drop_release_partitions(connection: sa.Connection, tables: tuple[sa.Table, ...], release_seq: int) -> None:
    """Drop the partitions (or staged tables) of release number ``release_seq`` that exist, from ``tables``.

    Dropping a partition locks its table exclusively until the prune commits: readers wait for that moment
    instead of seeing a release lose rows.
    """
    preparer = connection.dialect.identifier_preparer
    for table in tables:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {preparer.quote(partition_name(table, release_seq))}")


def _string_literal(connection: sa.Connection, value: str) -> str:
    """``value`` as a SQL string literal: ``ATTACH PARTITION`` takes no bound parameters."""
    literal = sa.literal(value, sa.String())
    return str(literal.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
