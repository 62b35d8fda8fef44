"""The golden tables, defined once: migrations are checked against this metadata and docs/schema.md is generated.

Every table a run fills carries ``run_id``: a release is the set of rows with one run ID, and it becomes
visible when its ``golden_release`` row commits in the same transaction. Earlier releases stay in the same
tables, queryable by run ID; the ``current_*`` views (:mod:`termtem.golden_store.views`) show the newest
published one. Cross-table references are logical (same ``run_id``) rather than foreign keys, so a release
loads with bulk copies instead of row-by-row checks. On PostgreSQL each release is a partition of every release
table (:data:`RELEASE_PARTITION_BY`). Column comments are the documentation.
"""

from __future__ import annotations

import sqlalchemy as sa

from matching.survivorship import SURVIVING_ATTRIBUTES

#: Deterministic constraint and index names, so migrations and their checks are stable across databases.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

#: Release statuses; views show the newest ``published`` release.
RELEASE_STATUSES: tuple[str, ...] = ("published", "withdrawn", "pruned")

#: What a steward may decide about a pair of records.
STEWARD_DECISIONS: tuple[str, ...] = ("same", "different", "unsure")


def _run_id(primary_key: bool = True) -> sa.Column:
    return sa.Column("run_id", sa.String(64), primary_key=primary_key, nullable=False,
                     comment="release (Dagster run ID) the row belongs to")


def _admin_codes() -> list[sa.Column]:
    return [sa.Column("province_code", sa.String(2), comment="2-digit province code"),
            sa.Column("district_code", sa.String(4), comment="4-digit district code"),
            sa.Column("subdistrict_code", sa.String(6), comment="6-digit subdistrict code")]


golden_release = sa.Table(
    "golden_release", metadata,
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
    sa.Column("model_version", sa.String(64),
              comment="linkage model (its fitted weights' fingerprint) that scored the pairs; NULL before 0005"),
    comment="Run metadata: one row per release, newest release_seq last",
)

release_source = sa.Table(
    "release_source", metadata,
    _run_id(), sa.Column("source", sa.String(64), primary_key=True),
    sa.Column("file", sa.Text, comment="export file (or SQL table) read"),
    sa.Column("sha256", sa.String(64), comment="checksum of the file when published; NULL for SQL sources"),
    sa.Column("bytes", sa.BigInteger),
    sa.Column("rows_in", sa.Integer, nullable=False), sa.Column("rows_linked", sa.Integer, nullable=False),
    sa.Column("rows_quarantined", sa.Integer, nullable=False),
    comment="Run metadata per source: the file read, its checksum and the row accounting",
)

golden_person = sa.Table(
    "golden_person", metadata,
    _run_id(), sa.Column("golden_person_id", sa.String(16), primary_key=True,
                         comment="stable across releases while the person's records stay together"),
    sa.Column("golden_household_id", sa.String(16), nullable=False, comment="current household"),
    sa.Column("given_name", sa.Text, comment="best given name"), sa.Column("family_name", sa.Text),
    sa.Column("sex", sa.String(1), comment="M | F"), sa.Column("birth_date", sa.Date),
    sa.Column("birth_date_flag", sa.String(16), comment="ok | day_uncertain (1 January or 1st placeholder)"),
    sa.Column("citizen_id", sa.String(13), comment="13-digit citizen ID; only a checksum-valid ID survives"),
    sa.Column("citizen_id_kind", sa.String(16), comment="thai | migrant | naturalised | stateless | other"),
    sa.Column("house_code", sa.String(11), comment="11-digit house registration code"),
    *_admin_codes(),
    sa.Column("record_count", sa.Integer, nullable=False, comment="source records linked to the person"),
    sa.Column("sources", sa.Text, nullable=False, comment="comma-joined sources holding the person"),
    sa.Column("missed_child_rules", sa.Text, comment="comma-joined missed-child rules flagged, NULL if none"),
    sa.Index(None, "run_id", "golden_household_id"),
    comment="Golden person: one row per person found across the registries",
)

golden_attribute_source = sa.Table(
    "golden_attribute_source", metadata,
    _run_id(), sa.Column("golden_person_id", sa.String(16), primary_key=True),
    *[sa.Column(attribute, sa.String(80), comment=f"record_id that supplied {attribute}")
      for attribute in SURVIVING_ATTRIBUTES],
    comment="Survivorship lineage: the source record (source:row) that supplied each golden attribute",
)

golden_household = sa.Table(
    "golden_household", metadata,
    _run_id(), sa.Column("golden_household_id", sa.String(16), primary_key=True),
    sa.Column("house_code", sa.String(11)), *_admin_codes(),
    sa.Column("member_count", sa.Integer, nullable=False),
    sa.Column("triage", sa.String(6), comment="worst family triage colour: green | yellow | red"),
    sa.Column("poverty_list", sa.Boolean, nullable=False, comment="a member is on a poverty-list source"),
    comment="Golden household; members are the golden persons with this household ID",
)

person_xref = sa.Table(
    "person_xref", metadata,
    _run_id(), sa.Column("source", sa.String(64), primary_key=True),
    sa.Column("source_row", sa.Integer, primary_key=True, comment="1-based data row in the source file"),
    sa.Column("record_key", sa.Text, comment="the agency's own identifier of the row"),
    sa.Column("golden_person_id", sa.String(16), nullable=False),
    sa.Column("link_rule", sa.String(32), comment="rule of the strongest link that joined the record, NULL if alone"),
    sa.Column("link_score", sa.Float, comment="score of that link"),
    sa.Index(None, "run_id", "golden_person_id"),
    comment="Person cross-reference: every linkable source record and its golden person",
)


def _pair_table(name: str, comment: str) -> sa.Table:
    return sa.Table(
        name, metadata,
        _run_id(), sa.Column("left_record_id", sa.String(80), primary_key=True, comment="source:row"),
        sa.Column("right_record_id", sa.String(80), primary_key=True),
        sa.Column("score", sa.Float, nullable=False, comment="match probability 0-1"),
        sa.Column("match_weight", sa.Float, comment="total log2 Bayes factor"),
        sa.Column("rule", sa.String(32), comment="what decided the pair: model, steward_must_link, ..."),
        sa.Column("passes", sa.Text, comment="comma-joined blocking passes that proposed the pair"),
        sa.Column("field_weights", sa.Text, comment="JSON: partial match weight per compared field"),
        comment=comment,
    )


linked_pair = _pair_table("linked_pair", "Linked pairs: record pairs decided 'link', with scores and field weights")
review_queue = _pair_table("review_queue", "Review queue: record pairs left for a steward to decide")

steward_decision = sa.Table(
    "steward_decision", metadata,
    sa.Column("decision_id", sa.String(32), primary_key=True),
    sa.Column("left_record_id", sa.String(80), nullable=False),
    sa.Column("right_record_id", sa.String(80), nullable=False),
    sa.Column("decision", sa.String(16), nullable=False, comment="same | different | unsure"),
    sa.Column("note", sa.Text), sa.Column("steward", sa.String(128), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("score_seen", sa.Float, comment="the pair's score when the steward decided"),
    sa.Column("model_version", sa.String(64)),
    sa.CheckConstraint("decision IN ('same', 'different', 'unsure')", name="decision"),
    sa.Index(None, "left_record_id", "right_record_id"),
    comment="Steward decisions (audit, append-only, not versioned): linkage applies them as must/cannot-link",
)

missed_child = sa.Table(
    "missed_child", metadata,
    _run_id(), sa.Column("golden_person_id", sa.String(16), primary_key=True),
    sa.Column("rule", sa.String(64), primary_key=True),
    sa.Column("golden_household_id", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), comment="missed | pending_review (found only through a pair under review) | "
              "id_conflict (found only through a pair kept apart by two different citizen IDs)"),
    sa.Column("triage", sa.String(6), nullable=False, comment="the rule's triage, raised to the household's"),
    sa.Column("household_triage", sa.String(6)), sa.Column("age", sa.Integer, nullable=False),
    sa.Column("searched_sources", sa.Text, nullable=False),
    sa.Column("near_misses", sa.Text, comment="JSON: records in searched sources that almost linked"),
    sa.Column("reason_en", sa.Text, nullable=False), sa.Column("reason_th", sa.Text, nullable=False),
    *_admin_codes(),
    comment="Missed children: a child who should be in a registry and is not, per rule",
)

quarantine = sa.Table(
    "quarantine", metadata,
    _run_id(), sa.Column("source", sa.String(64), primary_key=True),
    sa.Column("source_row", sa.Integer, primary_key=True),
    sa.Column("reason", sa.String(64), nullable=False), sa.Column("raw_values", sa.Text, nullable=False),
    comment="Quarantine: source rows that could not be used, with the reason and raw values",
)

id_history = sa.Table(
    "id_history", metadata,
    _run_id(primary_key=False), sa.Column("golden_person_id", sa.String(16), nullable=False),
    sa.Column("event", sa.String(16), nullable=False, comment="created | kept | merged | split | retired"),
    sa.Column("related_person_id", sa.String(16), comment="the other ID in a merge or split"),
    sa.Column("records", sa.Integer, comment="records involved"),
    sa.Index(None, "run_id", "golden_person_id"),
    comment="ID history: what happened to each golden person ID in this release (merges and splits)",
)

pseudonymised_person = sa.Table(
    "pseudonymised_person", metadata,
    _run_id(), sa.Column("person_key", sa.String(64), primary_key=True, comment="HMAC of the golden person ID"),
    sa.Column("household_key", sa.String(64), nullable=False, comment="HMAC of the golden household ID"),
    sa.Column("citizen_id_hash", sa.String(64), comment="HMAC-SHA256 of the citizen ID, NULL without a valid ID"),
    sa.Column("sex", sa.String(1)), sa.Column("birth_year", sa.Integer),
    sa.Column("age", sa.Integer, comment="whole years at the as-of date"),
    *_admin_codes(),
    sa.Column("record_count", sa.Integer, nullable=False), sa.Column("sources", sa.Text, nullable=False),
    sa.Column("missed_child_rules", sa.Text),
    comment="Pseudonymised persons for analysts: no name, house number, house code or citizen ID",
)

pseudonymised_missed_child = sa.Table(
    "pseudonymised_missed_child", metadata,
    _run_id(), sa.Column("person_key", sa.String(64), primary_key=True),
    sa.Column("rule", sa.String(64), primary_key=True),
    sa.Column("household_key", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16)), sa.Column("triage", sa.String(6), nullable=False),
    sa.Column("age", sa.Integer, nullable=False), *_admin_codes(),
    comment="Pseudonymised missed-child flags for analysts",
)

#: Tables holding one release's rows (``run_id`` first), in load order.
RELEASE_TABLES: tuple[sa.Table, ...] = (
    release_source, golden_household, golden_person, golden_attribute_source, person_xref, linked_pair,
    review_queue, missed_child, quarantine, id_history, pseudonymised_person, pseudonymised_missed_child,
)

#: How every release table is partitioned on PostgreSQL: one partition per release (migration 0004,
#: :mod:`termtem.golden_store.partitions`). SQLite has no partitions and keeps plain tables.
RELEASE_PARTITION_BY = "LIST (run_id)"


def _partitioned_on_postgresql(tables: tuple[sa.Table, ...]) -> None:
    """Declare the partitioning, so ``create_all`` and migration checks on PostgreSQL know the tables as they are."""
    for table in tables:
        table.dialect_kwargs["postgresql_partition_by"] = RELEASE_PARTITION_BY


_partitioned_on_postgresql(RELEASE_TABLES)

#: Release tables a publish may leave empty because their producer is optional.
OPTIONAL_TABLES: frozenset[str] = frozenset(
    {"id_history", "pseudonymised_person", "pseudonymised_missed_child"})

#: Release tables holding pseudonymised rows only (built by the publish from the key, never passed in).
PSEUDONYMISED_TABLES: tuple[sa.Table, ...] = (pseudonymised_person, pseudonymised_missed_child)


def data_columns(table: sa.Table) -> list[str]:
    """A release table's columns other than ``run_id``: what a frame passed to a publish must hold."""
    return [column.name for column in table.columns if column.name != "run_id"]
