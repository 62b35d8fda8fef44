"""Stable golden person IDs and their history across releases.

Downstream systems store golden IDs, so an ID must mean the same person from one release to the next:

* A re-run on the same data gives the same IDs.
* A person keeps the ID that the majority of its source records had in the previous release. When two new
  clusters claim one old ID (a split), the cluster holding more of its records keeps it and the other gets a new
  one; when a cluster holds records of several old IDs (a merge), it keeps the most common and the others are
  recorded as merged into it. Claims are settled greedily, largest first, ties by the clusters' and the old IDs'
  first records, so the outcome does not depend on row order.
* A new person's ID is ``P`` + the first 12 hex digits of SHA-256 of its first record's ``record_id`` (records
  ordered by source name, then row number), so the same data always gives the same IDs; a new ID never reuses
  one the previous release had.

The history (:data:`HISTORY_COLUMNS`) records every current ID as ``created``, ``kept`` or ``split`` (from the old
ID most of its records had) and every old ID not kept as ``merged`` (into the ID now holding most of its records)
or ``retired`` (none of its records is left).

Everything runs on integer keys (source code and row number in one ``int64``): sorting a million record-ID
strings would cost more than the whole clustering.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Columns of ``person_id_history``.
HISTORY_COLUMNS: tuple[str, ...] = ("golden_person_id", "event", "related_person_id", "records")
CREATED, KEPT, MERGED, SPLIT, RETIRED = "created", "kept", "merged", "split", "retired"


def _keys(source: pd.Series, source_row: pd.Series, sources: pd.Index) -> np.ndarray:
    return (sources.get_indexer(source).astype(np.int64) << 32) | source_row.to_numpy(np.int64)


def _first_per_group(groups: np.ndarray, order_key: np.ndarray, count: int) -> np.ndarray:
    """Position of the member with the smallest ``order_key`` in each group 0..count-1."""
    order = np.lexsort((order_key, groups))
    starts = np.searchsorted(groups[order], np.arange(count))
    return order[starts]


@dataclass(frozen=True)
class _Claims:
    """Each (cluster, old ID) pair sharing records, best claim first."""

    label: np.ndarray
    old: np.ndarray
    records: np.ndarray


def _claims(label: np.ndarray, old: np.ndarray, label_anchor: np.ndarray, old_anchor: np.ndarray,
            old_count: int) -> _Claims:
    has_old = old >= 0
    combined, records = np.unique(label[has_old] * np.int64(old_count) + old[has_old], return_counts=True)
    claim_label, claim_old = combined // old_count, combined % old_count
    order = np.lexsort((old_anchor[claim_old], label_anchor[claim_label], -records))
    return _Claims(claim_label[order], claim_old[order], records[order])


def _settle(claims: _Claims) -> dict[int, int]:
    """Give each cluster at most one old ID and each old ID at most one cluster, best claims first."""
    kept: dict[int, int] = {}
    label, old = claims.label, claims.old
    while len(label):
        first_for_old = np.zeros(len(label), dtype=bool)
        first_for_old[np.unique(old, return_index=True)[1]] = True
        first_for_label = np.zeros(len(label), dtype=bool)
        first_for_label[np.unique(label, return_index=True)[1]] = True
        mutual = first_for_old & first_for_label
        kept.update(zip(label[mutual].tolist(), old[mutual].tolist(), strict=True))
        rest = ~np.isin(label, label[mutual]) & ~np.isin(old, old[mutual])
        label, old = label[rest], old[rest]
    return kept


def _new_id(anchor: str, prefix: str, taken: set[str]) -> str:
    candidate, attempt = prefix + hashlib.sha256(anchor.encode()).hexdigest()[:12], 0
    while candidate in taken:
        attempt += 1
        candidate = prefix + hashlib.sha256(f"{anchor}#{attempt}".encode()).hexdigest()[:12]
    return candidate


def assign_golden_ids(records: pd.DataFrame, labels: np.ndarray, previous: pd.DataFrame | None,
                      prefix: str = "P") -> tuple[np.ndarray, pd.DataFrame]:
    """Name each cluster, keeping the previous release's IDs where the records say so.

    Args:
        records: ``source``, ``source_row`` and ``record_id`` of each record.
        labels: Cluster label of each record (any integers).
        previous: The previous release's ``source``, ``source_row`` and ``golden_person_id``, or None.
        prefix: First character of every ID.

    Returns:
        The golden ID of each record, and the ID history (:data:`HISTORY_COLUMNS`).
    """
    old = previous if previous is not None else pd.DataFrame({"source": [], "source_row": [],
                                                              "golden_person_id": []})
    sources = pd.Index(sorted(set(pd.unique(records["source"])) | set(pd.unique(old["source"]))))
    key = _keys(records["source"], records["source_row"], sources)
    old_key = _keys(old["source"], old["source_row"], sources)
    old_code, old_names = pd.factorize(old["golden_person_id"])
    label, label_names = pd.factorize(labels)
    label_first = _first_per_group(label, key, len(label_names))
    old_first = _first_per_group(old_code, old_key, len(old_names))
    old_of_record = pd.Index(old_key).get_indexer(key)
    record_old = np.full(len(key), -1, dtype=np.int64)
    record_old[old_of_record >= 0] = old_code[old_of_record[old_of_record >= 0]]
    label_anchor = key[label_first]
    claims = _claims(label, record_old, label_anchor, old_key[old_first], max(len(old_names), 1))
    kept = _settle(claims)
    names = np.empty(len(label_names), dtype=object)
    names[list(kept)] = old_names.to_numpy(object)[list(kept.values())]
    taken = set(old_names)
    record_ids = records["record_id"].to_numpy(object)
    new = np.flatnonzero(pd.isna(names))
    first_choice = [prefix + hashlib.sha256(anchor.encode()).hexdigest()[:12]
                    for anchor in record_ids[label_first[new]].tolist()]
    if len(set(first_choice)) == len(first_choice) and taken.isdisjoint(first_choice):
        names[new] = first_choice  # the usual case: no first choice collides, so none needs another attempt
    else:
        for cluster in new.tolist():
            names[cluster] = _new_id(record_ids[label_first[cluster]], prefix, taken)
            taken.add(names[cluster])
    return names[label], _history(names, label, label_anchor, record_old, old_names, old_code, claims, kept)


def _history(names: np.ndarray, label: np.ndarray, label_anchor: np.ndarray, record_old: np.ndarray,
             old_names: pd.Index, old_code: np.ndarray, claims: _Claims, kept: dict[int, int]) -> pd.DataFrame:
    """Current IDs (created / kept / split) in cluster order, then old IDs not kept (merged / retired)."""
    clusters = np.arange(len(names))
    is_kept = np.isin(clusters, list(kept))
    main_old = np.full(len(names), -1)
    first_claim = np.unique(claims.label, return_index=True)[1]
    main_old[claims.label[first_claim]] = claims.old[first_claim]
    split = ~is_kept & (main_old >= 0)
    old_text = old_names.to_numpy(object)
    rows = [pd.DataFrame({
        "golden_person_id": names,
        "event": np.where(is_kept, KEPT, np.where(split, SPLIT, CREATED)),
        "related_person_id": np.where(split, old_text[np.maximum(main_old, 0)] if len(old_text) else None, None),
        "records": np.bincount(label, minlength=len(names)),
    })]
    gone = np.setdiff1d(np.arange(len(old_names)), list(kept.values()))
    if len(gone):
        by_records = np.lexsort((label_anchor[claims.label], -claims.records))
        ordered_old, ordered_label = claims.old[by_records], claims.label[by_records]
        first = np.unique(ordered_old, return_index=True)
        into = np.full(len(old_names), -1)
        into[first[0]] = ordered_label[first[1]]
        present = np.bincount(record_old[record_old >= 0], minlength=len(old_names))
        merged = into[gone] >= 0
        rows.append(pd.DataFrame({
            "golden_person_id": old_text[gone],
            "event": np.where(merged, MERGED, RETIRED),
            "related_person_id": np.where(merged, names[np.maximum(into[gone], 0)], None),
            "records": np.where(merged, present[gone], np.bincount(old_code, minlength=len(old_names))[gone]),
        }))
    history = pd.concat(rows, ignore_index=True)
    history["records"] = history["records"].astype(np.int64)
    return history[list(HISTORY_COLUMNS)]
