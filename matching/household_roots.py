"""Where each golden person's household is rooted: their chosen evidence followed to a dwelling or household number.

The rules are :mod:`matching.households`'s (a dwelling is its own root, a relation follows the relative, a
household number goes where most of its independently placed members are). This module runs them on integer
codes: person ``i`` is the i-th golden person ID in sorted order, each household number a code, each ranked
evidence row a position. Why: at a million people the same steps on text keys (reindexing, grouping and mapping
person IDs again in every round of following relations) took most of household resolution's time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from matching.household_evidence import DWELLING, PERSON, REFERENCE


@dataclass(frozen=True)
class RankedEvidence:
    """Ranked evidence rows (:func:`matching.household_evidence.rank_evidence`) as arrays over row positions.

    Attributes:
        person: Person code of each row (the rows of one person are consecutive).
        target_type: :data:`DWELLING`, :data:`PERSON` or :data:`REFERENCE` per row.
        target: The target key per row (object array).
        relative: Person code a relation row names (-1 on other rows).
        reference: Household-number code of a reference row (-1 on other rows).
        references: The household-number keys, by code.
    """

    person: np.ndarray
    target_type: np.ndarray
    target: np.ndarray
    relative: np.ndarray
    reference: np.ndarray
    references: np.ndarray

    @classmethod
    def of(cls, ranked: pd.DataFrame, person: np.ndarray, persons: pd.Index) -> RankedEvidence:
        """Codes for ``ranked`` whose rows belong to the persons ``person`` (codes into sorted ``persons``)."""
        target_type, target = ranked["target_type"].to_numpy(object), ranked["target"].to_numpy(object)
        relative = np.full(len(ranked), -1, np.int64)
        is_person = target_type == PERSON
        relative[is_person] = persons.get_indexer(target[is_person])
        reference = np.full(len(ranked), -1, np.int64)
        is_reference = target_type == REFERENCE
        codes, names = pd.factorize(target[is_reference])
        reference[is_reference] = codes
        return cls(person, target_type, target, relative, reference, np.asarray(names, dtype=object))


def _first_rows(evidence: RankedEvidence, rows: np.ndarray, persons: int) -> np.ndarray:
    """Position of each person's first row among the boolean mask ``rows`` (-1 where they have none)."""
    positions = np.flatnonzero(rows)
    codes = evidence.person[positions]
    starts = np.ones(len(positions), bool)
    starts[1:] = codes[1:] != codes[:-1]
    first = np.full(persons, -1, np.int64)
    first[codes[starts]] = positions[starts]
    return first


@dataclass
class _Placement:
    """The roots found so far (``root`` holds a key where ``placed``) and each person's chosen row (-1: none)."""

    root: np.ndarray
    placed: np.ndarray
    choice: np.ndarray

    def chosen(self, values: np.ndarray, missing: object) -> np.ndarray:
        """``values`` (per ranked row) at each person's chosen row, ``missing`` where they have none."""
        picked = values[np.maximum(self.choice, 0)] if len(values) else np.full(len(self.choice), missing)
        return np.where(self.choice >= 0, picked, missing)

    def place(self, who: np.ndarray, roots: np.ndarray) -> None:
        self.root[who] = roots
        self.placed[who] = True


def _follow_relations(placement: _Placement, relative: np.ndarray) -> bool:
    """Give each unplaced person pointing at a placed relative that relative's root; True if any moved."""
    moved = False
    while True:
        pending = np.flatnonzero(~placement.placed & (relative >= 0))
        targets = relative[pending]
        ready = placement.placed[targets]
        if not ready.any():
            return moved
        placement.place(pending[ready], placement.root[targets[ready]])
        moved = True


def _place_by_reference(placement: _Placement, reference: np.ndarray, members: tuple[np.ndarray, np.ndarray],
                        references: np.ndarray, fallback: bool) -> bool:
    """Place people who chose a household number where most of its placed members are (ties: smallest root).

    ``members`` are the (household number, person) pairs that vote; ``fallback`` lets a number be its own root.
    """
    pending = np.flatnonzero(~placement.placed & (reference >= 0))
    if not len(pending):
        return False
    member_reference, member_person = members
    voting = placement.placed[member_person]
    roots, root_names = pd.factorize(placement.root[member_person[voting]], sort=True)
    winner = np.full(len(references), -1, np.int64)
    if len(roots):
        pairs, votes = np.unique(member_reference[voting] * np.int64(len(root_names)) + roots, return_counts=True)
        pair_reference, pair_root = pairs // len(root_names), pairs % len(root_names)
        order = np.lexsort((pair_root, -votes, pair_reference))
        first = np.ones(len(order), bool)
        first[1:] = pair_reference[order][1:] != pair_reference[order][:-1]
        winner[pair_reference[order][first]] = pair_root[order][first]
    found = winner[reference[pending]]
    where = np.asarray(root_names, dtype=object)[np.maximum(found, 0)] if len(root_names) else found.astype(object)
    if fallback:
        where, found = np.where(found >= 0, where, references[reference[pending]]), np.zeros_like(found)
    placement.place(pending[found >= 0], where[found >= 0])
    return bool((found >= 0).any())


def _settle(placement: _Placement, evidence: RankedEvidence, fallback: bool) -> None:
    """Follow relations and household numbers until nothing moves.

    A number's members vote only if that number is not their own chosen evidence (they were placed by
    something else).
    """
    rows = np.flatnonzero(evidence.reference >= 0)
    pairs = np.unique(evidence.reference[rows] * np.int64(len(placement.root)) + evidence.person[rows])
    member_reference, member_person = pairs // len(placement.root), pairs % len(placement.root)
    reference = placement.chosen(evidence.reference, -1)
    independent = member_reference != reference[member_person]
    members = (member_reference[independent], member_person[independent])
    relative = placement.chosen(evidence.relative, -1)
    while (_follow_relations(placement, relative)
           | _place_by_reference(placement, reference, members, evidence.references, fallback)):
        pass


def _join_cycles(placement: _Placement, relative: np.ndarray, persons: pd.Index) -> None:
    """People still unplaced point at each other in a loop: each loop is one household named by its first."""
    pending = np.flatnonzero(~placement.placed)
    targets = relative[pending]
    inside = targets >= 0
    inside[inside] = ~placement.placed[targets[inside]]
    rows, cols = np.flatnonzero(inside), np.searchsorted(pending, targets[inside])
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(pending), len(pending)))
    count, labels = connected_components(graph, directed=True, connection="weak")
    first = np.full(count, len(persons), np.int64)
    np.minimum.at(first, labels, pending)  # person codes follow sorted IDs: the smallest code is the first ID
    placement.place(pending, "person:" + persons.to_numpy(object)[first[labels]])


def household_roots(evidence: RankedEvidence, persons: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Each person's root key and the ranked row that placed them (-1 where they have no evidence).

    A household number none of whose members is placed by anything else is no evidence of where they live:
    its members fall back to their best other evidence (their own address, say), and only those with none
    left form a household around the number.
    """
    count = len(persons)
    everything = np.ones(len(evidence.person), bool)
    placement = _Placement(np.full(count, None, object), np.zeros(count, bool),
                           _first_rows(evidence, everything, count))
    alone = placement.choice < 0
    placement.place(alone, "person:" + persons.to_numpy(object)[alone])
    dwelling = placement.chosen(evidence.target_type, None) == DWELLING
    placement.place(dwelling, placement.chosen(evidence.target, None)[dwelling])
    _settle(placement, evidence, fallback=False)
    stuck = ~placement.placed & (placement.chosen(evidence.target_type, None) == REFERENCE)
    others = _first_rows(evidence, evidence.target_type != REFERENCE, count)
    replaced = stuck & (others >= 0)
    placement.choice[replaced] = others[replaced]
    dwelling = (placement.chosen(evidence.target_type, None) == DWELLING) & ~placement.placed
    placement.place(dwelling, placement.chosen(evidence.target, None)[dwelling])
    for fallback in (False, True):
        _settle(placement, evidence, fallback)
    if not placement.placed.all():
        _join_cycles(placement, placement.chosen(evidence.relative, -1), persons)
    return placement.root, placement.choice
