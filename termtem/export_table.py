"""An export held column by column, once per distinct cell, with each row's read problem; and its cell checks.

Registry columns repeat a lot (sexes, areas, dates, common names), so a column is kept as codes into its distinct
cells: the checks of :func:`flag_cells` run once per distinct value, and the canonical frame ingest builds shares
one string object per distinct value instead of one per cell. :func:`parse_csv_with_arrow` builds such a table
straight from pyarrow's dictionary-encoded columns.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from quality.quarantine import QuarantineReason
from termtem.settings import IngestLimits

#: Text that did not decode (surrogate escapes of the bad bytes) or that no database column can hold (NUL).
_BAD_TEXT = re.compile("[\x00\udc80-\udcff]")
#: pyarrow's CSV parse block: a row must fit in one, so a file with a longer row is read by the ``csv`` module.
_ARROW_BLOCK_BYTES = 16 << 20


@dataclass(frozen=True)
class ExportColumn:
    """One export column stored once per distinct cell: ``codes`` index ``distinct``, -1 for an absent cell.

    Registry columns repeat a lot (sexes, areas, dates, common names), so checks run per distinct value and the
    canonical column shares one string object per distinct value instead of one per cell.
    """

    codes: np.ndarray
    distinct: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray) -> ExportColumn:
        """Factorise an object array of text and ``None``."""
        codes, distinct = pd.factorize(values, use_na_sentinel=True)
        return cls(codes, np.asarray(distinct, dtype=object))

    def cell(self, position: int) -> str | None:
        """The cell of one row, as read."""
        code = self.codes[position]
        return None if code < 0 else self.distinct[code]

    def per_row(self, per_distinct: np.ndarray, absent: object) -> np.ndarray:
        """Spread a value computed per distinct cell over the rows (``absent`` where the cell is absent)."""
        spread = np.empty(len(per_distinct) + 1, dtype=per_distinct.dtype if absent is not None else object)
        spread[:-1] = per_distinct
        spread[-1] = absent
        return spread[self.codes]


@dataclass(frozen=True)
class ExportTable:
    """An export as read: header, one column per header column, and per row its read problem and cells."""

    header: list[str]
    columns: list[ExportColumn]
    problem: np.ndarray
    cells: np.ndarray


def _shown(cell: str) -> str:
    """A cell fit for the quarantine: undecodable bytes as ``\\xNN``, NUL as ``\\x00``."""
    return _BAD_TEXT.sub(lambda bad: f"\\x{(ord(bad.group()) & 0xFF):02x}", cell)


def _row_json(header: list[str], row: list[str | None]) -> str:
    """A row's cells as found, keyed by the export's column names (``column N`` past the header)."""
    seen: Counter[str] = Counter()
    found = {}
    for position, cell in enumerate(row):
        name = header[position] if position < len(header) and header[position] else f"column {position + 1}"
        seen[name] += 1
        found[name if seen[name] == 1 else f"{name} ({seen[name]})"] = None if cell is None else _shown(cell)
    return json.dumps(found, ensure_ascii=False)


def from_rows(header: list[str], rows: list[list[str | None]], *, short_rows_fit: bool) -> ExportTable:
    """Columns from rows; a row of another width than the header is kept whole as ``wrong_shape``."""
    width, count = len(header), len(rows)
    problem = np.full(count, None, dtype=object)
    cells = np.full(count, None, dtype=object)
    widths = np.fromiter(map(len, rows), np.int64, count)
    misfits = (widths > width) | ((widths < width) & (not short_rows_fit))
    rows = list(rows)
    for position in np.flatnonzero(misfits):
        problem[position] = QuarantineReason.WRONG_SHAPE.value
        cells[position] = _row_json(header, rows[position])
        rows[position] = []
    for position in np.flatnonzero(widths != width):
        rows[position] = rows[position] + [None] * (width - len(rows[position]))
    columns = [np.array(column, dtype=object) for column in zip(*rows, strict=True)] if count else \
        [np.empty(0, dtype=object) for _ in header]
    return ExportTable(header, [ExportColumn.of(column) for column in columns], problem, cells)


def flag_cells(export: ExportTable, limits: IngestLimits) -> None:
    """Mark rows with undecodable text or an oversized cell (unless already marked) and blank their fields.

    Both tests run once per distinct cell of a column and are spread over its rows.
    """
    rows = len(export.problem)
    oversized = np.zeros(rows, bool)
    undecodable = np.zeros(rows, bool)
    for column in export.columns:
        lengths = np.fromiter(map(len, column.distinct), np.int64, len(column.distinct))
        oversized |= column.per_row(lengths > limits.max_field_chars, False)
        if _BAD_TEXT.search("".join(column.distinct)):
            bad = np.fromiter((bool(_BAD_TEXT.search(cell)) for cell in column.distinct), bool, len(column.distinct))
            undecodable |= column.per_row(bad, False)
    free = pd.isna(export.problem)
    for mask, reason in ((undecodable & free, QuarantineReason.UNDECODABLE_TEXT),
                         (oversized & free & ~undecodable, QuarantineReason.OVERSIZED_FIELD)):
        for position in np.flatnonzero(mask):
            export.problem[position] = reason.value
            export.cells[position] = _row_json(export.header, [column.cell(position) for column in export.columns])
    flagged = ~pd.isna(export.problem)
    for column in export.columns:
        column.codes[flagged] = -1


def clean_header(cells: list[str | None]) -> list[str]:
    # Column names, not data: surrounding spaces and invisible marks are dropped so that they still match.
    return [(cell or "").strip().strip("\ufeff\u200b\u200c\u200d").strip() for cell in cells]


def parse_csv_with_arrow(text: str, data: bytes, encoding: str) -> ExportTable | None:
    """Parse a cleanly decoded CSV with pyarrow, or return ``None`` when the exact reader must decide.

    pyarrow parses in C++ and hands each column over dictionary-encoded, which is many times faster than the
    ``csv`` module on a large export. It reads the same dialect (comma, ``"`` quotes doubled inside, blank lines
    skipped), but it cannot keep a row of another width than the header with its row number, nor a row larger
    than a parse block: for such a file (and any file pyarrow rejects) the ``csv`` module reads it instead.
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    first = next(filter(None, csv.reader(io.StringIO(text[:1 << 20], newline=""))), None)
    if first is None:
        return None
    misfits: list[int] = []

    def misfit(_row: object) -> str:
        misfits.append(1)
        return "skip"

    body = data.removeprefix(codecs.BOM_UTF8) if encoding.startswith("utf-8") else text.encode("utf-8")
    names = [f"f{position}" for position in range(len(first))]
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(body),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=_ARROW_BLOCK_BYTES),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, invalid_row_handler=misfit),
            convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.large_string()), null_values=[],
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if misfits or table.num_rows == 0:
        return None
    header = [table.column(name)[0].as_py() for name in names]
    columns = []
    for name in names:
        encoded = table.column(name).slice(1).combine_chunks().dictionary_encode()
        columns.append(ExportColumn(encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64),
                               encoded.dictionary.to_numpy(zero_copy_only=False).astype(object)))
    rows = table.num_rows - 1
    return ExportTable(clean_header(header), columns, np.full(rows, None, dtype=object),
                       np.full(rows, None, dtype=object))
