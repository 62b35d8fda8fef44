"""Survivorship: build one golden person from the source records of a cluster.

For each attribute the most trusted source that has a value wins (trust ranks come from the source configs), so
a missing value in civil registration does not blank out what the school knows.
"""

from __future__ import annotations

import pandas as pd

#: Golden-person attributes taken from the member records.
SURVIVING_ATTRIBUTES: tuple[str, ...] = (
    "given_name", "family_name", "sex", "birth_date", "citizen_id", "house_code",
    "subdistrict_code", "district_code", "province_code",
)


def build_golden_persons(records: pd.DataFrame, trust: dict[str, int]) -> pd.DataFrame:
    """One row per golden person with the surviving value of each attribute.

    Args:
        records: Linked records with ``golden_person_id``, ``source`` and the normalised attributes.
        trust: Source name -> rank (1 = most trusted).

    Returns:
        Golden persons sorted by ID, with ``record_count`` and ``sources`` (sorted, comma-joined).
    """
    ranked = records.assign(_rank=records["source"].map(trust).fillna(len(trust) + 1))
    valid = ranked["citizen_id_valid"].fillna(False).astype(bool)
    ranked["citizen_id"] = ranked["citizen_id"].where(valid, None)
    ranked = ranked.sort_values(["golden_person_id", "_rank", "source", "source_row"], kind="stable")
    grouped = ranked.groupby("golden_person_id", sort=True)
    persons = grouped[list(SURVIVING_ATTRIBUTES)].first()
    persons["record_count"] = grouped.size()
    persons["sources"] = grouped["source"].agg(lambda values: ",".join(sorted(set(values))))
    return persons.reset_index()
