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

from matching.golden_ids import assign_golden_ids
from matching.household_evidence import DWELLING, HouseholdPolicy, evidence_rows, rank_evidence
from matching.household_roots import RankedEvidence, household_roots

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


def _decisions(chosen: pd.DataFrame, evidence: RankedEvidence, root: np.ndarray) -> pd.DataFrame:
    """The membership frame without household IDs: the evidence used and what was set aside.

    ``chosen`` is each person's chosen row (``kind``, ``source``, ``record_id``, ``recorded_on``), indexed by person.
    """
    dwelling = np.flatnonzero(evidence.target_type == DWELLING)
    elsewhere = dwelling[evidence.target[dwelling] != root[evidence.person[dwelling]]]
    dwellings, names = pd.factorize(evidence.target[elsewhere])
    pairs = np.unique(evidence.person[elsewhere] * np.int64(max(len(names), 1)) + dwellings)
    others = pd.Series(np.bincount(pairs // max(len(names), 1), minlength=len(chosen)), index=chosen.index)
    kind, source = chosen["kind"].fillna("none"), chosen["source"]
    decision = (kind + " from " + source.fillna("")).where(source.notna(), "no household evidence: alone")
    set_aside = others.gt(0).to_numpy()
    decision[set_aside] += "; " + others[set_aside].astype(str) + " other dwelling(s) kept as history"
    return pd.DataFrame({"golden_person_id": chosen.index, "evidence": kind.to_numpy(),
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


def _seen_range(stamps: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Earliest and latest time in each run of rows beginning at ``starts``, skipping NaT (NaT when all are).

    Why not ``groupby().agg(min, max)``: the rows are already sorted into their groups, so a ``reduceat`` over
    the integer ticks does the same without building the groups again.
    """
    ticks, missing = stamps.view(np.int64), np.isnat(stamps)
    nat, largest = np.iinfo(np.int64).min, np.iinfo(np.int64).max  # NaT is the smallest tick
    first = np.minimum.reduceat(np.where(missing, largest, ticks), starts) if len(starts) else ticks[:0]
    first[first == largest] = nat
    last = np.maximum.reduceat(ticks, starts) if len(starts) else ticks[:0]
    return first.view(stamps.dtype), last.view(stamps.dtype)


def _history(ranked: pd.DataFrame, evidence: RankedEvidence, membership: pd.DataFrame,
             household_of_root: pd.Series) -> pd.DataFrame:
    """Every dwelling each person was seen at, per source, with the household living there now (if any).

    ``membership`` has one row per person in person-code order.
    """
    dwelling = ranked["target_type"].to_numpy(object) == DWELLING
    target = ranked["target"].to_numpy(object)[dwelling]
    seen = pd.DataFrame({
        "golden_person_id": ranked["golden_person_id"].to_numpy(object)[dwelling],
        "golden_household_id": pd.Series(target).map(household_of_root).to_numpy(object),
        "dwelling": target, "source": ranked["source"].to_numpy(object)[dwelling],
        "recorded_on": ranked["recorded_on"].to_numpy()[dwelling]})
    joining = membership["evidence"].isin(_JOINING).to_numpy(bool)
    current = membership.loc[joining, [
        "golden_person_id", "golden_household_id", "evidence_source", "evidence_recorded_on"]]
    current = current.rename(columns={"evidence_source": "source", "evidence_recorded_on": "recorded_on"})
    seen = pd.concat([seen, current.assign(dwelling=None)], ignore_index=True)
    keys = ["golden_person_id", "golden_household_id", "dwelling", "source"]
    # Person codes follow the sorted IDs: as a categorical they group and sort as the IDs do, without sorting text.
    who = np.concatenate([evidence.person[dwelling], np.flatnonzero(joining)])
    persons = pd.Categorical.from_codes(who, categories=membership["golden_person_id"].to_numpy(object))
    order, group = _sorted_groups(seen[keys].assign(golden_person_id=persons))
    starts = np.flatnonzero(np.diff(group, prepend=-1))
    history = seen[keys].iloc[order[starts]].reset_index(drop=True)
    history = history.where(history.notna(), np.nan)  # a missing key reads NaN, as groupby(dropna=False) names it
    history["first_seen"], history["last_seen"] = _seen_range(seen["recorded_on"].to_numpy()[order], starts)
    now = history["golden_person_id"].map(membership.set_index("golden_person_id")["golden_household_id"])
    history["current"] = history["golden_household_id"].eq(now)
    return history[list(HISTORY_COLUMNS)]


def _household_ids(persons: pd.Index, root: np.ndarray,
                   previous: pd.DataFrame | None) -> tuple[np.ndarray, pd.Series, pd.DataFrame]:
    """Each person's golden household ID, kept from the previous release where most members say so; the same as
    root -> ID; and the events."""
    labels, roots = pd.factorize(root)
    # assign_golden_ids keys records by (source, row number); here a "record" is a golden person, numbered in the
    # sorted union of current and previous persons so that the numbers agree between the two releases.
    known = persons if previous is None else persons.union(pd.Index(previous["golden_person_id"]))
    members = pd.DataFrame({"source": "person", "source_row": known.get_indexer(persons), "record_id": persons})
    old = None if previous is None else pd.DataFrame({
        "source": "person", "source_row": known.get_indexer(previous["golden_person_id"]),
        "golden_person_id": previous["golden_household_id"].to_numpy(object)})
    ids, events = assign_golden_ids(members, labels, old, prefix="H")
    household_of_root = np.empty(len(roots), dtype=object)
    household_of_root[labels] = ids  # every member of a root has its one ID
    events = events.rename(columns={"golden_person_id": "golden_household_id",
                                    "related_person_id": "related_household_id", "records": "members"})
    return ids, pd.Series(household_of_root, index=roots), events[list(ID_HISTORY_COLUMNS)]


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
    person_of_record, ids = pd.factorize(records["golden_person_id"], sort=True)
    persons = pd.Index(np.asarray(ids, dtype=object), name="golden_person_id")
    evidence = RankedEvidence.of(ranked, person_of_record[ranked["record"].to_numpy(np.int64)], persons)
    root, choice = household_roots(evidence, persons)
    chosen = ranked[["kind", "source", "record_id", "recorded_on"]].reindex(choice).set_axis(persons)
    membership = _decisions(chosen, evidence, root)
    household, household_of_root, id_history = _household_ids(persons, root, previous)
    membership.insert(1, "golden_household_id", household)
    history = _history(ranked, evidence, membership, household_of_root)
    return HouseholdResolution(membership[list(MEMBERSHIP_COLUMNS)], history, id_history)


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
