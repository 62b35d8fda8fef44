"""Export one release (the current one by default) to Parquet or CSV files, one per table, with a manifest.

Parquet keeps every value exactly. CSV is for people who open it in a spreadsheet, so a text value that a
spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a
leading apostrophe, and the file starts with a byte-order mark so Excel reads the Thai text as UTF-8.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow.parquet as pq
import sqlalchemy as sa

from termtem.golden_store.bulk import arrow_table
from termtem.golden_store.pseudonymise import PseudonymKeyError
from termtem.golden_store.read import read_release
from termtem.golden_store.schema import PSEUDONYMISED_TABLES, RELEASE_TABLES
from termtem.settings import PSEUDONYM_KEY_ENV

#: Characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

ExportFormat = Literal["parquet", "csv"]


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote: the release, and rows per file."""

    run_id: str
    folder: Path
    rows: dict[str, int]


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas (a leading ``'`` is added)."""
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if values.dtype != object:
            continue
        try:
            risky = values.str.startswith(FORMULA_TRIGGERS, na=False)
        except AttributeError:  # no text in the column (dates, for instance)
            continue
        if risky.any():
            safe[column] = values.where(~risky, "'" + values.astype(str))
    return safe


def _write(table: sa.Table, rows: pd.DataFrame, run_id: str, path: Path, fmt: ExportFormat) -> None:
    """One table's rows, with the release's run ID in the first column so a file names its release."""
    if fmt == "parquet":
        pq.write_table(arrow_table(table, rows, {"run_id": run_id}), path)
    else:
        neutralise_formulas(rows).assign(run_id=run_id)[[column.name for column in table.columns]].to_csv(
            path, index=False, encoding="utf-8-sig")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export_release(engine: sa.Engine, folder: Path, fmt: ExportFormat = "parquet", *, run_id: str | None = None,
                   pseudonymised: bool = False) -> ExportReport:
    """Write every table of a release to ``folder`` plus ``manifest.json`` (release, files, rows, checksums).

    Args:
        engine: The golden database.
        folder: Output folder (created if needed).
        fmt: ``parquet`` or ``csv``.
        run_id: The release to export; the current one when ``None``.
        pseudonymised: Export only the pseudonymised tables (what analysts may receive).

    Raises:
        LookupError: There is no such release (or none at all).
        PseudonymKeyError: Pseudonymised tables were asked for and the release was published without them.
    """
    tables = PSEUDONYMISED_TABLES if pseudonymised else \
        tuple(table for table in RELEASE_TABLES if table not in PSEUDONYMISED_TABLES)
    found = read_release(engine, [table.name for table in tables], run_id)
    if found is None:
        raise LookupError(f"no release {run_id!r} in the golden database" if run_id else
                          "nothing published yet: run `termtem run` first")
    release, frames = found
    if pseudonymised and release["pseudonym_key_id"] is None:
        raise PseudonymKeyError(f"release {release['run_id']} has no pseudonymised tables: it was published without "
                                f"{PSEUDONYM_KEY_ENV}; set the key and publish again")
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for table in tables:
        path = folder / f"{table.name}.{fmt}"
        _write(table, frames[table.name], release["run_id"], path, fmt)
        files[path.name] = {"table": table.name, "rows": len(frames[table.name]), "sha256": _sha256(path)}
    manifest = {"run_id": release["run_id"], "as_of_date": str(release["as_of_date"]),
                "published_at": str(release["published_at"]), "code_version": release["code_version"],
                "format": fmt, "pseudonymised": pseudonymised, "files": files}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return ExportReport(release["run_id"], folder, {name: entry["rows"] for name, entry in files.items()})
