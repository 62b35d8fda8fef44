"""Golden households: one current household per golden person, with the evidence that placed them and history.

Each person's strongest evidence (:mod:`matching.household_evidence`; order and tie-break from
``config/households.yaml``) says where they live now: a dwelling, a relative (they join that person's
household), or an agency household number (they join where most of that number's other members were placed).
Following those pointers ends at a root, a dwelling or a household number, and everyone who ends at the same
root is one household. A person's other dwellings (an address from before a move, a registry that lags) are kept
as history, not merged in, so a household that moved or split is not glued to its old address.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from matching.golden_ids import assign_golden_ids
from matching.household_evidence import (
    DWELLING,
    PERSON,
    REFERENCE,
    HouseholdPolicy,
    evidence_rows,
    rank_evidence,
)

TRIAGE_ORDER: dict[str, int] = {"green": 1, "yellow": 2, "red": 3}

#: Evidence kinds that place a person by following someone else rather than a dwelling of their own.
_JOINING: tuple[str, ...] = ("mother", "guardian", "father", "household_ref")

#: Columns of the current membership: one row per golden person, with the choice that placed them.
MEMBERSHIP_COLUMNS: tuple[str, ...] = (
    "golden_person_id", "golden_household_id", "evidence", "evidence_source", "evidence_record_id",
    "evidence_recorded_on", "other_dwellings", "decision",
)

#: Columns of the membership history: every dwelling and household a person was seen in, per source.
HISTORY_COLUMNS: tuple[str, ...] = (
    "golden_person_id", "golden_household_id", "dwelling", "source", "first_seen", "last_seen", "current",
)

#: Columns of the household ID events (as person IDs' ``person_id_history``, per household).
ID_HISTORY_COLUMNS: tuple[str, ...] = ("golden_household_id", "event", "related_household_id", "members")

@dataclass(frozen=True)
class HouseholdResolution:
    """The outcome of :func:`resolve_households`.

    Attributes:
        membership: :data:`MEMBERSHIP_COLUMNS`, sorted by person.
        history: :data:`HISTORY_COLUMNS`, sorted by person, household and dwelling.
        id_history: :data:`ID_HISTORY_COLUMNS`: each current ID created, kept or split off, each previous ID
            not kept merged or retired (:func:`matching.golden_ids.assign_golden_ids`).
    """

    membership: pd.DataFrame
    history: pd.DataFrame
    id_history: pd.DataFrame


def _follow_relations(root: pd.Series, chosen: pd.DataFrame) -> bool:
    """Give each unplaced person pointing at a placed relative that relative's root; True if any moved."""
    moved = False
    while True:
        pending = (chosen["target_type"] == PERSON) & root.isna()
        found = root.reindex(chosen.loc[pending, "target"]).to_numpy(object)
        placed = pd.notna(found)
        if not placed.any():
            return moved
        root[pending[pending].index[placed]] = found[placed]
        moved = True


def _place_by_reference(root: pd.Series, chosen: pd.DataFrame, members: pd.DataFrame, fallback: bool) -> bool:
    """Place people who chose a household number where most of its independently placed members are."""
    pending = (chosen["target_type"] == REFERENCE) & root.isna()
    if not pending.any():
        return False
    votes = members.assign(root=root.reindex(members["golden_person_id"]).to_numpy(object)).dropna()
    votes = votes.groupby(["target", "root"]).size().rename("n").reset_index()
    votes = votes.sort_values(["target", "n", "root"], ascending=[True, False, True]).drop_duplicates("target")
    where = chosen.loc[pending, "target"].map(votes.set_index("target")["root"])
    if fallback:
        where = where.fillna(chosen.loc[pending, "target"])
    placed = where.dropna()
    root[placed.index] = placed
    return not placed.empty


def _join_cycles(root: pd.Series, chosen: pd.DataFrame) -> None:
    """People still unplaced point at each other in a loop: each loop is one household named by its first."""
    pending = root[root.isna()].index
    codes = pd.Index(pending)
    edges = chosen.loc[pending, "target"]
    inside = edges.isin(codes).to_numpy(bool)
    rows, cols = codes.get_indexer(edges.index[inside]), codes.get_indexer(edges[inside])
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(codes), len(codes)))
    _, labels = connected_components(graph, directed=True, connection="weak")
    first = pd.Series(codes, index=labels).groupby(level=0).min()
    root[pending] = "person:" + first.reindex(labels).to_numpy(object)


def _settle(root: pd.Series, chosen: pd.DataFrame, refs: pd.DataFrame, fallback: bool) -> None:
    """Follow relations and household numbers until nothing moves; ``fallback`` lets a number be its own root."""
    own_choice = chosen["target"].reindex(refs["golden_person_id"]).to_numpy(object)
    independent = refs[own_choice != refs["target"].to_numpy(object)]
    while _follow_relations(root, chosen) | _place_by_reference(root, chosen, independent, fallback):
        pass


def _roots(ranked: pd.DataFrame, persons: pd.Index) -> tuple[pd.Series, pd.DataFrame]:
    """Each person's root key and the evidence row that placed them (empty values where they have none).

    A household number none of whose members is placed by anything else is no evidence of where they live:
    its members fall back to their best other evidence (their own address, say), and only those with none
    left form a household around the number.
    """
    chosen = ranked.drop_duplicates("golden_person_id").set_index("golden_person_id").reindex(persons)
    root = pd.Series(None, index=persons, dtype=object)
    alone = chosen["target_type"].isna()
    root[alone] = "person:" + persons[alone.to_numpy()]
    dwelling = chosen["target_type"] == DWELLING
    root[dwelling] = chosen.loc[dwelling, "target"]
    refs = ranked.loc[ranked["target_type"] == REFERENCE, ["target", "golden_person_id"]].drop_duplicates()
    _settle(root, chosen, refs, fallback=False)
    stuck = root.index[root.isna() & (chosen["target_type"] == REFERENCE)]
    others = ranked[ranked["target_type"] != REFERENCE].drop_duplicates("golden_person_id")
    others = others.set_index("golden_person_id").reindex(stuck).dropna(subset=["target_type"])
    chosen.loc[others.index] = others
    dwelling = chosen["target_type"].eq(DWELLING) & root.isna()
    root[dwelling] = chosen.loc[dwelling, "target"]
    for fallback in (False, True):
        _settle(root, chosen, refs, fallback)
    if root.isna().any():
        _join_cycles(root, chosen)
    return root, chosen


def _decisions(chosen: pd.DataFrame, ranked: pd.DataFrame, root: pd.Series) -> pd.DataFrame:
    """The membership frame without household IDs: the evidence used and what was set aside."""
    dwellings = ranked[ranked["target_type"] == DWELLING].drop_duplicates(["golden_person_id", "target"])
    elsewhere = dwellings[dwellings["target"].to_numpy(object)
                          != root.reindex(dwellings["golden_person_id"]).to_numpy(object)]
    others = elsewhere.groupby("golden_person_id").size().reindex(root.index, fill_value=0)
    kind, source = chosen["kind"].fillna("none"), chosen["source"]
    decision = (kind + " from " + source.fillna("")).where(source.notna(), "no household evidence: alone")
    set_aside = others.gt(0).to_numpy()
    decision[set_aside] += "; " + others[set_aside].astype(str) + " other dwelling(s) kept as history"
    return pd.DataFrame({"golden_person_id": root.index, "evidence": kind.to_numpy(),
                         "evidence_source": source.to_numpy(), "evidence_record_id": chosen["record_id"].to_numpy(),
                         "evidence_recorded_on": chosen["recorded_on"].to_numpy(),
                         "other_dwellings": others.to_numpy(np.int64), "decision": decision.to_numpy()})


def _sorted_groups(keys: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Row order sorting ``keys`` (missing values last, as ``groupby(sort=True, dropna=False)``) and the group
    number of each sorted row.

    Why: a groupby on several text columns hashes and sorts the text again for the combined key; sorting
    each column's codes once with ``lexsort`` gives the same groups in the same order for a fraction of the time.
    """
    codes = []
    for name in keys.columns:
        code, uniques = pd.factorize(keys[name], sort=True)
        codes.append(np.where(code < 0, len(uniques), code))
    order = np.lexsort(codes[::-1]) if codes else np.arange(len(keys))
    ordered = np.stack([code[order] for code in codes]) if codes else np.zeros((0, len(keys)), np.int64)
    changed = np.ones(len(keys), bool)
    changed[1:] = (ordered[:, 1:] != ordered[:, :-1]).any(axis=0)
    return order, np.cumsum(changed) - 1


def _history(ranked: pd.DataFrame, membership: pd.DataFrame, household_of_root: pd.Series) -> pd.DataFrame:
    """Every dwelling each person was seen at, per source, with the household living there now (if any)."""
    dwellings = ranked[ranked["target_type"] == DWELLING]
    seen = pd.DataFrame({
        "golden_person_id": dwellings["golden_person_id"].to_numpy(),
        "golden_household_id": dwellings["target"].map(household_of_root).to_numpy(object),
        "dwelling": dwellings["target"].to_numpy(object), "source": dwellings["source"].to_numpy(),
        "recorded_on": dwellings["recorded_on"].to_numpy()})
    current = membership.loc[membership["evidence"].isin(_JOINING), [
        "golden_person_id", "golden_household_id", "evidence_source", "evidence_recorded_on"]]
    current = current.rename(columns={"evidence_source": "source", "evidence_recorded_on": "recorded_on"})
    seen = pd.concat([seen, current.assign(dwelling=None)], ignore_index=True)
    keys = ["golden_person_id", "golden_household_id", "dwelling", "source"]
    order, group = _sorted_groups(seen[keys])
    seen = seen.iloc[order].reset_index(drop=True)
    history = seen.groupby(group, sort=False)["recorded_on"].agg(first_seen="min", last_seen="max")
    starts = np.flatnonzero(np.diff(group, prepend=-1))
    named = seen.loc[starts, keys].reset_index(drop=True)
    named = named.where(named.notna(), np.nan)  # a missing key reads NaN, as groupby(dropna=False) names it
    history = pd.concat([named, history.reset_index(drop=True)], axis=1)
    now = history["golden_person_id"].map(membership.set_index("golden_person_id")["golden_household_id"])
    history["current"] = history["golden_household_id"].eq(now)
    return history[list(HISTORY_COLUMNS)]


def _household_ids(persons: pd.Index, root: pd.Series,
                   previous: pd.DataFrame | None) -> tuple[pd.Series, pd.DataFrame]:
    """Root -> golden household ID, kept from the previous release where most members say so, and the events."""
    labels, roots = pd.factorize(root.to_numpy(object))
    # assign_golden_ids keys records by (source, row number); here a "record" is a golden person, numbered in the
    # sorted union of current and previous persons so that the numbers agree between the two releases.
    known = persons if previous is None else persons.union(pd.Index(previous["golden_person_id"]))
    members = pd.DataFrame({"source": "person", "source_row": known.get_indexer(persons), "record_id": persons})
    old = None if previous is None else pd.DataFrame({
        "source": "person", "source_row": known.get_indexer(previous["golden_person_id"]),
        "golden_person_id": previous["golden_household_id"].to_numpy(object)})
    ids, events = assign_golden_ids(members, labels, old, prefix="H")
    household_of_root = pd.Series(ids, index=roots[labels]).groupby(level=0).first()
    events = events.rename(columns={"golden_person_id": "golden_household_id",
                                    "related_person_id": "related_household_id", "records": "members"})
    return household_of_root, events[list(ID_HISTORY_COLUMNS)]


def resolve_households(records: pd.DataFrame, policy: HouseholdPolicy, trust: dict[str, int],
                       previous: pd.DataFrame | None = None) -> HouseholdResolution:
    """Place every golden person in one current household.

    Args:
        records: Linked records indexed by position (``person_clusters``): see
            :func:`matching.household_evidence.evidence_rows` for the columns read.
        policy: Evidence order and tie-break (``config/households.yaml``).
        trust: Source name -> rank (1 = most trusted).
        previous: The previous release's ``golden_person_id`` -> ``golden_household_id``, or None.

    Returns:
        The membership (with the evidence behind each choice), the history and the household ID events.
    """
    ranked = rank_evidence(evidence_rows(records, policy.evidence), policy.tie_break, trust)
    persons = pd.Index(np.sort(records["golden_person_id"].unique()), name="golden_person_id")
    root, chosen = _roots(ranked, persons)
    membership = _decisions(chosen, ranked, root)
    ids, id_history = _household_ids(persons, root, previous)
    membership.insert(1, "golden_household_id", root.map(ids).to_numpy(object))
    return HouseholdResolution(membership[list(MEMBERSHIP_COLUMNS)], _history(ranked, membership, ids), id_history)


def _areas(members: pd.DataFrame, records: pd.DataFrame, membership: pd.DataFrame) -> pd.DataFrame:
    """Address of each household: from a member placed there by their own house code or address."""
    columns = ["house_code", "house_no", "moo", "subdistrict_code", "district_code", "province_code"]
    placed = membership[membership["evidence"].isin(["house_code", "address"])]
    placed = placed.assign(_kind=placed["evidence"].eq("address")).sort_values(
        ["golden_household_id", "_kind", "evidence_record_id"]).drop_duplicates("golden_household_id")
    positions = pd.Index(records["record_id"]).get_indexer(placed["evidence_record_id"])
    if (positions < 0).any():
        raise KeyError("a household's evidence record is not among the records")
    found = records[columns].iloc[positions].set_axis(placed["golden_household_id"].to_numpy())
    if not members["golden_person_id"].is_monotonic_increasing:
        members = members.sort_values("golden_person_id")
    fallback = members.groupby("golden_household_id")[columns[3:]].first()
    return found.reindex(fallback.index).combine_first(fallback)[columns]


def build_golden_households(persons: pd.DataFrame, records: pd.DataFrame, membership: pd.DataFrame,
                            id_history: pd.DataFrame, poverty_sources: tuple[str, ...]) -> pd.DataFrame:
    """One row per golden household: address, size, worst triage, poverty-list status and its ID event.

    Args:
        persons: Golden persons with admin codes (any ``golden_household_id`` column is replaced).
        records: Linked records with ``record_id``, ``golden_person_id``, ``source``, ``triage`` and the address.
        membership: :data:`MEMBERSHIP_COLUMNS` from :func:`resolve_households` on the same records.
        id_history: The household ID events of the same resolution.
        poverty_sources: Sources whose presence puts a household on the poverty list.

    Returns:
        Golden households sorted by ID.
    """
    household = membership.set_index("golden_person_id")["golden_household_id"]
    members = persons.drop(columns="golden_household_id", errors="ignore").assign(
        golden_household_id=persons["golden_person_id"].map(household).to_numpy(object))
    household_of = records["golden_person_id"].map(household)
    worst = records["triage"].map(TRIAGE_ORDER).groupby(household_of).max()
    on_poverty_list = records["source"].isin(poverty_sources).groupby(household_of).any()
    households = _areas(members, records, membership)
    households.index.name = "golden_household_id"
    households["member_count"] = members.groupby("golden_household_id").size()
    households["triage"] = worst.reindex(households.index).map({rank: name for name, rank in TRIAGE_ORDER.items()})
    households["poverty_list"] = on_poverty_list.reindex(households.index).fillna(False).astype(bool)
    events = id_history.drop_duplicates("golden_household_id").set_index("golden_household_id")
    households["id_event"] = events["event"].reindex(households.index)
    return households.reset_index()
