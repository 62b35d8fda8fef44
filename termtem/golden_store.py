"""The golden tables downstream systems read, defined once with SQLAlchemy and written in one transaction.

SQLite is the embedded default and PostgreSQL the production target; the same table definitions serve both.
A publish replaces every golden table inside a single transaction, so a reader sees the previous run or the new
one, never half of each.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

log = logging.getLogger(__name__)

metadata = sa.MetaData()

golden_person = sa.Table(
    "golden_person", metadata,
    sa.Column("golden_person_id", sa.String(16), primary_key=True),
    sa.Column("golden_household_id", sa.String(16), nullable=False, index=True),
    sa.Column("given_name", sa.Text), sa.Column("family_name", sa.Text),
    sa.Column("sex", sa.String(1)), sa.Column("birth_date", sa.Date),
    sa.Column("citizen_id", sa.String(13), comment="only a checksum-valid ID survives"),
    sa.Column("house_code", sa.String(11)),
    sa.Column("province_code", sa.String(2)), sa.Column("district_code", sa.String(4)),
    sa.Column("subdistrict_code", sa.String(6)),
    sa.Column("record_count", sa.Integer, nullable=False), sa.Column("sources", sa.Text, nullable=False),
    comment="One row per person found across the registries",
)

golden_household = sa.Table(
    "golden_household", metadata,
    sa.Column("golden_household_id", sa.String(16), primary_key=True),
    sa.Column("house_code", sa.String(11)),
    sa.Column("province_code", sa.String(2)), sa.Column("district_code", sa.String(4)),
    sa.Column("subdistrict_code", sa.String(6)),
    sa.Column("member_count", sa.Integer, nullable=False),
    sa.Column("triage", sa.String(6)), sa.Column("poverty_list", sa.Boolean, nullable=False),
    comment="One row per household; members are golden persons with this household ID",
)

person_xref = sa.Table(
    "person_xref", metadata,
    sa.Column("source", sa.String(64), primary_key=True),
    sa.Column("source_row", sa.Integer, primary_key=True),
    sa.Column("record_key", sa.Text),
    sa.Column("golden_person_id", sa.String(16), nullable=False, index=True),
    sa.Column("link_rule", sa.String(32), comment="strongest rule that linked the record, or NULL if alone"),
    sa.Column("link_score", sa.Float),
    comment="Every linkable source record and the golden person it belongs to",
)

missed_child = sa.Table(
    "missed_child", metadata,
    sa.Column("golden_person_id", sa.String(16), primary_key=True),
    sa.Column("rule", sa.String(64), primary_key=True),
    sa.Column("golden_household_id", sa.String(16), nullable=False),
    sa.Column("triage", sa.String(6), nullable=False), sa.Column("age", sa.Integer, nullable=False),
    sa.Column("searched_sources", sa.Text, nullable=False),
    sa.Column("reason_en", sa.Text, nullable=False), sa.Column("reason_th", sa.Text, nullable=False),
    sa.Column("province_code", sa.String(2)), sa.Column("district_code", sa.String(4)),
    sa.Column("subdistrict_code", sa.String(6)),
    comment="Children who should be in a registry and are not",
)

quarantine = sa.Table(
    "quarantine", metadata,
    sa.Column("source", sa.String(64), primary_key=True),
    sa.Column("source_row", sa.Integer, primary_key=True),
    sa.Column("reason", sa.String(64), nullable=False), sa.Column("raw_values", sa.Text, nullable=False),
    comment="Source rows that could not be used, with the reason; nothing is dropped",
)

run_summary = sa.Table(
    "run_summary", metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("as_of_date", sa.Date, nullable=False),
    sa.Column("rows_in", sa.Integer, nullable=False), sa.Column("rows_quarantined", sa.Integer, nullable=False),
    sa.Column("persons", sa.Integer, nullable=False), sa.Column("households", sa.Integer, nullable=False),
    sa.Column("missed_children", sa.Integer, nullable=False),
    comment="One row per published run, newest last",
)

#: Tables a publish replaces, in insertion order.
GOLDEN_TABLES: tuple[sa.Table, ...] = (golden_household, golden_person, person_xref, missed_child, quarantine)


@dataclass(frozen=True)
class RunSummary:
    """Counts describing one published run."""

    run_id: str
    as_of_date: dt.date
    rows_in: int
    rows_quarantined: int
    persons: int
    households: int
    missed_children: int


def engine_for(url: str) -> sa.Engine:
    """Create an engine, making the folder of a SQLite file so the embedded default needs no set-up."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return sa.create_engine(url)


def publish_golden(engine: sa.Engine, frames: dict[str, pd.DataFrame], summary: RunSummary) -> None:
    """Replace every golden table with ``frames`` and record the run, all in one transaction.

    Args:
        engine: Target database.
        frames: Table name -> rows, one entry per table in :data:`GOLDEN_TABLES`.
        summary: Counts for the run-summary table.
    """
    missing = {table.name for table in GOLDEN_TABLES} - set(frames)
    if missing:
        raise ValueError(f"publish needs every golden table; missing {sorted(missing)}")
    metadata.create_all(engine)
    with engine.begin() as connection:
        for table in reversed(GOLDEN_TABLES):
            connection.execute(table.delete())
        for table in GOLDEN_TABLES:
            frame = frames[table.name][[column.name for column in table.columns]]
            rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
            if rows:
                connection.execute(table.insert(), rows)
            log.info("published %d rows to %s", len(rows), table.name)
        connection.execute(run_summary.insert().values(
            published_at=dt.datetime.now(dt.UTC), **summary.__dict__))


def latest_run_summary(engine: sa.Engine) -> dict | None:
    """The newest run-summary row, or ``None`` when nothing was published yet."""
    if not sa.inspect(engine).has_table(run_summary.name):
        return None
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(run_summary).order_by(run_summary.c.published_at.desc()).limit(1)).mappings().first()
    return dict(row) if row else None


def current_person_xref(engine: sa.Engine) -> pd.DataFrame | None:
    """The cross-reference of the current release (source, source_row, golden_person_id), or ``None``.

    Linkage reads it to keep golden person IDs stable: a new cluster inherits the ID most of its records had.
    """
    if not sa.inspect(engine).has_table(person_xref.name):
        return None
    with engine.connect() as connection:
        return pd.read_sql(sa.select(person_xref.c.source, person_xref.c.source_row,
                                     person_xref.c.golden_person_id), connection)
