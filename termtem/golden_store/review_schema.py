"""Tables of the steward review app: named users with roles, their sign-in sessions, and the audit trail.

They live in the golden database beside ``steward_decision`` (whose rows are the decisions themselves), on the
same metadata, so the migrations and docs/schema.md cover them. They are not release tables: users and the
audit trail outlive every release.
"""

from __future__ import annotations

import sqlalchemy as sa

from termtem.golden_store.schema import metadata

#: Roles a review-app user can have: a steward decides pairs, a viewer only looks.
REVIEW_ROLES: tuple[str, ...] = ("steward", "viewer")

review_user = sa.Table(
    "review_user", metadata,
    sa.Column("username", sa.String(64), primary_key=True, comment="sign-in name, also the steward's name"),
    sa.Column("display_name", sa.Text, nullable=False, comment="name shown in the app"),
    sa.Column("role", sa.String(16), nullable=False, comment="steward | viewer"),
    sa.Column("password_hash", sa.Text, nullable=False, comment="scrypt hash with its salt and parameters"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, comment="false: the user can no longer sign in"),
    sa.CheckConstraint("role IN ('steward', 'viewer')", name="role"),
    comment="Review-app users: named people with a role; passwords are stored only as salted scrypt hashes",
)

review_session = sa.Table(
    "review_session", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True,
              comment="SHA-256 of the session cookie; the cookie itself is never stored"),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    comment="Review-app sign-in sessions; a session ends when it expires or the user signs out",
)

review_audit = sa.Table(
    "review_audit", metadata,
    sa.Column("audit_id", sa.String(32), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("username", sa.String(64), comment="who acted; NULL for a failed sign-in by an unknown name"),
    sa.Column("action", sa.String(32), nullable=False,
              comment="sign_in | sign_in_failed | sign_out | decide | decide_refused | add_user"),
    sa.Column("target", sa.Text, comment="what the action was about, e.g. the pair's two record IDs"),
    sa.Column("detail", sa.Text, comment="JSON: what the user saw and chose (score, release, decision, note)"),
    sa.Index(None, "at"),
    comment="Review-app audit trail (append-only): every sign-in, decision and user change, with who and when",
)
