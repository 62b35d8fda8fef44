"""The linkage model version that scored a release's pairs, so a steward's decision records what they saw; the
``id_conflict`` flag status in ``missed_child.status``'s comment (PostgreSQL keeps comments, SQLite has none).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_STATUS_BEFORE = "missed | pending_review (found only through a pair under review)"
_STATUS_AFTER = (f"{_STATUS_BEFORE} | id_conflict (found only through a pair kept apart by two different "
                 "citizen IDs)")


def _comment_status(comment: str, previous: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("missed_child", "status", existing_type=sa.String(16), comment=comment,
                        existing_comment=previous)


def upgrade() -> None:
    op.add_column("golden_release", sa.Column(
        "model_version", sa.String(64),
        comment="linkage model (its fitted weights' fingerprint) that scored the pairs; NULL before 0005"))
    _comment_status(_STATUS_AFTER, _STATUS_BEFORE)


def downgrade() -> None:
    _comment_status(_STATUS_BEFORE, _STATUS_AFTER)
    op.drop_column("golden_release", "model_version")
