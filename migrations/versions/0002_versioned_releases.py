"""Versioned releases: every golden table gains run_id; run metadata, lineage, pairs, reviews, steward decisions,
ID history and pseudonymised tables are added.

The rows of a database published before this migration are kept: they become the release of the newest
``run_summary`` row (older runs become ``pruned`` releases: their metadata stays, their rows were already
replaced by the old publish). Column definitions are frozen here on purpose; later schema changes go into new
migrations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tables that existed unversioned, in the order their rows are carried over.
CARRIED_OVER = ("golden_household", "golden_person", "person_xref", "missed_child", "quarantine")


def _run_id(primary_key: bool = True) -> sa.Column:
    return sa.Column("run_id", sa.String(64), primary_key=primary_key, nullable=False,
                     comment="release (Dagster run ID) the row belongs to")


def _admin_codes() -> list[sa.Column]:
    return [sa.Column("province_code", sa.String(2), comment="2-digit province code"),
            sa.Column("district_code", sa.String(4), comment="4-digit district code"),
            sa.Column("subdistrict_code", sa.String(6), comment="6-digit subdistrict code")]


def _pair_table(name: str, comment: str) -> None:
    op.create_table(
        name, _run_id(),
        sa.Column("left_record_id", sa.String(80), primary_key=True, comment="source:row"),
        sa.Column("right_record_id", sa.String(80), primary_key=True),
        sa.Column("score", sa.Float, nullable=False, comment="match probability 0-1"),
        sa.Column("match_weight", sa.Float, comment="total log2 Bayes factor"),
        sa.Column("rule", sa.String(32), comment="what decided the pair: model, steward_must_link, ..."),
        sa.Column("passes", sa.Text, comment="comma-joined blocking passes that proposed the pair"),
        sa.Column("field_weights", sa.Text, comment="JSON: partial match weight per compared field"),
        comment=comment)


def _create_release_tables() -> None:
    op.create_table(
        "golden_release",
        sa.Column("run_id", sa.String(64), primary_key=True, comment="Dagster run ID that produced the release"),
        sa.Column("release_seq", sa.Integer, nullable=False, unique=True, comment="publication order, 1 first"),
        sa.Column("status", sa.String(16), nullable=False,
                  comment="published | withdrawn (by a steward) | pruned (rows deleted, metadata kept)"),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of_date", sa.Date, nullable=False, comment="reference date for ages and flags"),
        sa.Column("code_version", sa.String(64), nullable=False, comment="termtem version and git commit"),
        sa.Column("rows_in", sa.Integer, nullable=False, comment="source rows read"),
        sa.Column("rows_quarantined", sa.Integer, nullable=False),
        sa.Column("persons", sa.Integer, nullable=False), sa.Column("households", sa.Integer, nullable=False),
        sa.Column("missed_children", sa.Integer, nullable=False, comment="missed-child flags raised"),
        sa.Column("row_counts", sa.Text, nullable=False, comment="JSON: rows per table of this release"),
        sa.Column("survivorship", sa.Text, nullable=False, comment="JSON: survivorship rules in force"),
        sa.Column("pseudonym_key_id", sa.String(16),
                  comment="fingerprint of the pseudonym key; NULL when the release has no pseudonymised tables"),
        sa.Column("status_changed_at", sa.DateTime(timezone=True)),
        sa.Column("status_reason", sa.Text, comment="why a release was withdrawn or pruned"),
        comment="Run metadata: one row per release, newest release_seq last")
    op.create_table(
        "release_source", _run_id(), sa.Column("source", sa.String(64), primary_key=True),
        sa.Column("file", sa.Text, comment="export file (or SQL table) read"),
        sa.Column("sha256", sa.String(64), comment="checksum of the file when published; NULL for SQL sources"),
        sa.Column("bytes", sa.BigInteger),
        sa.Column("rows_in", sa.Integer, nullable=False), sa.Column("rows_linked", sa.Integer, nullable=False),
        sa.Column("rows_quarantined", sa.Integer, nullable=False),
        comment="Run metadata per source: the file read, its checksum and the row accounting")
    attributes = ("given_name", "family_name", "sex", "birth_date", "citizen_id", "house_code",
                  "subdistrict_code", "district_code", "province_code")
    op.create_table(
        "golden_attribute_source", _run_id(), sa.Column("golden_person_id", sa.String(16), primary_key=True),
        *[sa.Column(name, sa.String(80), comment=f"record_id that supplied {name}") for name in attributes],
        comment="Survivorship lineage: the source record (source:row) that supplied each golden attribute")
    _pair_table("linked_pair", "Linked pairs: record pairs decided 'link', with scores and field weights")
    _pair_table("review_queue", "Review queue: record pairs left for a steward to decide")
    op.create_table(
        "steward_decision",
        sa.Column("decision_id", sa.String(32), primary_key=True),
        sa.Column("left_record_id", sa.String(80), nullable=False),
        sa.Column("right_record_id", sa.String(80), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False, comment="same | different | unsure"),
        sa.Column("note", sa.Text), sa.Column("steward", sa.String(128), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score_seen", sa.Float, comment="the pair's score when the steward decided"),
        sa.Column("model_version", sa.String(64)),
        sa.CheckConstraint("decision IN ('same', 'different', 'unsure')", name="ck_steward_decision_decision"),
        comment="Steward decisions (audit, append-only, not versioned): linkage applies them as must/cannot-link")
    op.create_index("ix_steward_decision_left_record_id_right_record_id", "steward_decision",
                    ["left_record_id", "right_record_id"])
    op.create_table(
        "id_history", _run_id(primary_key=False), sa.Column("golden_person_id", sa.String(16), nullable=False),
        sa.Column("event", sa.String(16), nullable=False, comment="created | kept | merged | split | retired"),
        sa.Column("related_person_id", sa.String(16), comment="the other ID in a merge or split"),
        sa.Column("records", sa.Integer, comment="records involved"),
        comment="ID history: what happened to each golden person ID in this release (merges and splits)")
    op.create_index("ix_id_history_run_id_golden_person_id", "id_history", ["run_id", "golden_person_id"])
    op.create_table(
        "pseudonymised_person", _run_id(),
        sa.Column("person_key", sa.String(64), primary_key=True, comment="HMAC of the golden person ID"),
        sa.Column("household_key", sa.String(64), nullable=False, comment="HMAC of the golden household ID"),
        sa.Column("citizen_id_hash", sa.String(64),
                  comment="HMAC-SHA256 of the citizen ID, NULL without a valid ID"),
        sa.Column("sex", sa.String(1)), sa.Column("birth_year", sa.Integer),
        sa.Column("age", sa.Integer, comment="whole years at the as-of date"), *_admin_codes(),
        sa.Column("record_count", sa.Integer, nullable=False), sa.Column("sources", sa.Text, nullable=False),
        sa.Column("missed_child_rules", sa.Text),
        comment="Pseudonymised persons for analysts: no name, house number, house code or citizen ID")
    op.create_table(
        "pseudonymised_missed_child", _run_id(), sa.Column("person_key", sa.String(64), primary_key=True),
        sa.Column("rule", sa.String(64), primary_key=True),
        sa.Column("household_key", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16)), sa.Column("triage", sa.String(6), nullable=False),
        sa.Column("age", sa.Integer, nullable=False), *_admin_codes(),
        comment="Pseudonymised missed-child flags for analysts")


def _create_versioned_golden_tables() -> None:
    op.create_table(
        "golden_household", _run_id(), sa.Column("golden_household_id", sa.String(16), primary_key=True),
        sa.Column("house_code", sa.String(11)), *_admin_codes(),
        sa.Column("member_count", sa.Integer, nullable=False),
        sa.Column("triage", sa.String(6), comment="worst family triage colour: green | yellow | red"),
        sa.Column("poverty_list", sa.Boolean, nullable=False, comment="a member is on a poverty-list source"),
        comment="Golden household; members are the golden persons with this household ID")
    op.create_table(
        "golden_person", _run_id(),
        sa.Column("golden_person_id", sa.String(16), primary_key=True,
                  comment="stable across releases while the person's records stay together"),
        sa.Column("golden_household_id", sa.String(16), nullable=False, comment="current household"),
        sa.Column("given_name", sa.Text, comment="best given name"), sa.Column("family_name", sa.Text),
        sa.Column("sex", sa.String(1), comment="M | F"), sa.Column("birth_date", sa.Date),
        sa.Column("birth_date_flag", sa.String(16), comment="ok | day_uncertain (1 January or 1st placeholder)"),
        sa.Column("citizen_id", sa.String(13), comment="13-digit citizen ID; only a checksum-valid ID survives"),
        sa.Column("citizen_id_kind", sa.String(16), comment="thai | migrant | naturalised | stateless | other"),
        sa.Column("house_code", sa.String(11), comment="11-digit house registration code"), *_admin_codes(),
        sa.Column("record_count", sa.Integer, nullable=False, comment="source records linked to the person"),
        sa.Column("sources", sa.Text, nullable=False, comment="comma-joined sources holding the person"),
        sa.Column("missed_child_rules", sa.Text, comment="comma-joined missed-child rules flagged, NULL if none"),
        comment="Golden person: one row per person found across the registries")
    op.create_index("ix_golden_person_run_id_golden_household_id", "golden_person",
                    ["run_id", "golden_household_id"])
    op.create_table(
        "person_xref", _run_id(), sa.Column("source", sa.String(64), primary_key=True),
        sa.Column("source_row", sa.Integer, primary_key=True, comment="1-based data row in the source file"),
        sa.Column("record_key", sa.Text, comment="the agency's own identifier of the row"),
        sa.Column("golden_person_id", sa.String(16), nullable=False),
        sa.Column("link_rule", sa.String(32),
                  comment="rule of the strongest link that joined the record, NULL if alone"),
        sa.Column("link_score", sa.Float, comment="score of that link"),
        comment="Person cross-reference: every linkable source record and its golden person")
    op.create_index("ix_person_xref_run_id_golden_person_id", "person_xref", ["run_id", "golden_person_id"])
    op.create_table(
        "missed_child", _run_id(), sa.Column("golden_person_id", sa.String(16), primary_key=True),
        sa.Column("rule", sa.String(64), primary_key=True),
        sa.Column("golden_household_id", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16),
                  comment="missed | pending_review (found only through a pair under review)"),
        sa.Column("triage", sa.String(6), nullable=False, comment="the rule's triage, raised to the household's"),
        sa.Column("household_triage", sa.String(6)), sa.Column("age", sa.Integer, nullable=False),
        sa.Column("searched_sources", sa.Text, nullable=False),
        sa.Column("near_misses", sa.Text, comment="JSON: records in searched sources that almost linked"),
        sa.Column("reason_en", sa.Text, nullable=False), sa.Column("reason_th", sa.Text, nullable=False),
        *_admin_codes(), comment="Missed children: a child who should be in a registry and is not, per rule")
    op.create_table(
        "quarantine", _run_id(), sa.Column("source", sa.String(64), primary_key=True),
        sa.Column("source_row", sa.Integer, primary_key=True),
        sa.Column("reason", sa.String(64), nullable=False), sa.Column("raw_values", sa.Text, nullable=False),
        comment="Quarantine: source rows that could not be used, with the reason and raw values")


def _carry_over_rows() -> None:
    """Give the old tables' rows the newest run's ID and turn every old run into a release row."""
    latest = "(SELECT run_id FROM run_summary ORDER BY published_at DESC, run_id DESC LIMIT 1)"
    for table in CARRIED_OVER:
        columns = [column["name"] for column in sa.inspect(op.get_bind()).get_columns(f"{table}_unversioned")]
        listed = ", ".join(columns)
        op.execute(f"INSERT INTO {table} (run_id, {listed}) SELECT {latest}, {listed} FROM {table}_unversioned "
                   f"WHERE EXISTS (SELECT 1 FROM run_summary)")
    op.execute(
        "INSERT INTO golden_release (run_id, release_seq, status, published_at, as_of_date, code_version, rows_in, "
        "rows_quarantined, persons, households, missed_children, row_counts, survivorship) "
        f"SELECT run_id, ROW_NUMBER() OVER (ORDER BY published_at, run_id), CASE WHEN run_id = {latest} "
        "THEN 'published' ELSE 'pruned' END, published_at, as_of_date, 'unversioned', rows_in, rows_quarantined, "
        "persons, households, missed_children, '{}', '[]' FROM run_summary")


def upgrade() -> None:
    for table in CARRIED_OVER:
        op.rename_table(table, f"{table}_unversioned")
    _create_release_tables()
    _create_versioned_golden_tables()
    _carry_over_rows()
    for table in (*CARRIED_OVER, "run_summary"):
        op.drop_table(f"{table}_unversioned" if table != "run_summary" else table)


def downgrade() -> None:
    raise NotImplementedError("releases cannot be folded back into unversioned tables without losing them")
