"""Survivorship: build one golden person from the source records of a cluster, and say where each value came from.

The rules are data (``config/survivorship.yaml``): each rule names a group of attributes and an ordered list of
criteria (source trust, recency, completeness, exact birth date) that pick the one record supplying the group.
Attributes of a group survive together, so an address is never stitched from two different addresses. Only
records that have a value for the group take part, so a blank in civil registration does not erase what the
school knows. Ties end on source and row number: the same records always give the same golden rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np
import pandas as pd

#: Golden-person attributes taken from the member records.
SURVIVING_ATTRIBUTES: tuple[str, ...] = (
    "given_name", "family_name", "sex", "birth_date", "citizen_id", "house_code",
    "subdistrict_code", "district_code", "province_code",
)

#: Columns that travel with an attribute from the same record, because they describe that very value.
COMPANIONS: dict[str, tuple[str, ...]] = {"birth_date": ("birth_date_flag",), "citizen_id": ("citizen_id_kind",)}

#: Prefix of the columns holding, per attribute, the ``record_id`` that supplied the golden value.
PROVENANCE_PREFIX = "from_"


class SurvivorshipRule(Protocol):
    """What one survivorship rule provides (see ``termtem.settings.SurvivorshipRule``)."""

    attributes: tuple[str, ...]
    criteria: tuple[str, ...]
    require_valid_citizen_id: bool


def _trust(records: pd.DataFrame, attributes: tuple[str, ...], trust: dict[str, int]) -> np.ndarray:
    return records["source"].map(trust).fillna(len(trust) + 1).to_numpy(np.int64)


def _recency(records: pd.DataFrame, attributes: tuple[str, ...], trust: dict[str, int]) -> np.ndarray:
    if "recorded_on" not in records:
        return np.zeros(len(records), np.int64)
    stamps = pd.to_datetime(records["recorded_on"])
    newest_first = -stamps.to_numpy("datetime64[ns]").view(np.int64)
    return np.where(stamps.isna().to_numpy(), np.iinfo(np.int64).max, newest_first)


def _completeness(records: pd.DataFrame, attributes: tuple[str, ...], trust: dict[str, int]) -> np.ndarray:
    return -records[list(attributes)].notna().sum(axis=1).to_numpy(np.int64)


def _exact_birth_date(records: pd.DataFrame, attributes: tuple[str, ...], trust: dict[str, int]) -> np.ndarray:
    if "birth_date_flag" not in records:
        return np.zeros(len(records), np.int64)
    return (records["birth_date_flag"] != "ok").to_numpy(np.int64)


#: Criterion name -> sort key per record (smaller wins).
CRITERIA: dict[str, Callable[[pd.DataFrame, tuple[str, ...], dict[str, int]], np.ndarray]] = {
    "trust": _trust,
    "recency": _recency,
    "completeness": _completeness,
    "exact_birth_date": _exact_birth_date,
}


#: Criteria whose key depends on the rule's attributes; the others rank a record the same way for every rule.
_READS_ATTRIBUTES: frozenset[str] = frozenset({"completeness"})


def _winners(eligible: np.ndarray, ranks: list[np.ndarray], person_codes: np.ndarray, tie_break: np.ndarray,
             persons: int) -> np.ndarray:
    """Position of the record that supplies a rule's attributes, per person (-1 when no record is eligible).

    ``ranks`` are the rule's criteria keys for every record, strongest first; only ``eligible`` records compete.
    """
    positions = np.flatnonzero(eligible)
    keys = [tie_break[positions], *[rank[positions] for rank in ranks[::-1]], person_codes[positions]]
    ordered = positions[np.lexsort(keys)] if len(positions) else positions
    ordered_persons = person_codes[ordered]
    first = np.ones(len(ordered), bool)
    first[1:] = ordered_persons[1:] != ordered_persons[:-1]
    winners = np.full(persons, -1, np.int64)
    winners[ordered_persons[first]] = ordered[first]
    return winners


def _source_lists(person_codes: np.ndarray, source_codes: np.ndarray, source_names: pd.Index,
                  persons: int) -> np.ndarray:
    """Per person, the sorted, comma-joined sources of its records.

    Why not a groupby join: a Python join per person is most of survivorship's time at 1M people, while only a
    few dozen source combinations exist. So each person's set of sources is a row of booleans, the distinct rows
    are joined once and mapped back (``source_names`` is sorted, so each text is sorted too). The rows are
    packed into bytes and compared as one value each: ``np.unique(axis=0)`` on the booleans is twenty times slower.
    """
    present = np.zeros((persons, len(source_names)), bool)
    present[person_codes, source_codes] = True
    packed = np.ascontiguousarray(np.packbits(present, axis=1))
    _, example, which = np.unique(packed.view(f"V{packed.shape[1]}").ravel(), return_index=True,
                                  return_inverse=True)
    names = np.asarray(source_names, dtype=object)
    texts = np.array([",".join(names[present[row]]) for row in example], dtype=object)
    return texts[which.reshape(-1)]


def build_golden_persons(records: pd.DataFrame, rules: tuple[SurvivorshipRule, ...],
                         trust: dict[str, int]) -> pd.DataFrame:
    """One row per golden person with the surviving value of each attribute and the record that supplied it.

    Args:
        records: Linked records with ``golden_person_id``, ``source``, ``source_row``, ``record_id``,
            ``citizen_id_valid`` and the normalised attributes (``recorded_on`` and ``birth_date_flag`` are
            used by the criteria that need them).
        rules: Survivorship rules covering every attribute of :data:`SURVIVING_ATTRIBUTES` exactly once.
        trust: Source name -> rank (1 = most trusted).

    Returns:
        Golden persons sorted by ID: the attributes, their :data:`COMPANIONS`, ``from_<attribute>`` (the
        supplying ``record_id``, or missing when no record had a value), ``record_count`` and ``sources``
        (sorted, comma-joined).
    """
    if not records.index.equals(pd.RangeIndex(len(records))):
        records = records.reset_index(drop=True)  # winners are positions; a wide copy only when they differ
    person_codes, person_ids = pd.factorize(records["golden_person_id"], sort=True)
    source_codes, source_names = pd.factorize(records["source"], sort=True)
    # Ties end on source, then row number: ranked once here as one key, rather than two keys in every rule's sort.
    tie_break = np.empty(len(records), np.int64)
    tie_break[np.lexsort([records["source_row"].to_numpy(np.int64), source_codes])] = np.arange(len(records))
    persons = pd.DataFrame({"golden_person_id": np.asarray(person_ids, dtype=object)})
    record_ids = records["record_id"]
    present = {attribute: records[attribute].notna().to_numpy(bool) for rule in rules for attribute in rule.attributes}
    # Why a cache: trust, recency and exact birth date rank a record the same way in every rule, so each is
    # computed once over all records instead of once per rule over that rule's candidates.
    keys: dict[tuple[str, tuple[str, ...]], np.ndarray] = {}
    for rule in rules:
        eligible = np.logical_or.reduce([present[attribute] for attribute in rule.attributes])
        if rule.require_valid_citizen_id:
            eligible &= records["citizen_id_valid"].fillna(False).to_numpy(bool)
        scoped = [(name, rule.attributes if name in _READS_ATTRIBUTES else ()) for name in rule.criteria]
        for name, scope in scoped:
            if (name, scope) not in keys:
                keys[name, scope] = CRITERIA[name](records, rule.attributes, trust)
        winners = _winners(eligible, [keys[key] for key in scoped], person_codes, tie_break, len(persons))
        supplied_by = record_ids.reindex(winners).to_numpy()
        for attribute in rule.attributes:
            for column in (attribute, *COMPANIONS.get(attribute, ())):
                persons[column] = records[column].reindex(winners).to_numpy() if column in records else None
            persons[PROVENANCE_PREFIX + attribute] = supplied_by
    persons["record_count"] = np.bincount(person_codes, minlength=len(persons))
    persons["sources"] = _source_lists(person_codes, source_codes, source_names, len(persons))
    ordered = ["golden_person_id", *[column for attribute in SURVIVING_ATTRIBUTES
                                     for column in (attribute, *COMPANIONS.get(attribute, ()))]]
    rest = [column for column in persons.columns if column not in ordered]
    return persons[ordered + rest]
