"""The few rows of one release a review page needs, read by key instead of whole tables.

A page shows a handful of records out of millions, so every query here is pinned to one ``run_id`` and looks rows
up through the tables' keys and indexes (``person_xref`` by source and row or by golden person, the pair tables
by their left record). Callers pass one open connection, so a page's reads see one snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import sqlalchemy as sa

from termtem.golden_store.schema import golden_household, golden_person, linked_pair, person_xref, review_queue

#: Record keys per query (two bound parameters each, well under SQLite's limit).
CHUNK = 2000

_PERSON_COLUMNS = ("given_name", "family_name", "sex", "birth_date", "birth_date_flag", "citizen_id", "house_code",
                   "district_code", "golden_household_id")


def record_id_column() -> sa.ColumnElement[str]:
    """``source:source_row`` of a ``person_xref`` row, as SQL."""
    return (person_xref.c.source + ":" + sa.cast(person_xref.c.source_row, sa.String)).label("record_id")


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _read(connection: sa.Connection, queries: Iterable[sa.Select], columns: list[str]) -> pd.DataFrame:
    parts = [pd.read_sql(query, connection) for query in queries]
    filled = [part for part in parts if len(part)]
    if not filled:
        return parts[0] if parts else pd.DataFrame(columns=columns)
    return pd.concat(filled, ignore_index=True)


def record_rows(connection: sa.Connection, run_id: str, record_ids: Iterable[str]) -> pd.DataFrame:
    """Per record ID: its cross-reference row, its golden person's attributes and the household's triage.

    Returns:
        One row per record found, indexed by ``record_id``; records the release does not hold are absent.
    """
    keys = sorted({(source, int(row)) for source, row in (record.rsplit(":", 1) for record in record_ids)})
    person, household = golden_person.c, golden_household.c
    selected = [record_id_column(), person_xref.c.record_key, person_xref.c.golden_person_id,
                *[person[name] for name in _PERSON_COLUMNS], household.triage]
    joined = person_xref.join(golden_person, (person.run_id == person_xref.c.run_id)
                              & (person.golden_person_id == person_xref.c.golden_person_id)
                              ).outerjoin(golden_household, (household.run_id == person.run_id)
                                          & (household.golden_household_id == person.golden_household_id))
    queries = (sa.select(*selected).select_from(joined).where(
        person_xref.c.run_id == run_id, sa.tuple_(person_xref.c.source, person_xref.c.source_row).in_(chunk))
        for chunk in _chunks(keys))
    return _read(connection, queries, [column.name for column in selected]).set_index("record_id")


def member_rows(connection: sa.Connection, run_id: str, golden_person_ids: Iterable[str]) -> pd.DataFrame:
    """The records of some golden persons: record ID, agency key, golden person, link rule and score."""
    xref = person_xref.c
    selected = [record_id_column(), xref.record_key, xref.golden_person_id, xref.link_rule, xref.link_score]
    return pd.read_sql(sa.select(*selected).where(xref.run_id == run_id,
                                                  xref.golden_person_id.in_(sorted(set(golden_person_ids))))
                       .order_by(xref.source, xref.source_row), connection)


def member_counts(connection: sa.Connection, run_id: str, golden_person_ids: Iterable[str]) -> dict[str, int]:
    """How many records each of some golden persons has."""
    xref = person_xref.c
    counts: dict[str, int] = {}
    for chunk in _chunks(sorted(set(golden_person_ids)), 2 * CHUNK):
        query = (sa.select(xref.golden_person_id, sa.func.count()).where(xref.run_id == run_id,
                                                                        xref.golden_person_id.in_(chunk))
                 .group_by(xref.golden_person_id))
        counts |= {person: int(count) for person, count in connection.execute(query)}
    return counts


def pairs_among(connection: sa.Connection, run_id: str, record_ids: Iterable[str]) -> pd.DataFrame:
    """The scored pairs (linked or under review, ``linked`` telling which) with both records among ``record_ids``,
    with their scores and per-field weights."""
    records = sorted(set(record_ids))
    queries = [sa.select(table.c.left_record_id, table.c.right_record_id, table.c.score, table.c.field_weights,
                         sa.literal(table is linked_pair).label("linked"))
               .where(table.c.run_id == run_id, table.c.left_record_id.in_(records),
                      table.c.right_record_id.in_(records))
               for table in (review_queue, linked_pair)]
    return _read(connection, queries, ["left_record_id", "right_record_id", "score", "field_weights", "linked"])


def scored_pair(connection: sa.Connection, run_id: str, left_record_id: str, right_record_id: str) -> dict | None:
    """The review-queue or linked-pair row of two records (either order), with ``linked``; ``None`` if unscored."""
    for table in (review_queue, linked_pair):
        either_order = sa.or_(
            (table.c.left_record_id == left_record_id) & (table.c.right_record_id == right_record_id),
            (table.c.left_record_id == right_record_id) & (table.c.right_record_id == left_record_id))
        row = connection.execute(sa.select(table).where(table.c.run_id == run_id, either_order)).mappings().first()
        if row is not None:
            return dict(row) | {"linked": table is linked_pair}
    return None
