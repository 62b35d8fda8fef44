"""Bulk loading of a release's frames: Arrow tables typed by the schema; one ``executemany`` per batch on SQLite.

A frame is first converted to an Arrow table typed by the SQLAlchemy columns, so both databases receive the
same values and a column that cannot be stored fails here with the table and column named. SQLite gets Python
tuples on the caller's connection, inside the caller's transaction; PostgreSQL's ``COPY`` is in :mod:`.pg_copy`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

#: Rows per COPY chunk or executemany call: bounds memory without measurable cost.
BATCH_ROWS = 100_000


def arrow_type(column: sa.Column) -> pa.DataType:
    """The Arrow type that holds a column's values."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return pa.bool_()
    if isinstance(kind, sa.Integer):
        return pa.int64()
    if isinstance(kind, sa.Float):
        return pa.float64()
    if isinstance(kind, sa.Date) and not isinstance(kind, sa.DateTime):
        return pa.date32()
    if isinstance(kind, sa.String):
        return pa.string()
    raise TypeError(f"{column.table.name}.{column.name}: no Arrow type for {kind!r}")


def _arrow_column(column: sa.Column, values: pd.Series) -> pa.Array:
    kind = arrow_type(column)
    try:
        if pa.types.is_date32(kind):
            values = pd.to_datetime(values)
        return pa.array(values, type=kind, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as error:
        raise ValueError(f"{column.table.name}.{column.name}: cannot store the values as {kind}: {error}") from error


def arrow_table(table: sa.Table, frame: pd.DataFrame, constants: dict[str, object] | None = None) -> pa.Table:
    """Rows of ``frame`` as an Arrow table in the column order of ``table``.

    Args:
        table: Target table.
        frame: One column per table column (extra columns are ignored).
        constants: Values for columns the frame does not carry (e.g. ``run_id``), repeated on every row.

    Raises:
        ValueError: A column is missing or holds values its type cannot store.
    """
    constants = constants or {}
    missing = [column.name for column in table.columns if column.name not in frame and column.name not in constants]
    if missing:
        raise ValueError(f"{table.name}: the frame has no column {missing}; it has {list(frame.columns)}")
    arrays = []
    for column in table.columns:
        if column.name in constants:
            values = pd.Series(np.full(len(frame), constants[column.name], dtype=object))
        else:
            values = frame[column.name].reset_index(drop=True)
        arrays.append(_arrow_column(column, values))
    return pa.Table.from_arrays(arrays, names=[column.name for column in table.columns])


def in_key_order(table: sa.Table, rows: pa.Table, constants: dict[str, object] | None = None) -> pa.Table:
    """The rows sorted by the table's primary key (Arrow sorts in C++, on all cores).

    Why: PostgreSQL builds a release partition's primary key after the load, and its sort is several times
    cheaper on presorted input (a 500k-row ``person_xref`` key: 0.3 s of server CPU instead of 2.5 s; the whole
    100k-person publish: 3.1 s of client and server CPU instead of 3.4 s). SQLite gains nothing measurable from
    it (its inserts cost the same CPU in either order), so it gets the rows unsorted. Columns in ``constants``
    (the same on every row, e.g. ``run_id``) are left out of the sort; a table without a key is left as it is.
    """
    key = [column.name for column in table.primary_key.columns if column.name not in (constants or {})]
    return rows.sort_by([(name, "ascending") for name in key]) if key and rows.num_rows > 1 else rows


def _sqlite_values(array: pa.ChunkedArray | pa.Array) -> list:
    if pa.types.is_date32(array.type):
        array = pc.cast(array, pa.string())
    elif pa.types.is_boolean(array.type):
        array = pc.cast(array, pa.int8())
    return array.to_pylist()


def _release_literal(rows: pa.Table) -> str | None:
    """The ``run_id`` every row carries, as a SQL string literal, or ``None`` when the rows do not share one.

    Why: a release's rows all carry the same run ID, so writing it into the statement saves binding one Python
    string per row (about a tenth of SQLite's insert time). The literal is stored exactly as the bound text.
    """
    if "run_id" not in rows.column_names or rows.num_rows == 0 or rows.num_columns == 1:
        return None
    run_ids = rows.column("run_id")
    first = run_ids[0].as_py()
    if run_ids.null_count or not isinstance(first, str) or "\x00" in first:
        return None
    if not pc.all(pc.equal(run_ids, first)).as_py():
        return None
    return "'" + first.replace("'", "''") + "'"


def _insert_sqlite(connection: sa.Connection, table: sa.Table, rows: pa.Table) -> None:
    """Rows appended in the frame's order with one ``executemany`` per batch, the run ID written as a literal."""
    literal = _release_literal(rows)
    constants = {"run_id": literal} if literal else {}
    bound = [name for name in rows.column_names if name not in constants]
    preparer = connection.dialect.identifier_preparer
    columns = ", ".join(preparer.quote(name) for name in rows.column_names)
    marks = ", ".join(constants.get(name, "?") for name in rows.column_names)
    statement = f"INSERT INTO {preparer.format_table(table)} ({columns}) VALUES ({marks})"
    cursor = connection.connection.driver_connection.cursor()
    try:
        for batch in rows.select(bound).to_batches(max_chunksize=BATCH_ROWS):
            cursor.executemany(statement, zip(*(_sqlite_values(column) for column in batch.columns), strict=True))
    finally:
        cursor.close()


def insert_rows(connection: sa.Connection, table: sa.Table, rows: pa.Table) -> None:
    """Append ``rows`` to ``table`` inside the connection's open transaction (SQLite, or any other database).

    PostgreSQL releases are loaded as partitions instead (:mod:`termtem.golden_store.partitions`).
    """
    if rows.num_rows == 0:
        return
    if connection.dialect.name == "sqlite":
        _insert_sqlite(connection, table, rows)
    else:
        connection.execute(table.insert(), rows.to_pylist())
