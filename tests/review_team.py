"""The review users the steward-review tests share: two stewards and a viewer."""

from __future__ import annotations

import sqlalchemy as sa

from termtem.review.auth import add_user


def add_review_team(engine: sa.Engine) -> None:
    """Add stewards malee and somchai and viewer wipa (passwords ``<name>-password``)."""
    add_user(engine, "malee", "malee-password", "steward", "มาลี ใจดี")
    add_user(engine, "somchai", "somchai-password", "steward")
    add_user(engine, "wipa", "wipa-password", "viewer")
