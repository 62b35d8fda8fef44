"""A release is visible in full or not at all, on SQLite and on the real PostgreSQL.

Readers run on their own connections in other threads while a publish is in progress; a publishing process is
killed (SIGKILL) while it loads, after its uncommitted rows reached the database files, or a publish fails
halfway; afterwards the previous release must be current and intact.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa

from termtem.golden_store import Release, current_release, engine_for, publish_release, read_release
from termtem.golden_store.partitions import is_release_partition
from termtem.golden_store.sample import sample_release
from termtem.golden_store.schema import RELEASE_TABLES
from termtem.settings import PROJECT_ROOT

#: One statement reading the current release's counts from three views: one snapshot by construction.
SNAPSHOT = sa.text("SELECT r.run_id, r.persons, (SELECT count(*) FROM current_golden_person), "
                   "(SELECT count(*) FROM current_person_xref) FROM current_release r")


@pytest.fixture(scope="module")
def old() -> Release:
    return sample_release(300, seed=11, run_id="old")


@pytest.fixture(scope="module")
def new() -> Release:
    return sample_release(3000, seed=12, run_id="new")


def _expected(release: Release) -> tuple[str, int, int, int]:
    persons = len(release.frames["golden_person"])
    return release.run_id, persons, persons, len(release.frames["person_xref"])


def _snapshot(engine: sa.Engine) -> tuple:
    with engine.connect() as connection:
        return tuple(connection.execute(SNAPSHOT).one())


def _pinned_counts(engine: sa.Engine) -> tuple:
    """Counts read in several statements after pinning the release, as the store's readers do."""
    release, frames = read_release(engine, ["golden_person", "person_xref"])
    return release["run_id"], release["persons"], len(frames["golden_person"]), len(frames["person_xref"])


def _rows_of(engine: sa.Engine, run_id: str) -> int:
    with engine.connect() as connection:
        return sum(connection.execute(sa.select(sa.func.count()).select_from(table)
                                      .where(table.c.run_id == run_id)).scalar_one() for table in RELEASE_TABLES)


def test_a_reader_during_a_publish_sees_the_old_release_then_the_new_one(database_url: str, old: Release,
                                                                          new: Release) -> None:
    engine = engine_for(database_url)
    publish_release(engine, old)
    halfway, resume = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def pause_after_persons(table: str, rows: int) -> None:
        if table == "person_xref":
            halfway.set()
            resume.wait(60)

    def publish() -> None:
        try:
            publish_release(engine, new, progress=pause_after_persons)
        except BaseException as error:  # reported to the test thread below
            failures.append(error)

    writer = threading.Thread(target=publish)
    writer.start()
    try:
        assert halfway.wait(60), failures
        assert _snapshot(engine) == _expected(old)
        assert _pinned_counts(engine) == _expected(old)
        assert _rows_of(engine, "new") == 0  # loaded but uncommitted rows are invisible to other connections
    finally:
        resume.set()
        writer.join(120)
    assert not failures
    assert _snapshot(engine) == _expected(new)
    assert _pinned_counts(engine) == _expected(new)


def test_readers_polling_throughout_a_publish_never_see_a_mixed_release(database_url: str, old: Release,
                                                                        new: Release) -> None:
    engine = engine_for(database_url)
    publish_release(engine, old)
    done = threading.Event()
    seen: list[tuple] = []
    failures: list[BaseException] = []

    def poll() -> None:
        try:
            while not done.is_set() and len(seen) < 5000:
                seen.extend([_snapshot(engine), _pinned_counts(engine)])
        except BaseException as error:
            failures.append(error)

    readers = [threading.Thread(target=poll) for _ in range(2)]
    for reader in readers:
        reader.start()
    time.sleep(0.2)
    publish_release(engine, new)
    time.sleep(0.2)
    done.set()
    for reader in readers:
        reader.join(60)
    assert not failures
    assert set(seen) == {_expected(old), _expected(new)}


def test_a_failure_inside_the_publish_leaves_the_previous_release_intact(database_url: str, old: Release,
                                                                         new: Release) -> None:
    engine = engine_for(database_url)
    publish_release(engine, old)

    def fail_after_missed_children(table: str, rows: int) -> None:
        if table == "missed_child":
            raise RuntimeError("disk full (simulated)")

    with pytest.raises(RuntimeError, match="simulated"):
        publish_release(engine, new, progress=fail_after_missed_children)
    assert current_release(engine)["run_id"] == "old"
    assert _snapshot(engine) == _expected(old)
    assert _rows_of(engine, "new") == 0
    publish_release(engine, new)  # the run ID was not used up, and no lock was left behind
    assert _snapshot(engine) == _expected(new)


#: Persons in the killed publish: enough that its uncommitted rows reach the database files (SQLite spills its
#: page cache into the write-ahead log, PostgreSQL writes the copied rows to its write-ahead log) before the kill.
KILLED_PERSONS = 5_000

_KILLED_PUBLISH = """
import sys, time
from termtem.golden_store import engine_for, publish_release
from termtem.golden_store.sample import sample_release

def report(table, rows):
    print(table, flush=True)
    if table == "person_xref":  # only reached if the kill, sent as person_xref starts loading, is late
        time.sleep(300)

release = sample_release(int(sys.argv[2]), seed=12, run_id="killed")
publish_release(engine_for(sys.argv[1]), release, progress=report)
"""


def _stored_bytes(engine: sa.Engine, database_url: str) -> int:
    """Bytes written to the write-ahead log: the file's size (SQLite) or the server's log position (PostgreSQL).

    On PostgreSQL the log position is measured: the killed publish's rows went into partitions being staged,
    which the server removes when their transaction aborts, or staged and committed but attached to no table,
    which the next publish drops (:func:`_unattached_partitions`); their log records remain either way.
    """
    if engine.dialect.name == "sqlite":
        wal = sa.engine.make_url(database_url).database + "-wal"
        return os.path.getsize(wal) if os.path.exists(wal) else 0
    with engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn")).scalar_one())


def test_a_publish_killed_while_it_loads_leaves_the_previous_release_current_and_intact(database_url: str,
                                                                                        old: Release) -> None:
    engine = engine_for(database_url)
    publish_release(engine, old)
    _, before = read_release(engine, ["golden_person", "missed_child"])
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:  # an empty log, so what the killed publish writes is measurable
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    stored_before = _stored_bytes(engine, database_url)
    process = subprocess.Popen([sys.executable, "-c", _KILLED_PUBLISH, database_url, str(KILLED_PERSONS)],
                               cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    watchdog = threading.Timer(180, process.kill)  # never hang the suite if the child stalls
    watchdog.start()
    loaded = []
    for line in process.stdout:
        loaded.append(line.strip())
        if loaded[-1] == "golden_attribute_source":  # SQLite loads person_xref now; PostgreSQL attaches it
            break
    os.kill(process.pid, signal.SIGKILL)
    process.wait(30)
    watchdog.cancel()
    assert loaded[-1] == "golden_attribute_source" and "golden_person" in loaded, loaded
    assert process.returncode == -signal.SIGKILL
    assert _stored_bytes(engine, database_url) > stored_before + 100_000  # uncommitted rows had reached disk
    assert current_release(engine)["run_id"] == "old"
    assert _snapshot(engine) == _expected(old)
    _, after = read_release(engine, ["golden_person", "missed_child"])
    for name, frame in before.items():
        assert frame.equals(after[name]), name
    assert _rows_of(engine, "killed") == 0
    publish_release(engine, sample_release(50, seed=13, run_id="after"))  # no lock or run ID left behind
    assert json.loads(current_release(engine)["row_counts"])["golden_person"] == 50
    assert _unattached_partitions(engine) == []


def _unattached_partitions(engine: sa.Engine) -> list[str]:
    """Tables named like a release's partition that belong to no release table (PostgreSQL; none on SQLite)."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as connection:
        names = connection.execute(sa.text(
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
            "AND c.relkind = 'r' AND NOT c.relispartition")).scalars()
        return sorted(name for name in names if is_release_partition(name, "table"))
