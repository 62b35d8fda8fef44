"""Bring a golden database to the current schema with the Alembic migrations in ``migrations/``.

Every publish calls :func:`upgrade_schema` first (and ``termtem db upgrade`` does it on request): an empty
database gets the whole schema, an older one its missing migrations, a current one nothing. It runs in one
transaction under the writer lock, so two processes starting at once do not both migrate, and a failed
migration leaves the database as it was (PostgreSQL and SQLite both roll DDL back).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from termtem.golden_store.engine import write_transaction
from termtem.golden_store.views import create_views, drop_views, missing_views
from termtem.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"

#: The revision whose tables a database created before migrations existed already has.
UNVERSIONED_BASELINE = "0001"


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """Alembic configuration pointing at ``migrations/``, optionally bound to an open connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration's revision ID."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: sa.Connection) -> str | None:
    """The revision the database is at, or ``None`` when it was never migrated."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_schema(engine: sa.Engine) -> str:
    """Apply every missing migration and (re)build the views; return the revision the database is at.

    Views are dropped before the migrations run and created from the current schema after, so a migration
    never trips over a view that depends on a column it changes.

    A database whose golden tables were created before migrations existed is first stamped at the baseline
    revision, so its data is carried through the later migrations instead of colliding with them.
    """
    head = head_revision()
    with engine.connect() as connection:
        if current_revision(connection) == head and not missing_views(connection):
            return head
    with write_transaction(engine) as connection:
        before = current_revision(connection)
        config = alembic_config(connection)
        if before is None and sa.inspect(connection).has_table("run_summary"):
            command.stamp(config, UNVERSIONED_BASELINE)
            before = UNVERSIONED_BASELINE
            log.info("golden database predates migrations: stamped at revision %s", before)
        drop_views(connection)
        if before != head:
            command.upgrade(config, "head")
            log.info("golden database migrated from revision %s to %s", before, head)
        create_views(connection)
    return head
