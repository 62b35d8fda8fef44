"""Publish a run as a release: all of its tables in one transaction, or nothing.

The rows of every release table and the ``golden_release`` row that makes them current are written in a single
transaction under the writer lock. Readers keep seeing the previous release until the commit and the whole new
one after it; a publish that fails or is killed rolls back and leaves the previous release current and intact.
Earlier releases stay in the tables, queryable by run ID, until pruned. On PostgreSQL each release is a
partition of every release table, loaded and indexed on connections of its own and attached in that transaction
(:mod:`.partitions`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from termtem.golden_store.bulk import arrow_table, insert_rows
from termtem.golden_store.engine import write_transaction
from termtem.golden_store.frames import code_version
from termtem.golden_store.migrate import upgrade_schema
from termtem.golden_store.partitions import (
    drop_release_partitions,
    drop_unpublished_partitions,
    load_release_partitions,
)
from termtem.golden_store.pseudonymise import key_fingerprint, pseudonymised_frames
from termtem.golden_store.schema import OPTIONAL_TABLES, PSEUDONYMISED_TABLES, RELEASE_TABLES, golden_release

log = logging.getLogger(__name__)

#: Called after each table is loaded with the table name and the rows written (progress, tests).
Progress = Callable[[str, int], None]


class ReleaseError(ValueError):
    """A release cannot be published or changed as asked; the message says why."""


@dataclass(frozen=True)
class Release:
    """Everything one run publishes.

    Attributes:
        run_id: The Dagster run ID; it names the release.
        as_of_date: Reference date for ages and flags.
        frames: Table name -> rows for every release table except the pseudonymised ones (built here from
            ``golden_person`` and ``missed_child``); ``id_history`` may be left out.
        survivorship: The survivorship rules in force, stored with the release.
        code_version: termtem version and git commit.
        model_version: Version of the linkage model that scored the pairs (what a steward saw; issue 8).
    """

    run_id: str
    as_of_date: dt.date
    frames: dict[str, pd.DataFrame]
    survivorship: list[dict] = field(default_factory=list)
    code_version: str = field(default_factory=code_version)
    model_version: str | None = None


def _checked_frames(release: Release, pseudonym_key: str | None) -> dict[str, pd.DataFrame]:
    names = {table.name for table in RELEASE_TABLES}
    built = {table.name for table in PSEUDONYMISED_TABLES}
    unknown = sorted(set(release.frames) - names)
    passed_built = sorted(set(release.frames) & built)
    missing = sorted(names - OPTIONAL_TABLES - set(release.frames))
    if unknown or passed_built or missing:
        raise ReleaseError(f"release {release.run_id}: unknown tables {unknown}, tables the publish builds itself "
                           f"{passed_built}, missing tables {missing}")
    frames = dict(release.frames)
    if pseudonym_key is not None:
        frames |= pseudonymised_frames(frames["golden_person"], frames["missed_child"], pseudonym_key,
                                       release.as_of_date)
    return frames


def _release_row(release: Release, frames: dict[str, pd.DataFrame], sequence: int,
                 pseudonym_key: str | None) -> dict:
    return {
        "run_id": release.run_id, "release_seq": sequence, "status": "published",
        "published_at": dt.datetime.now(dt.UTC), "as_of_date": release.as_of_date,
        "code_version": release.code_version, "model_version": release.model_version,
        "rows_in": int(frames["release_source"]["rows_in"].sum()), "rows_quarantined": len(frames["quarantine"]),
        "persons": len(frames["golden_person"]), "households": len(frames["golden_household"]),
        "missed_children": len(frames["missed_child"]),
        "row_counts": json.dumps({table.name: len(frames.get(table.name, ())) for table in RELEASE_TABLES}),
        "survivorship": json.dumps(release.survivorship, ensure_ascii=False),
        "pseudonym_key_id": key_fingerprint(pseudonym_key) if pseudonym_key else None,
    }


def publish_release(engine: sa.Engine, release: Release, *, pseudonym_key: str | None = None,
                    progress: Progress | None = None) -> dict:
    """Migrate the database if needed, then write the release and make it current, atomically.

    Args:
        engine: The golden database.
        release: The run's rows and metadata.
        pseudonym_key: Secret for the pseudonymised tables; ``None`` publishes none.
        progress: Called after each table is loaded (inside the open transaction; on PostgreSQL once its
            partition is attached), in load order.

    Returns:
        The new ``golden_release`` row.

    Raises:
        ReleaseError: A table is missing or unknown, or the run ID was published before.
        ValueError: A column is missing or holds values its type cannot store.
    """
    frames = _checked_frames(release, pseudonym_key)
    upgrade_schema(engine)
    sequence = None
    try:
        with write_transaction(engine) as connection:
            seen = connection.execute(sa.select(golden_release.c.status)
                                      .where(golden_release.c.run_id == release.run_id)).scalar()
            if seen is not None:
                raise ReleaseError(f"run {release.run_id} was already published (status {seen}); runs are immutable")
            sequence = _next_sequence(connection)
            _load_tables(connection, frames, release.run_id, sequence, progress or _log_progress)
            row = _release_row(release, frames, sequence, pseudonym_key)
            connection.execute(golden_release.insert().values(**row))
    except BaseException:
        if sequence is not None and engine.dialect.name == "postgresql":
            drop_unpublished_partitions(engine, sequence)  # the staged tables of a publish that did not commit
        raise
    log.info("published release %s (#%d): %d persons", release.run_id, sequence, row["persons"])
    return row


def _next_sequence(connection: sa.Connection) -> int:
    """The number the next release gets (the caller holds the writer lock)."""
    return connection.execute(sa.select(sa.func.coalesce(sa.func.max(golden_release.c.release_seq), 0) + 1)
                              ).scalar_one()


def _load_tables(connection: sa.Connection, frames: dict[str, pd.DataFrame], run_id: str, sequence: int,
                 progress: Progress) -> None:
    """Load every table the frames fill, in load order: partitions on PostgreSQL, appended rows elsewhere.

    Tables without a frame get no rows (nor a partition) and are reported last, with 0 rows.
    """
    present = {table: frames[table.name] for table in RELEASE_TABLES if table.name in frames}
    if connection.dialect.name == "postgresql":
        load_release_partitions(connection, present, run_id, sequence, lambda table, rows: progress(table.name, rows))
    else:
        for table, frame in present.items():
            rows = arrow_table(table, frame, {"run_id": run_id})
            insert_rows(connection, table, rows)
            progress(table.name, rows.num_rows)
    for table in RELEASE_TABLES:
        if table not in present:
            progress(table.name, 0)


def _log_progress(table: str, rows: int) -> None:
    log.info("loaded %d rows into %s", rows, table)


def _set_status(connection: sa.Connection, run_ids: list[str], status: str, reason: str) -> None:
    connection.execute(golden_release.update().where(golden_release.c.run_id.in_(run_ids)).values(
        status=status, status_changed_at=dt.datetime.now(dt.UTC), status_reason=reason))


def withdraw_release(engine: sa.Engine, run_id: str, reason: str) -> None:
    """Take a published release out of use: the views fall back to the newest release still published.

    Raises:
        ReleaseError: No such release, or it is not published.
    """
    with write_transaction(engine) as connection:
        status = connection.execute(sa.select(golden_release.c.status)
                                    .where(golden_release.c.run_id == run_id)).scalar()
        if status != "published":
            raise ReleaseError(f"run {run_id} is {'unknown' if status is None else status}; only a published "
                               "release can be withdrawn")
        _set_status(connection, [run_id], "withdrawn", reason)
    log.info("withdrew release %s", run_id)


def prune_releases(engine: sa.Engine, keep: int) -> list[str]:
    """Delete the rows of every release older than the ``keep`` newest published ones; keep their metadata.

    On PostgreSQL this also drops tables a killed publish staged but never attached (they carry the next number).

    Returns:
        The run IDs pruned (their ``golden_release`` rows stay, with status ``pruned``).
    """
    if keep < 1:
        raise ReleaseError("keep at least one published release")
    with write_transaction(engine) as connection:
        kept = connection.execute(sa.select(golden_release.c.release_seq).where(golden_release.c.status == "published")
                                  .order_by(golden_release.c.release_seq.desc()).limit(keep)).scalars().all()
        if len(kept) < keep:
            return []
        old_releases = connection.execute(sa.select(golden_release.c.run_id, golden_release.c.release_seq).where(
            golden_release.c.release_seq < min(kept), golden_release.c.status != "pruned")).all()
        old = [run_id for run_id, _ in old_releases]
        if connection.dialect.name == "postgresql":
            for _, release_seq in old_releases:
                drop_release_partitions(connection, RELEASE_TABLES, release_seq)
            # Tables staged under the next number belong to no release: a publish was killed before committing.
            drop_release_partitions(connection, RELEASE_TABLES, _next_sequence(connection))
        for table in RELEASE_TABLES:
            connection.execute(table.delete().where(table.c.run_id.in_(old)))
        if old:
            _set_status(connection, list(old), "pruned", f"rows deleted, keeping the {keep} newest releases")
    log.info("pruned %d releases", len(old))
    return list(old)
