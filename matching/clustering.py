"""Cluster linked records into persons, never joining two different valid citizen IDs.

Links are applied strongest first through a union-find that refuses a union whose two sides already carry
different valid citizen IDs: two such records are two people however similar their names, and one wrong
link must not chain whole families together.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd


class _ConstrainedUnionFind:
    def __init__(self, citizen_ids: np.ndarray) -> None:
        self.parent = np.arange(len(citizen_ids))
        self.citizen_id = citizen_ids.copy()

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: int, b: int) -> bool:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return True
        id_a, id_b = self.citizen_id[root_a], self.citizen_id[root_b]
        if id_a is not None and id_b is not None and id_a != id_b:
            return False
        self.parent[root_b] = root_a
        if id_a is None:
            self.citizen_id[root_a] = id_b
        return True


def cluster_records(records: pd.DataFrame, links: pd.DataFrame) -> tuple[np.ndarray, int]:
    """Group records into persons.

    Args:
        records: Normalised records indexed by position, with ``citizen_id`` and ``citizen_id_valid``.
        links: Linked pairs (``left``, ``right``, ``score``).

    Returns:
        A cluster label per record (the position of its cluster's root) and the number of links refused
        because they would have joined two different valid citizen IDs.
    """
    valid = records["citizen_id_valid"].fillna(False).to_numpy(bool)
    ids = np.where(valid, records["citizen_id"].to_numpy(object), None)
    forest = _ConstrainedUnionFind(ids)
    ordered = links.sort_values("score", ascending=False, kind="stable")
    refused = 0
    for a, b in zip(ordered["left"].to_numpy(), ordered["right"].to_numpy(), strict=True):
        if not forest.union(int(a), int(b)):
            refused += 1
    labels = np.fromiter((forest.find(i) for i in range(len(records))), dtype=np.int64, count=len(records))
    return labels, refused


def golden_ids(record_ids: pd.Series, labels: np.ndarray, prefix: str) -> np.ndarray:
    """Name each cluster after a hash of its smallest record id, so the same data always gives the same IDs.

    Args:
        record_ids: Stable lineage id of each record (``source:row``).
        labels: Cluster label per record.
        prefix: ``P`` for persons, ``H`` for households.

    Returns:
        The golden ID of each record's cluster.
    """
    anchors = pd.Series(record_ids.to_numpy(), index=labels).groupby(level=0).min()
    names = {label: prefix + hashlib.sha256(anchor.encode()).hexdigest()[:12] for label, anchor in anchors.items()}
    return np.array([names[label] for label in labels], dtype=object)
