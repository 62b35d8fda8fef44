"""Read the golden database: the current release, earlier releases by run ID, and the steward decisions.

Every reader here resolves the release first and then reads its rows by run ID, so several tables read one
after the other always come from the same release, even while a new one is being published. A database
that was never published to reads as empty (``None`` or an empty frame), never as an error.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pandas as pd
import sqlalchemy as sa

from termtem.golden_store.engine import write_transaction
from termtem.golden_store.migrate import upgrade_schema
from termtem.golden_store.schema import (
    RELEASE_TABLES,
    STEWARD_DECISIONS,
    golden_person,
    golden_release,
    person_xref,
    steward_decision,
)
from termtem.golden_store.views import current_run_id

#: Columns of :func:`steward_decisions`, as the contract between linkage and the store names them.
STEWARD_DECISION_COLUMNS: tuple[str, ...] = tuple(column.name for column in steward_decision.columns)

_RELEASE_TABLES = {table.name: table for table in RELEASE_TABLES}


def _published(connection: sa.Connection) -> bool:
    return sa.inspect(connection).has_table(golden_release.name)


def current_release(engine: sa.Engine) -> dict | None:
    """The ``golden_release`` row of the newest published release, or ``None`` before the first publish."""
    with engine.connect() as connection:
        if not _published(connection):
            return None
        row = connection.execute(sa.select(golden_release).where(golden_release.c.run_id == current_run_id())
                                 ).mappings().first()
    return dict(row) if row else None


def list_releases(engine: sa.Engine) -> pd.DataFrame:
    """Every release, newest first: run ID, sequence, status, dates, counts and code version."""
    columns = ["run_id", "release_seq", "status", "published_at", "as_of_date", "persons", "households",
               "missed_children", "code_version", "model_version", "pseudonym_key_id", "status_reason"]
    with engine.connect() as connection:
        if not _published(connection):
            return pd.DataFrame(columns=columns)
        query = sa.select(*[golden_release.c[name] for name in columns]).order_by(golden_release.c.release_seq.desc())
        return pd.read_sql(query, connection)


def _rows(connection: sa.Connection, name: str, run_id: str, columns: list[str] | None) -> pd.DataFrame:
    table = _RELEASE_TABLES.get(name)
    if table is None:
        raise ValueError(f"no release table {name!r}; release tables: {sorted(_RELEASE_TABLES)}")
    selected = [table.c[column] for column in columns] if columns else \
        [column for column in table.columns if column.name != "run_id"]
    keys = [column for column in table.primary_key.columns if column.name != "run_id"]
    return pd.read_sql(sa.select(*selected).where(table.c.run_id == run_id).order_by(*keys), connection)


def read_release(engine: sa.Engine, tables: list[str], run_id: str | None = None
                 ) -> tuple[dict, dict[str, pd.DataFrame]] | None:
    """The rows of several tables of one release (the current one unless ``run_id`` is given).

    Returns:
        The release's ``golden_release`` row and table name -> rows (without ``run_id``, ordered by key), or
        ``None`` when there is no such release.

    Raises:
        ValueError: A name is not a release table, or the release's rows were pruned.
    """
    with engine.begin() as connection:
        if not _published(connection):
            return None
        wanted = golden_release.c.run_id == (run_id if run_id is not None else current_run_id())
        release = connection.execute(sa.select(golden_release).where(wanted)).mappings().first()
        if release is None:
            return None
        if release["status"] == "pruned":
            raise ValueError(f"release {release['run_id']} was pruned: its rows were deleted")
        return dict(release), {name: _rows(connection, name, release["run_id"], None) for name in tables}


def current_person_xref(engine: sa.Engine) -> pd.DataFrame | None:
    """The cross-reference of the current release (source, source_row, golden_person_id), or ``None``.

    Linkage reads it to keep golden person IDs stable: a new cluster inherits the ID most of its records had.
    """
    return _current_rows(engine, person_xref.name, ["source", "source_row", "golden_person_id"])


def current_person_households(engine: sa.Engine) -> pd.DataFrame | None:
    """Each golden person's household in the current release (golden_person_id, golden_household_id), or ``None``.

    Household resolution reads it to keep golden household IDs stable: a household inherits the ID most of its
    members had.
    """
    return _current_rows(engine, golden_person.name, ["golden_person_id", "golden_household_id"])


def _current_rows(engine: sa.Engine, name: str, columns: list[str]) -> pd.DataFrame | None:
    """Some columns of one table in the current release, or ``None`` before the first release."""
    with engine.begin() as connection:
        if not _published(connection):
            return None
        run_id = connection.execute(sa.select(current_run_id())).scalar()
        return None if run_id is None else _rows(connection, name, run_id, columns)


def steward_decisions(engine: sa.Engine) -> pd.DataFrame:
    """Every steward decision, oldest first (empty, with the contract's columns, when there are none)."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table(steward_decision.name):
            return pd.DataFrame(columns=list(STEWARD_DECISION_COLUMNS))
        return pd.read_sql(sa.select(steward_decision).order_by(steward_decision.c.decided_at,
                                                                steward_decision.c.decision_id), connection)


def record_steward_decision(engine: sa.Engine, *, left_record_id: str, right_record_id: str, decision: str,
                            steward: str, note: str | None = None, score_seen: float | None = None,
                            model_version: str | None = None) -> str:
    """Append a steward's decision about a pair of records to the audit table; return its ID.

    Raises:
        ValueError: The decision is not ``same``, ``different`` or ``unsure``, the steward is not named, or
            the two record IDs are equal.
    """
    if decision not in STEWARD_DECISIONS:
        raise ValueError(f"decision must be one of {list(STEWARD_DECISIONS)}, not {decision!r}")
    if not steward.strip():
        raise ValueError("a steward decision must name the steward who made it")
    if left_record_id == right_record_id:
        raise ValueError(f"a decision needs two different records, got {left_record_id!r} twice")
    upgrade_schema(engine)
    decision_id = uuid.uuid4().hex
    with write_transaction(engine) as connection:
        connection.execute(steward_decision.insert().values(
            decision_id=decision_id, left_record_id=left_record_id, right_record_id=right_record_id,
            decision=decision, note=note, steward=steward, decided_at=dt.datetime.now(dt.UTC),
            score_seen=score_seen, model_version=model_version))
    return decision_id
