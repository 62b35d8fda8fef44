"""Read an agency's registry export and map it onto the canonical schema, keeping every row.

Values stay text: typing and clean-up happen in normalisation, where each change is recorded, so nothing is
altered silently on the way in. A blank cell becomes ``None``; everything else is kept exactly as read.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from matching.canonical import CANONICAL_COLUMNS
from termtem.settings import SourceConfig

log = logging.getLogger(__name__)


class IngestError(ValueError):
    """A registry export cannot be read or does not fit its mapping; the message names file and column."""


def _read_text_frame(config: SourceConfig, path: Path, engine: sa.Engine | None) -> pd.DataFrame:
    if config.format == "sql":
        if engine is None:
            raise IngestError(f"source {config.name!r} reads SQL table {config.file!r} but no database was given")
        with engine.connect() as connection:
            frame = pd.read_sql_table(config.file, connection)
        return frame.astype("string").astype(object)
    if not path.is_file():
        raise IngestError(f"source {config.name!r}: file not found: {path}")
    if config.format == "csv":
        # utf-8-sig reads plain UTF-8 too and drops the byte-order mark Excel writes.
        encoding = "utf-8-sig" if config.encoding.lower().replace("_", "-") in {"utf-8", "utf8"} else config.encoding
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
    if config.format == "excel":
        return pd.read_excel(path, dtype=str, keep_default_na=False, sheet_name=config.sheet or 0)
    frame = pd.read_parquet(path)
    return frame.astype("string").astype(object)


def read_registry(config: SourceConfig, data_dir: Path, engine: sa.Engine | None = None) -> pd.DataFrame:
    """Read one registry and return its rows in canonical columns.

    Args:
        config: The source's mapping from ``config/sources/<name>.yaml``.
        data_dir: Folder holding the export files.
        engine: Database to read from when the source's format is ``sql``.

    Returns:
        One row per data row of the export, in file order, with ``source``, ``source_row`` (1-based data row
        number) and every canonical field (``None`` where unmapped or blank).

    Raises:
        IngestError: The file is missing or unreadable, or a mapped column is not in it.
    """
    path = data_dir / config.file
    try:
        raw = _read_text_frame(config, path, engine)
    except IngestError:
        raise
    except (UnicodeDecodeError, ValueError, OSError) as error:
        raise IngestError(f"source {config.name!r}: cannot read {path} as {config.format} "
                          f"({config.encoding}): {error}") from error

    missing = [(field, column) for field, column in config.columns.items() if column not in raw.columns]
    if missing:
        described = ", ".join(f"{column!r} (mapped to {field})" for field, column in missing)
        raise IngestError(f"source {config.name!r}: {path.name} has no column {described}; "
                          f"columns found: {list(raw.columns)}; mapping: config/sources/{config.name}.yaml")

    canonical = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    canonical["source"] = config.name
    canonical["source_row"] = pd.RangeIndex(1, len(raw) + 1)
    for field in CANONICAL_COLUMNS[2:]:
        column = config.columns.get(field)
        if column is None:
            canonical[field] = None
            continue
        values = raw[column].astype(object)
        blank = values.isna() | values.astype(str).str.strip().eq("")
        canonical[field] = values.where(~blank, None).to_numpy()
    log.info("read %d rows from source %s (%s)", len(canonical), config.name, path.name)
    return canonical
