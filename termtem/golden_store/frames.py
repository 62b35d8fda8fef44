"""Turn the pipeline's frames into the rows of one release's tables (pure pandas, no database).

The golden-tables asset calls :func:`release_frames`; keeping the reshaping here keeps the asset thin and lets
tests build releases without Dagster.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd

import termtem
from matching.survivorship import PROVENANCE_PREFIX, SURVIVING_ATTRIBUTES
from termtem.golden_store.schema import data_columns, golden_person, person_xref
from termtem.settings import PROJECT_ROOT

#: Prefix of the per-field match-weight columns of ``scored_links`` (see docs/contracts).
FIELD_WEIGHT_PREFIX = "w_"


def code_version() -> str:
    """termtem's version, plus the git commit (``-dirty`` when the tree has changes) when run from a checkout."""
    try:
        described = subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=12"], cwd=PROJECT_ROOT,
                                   capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return termtem.__version__
    return f"{termtem.__version__}+{described}"[:64]


def file_checksum(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size in bytes of a file, read in blocks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def person_rows(persons: pd.DataFrame, missed: pd.DataFrame) -> pd.DataFrame:
    """``golden_person`` rows: the survivorship result plus the missed-child rules each person is flagged by."""
    rules = missed.sort_values("rule").groupby("golden_person_id")["rule"].agg(",".join)
    rows = persons.copy()
    rows["missed_child_rules"] = rows["golden_person_id"].map(rules)
    return rows[data_columns(golden_person)]


def attribute_source_rows(persons: pd.DataFrame) -> pd.DataFrame:
    """``golden_attribute_source`` rows: the record that supplied each attribute, from the ``from_*`` columns."""
    lineage = {PROVENANCE_PREFIX + attribute: attribute for attribute in SURVIVING_ATTRIBUTES}
    return persons[["golden_person_id", *lineage]].rename(columns=lineage)


def _json_lines(weights: pd.DataFrame) -> list[str] | None:
    """One JSON object per row (pandas' C encoder: fast for millions of pairs), or ``None`` without columns."""
    if len(weights.columns) == 0:
        return None
    if len(weights) == 0:
        return []
    return weights.to_json(orient="records", lines=True, double_precision=6).splitlines()


def pair_rows(scored: pd.DataFrame, records: pd.DataFrame, decision: str) -> pd.DataFrame:
    """``linked_pair`` or ``review_queue`` rows: the scored pairs with ``decision``, keyed by record IDs.

    Args:
        scored: ``scored_links`` (positions ``left``/``right``; record IDs, ``match_weight``, ``passes`` and
            ``w_<field>`` columns when the scorer provides them).
        records: The linked records, indexed by position, with ``record_id``.
        decision: ``link`` or ``review``.
    """
    pairs = scored[scored["decision"] == decision]
    record_ids = records["record_id"].to_numpy(object)
    weights = pairs[[column for column in pairs.columns if column.startswith(FIELD_WEIGHT_PREFIX)]]
    weights = weights.rename(columns=lambda column: column.removeprefix(FIELD_WEIGHT_PREFIX))

    def record_id(side: str) -> np.ndarray:
        column = f"{side}_record_id"
        return pairs[column].to_numpy() if column in pairs else record_ids[pairs[side].to_numpy(np.int64)]

    def optional(column: str) -> np.ndarray | None:
        return pairs[column].to_numpy() if column in pairs else None

    return pd.DataFrame({
        "left_record_id": record_id("left"), "right_record_id": record_id("right"),
        "score": pairs["score"].to_numpy(), "match_weight": optional("match_weight"),
        "rule": optional("rule"), "passes": optional("passes"), "field_weights": _json_lines(weights),
    })


def source_rows(accounting: pd.DataFrame, files: dict[str, Path | str]) -> pd.DataFrame:
    """``release_source`` rows: each source's row accounting and the checksum of the file it was read from.

    Args:
        accounting: ``row_accounting`` (source, rows_in, rows_linked, rows_quarantined).
        files: Source -> the export file read (a ``Path``, checksummed) or the database table (a ``str``).
    """
    rows = accounting[["source", "rows_in", "rows_linked", "rows_quarantined"]].copy()
    details = []
    for source in rows["source"]:
        read = files.get(source)
        if isinstance(read, Path) and read.is_file():
            details.append((read.name, *file_checksum(read)))
        else:
            details.append((getattr(read, "name", read), None, None))
    rows["file"] = [name for name, _, _ in details]
    rows["sha256"] = [checksum for _, checksum, _ in details]
    rows["bytes"] = pd.array([size for _, _, size in details], dtype="Int64")
    return rows


def release_frames(*, persons: pd.DataFrame, households: pd.DataFrame, clusters: pd.DataFrame,
                   scored: pd.DataFrame, missed: pd.DataFrame, quarantined: pd.DataFrame,
                   accounting: pd.DataFrame, files: dict[str, Path | str],
                   id_history: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Every release table's rows from the pipeline's outputs (``id_history`` when linkage provides it)."""
    frames = {
        "release_source": source_rows(accounting, files),
        "golden_household": households,
        "golden_person": person_rows(persons, missed),
        "golden_attribute_source": attribute_source_rows(persons),
        "person_xref": clusters[data_columns(person_xref)],
        "linked_pair": pair_rows(scored, clusters, "link"),
        "review_queue": pair_rows(scored, clusters, "review"),
        "missed_child": missed,
        "quarantine": quarantined,
    }
    if id_history is not None:
        frames["id_history"] = id_history
    return frames
