"""The golden tables before releases were versioned: each publish replaced them (termtem 0.1 baseline).

A database created by termtem before migrations existed has exactly these tables and no ``alembic_version``;
:func:`termtem.golden_store.migrate.upgrade_schema` stamps it at this revision and upgrades from here.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _admin_codes() -> list[sa.Column]:
    return [sa.Column("province_code", sa.String(2)), sa.Column("district_code", sa.String(4)),
            sa.Column("subdistrict_code", sa.String(6))]


def _primary_key(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    """The name PostgreSQL gave the key when these tables were created without a naming convention."""
    return sa.PrimaryKeyConstraint(*columns, name=f"{table}_pkey")


def upgrade() -> None:
    op.create_table(
        "golden_person",
        sa.Column("golden_person_id", sa.String(16), nullable=False),
        sa.Column("golden_household_id", sa.String(16), nullable=False),
        sa.Column("given_name", sa.Text), sa.Column("family_name", sa.Text),
        sa.Column("sex", sa.String(1)), sa.Column("birth_date", sa.Date),
        sa.Column("citizen_id", sa.String(13)), sa.Column("house_code", sa.String(11)),
        *_admin_codes(),
        sa.Column("record_count", sa.Integer, nullable=False), sa.Column("sources", sa.Text, nullable=False),
        _primary_key("golden_person", "golden_person_id"),
    )
    op.create_index("ix_golden_person_golden_household_id", "golden_person", ["golden_household_id"])
    op.create_table(
        "golden_household",
        sa.Column("golden_household_id", sa.String(16), nullable=False),
        sa.Column("house_code", sa.String(11)), *_admin_codes(),
        sa.Column("member_count", sa.Integer, nullable=False),
        sa.Column("triage", sa.String(6)), sa.Column("poverty_list", sa.Boolean, nullable=False),
        _primary_key("golden_household", "golden_household_id"),
    )
    op.create_table(
        "person_xref",
        sa.Column("source", sa.String(64), nullable=False), sa.Column("source_row", sa.Integer, nullable=False),
        sa.Column("record_key", sa.Text), sa.Column("golden_person_id", sa.String(16), nullable=False),
        sa.Column("link_rule", sa.String(32)), sa.Column("link_score", sa.Float),
        _primary_key("person_xref", "source", "source_row"),
    )
    op.create_index("ix_person_xref_golden_person_id", "person_xref", ["golden_person_id"])
    op.create_table(
        "missed_child",
        sa.Column("golden_person_id", sa.String(16), nullable=False), sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("golden_household_id", sa.String(16), nullable=False),
        sa.Column("triage", sa.String(6), nullable=False), sa.Column("age", sa.Integer, nullable=False),
        sa.Column("searched_sources", sa.Text, nullable=False),
        sa.Column("reason_en", sa.Text, nullable=False), sa.Column("reason_th", sa.Text, nullable=False),
        *_admin_codes(), _primary_key("missed_child", "golden_person_id", "rule"),
    )
    op.create_table(
        "quarantine",
        sa.Column("source", sa.String(64), nullable=False), sa.Column("source_row", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(64), nullable=False), sa.Column("raw_values", sa.Text, nullable=False),
        _primary_key("quarantine", "source", "source_row"),
    )
    op.create_table(
        "run_summary",
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of_date", sa.Date, nullable=False),
        sa.Column("rows_in", sa.Integer, nullable=False), sa.Column("rows_quarantined", sa.Integer, nullable=False),
        sa.Column("persons", sa.Integer, nullable=False), sa.Column("households", sa.Integer, nullable=False),
        sa.Column("missed_children", sa.Integer, nullable=False), _primary_key("run_summary", "run_id"),
    )


def downgrade() -> None:
    for table in ("run_summary", "quarantine", "missed_child", "person_xref", "golden_household", "golden_person"):
        op.drop_table(table)
