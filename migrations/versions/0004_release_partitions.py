"""PostgreSQL: partition every release table by run_id, one partition per release, so a publish loads before indexing.

Each release table is rebuilt as a LIST-partitioned table with the same columns, comments, primary key and
indexes; the rows of every retained release move into a partition of their own, named after the release
number (``<table>_r<release_seq>``, see :mod:`termtem.golden_store.partitions`). SQLite keeps plain tables: the
migration does nothing there. The table list is frozen here on purpose.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from termtem.golden_store.partitions import partition_name
from termtem.golden_store.schema import RELEASE_PARTITION_BY

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The release tables at this revision.
RELEASE_TABLES = ("release_source", "golden_household", "golden_person", "golden_attribute_source", "person_xref",
                  "linked_pair", "review_queue", "missed_child", "quarantine", "id_history", "pseudonymised_person",
                  "pseudonymised_missed_child")


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _rebuild(table: str, partitioned: bool) -> None:
    """Recreate ``table`` with the same columns, comments, key and indexes, partitioned or not, keeping its rows."""
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    key = inspector.get_pk_constraint(table)
    indexes = inspector.get_indexes(table)
    comment = inspector.get_table_comment(table)["text"]
    old = f"{table}_before_0004"
    op.rename_table(table, old)
    if key["constrained_columns"]:
        op.drop_constraint(key["name"], old, type_="primary")
    for index in indexes:
        op.drop_index(index["name"], table_name=old)
    suffix = f" PARTITION BY {RELEASE_PARTITION_BY}" if partitioned else ""
    op.execute(f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING COMMENTS INCLUDING CONSTRAINTS)'
               f"{suffix}")
    if comment:
        op.execute(f'COMMENT ON TABLE "{table}" IS {_literal(comment)}')
    if key["constrained_columns"]:
        op.create_primary_key(key["name"], table, key["constrained_columns"])
    for index in indexes:
        op.create_index(index["name"], table, index["column_names"], unique=index["unique"])
    if partitioned:
        releases = bind.execute(sa.text(
            f'SELECT DISTINCT t.run_id, r.release_seq FROM "{old}" t '
            "LEFT JOIN golden_release r ON r.run_id = t.run_id")).all()
        for run_id, release_seq in releases:
            if release_seq is None:
                raise RuntimeError(f"{table} holds rows of run {run_id!r}, which has no golden_release row")
            partition = partition_name(table, release_seq)
            op.execute(f'CREATE TABLE "{partition}" (LIKE "{table}" INCLUDING DEFAULTS)')
            op.execute(f'INSERT INTO "{partition}" SELECT * FROM "{old}" WHERE run_id = {_literal(run_id)}')
            op.execute(f'ALTER TABLE "{table}" ATTACH PARTITION "{partition}" FOR VALUES IN ({_literal(run_id)})')
    else:
        op.execute(f'INSERT INTO "{table}" SELECT * FROM "{old}"')
    op.execute(f'DROP TABLE "{old}" CASCADE')


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in RELEASE_TABLES:
            _rebuild(table, partitioned=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in RELEASE_TABLES:
            _rebuild(table, partitioned=False)
