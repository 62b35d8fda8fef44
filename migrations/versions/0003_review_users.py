"""Steward review app: users with roles, sign-in sessions and the audit trail.

Column definitions are frozen here on purpose (see ``termtem/golden_store/review_schema.py`` for the meaning of
each column); later changes go into new migrations.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_user",
        sa.Column("username", sa.String(64), nullable=False, comment="sign-in name, also the steward's name"),
        sa.Column("display_name", sa.Text, nullable=False, comment="name shown in the app"),
        sa.Column("role", sa.String(16), nullable=False, comment="steward | viewer"),
        sa.Column("password_hash", sa.Text, nullable=False, comment="scrypt hash with its salt and parameters"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, comment="false: the user can no longer sign in"),
        sa.CheckConstraint("role IN ('steward', 'viewer')", name="ck_review_user_role"),
        sa.PrimaryKeyConstraint("username", name="pk_review_user"),
        comment="Review-app users: named people with a role; passwords are stored only as salted scrypt hashes",
    )
    op.create_table(
        "review_session",
        sa.Column("token_hash", sa.String(64), nullable=False,
                  comment="SHA-256 of the session cookie; the cookie itself is never stored"),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_review_session"),
        comment="Review-app sign-in sessions; a session ends when it expires or the user signs out",
    )
    op.create_table(
        "review_audit",
        sa.Column("audit_id", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(64), comment="who acted; NULL for a failed sign-in by an unknown name"),
        sa.Column("action", sa.String(32), nullable=False,
                  comment="sign_in | sign_in_failed | sign_out | decide | decide_refused | add_user"),
        sa.Column("target", sa.Text, comment="what the action was about, e.g. the pair's two record IDs"),
        sa.Column("detail", sa.Text, comment="JSON: what the user saw and chose (score, release, decision, note)"),
        sa.PrimaryKeyConstraint("audit_id", name="pk_review_audit"),
        comment="Review-app audit trail (append-only): every sign-in, decision and user change, with who and when",
    )
    op.create_index("ix_review_audit_at", "review_audit", ["at"])


def downgrade() -> None:
    op.drop_index("ix_review_audit_at", table_name="review_audit")
    for table in ("review_audit", "review_session", "review_user"):
        op.drop_table(table)
