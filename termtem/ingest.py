"""Read an agency's registry export and map it onto the canonical schema, keeping every row.

Values stay text: typing and clean-up happen in normalisation, where each change is recorded, so nothing is
altered silently on the way in. A blank cell becomes ``None``; everything else is kept exactly as read, and
nothing is evaluated: a cell reading ``=cmd|' /C calc'!A0`` stays that text, and an Excel formula is read as its
formula, never as the result Excel cached for it.

Ingest refuses a file with one :class:`IngestError` naming the file, the column and the mapping when the file is
missing, empty (no header row), declared in an encoding its bytes contradict, or when a mapped column is missing
or appears twice in the header. A row it can read but not map (more or fewer cells than the header, bytes invalid
in the encoding or a NUL, a cell over ``ingest.max_field_chars``) keeps its source row number, gets a
``read_problem`` code and its cells as found in ``raw_cells``, and goes to the quarantine.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import json
import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from matching.canonical import CANONICAL_COLUMNS
from quality.quarantine import READ_PROBLEM_COLUMNS, QuarantineReason
from termtem.settings import IngestLimits, SourceConfig, load_quality_settings

log = logging.getLogger(__name__)

#: Single-byte Thai encodings: they decode almost any bytes, so UTF-8 read with them turns into mojibake.
_THAI_SINGLE_BYTE = ("cp874", "tis-620", "iso8859-11")
#: Text that did not decode (surrogate escapes of the bad bytes) or that no database column can hold (NUL).
_BAD_TEXT = re.compile("[\x00\udc80-\udcff]")
_UNDECODED = re.compile("[\udc80-\udcff]")


class IngestError(ValueError):
    """A registry export cannot be read or does not fit its mapping; the message names file and column."""


@dataclass(frozen=True)
class _Export:
    """An export as read: header, one text array per header column, and per row its read problem and cells."""

    header: list[str]
    columns: list[np.ndarray]
    problem: np.ndarray
    cells: np.ndarray


def _where(config: SourceConfig, path: Path) -> str:
    return f"source {config.name!r}: {path}"


def _mapping(config: SourceConfig) -> str:
    return f"config/sources/{config.name}.yaml"


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


def _decode(data: bytes, config: SourceConfig, path: Path) -> tuple[str, str]:
    """Decode a CSV export as declared (or detected); bad bytes stay as surrogate escapes for the rows."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise IngestError(f"{_where(config, path)} is UTF-16 text; export it as UTF-8 or Windows-874 (cp874)")
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        data.decode("utf-8")
        utf8 = not data.isascii()
    except UnicodeDecodeError:
        utf8 = False
    encoding = ("utf-8" if bom or utf8 else "cp874") if config.encoding == "auto" else config.encoding
    if encoding in _THAI_SINGLE_BYTE and (bom or utf8):
        evidence = "starts with a UTF-8 byte-order mark" if bom else "decodes as UTF-8"
        raise IngestError(f"{_where(config, path)} is declared {encoding} in {_mapping(config)} but is UTF-8 (it "
                          f"{evidence}); read as {encoding} every Thai letter would be garbled: set encoding: utf-8")
    text = data.decode("utf-8-sig" if encoding.startswith("utf-8") else encoding, errors="surrogateescape")
    return text, encoding


def _check_decoded(rows: list[list[str | None]], config: SourceConfig, path: Path, encoding: str,
                   limits: IngestLimits) -> None:
    """Refuse a file whose header or too many rows did not decode: its declared encoding is wrong."""
    bad_header = bool(_UNDECODED.search("".join(rows[0])))
    bad_rows = sum(bool(_UNDECODED.search("".join(row))) for row in rows[1:])
    if not bad_header and bad_rows <= limits.max_undecodable_share * (len(rows) - 1):
        return
    data = path.read_bytes()
    other = "utf-8" if encoding in _THAI_SINGLE_BYTE else "cp874"
    try:
        data.decode(other)
        hint = f"it decodes as {other}: set encoding: {other} in {_mapping(config)}"
    except UnicodeDecodeError:
        hint = f"it is not {other} either; check the export's encoding and {_mapping(config)}"
    header = "the header and " if bad_header else ""
    raise IngestError(f"{_where(config, path)} is not valid {encoding}: {header}{bad_rows:,} of "
                      f"{len(rows) - 1:,} rows have bytes {encoding} cannot decode; {hint}")


def _from_rows(header: list[str], rows: list[list[str | None]], *, short_rows_fit: bool) -> _Export:
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
    return _Export(header, columns, problem, cells)


def _flag_cells(export: _Export, limits: IngestLimits) -> None:
    """Mark rows with undecodable text or an oversized cell (unless already marked) and blank their fields."""
    rows = len(export.problem)
    oversized = np.zeros(rows, bool)
    undecodable = np.zeros(rows, bool)
    for column in export.columns:
        text = np.where(pd.isna(column), "", column)
        oversized |= np.fromiter(map(len, text), np.int64, rows) > limits.max_field_chars
        if _BAD_TEXT.search("".join(text)):
            undecodable |= np.fromiter((bool(_BAD_TEXT.search(cell)) for cell in text), bool, rows)
    free = pd.isna(export.problem)
    for mask, reason in ((undecodable & free, QuarantineReason.UNDECODABLE_TEXT),
                         (oversized & free & ~undecodable, QuarantineReason.OVERSIZED_FIELD)):
        for position in np.flatnonzero(mask):
            export.problem[position] = reason.value
            export.cells[position] = _row_json(export.header, [column[position] for column in export.columns])
    flagged = ~pd.isna(export.problem)
    for column in export.columns:
        column[flagged] = None


def _header(cells: list[str | None]) -> list[str]:
    # Column names, not data: surrounding spaces and invisible marks are dropped so that they still match.
    return [(cell or "").strip().strip("\ufeff\u200b\u200c\u200d").strip() for cell in cells]


def _read_csv(config: SourceConfig, path: Path, limits: IngestLimits) -> _Export:
    text, encoding = _decode(path.read_bytes(), config, path)
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))  # long cells are quarantined, not fatal
    try:
        rows: list[list[str | None]] = list(filter(None, csv.reader(io.StringIO(text, newline=""))))
    except csv.Error as error:
        raise IngestError(f"{_where(config, path)}: not readable as CSV: {error}") from error
    if not rows:
        raise IngestError(f"{_where(config, path)} is empty: it has no header row, so the mapping "
                          f"{_mapping(config)} cannot be checked")
    if _UNDECODED.search(text):
        _check_decoded(rows, config, path, encoding, limits)
    export = _from_rows(_header(rows[0]), rows[1:], short_rows_fit=False)
    _flag_cells(export, limits)
    return export


def _excel_text(value: object) -> str | None:
    """An Excel cell as text: numbers without a spurious ``.0``, dates in ISO form, formulas as written."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(getattr(value, "text", value))  # an array formula keeps its formula text


def _read_excel(config: SourceConfig, path: Path, limits: IngestLimits) -> _Export:
    from openpyxl import load_workbook

    # data_only=False: a formula cell gives its formula, not a cached value computed by whoever saved the file.
    workbook = load_workbook(path, read_only=True, data_only=False)
    try:
        if config.sheet is not None and config.sheet not in workbook.sheetnames:
            raise IngestError(f"{_where(config, path)} has no sheet {config.sheet!r}; sheets found: "
                              f"{workbook.sheetnames}; mapping: {_mapping(config)}")
        sheet = workbook[config.sheet] if config.sheet is not None else workbook.worksheets[0]
        rows = [[_excel_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    rows = [row for row in rows if any(cell is not None for cell in row)]
    if not rows:
        raise IngestError(f"{_where(config, path)} is empty: it has no header row, so the mapping "
                          f"{_mapping(config)} cannot be checked")
    header = _header(rows[0])
    while header and not header[-1]:
        header.pop()
    # Excel leaves out trailing empty cells, so a short row is normal; a cell right of the header is not.
    trimmed = [row[:max((i + 1 for i, cell in enumerate(row) if cell is not None), default=0)] for row in rows[1:]]
    export = _from_rows(header, trimmed, short_rows_fit=True)
    _flag_cells(export, limits)
    return export


def _from_frame(frame: pd.DataFrame, limits: IngestLimits) -> _Export:
    """A typed table (Parquet, SQL) as text columns; its shape is fixed, so only cells can be at fault."""
    columns = []
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position].astype("string")
        columns.append(values.astype(object).where(values.notna(), None).to_numpy(dtype=object))
    rows = len(frame)
    export = _Export(_header([str(name) for name in frame.columns]), columns,
                     np.full(rows, None, dtype=object), np.full(rows, None, dtype=object))
    _flag_cells(export, limits)
    return export


def _read_export(config: SourceConfig, path: Path, engine: sa.Engine | None, limits: IngestLimits) -> _Export:
    if config.format == "sql":
        if engine is None:
            raise IngestError(f"source {config.name!r} reads SQL table {config.file!r} but no database was given")
        with engine.connect() as connection:
            return _from_frame(pd.read_sql_table(config.file, connection), limits)
    if not path.is_file():
        raise IngestError(f"{_where(config, path)}: file not found")
    if config.format == "csv":
        return _read_csv(config, path, limits)
    if config.format == "excel":
        return _read_excel(config, path, limits)
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    if table.num_columns == 0:
        raise IngestError(f"{_where(config, path)} is empty: it has no columns, so the mapping "
                          f"{_mapping(config)} cannot be checked")
    return _from_frame(table.to_pandas(), limits)


def _column_positions(export: _Export, config: SourceConfig, path: Path) -> dict[str, int]:
    """Where each mapped column is in the header; one error naming every missing or ambiguous column."""
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(export.header):
        positions.setdefault(name, []).append(position)
    twice = [(field, column) for field, column in config.columns.items() if len(positions.get(column, [])) > 1]
    if twice:
        described = ", ".join(f"{column!r} (mapped to {field}) is in columns "
                              f"{[p + 1 for p in positions[column]]}" for field, column in twice)
        raise IngestError(f"{_where(config, path)}: duplicated header: {described}; cannot tell which one is "
                          f"meant; rename the columns in the export or the mapping {_mapping(config)}")
    missing = [(field, column) for field, column in config.columns.items() if column not in positions]
    if missing:
        unmapped = [name for name in export.header if name not in config.columns.values()]

        def described(field: str, column: str) -> str:
            close = difflib.get_close_matches(column, unmapped, n=1)
            return f"{column!r} (mapped to {field}{f'; did you mean {close[0]!r}?' if close else ''})"

        raise IngestError(f"{_where(config, path)} has no column "
                          f"{', '.join(described(field, column) for field, column in missing)}; "
                          f"columns found: {export.header}; mapping: {_mapping(config)}")
    return {field: positions[column][0] for field, column in config.columns.items()}


def read_registry(config: SourceConfig, data_dir: Path, engine: sa.Engine | None = None, *,
                  limits: IngestLimits | None = None) -> pd.DataFrame:
    """Read one registry and return its rows in canonical columns.

    Args:
        config: The source's mapping from ``config/sources/<name>.yaml``.
        data_dir: Folder holding the export files.
        engine: Database to read from when the source's format is ``sql``.
        limits: Row and file limits; ``ingest`` of ``config/quality.yaml`` when not given.

    Returns:
        One row per data row of the export (blank lines are not rows), in file order, with ``source``,
        ``source_row`` (1-based data row number), every canonical field (``None`` where unmapped, blank or the
        row has a read problem), ``read_problem`` (a quarantine reason code or ``None``) and ``raw_cells``
        (the row's cells as found, as JSON, for rows with a read problem).

    Raises:
        IngestError: The file is missing, empty or unreadable, its encoding is not the declared one, or a mapped
            column is missing or duplicated in its header.
    """
    limits = limits or load_quality_settings().ingest
    path = data_dir / config.file
    try:
        export = _read_export(config, path, engine, limits)
    except IngestError:
        raise
    except (ValueError, OSError, KeyError) as error:
        raise IngestError(f"{_where(config, path)}: cannot read it as {config.format}: {error}") from error
    positions = _column_positions(export, config, path)
    rows = len(export.problem)
    canonical = pd.DataFrame(index=pd.RangeIndex(rows))
    canonical["source"] = config.name
    canonical["source_row"] = np.arange(1, rows + 1, dtype=np.int64)
    for field in CANONICAL_COLUMNS[2:]:
        if field not in positions:
            canonical[field] = None
            continue
        values = export.columns[positions[field]]
        codes, distinct = pd.factorize(values)
        blank = np.array([not value.strip() for value in distinct] + [True], bool)[codes]
        canonical[field] = np.where(blank, None, values)
    canonical[READ_PROBLEM_COLUMNS[0]] = export.problem
    canonical[READ_PROBLEM_COLUMNS[1]] = export.cells
    log.info("read %d rows from source %s (%s), %d with a read problem", rows, config.name, path.name,
             int(canonical["read_problem"].notna().sum()))
    return canonical
