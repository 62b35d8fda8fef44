"""Publish benchmark: time one release of N synthetic persons into PostgreSQL and SQLite, print the medians.

The release is synthesised directly (:func:`termtem.golden_store.sample.sample_release`, no linkage) with the
rows a real run of that size publishes: about 2.5 source records, 1.5 linked pairs and one ID-history row per
person. Each repeat publishes into an empty, already migrated database (a fresh PostgreSQL schema or SQLite
file), so the figure is the bulk load and the commit of :func:`termtem.golden_store.publish_release`.

Wall time depends on what else the machine runs, so the CPU time spent on the publish is printed too: this
process (conversion to Arrow and CSV, or SQLite itself) and, on PostgreSQL, the server backend that ran the
``COPY`` and built the partition's indexes (read from ``/proc``, so only for a server on this machine; the CPU
of parallel index-build workers, which PostgreSQL starts for large partitions, is not counted).

With ``--breakdown``, each PostgreSQL publish also prints where each table's load went, in wall seconds of the
thread doing it (:mod:`termtem.golden_store.partitions` logs them): ``convert`` (frame to Arrow, sorted by key),
``csv`` (Arrow's CSV encoding), ``copy`` (the rest of the ``COPY``: sending, and the server reading it),
``index`` (building the partition's key and indexes), ``commit`` (of the staging transaction) and ``attach`` (in
the publish transaction). Tables are staged on two connections at once, so the phases add up to more than the
publish's wall time.

Usage::

    python -m bench.publish                                   # 100k and 1M persons, both databases, 3 repeats
    python -m bench.publish --persons 100000 --repeat 5 --backends postgresql --breakdown
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from termtem.golden_store import Release, engine_for, partitions, publish_release, upgrade_schema
from termtem.golden_store.sample import sample_release

#: The PostgreSQL server used by default (the tests' server: trust auth, database ``test``).
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

BACKENDS: tuple[str, ...] = ("postgresql", "sqlite")

#: Phases of a table's load, in the order they happen (see the module docstring).
PHASES: tuple[str, ...] = ("convert", "csv", "copy", "index", "commit", "attach")


class _PhaseTimings(logging.Handler):
    """Collects the per-table timings the partition loader logs: table -> phase -> seconds."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.tables: dict[str, dict[str, float]] = {}
        self.rows: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        seconds = getattr(record, "seconds", None)
        if seconds is not None:
            self.tables.setdefault(record.table, {}).update(seconds)
            self.rows[record.table] = record.rows


@contextmanager
def _phase_timings(enabled: bool) -> Iterator[_PhaseTimings | None]:
    if not enabled:
        yield None
        return
    handler, logger = _PhaseTimings(), logging.getLogger(partitions.__name__)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _print_breakdown(timings: _PhaseTimings) -> None:
    print(f"    {'table':<26}{'rows':>11}" + "".join(f"{phase:>9}" for phase in PHASES))
    totals = dict.fromkeys(PHASES, 0.0)
    for table, seconds in timings.tables.items():
        for phase in PHASES:
            totals[phase] += seconds.get(phase, 0.0)
        cells = "".join(f"{seconds.get(phase, 0):>9.2f}" for phase in PHASES)
        print(f"    {table:<26}{timings.rows[table]:>11,}{cells}")
    print(f"    {'all tables':<26}{sum(timings.rows.values()):>11,}" + "".join(f"{totals[p]:>9.2f}" for p in PHASES))


@contextmanager
def _empty_database(backend: str, postgres_url: str) -> Iterator[str]:
    """URL of an empty golden database, removed afterwards: a SQLite file, or a PostgreSQL schema of its own."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-publish-") as folder:
            yield f"sqlite:///{Path(folder) / 'golden.sqlite'}"
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres_url else "?"
    try:
        yield f"{postgres_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _server_cpu_seconds(backend_pids: set[int]) -> float | None:
    """User + system CPU of the PostgreSQL backends so far, or ``None`` when the server is not on this machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in backend_pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15 of proc(5)
    return total / ticks


def publish_once(release: Release, backend: str, postgres_url: str,
                 breakdown: bool = False) -> tuple[float, float, float | None]:
    """Publish ``release`` into an empty migrated database; print the per-table breakdown if asked.

    Returns:
        Wall seconds, CPU seconds of this process, and CPU seconds of the PostgreSQL backends (0 on SQLite,
        ``None`` when the server is not on this machine).
    """
    with _empty_database(backend, postgres_url) as url:
        engine = engine_for(url)
        backend_pids: set[int] = set()
        if backend == "postgresql":
            @sa.event.listens_for(engine, "connect")
            def _remember_pid(dbapi_connection, _record) -> None:
                backend_pids.add(dbapi_connection.info.backend_pid)
        try:
            upgrade_schema(engine)
            server_before = _server_cpu_seconds(backend_pids)
            with _phase_timings(breakdown and backend == "postgresql") as timings:
                cpu_before, started = time.process_time(), time.perf_counter()
                publish_release(engine, release)
                wall, client_cpu = time.perf_counter() - started, time.process_time() - cpu_before
            server_after = _server_cpu_seconds(backend_pids)
        finally:
            engine.dispose()
    if timings is not None:
        print(f"    publish {wall:.1f} s wall; per table, wall seconds:")
        _print_breakdown(timings)
    if backend == "sqlite":
        return wall, client_cpu, 0.0
    if server_before is None or server_after is None:
        return wall, client_cpu, None
    return wall, client_cpu, server_after - server_before


def _median(values: list[float | None]) -> str:
    known = [value for value in values if value is not None]
    return f"{statistics.median(known):7.1f} s" if len(known) == len(values) else "      n/a"


def main(argv: list[str] | None = None) -> int:
    """Build each release once, publish it ``--repeat`` times per database and print the medians."""
    parser = argparse.ArgumentParser(prog="python -m bench.publish", description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--repeat", type=int, default=3, help="publishes per size and database (default: 3)")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--breakdown", action="store_true", help="print each PostgreSQL publish's time per table")
    args = parser.parse_args(argv)
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for persons in args.persons:
        started = time.perf_counter()
        release = sample_release(persons, seed=args.seed, run_id=f"bench-{persons}")
        rows = sum(len(frame) for frame in release.frames.values())
        print(f"\n== {persons:,} persons: {rows:,} rows in {len(release.frames)} tables "
              f"(synthesised in {time.perf_counter() - started:.1f} s) ==")
        for backend in args.backends:
            runs = [publish_once(release, backend, args.postgres_url, args.breakdown) for _ in range(args.repeat)]
            walls = [wall for wall, _, _ in runs]
            clients = [client for _, client, _ in runs]
            servers = [server for _, _, server in runs]
            print(f"  {backend:<11} publish median {_median(walls)} wall | CPU {_median(clients)} client "
                  f"+ {_median(servers)} server | {rows / statistics.median(walls):>9,.0f} rows/s "
                  f"| runs {', '.join(f'{wall:.1f}' for wall in walls)} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
