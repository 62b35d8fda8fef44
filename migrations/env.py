"""Alembic environment for the golden database.

``termtem`` applies migrations itself before every publish and on ``termtem db upgrade``, passing its open
connection in ``config.attributes["connection"]``. Run from the ``alembic`` command (e.g. ``alembic revision
--autogenerate -m "..."`` to draft a migration from a change to ``termtem/golden_store/schema.py``), it
connects to ``$TERMTEM_DB_URL`` or the embedded SQLite default.
"""

import sqlalchemy as sa
from alembic import context

from termtem.golden_store.engine import engine_for
from termtem.golden_store.partitions import is_release_partition
from termtem.golden_store.schema import metadata
from termtem.settings import DEFAULT_DB_URL, configured_database_url


def _declared(name: str | None, type_: str, parent_names: dict) -> bool:
    """Leave the releases' partitions (PostgreSQL) out of autogenerate: they are data, not schema."""
    return not is_release_partition(name, type_, parent_names)


def _run(connection: sa.Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, include_name=_declared,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_for(configured_database_url() or DEFAULT_DB_URL)
    with engine.begin() as connection:
        _run(connection)


if context.is_offline_mode():
    context.configure(url=configured_database_url() or DEFAULT_DB_URL, target_metadata=metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    _run_online()
