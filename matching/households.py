"""Golden households: group golden persons by the strongest household signal their records carry.

Signals, strongest first: the 11-digit house code; the resolved address (subdistrict code, หมู่, house number);
an agency's own household number. A person with none of them forms a household alone. The winning signal per
person is the strongest level, then the most trusted source, so the civil registry's house code beats a
volunteer's free-text address.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

TRIAGE_ORDER: dict[str, int] = {"green": 1, "yellow": 2, "red": 3}


def _household_keys(records: pd.DataFrame) -> pd.DataFrame:
    """Each record's best household key and its strength level (0 strongest)."""
    house = "house:" + records["house_code"].astype(object)
    address_ok = records["subdistrict_code"].notna() & records["house_no"].notna()
    address = ("addr:" + records["subdistrict_code"].astype(str) + "|" + records["moo"].fillna("").astype(str)
               + "|" + records["house_no"].astype(str))
    reference = "ref:" + records["source"] + ":" + records["household_ref"].astype(object)
    key = np.select([records["house_code"].notna(), address_ok, records["household_ref"].notna()],
                    [house, address, reference], default=None)
    level = np.select([records["house_code"].notna(), address_ok, records["household_ref"].notna()],
                      [0, 1, 2], default=3)
    return pd.DataFrame({"key": key, "level": level}, index=records.index)


def assign_households(records: pd.DataFrame, trust: dict[str, int]) -> pd.Series:
    """Golden household ID of every golden person.

    Args:
        records: Linked records with ``golden_person_id``, ``source``, ``house_code``, ``subdistrict_code``,
            ``moo``, ``house_no`` and ``household_ref``.
        trust: Source name -> rank (1 = most trusted).

    Returns:
        A Series indexed by golden person ID holding the golden household ID.
    """
    keys = _household_keys(records)
    keys["golden_person_id"] = records["golden_person_id"]
    keys["rank"] = records["source"].map(trust).fillna(len(trust) + 1)
    keys.loc[keys["key"].isna(), "key"] = "person:" + keys.loc[keys["key"].isna(), "golden_person_id"]
    best = keys.sort_values(["golden_person_id", "level", "rank", "key"]).groupby("golden_person_id")["key"].first()
    unique = best.unique()
    names = {key: "H" + hashlib.sha256(key.encode()).hexdigest()[:12] for key in unique}
    return best.map(names).rename("golden_household_id")


def build_golden_households(persons: pd.DataFrame, records: pd.DataFrame,
                            poverty_sources: tuple[str, ...]) -> pd.DataFrame:
    """One row per golden household with its size, area, worst triage and poverty-list status.

    Args:
        persons: Golden persons with ``golden_household_id`` and admin codes.
        records: Linked records with ``golden_person_id``, ``source`` and ``triage``.
        poverty_sources: Sources whose presence puts a household on the poverty list.

    Returns:
        Golden households sorted by ID.
    """
    member_records = records[["golden_person_id", "source", "triage"]].merge(
        persons[["golden_person_id", "golden_household_id"]], on="golden_person_id")
    triage_rank = member_records["triage"].map(TRIAGE_ORDER)
    worst = triage_rank.groupby(member_records["golden_household_id"]).max()
    on_poverty_list = member_records["source"].isin(poverty_sources).groupby(
        member_records["golden_household_id"]).any()
    grouped = persons.sort_values("golden_person_id").groupby("golden_household_id")
    households = grouped[["subdistrict_code", "district_code", "province_code", "house_code"]].first()
    households["member_count"] = grouped.size()
    names = {rank: name for name, rank in TRIAGE_ORDER.items()}
    households["triage"] = worst.reindex(households.index).map(names)
    households["poverty_list"] = on_poverty_list.reindex(households.index).fillna(False).astype(bool)
    return households.reset_index()
