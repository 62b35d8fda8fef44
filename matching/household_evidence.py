"""Household evidence: what each linked record says about where its person lives now.

A record can say it in several ways (``config/households.yaml``): its 11-digit house code, its resolved address,
the parent or guardian it names by citizen ID, or the agency's own household number. This module turns records
into one row per record and evidence entry, each pointing at a target: a dwelling, another golden person, or an
agency household number. Which of a person's rows wins, and what the targets resolve to, is decided in
:mod:`matching.households`.

A dwelling is named by its house code where one is known. An address (subdistrict code, หมู่, house number) is
matched to a house code through the records that carry both; house numbers repeat inside a subdistrict, so an
address seen with several house codes goes to the house whose records share the person's family name, and stays
a dwelling of its own when that does not single one out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from matching.survivorship import CRITERIA

#: Target types of an evidence row.
DWELLING, PERSON, REFERENCE = "dwelling", "person", "household_ref"

#: Relation evidence kind -> the normalised column holding that relative's citizen ID.
RELATION_FIELDS: dict[str, str] = {"mother": "mother_citizen_id", "guardian": "guardian_citizen_id",
                                   "father": "father_citizen_id"}

#: Columns of :func:`evidence_rows`, in order.
EVIDENCE_COLUMNS: tuple[str, ...] = (
    "golden_person_id", "record", "record_id", "source", "recorded_on", "kind", "entry", "target_type", "target",
)


class EvidenceEntry(Protocol):
    """One evidence entry (see ``termtem.settings.HouseholdEvidence``)."""

    kind: str
    sources: tuple[str, ...] | None


class HouseholdPolicy(Protocol):
    """Evidence order and tie-break (see ``termtem.settings.HouseholdSettings``)."""

    evidence: tuple[EvidenceEntry, ...]
    tie_break: tuple[str, ...]


@dataclass(frozen=True)
class Evidence:
    """A plain evidence entry, for callers without a settings file."""

    kind: str
    sources: tuple[str, ...] | None = None


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), None)


def house_keys(records: pd.DataFrame) -> pd.Series:
    """``house:<code>`` for each record with a house code, else None."""
    codes = _text(records["house_code"])
    return ("house:" + codes).where(codes.notna(), None)


def address_keys(records: pd.DataFrame) -> pd.Series:
    """``addr:<subdistrict>|<หมู่>|<house no.>`` for records with a resolved subdistrict and a house number."""
    complete = records["subdistrict_code"].notna() & records["house_no"].notna()
    keys = ("addr:" + _text(records["subdistrict_code"]).fillna("") + "|" + _text(records["moo"]).fillna("")
            + "|" + _text(records["house_no"]).fillna(""))
    return keys.where(complete, None)


def address_dwellings(records: pd.DataFrame) -> pd.Series:
    """The dwelling each record's address denotes (None where the record has neither house code nor address).

    A record with a house code denotes that house. Otherwise the address is looked up among the records that
    carry both an address and a house code: one house code seen with it is that house; several are narrowed
    to those seen with the record's family name, and one left is that house; anything else leaves the address
    as a dwelling of its own.
    """
    houses, addresses = house_keys(records), address_keys(records)
    # Integer codes for the lookups: hashing and de-duplicating text pairs per step cost most of the time here.
    address, address_names = pd.factorize(addresses)
    house, house_names = pd.factorize(houses)
    family = pd.factorize(_text(records["family_name"]))[0]
    families = np.int64(max(family.max(initial=-1) + 1, 1))
    both = (address >= 0) & (house >= 0)
    only_house = _single_values(address[both], house[both], len(address_names))
    named = both & (family >= 0)
    address_family, pairs = pd.factorize(address[named] * families + family[named])
    family_house = _single_values(address_family, house[named], len(pairs))
    alone = np.flatnonzero((house < 0) & (address >= 0))
    found = only_house[address[alone]]
    ambiguous = (found < 0) & (family[alone] >= 0)
    key = pd.Index(pairs).get_indexer(address[alone][ambiguous] * families + family[alone][ambiguous])
    found[ambiguous] = np.where(key >= 0, family_house[np.maximum(key, 0)] if len(pairs) else -1, -1)
    names = np.asarray(house_names, dtype=object)
    looked_up = np.where(found >= 0, names[np.maximum(found, 0)] if len(names) else None,
                         addresses.to_numpy(object)[alone])
    dwellings = houses.copy()
    dwellings.iloc[alone] = looked_up
    return dwellings


def _single_values(keys: np.ndarray, values: np.ndarray, count: int) -> np.ndarray:
    """Per key 0..count-1, its value when all its rows share one value, else -1."""
    width = np.int64(max(values.max(initial=-1) + 1, 1))
    pairs = np.unique(keys.astype(np.int64) * width + values)
    pair_keys = pairs // width
    single = np.bincount(pair_keys, minlength=count) == 1
    result = np.full(count, -1, np.int64)
    result[pair_keys[single[pair_keys]]] = (pairs % width)[single[pair_keys]]
    return result


def citizen_owners(records: pd.DataFrame, wanted: pd.Series) -> pd.Series:
    """Valid citizen ID -> the golden person holding it (most records first, then the smaller ID).

    Only the IDs in ``wanted`` (the relatives some record names) are looked up.
    """
    valid = records["citizen_id_valid"].fillna(False).astype(bool) & records["citizen_id"].isin(wanted.dropna())
    citizen, citizens = pd.factorize(records.loc[valid, "citizen_id"])
    person, persons = pd.factorize(records.loc[valid, "golden_person_id"], sort=True)  # codes in ID order
    pairs, records_held = np.unique(citizen * np.int64(max(len(persons), 1)) + person, return_counts=True)
    pair_citizen, pair_person = pairs // max(len(persons), 1), pairs % max(len(persons), 1)
    order = np.lexsort((pair_person, -records_held, pair_citizen))
    first = np.ones(len(order), bool)
    first[1:] = pair_citizen[order][1:] != pair_citizen[order][:-1]
    best = order[first]
    return pd.Series(np.asarray(persons, dtype=object)[pair_person[best]],
                     index=pd.Index(np.asarray(citizens, dtype=object)[pair_citizen[best]], name="citizen_id"),
                     name="golden_person_id", dtype=object)


def _targets(records: pd.DataFrame, kind: str, dwellings: pd.Series, owners: pd.Series) -> tuple[str, pd.Series]:
    if kind == "house_code":
        return DWELLING, house_keys(records)
    if kind == "address":
        return DWELLING, dwellings
    if kind == "household_ref":
        refs = _text(records["household_ref"])
        return REFERENCE, ("ref:" + records["source"].astype(str) + ":" + refs).where(refs.notna(), None)
    if kind in RELATION_FIELDS:
        relative = _text(records[RELATION_FIELDS[kind]]).map(owners)
        return PERSON, relative.where(relative != records["golden_person_id"], None)
    raise ValueError(f"unknown household evidence kind {kind!r}; known: house_code, address, household_ref, "
                     f"{', '.join(RELATION_FIELDS)}")


def evidence_rows(records: pd.DataFrame, evidence: tuple[EvidenceEntry, ...]) -> pd.DataFrame:
    """Every piece of household evidence the records give, one row per record and evidence entry.

    Args:
        records: Linked records indexed by position, with ``golden_person_id``, ``record_id``, ``source``,
            ``house_code``, ``subdistrict_code``, ``moo``, ``house_no``, ``family_name``, ``household_ref``,
            ``citizen_id``, ``citizen_id_valid``, the relatives' citizen IDs and ``recorded_on``.
        evidence: Evidence entries, strongest first.

    Returns:
        :data:`EVIDENCE_COLUMNS`: ``record`` is the record's position, ``entry`` the entry's rank (0 strongest),
        ``target_type`` one of :data:`DWELLING`, :data:`PERSON`, :data:`REFERENCE` and ``target`` a dwelling key,
        golden person ID or ``ref:<source>:<number>``.
    """
    relatives = pd.concat([records[field] for field in RELATION_FIELDS.values()], ignore_index=True)
    dwellings, owners = address_dwellings(records), citizen_owners(records, relatives)
    recorded = records["recorded_on"] if "recorded_on" in records else pd.Series(pd.NaT, index=records.index)
    # The columns every part copies from, converted once rather than once per evidence entry.
    person, record_id = records["golden_person_id"].to_numpy(), records["record_id"].to_numpy()
    source, recorded_on = records["source"].to_numpy(), pd.to_datetime(recorded).to_numpy()
    parts, given, targets = [], {}, {}
    for rank, entry in enumerate(evidence):
        if entry.kind not in targets:  # an entry repeated for other sources reads the same targets
            target_type, target = _targets(records, entry.kind, dwellings, owners)
            targets[entry.kind] = target_type, target.to_numpy(object), target.notna().to_numpy(bool)
        target_type, target, known = targets[entry.kind]
        keep = known & ~given.get(entry.kind, np.zeros(len(records), bool))
        if entry.sources is not None:
            keep &= records["source"].isin(entry.sources).to_numpy(bool)
        given[entry.kind] = given.get(entry.kind, np.zeros(len(records), bool)) | keep  # a weaker repeat adds nothing
        parts.append(pd.DataFrame({
            "golden_person_id": person[keep], "record": records.index[keep], "record_id": record_id[keep],
            "source": source[keep], "recorded_on": recorded_on[keep], "kind": entry.kind, "entry": rank,
            "target_type": target_type, "target": target[keep]}))
    return pd.concat(parts, ignore_index=True)[list(EVIDENCE_COLUMNS)]


def rank_evidence(rows: pd.DataFrame, tie_break: tuple[str, ...], trust: dict[str, int]) -> pd.DataFrame:
    """Evidence rows grouped by person, each person's strongest first: entry, then ``tie_break``, then record ID.

    The trust and recency keys are survivorship's (:data:`matching.survivorship.CRITERIA`), so a household and
    a golden attribute rank the same records the same way.
    """
    keys = [CRITERIA[name](rows, (), trust) for name in tie_break]
    # Record IDs are ranked once per record, not once per row, and persons only grouped (in order of first
    # appearance), not sorted: sorting text costs more than the rest.
    _, first, back = np.unique(rows["record"].to_numpy(np.int64), return_index=True, return_inverse=True)
    record = pd.factorize(rows["record_id"].to_numpy(object)[first], sort=True)[0][back]
    person = pd.factorize(rows["golden_person_id"].to_numpy(object)[first])[0][back]
    order = np.lexsort([record, *keys[::-1], rows["entry"].to_numpy(), person])
    return rows.iloc[order].reset_index(drop=True)
