"""PostgreSQL bulk load: ``COPY`` of an Arrow table as CSV written by Arrow's C++ writer.

Empty unquoted = NULL, quoted empty = empty string, as ``COPY`` reads it. Runs on the caller's connection, inside
the caller's transaction.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.csv as pa_csv
import sqlalchemy as sa

from termtem.golden_store.bulk import BATCH_ROWS


def _csv_chunks(rows: pa.Table) -> Iterator[bytes]:
    options = pa_csv.WriteOptions(include_header=False)
    for batch in rows.to_batches(max_chunksize=BATCH_ROWS):
        buffer = io.BytesIO()
        pa_csv.write_csv(batch, buffer, options)
        yield buffer.getvalue()


def copy_postgresql(connection: sa.Connection, target: str, rows: pa.Table) -> float:
    """``COPY`` the rows into ``target`` (a quoted table name) inside the connection's open transaction.

    Returns:
        Seconds spent encoding CSV (the rest of the call is the server reading it), for the publish's timings.
    """
    preparer = connection.dialect.identifier_preparer
    columns = ", ".join(preparer.quote(name) for name in rows.column_names)
    statement = f"COPY {target} ({columns}) FROM STDIN (FORMAT csv)"
    encoding = 0.0
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        chunks = _csv_chunks(rows)
        while True:
            started = time.perf_counter()
            chunk = next(chunks, None)
            encoding += time.perf_counter() - started
            if chunk is None:
                return encoding
            copy.write(chunk)
