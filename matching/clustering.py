"""Cluster linked records into persons under hard constraints.

Connected components over the links are found in one sparse-graph pass. Most components are plainly one person
and are kept as they are. A component is re-clustered when it breaks a rule:

* it holds two different *valid* citizen IDs: two such records are two people however similar their names;
* it holds both records of a steward's cannot-link;
* it is larger than ``max_size`` records (no one is in a registry that often);
* with three or more records, fewer than ``min_density`` of its record pairs are direct links (a chain held
  together by a few weak links, the shape wrong links leave).

Re-clustering applies the component's links strongest first through a union-find that refuses any union that
would break one of the rules, or that too few links support: uniting groups A and B needs at least
``min_density × |A| × |B|`` links between them, so a chain is cut where its support is thinnest. Only the few
flagged components pay for this Python loop.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


class ClusterLimits(Protocol):
    """Cluster rules (see ``termtem.settings.ClusterLimits``)."""

    max_size: int
    min_density: float


@dataclass(frozen=True)
class ClusterReport:
    """What clustering did: how many groups broke which rule and how many links re-clustering refused."""

    clusters: int
    groups_with_citizen_id_conflict: int
    groups_with_cannot_link: int
    oversized_groups: int
    sparse_groups: int
    refused_links: dict[str, int] = field(default_factory=dict)


class _ConstrainedForest:
    """Union-find whose unions respect citizen IDs, cannot-links, a size cap and link support."""

    def __init__(self, members: np.ndarray, citizen_ids: np.ndarray | None, cannot: set[tuple[int, int]],
                 limits: ClusterLimits) -> None:
        self.parent = {int(m): int(m) for m in members}
        self.size = dict.fromkeys(self.parent, 1)
        self.citizen_id = {m: citizen_ids[m] if citizen_ids is not None and pd.notna(citizen_ids[m]) else None
                           for m in self.parent}
        self.cannot: dict[int, set[int]] = {m: set() for m in self.parent}
        for a, b in cannot:
            self.cannot[a].add(b)
            self.cannot[b].add(a)
        self.links: dict[int, Counter[int]] = {m: Counter() for m in self.parent}
        self.limits = limits
        self.refused: Counter[str] = Counter()

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def count_link(self, a: int, b: int) -> None:
        self.links[a][b] += 1
        self.links[b][a] += 1

    def _refusal(self, ra: int, rb: int) -> str | None:
        id_a, id_b = self.citizen_id[ra], self.citizen_id[rb]
        if id_a is not None and id_b is not None and id_a != id_b:
            return "citizen_id"
        if any(self.find(other) == rb for other in self.cannot[ra]):
            return "cannot_link"
        if self.size[ra] + self.size[rb] > self.limits.max_size:
            return "size"
        if self.links[ra][rb] < self.limits.min_density * self.size[ra] * self.size[rb]:
            return "support"
        return None

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        reason = self._refusal(ra, rb)
        if reason:
            self.refused[reason] += 1
            return
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size.pop(rb)
        self.citizen_id[ra] = self.citizen_id[ra] if self.citizen_id[ra] is not None else self.citizen_id[rb]
        self.cannot[ra] |= self.cannot.pop(rb)
        merged = self.links[ra] + self.links.pop(rb)
        merged.pop(ra, None)
        merged.pop(rb, None)
        self.links[ra] = merged
        for other in merged:
            counts = self.links[other]
            counts[ra] += counts.pop(rb, 0)


def _flag_components(labels: np.ndarray, left: np.ndarray, citizen_ids: np.ndarray | None,
                     cannot: tuple[np.ndarray, np.ndarray], limits: ClusterLimits) -> dict[str, np.ndarray]:
    """Per rule, a boolean per component saying whether it breaks the rule."""
    count = labels.max() + 1 if len(labels) else 0
    sizes = np.bincount(labels, minlength=count)
    edges = np.bincount(labels[left], minlength=count)
    possible = sizes * (sizes - 1) / 2
    flags = {
        "citizen_id": np.zeros(count, dtype=bool),
        "cannot_link": np.zeros(count, dtype=bool),
        "size": sizes > limits.max_size,
        "sparse": (sizes >= 3) & (edges < limits.min_density * np.maximum(possible, 1)),
    }
    if citizen_ids is not None:
        known = pd.notna(citizen_ids)
        distinct = pd.DataFrame({"label": labels[known], "id": citizen_ids[known]}).groupby("label")["id"].nunique()
        flags["citizen_id"][distinct.index[distinct > 1].to_numpy()] = True
    flags["cannot_link"][labels[cannot[0]][labels[cannot[0]] == labels[cannot[1]]]] = True
    return flags


def _flagged_groups(components: np.ndarray, flagged: np.ndarray, left: np.ndarray, right: np.ndarray,
                    score: np.ndarray, cannot_link: tuple[np.ndarray, np.ndarray]) -> Iterator[
        tuple[np.ndarray, list[tuple[int, int]], set[tuple[int, int]]]]:
    """Members, links (strongest first, ties by position) and cannot-links of each flagged component."""
    member_order = np.argsort(components, kind="stable")
    member_bounds = np.searchsorted(components[member_order], np.flatnonzero(flagged), side="left")
    sizes = np.bincount(components)
    in_flagged = np.flatnonzero(flagged[components[left]])
    order = in_flagged[np.lexsort((right[in_flagged], left[in_flagged], -score[in_flagged],
                                   components[left[in_flagged]]))]
    link_components = components[left[order]]
    cannot_by_component: dict[int, set[tuple[int, int]]] = {}
    for a, b in zip(cannot_link[0].tolist(), cannot_link[1].tolist(), strict=True):
        if components[a] == components[b]:
            cannot_by_component.setdefault(int(components[a]), set()).add((a, b))
    for component, start in zip(np.flatnonzero(flagged).tolist(), member_bounds.tolist(), strict=True):
        members = member_order[start:start + sizes[component]]
        first, last = np.searchsorted(link_components, [component, component + 1])
        links = list(zip(left[order[first:last]].tolist(), right[order[first:last]].tolist(), strict=True))
        yield members, links, cannot_by_component.get(component, set())


def cluster_records(records: int, left: np.ndarray, right: np.ndarray, score: np.ndarray,
                    citizen_ids: np.ndarray | None, cannot_link: tuple[np.ndarray, np.ndarray],
                    limits: ClusterLimits) -> tuple[np.ndarray, ClusterReport]:
    """Group records into persons.

    Args:
        records: Number of records (positions 0..records-1).
        left: Left position of each link.
        right: Right position of each link.
        score: Strength of each link (strongest applied first when re-clustering).
        citizen_ids: Valid citizen ID per record (None where not valid), or None when records carry none.
        cannot_link: Left and right positions of pairs that must never share a person.
        limits: Size and density rules.

    Returns:
        A label per record (the smallest position in its person) and a report.
    """
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(records, records))
    _, components = connected_components(graph, directed=False)
    flags = _flag_components(components, left, citizen_ids, cannot_link, limits)
    flagged = np.logical_or.reduce(list(flags.values()))
    labels = np.full(records, records, dtype=np.int64)
    np.minimum.at(labels, components, np.arange(records))
    labels = labels[components]
    refused: Counter[str] = Counter()
    for members, links, cannot in _flagged_groups(components, flagged, left, right, score, cannot_link):
        forest = _ConstrainedForest(members, citizen_ids, cannot, limits)
        for a, b in links:
            forest.count_link(a, b)
        for a, b in links:
            forest.union(a, b)
        labels[members] = [forest.find(int(m)) for m in members]
        refused += forest.refused
    report = ClusterReport(int(np.count_nonzero(np.bincount(labels, minlength=1))), int(flags["citizen_id"].sum()),
                           int(flags["cannot_link"].sum()), int(flags["size"].sum()), int(flags["sparse"].sum()),
                           dict(sorted(refused.items())))
    return labels, report


def valid_citizen_ids(records: pd.DataFrame) -> np.ndarray:
    """Each record's citizen ID where its check digit is right, else None: the IDs no person may hold two of."""
    valid = records["citizen_id_valid"].fillna(False).to_numpy(bool)
    return np.where(valid, records["citizen_id"].to_numpy(object), None)


def strongest_links(labels: np.ndarray, links: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Rule and score of the strongest link inside its person that touches each record (None / NaN if alone).

    Args:
        labels: Person label of each record.
        links: Linked pairs (``left``, ``right``, ``rule``, ``score``); links re-clustering refused are ignored.
    """
    left, right = links["left"].to_numpy(), links["right"].to_numpy()
    inside = labels[left] == labels[right]
    record = np.concatenate([left[inside], right[inside]])
    rule = np.concatenate([links["rule"].to_numpy(object)[inside]] * 2)
    score = np.concatenate([links["score"].to_numpy(float)[inside]] * 2)
    # Per record, its highest score, ties to the end listed first (lefts, then rights, each in link order).
    order = np.lexsort((np.arange(len(record)), -score, record))
    first = order[np.r_[True, record[order][1:] != record[order][:-1]]] if len(order) else order
    strongest_rule = np.full(len(labels), np.nan, dtype=object)
    strongest_score = np.full(len(labels), np.nan)
    strongest_rule[record[first]], strongest_score[record[first]] = rule[first], score[first]
    return strongest_rule, strongest_score
