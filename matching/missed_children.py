"""Missed children: a child who should be in a registry and is not, with the reason and a triage level.

Rules come from configuration and ages are counted at the run's as-of date, never the wall clock. The same
evaluation runs on the golden data (to raise flags) and on the generator's true population (to measure the
flags' precision and recall), so the two cannot drift apart. Evidence from the linkage (near misses, pairs
pending review or kept apart by conflicting citizen IDs) is added afterwards by :mod:`matching.flag_evidence`.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import numpy as np
import pandas as pd
from pandas.api.extensions import take

from matching.households import TRIAGE_ORDER

FLAG_COLUMNS: tuple[str, ...] = (
    "golden_person_id", "golden_household_id", "rule", "status", "triage", "household_triage", "age",
    "searched_sources", "near_misses", "reason_en", "reason_th", "province_code", "district_code",
    "subdistrict_code",
)

#: Flag statuses: not found in any searched registry; found only through a link still awaiting review; found only
#: through a pair the model scored as a link or for review but that conflicting citizen IDs kept apart.
MISSED, PENDING_REVIEW, ID_CONFLICT = "missed", "pending_review", "id_conflict"

_ADMIN_CODES = ("province_code", "district_code", "subdistrict_code")


class FlagRule(Protocol):
    """What a missed-children rule provides (see ``termtem.settings.MissedChildRule``)."""

    name: str
    min_age: int
    max_age: int
    expected_in: tuple[str, ...]
    when_household: str | None
    require_true: str | None
    triage: str
    reason_en: str
    reason_th: str


def age_in_years(birth_dates: pd.Series, as_of: dt.date) -> pd.Series:
    """Whole years completed at ``as_of``; NaN where the birth date is unknown or after ``as_of``."""
    born = pd.to_datetime(birth_dates, errors="coerce")
    had_birthday = (born.dt.month < as_of.month) | ((born.dt.month == as_of.month) & (born.dt.day <= as_of.day))
    age = as_of.year - born.dt.year - (~had_birthday).astype(int)
    return age.where(born.notna() & (age >= 0))


def _household_condition(by_household: pd.DataFrame, household_row: np.ndarray, condition: str | None) -> np.ndarray:
    """Whether each person's household meets the rule's condition (False for a person without a known household).

    Args:
        by_household: Households indexed by ``golden_household_id``.
        household_row: Each person's row in ``by_household`` (-1 where none).
        condition: The rule's ``when_household``; None means every person qualifies.
    """
    if condition is None:
        return np.ones(len(household_row), dtype=bool)
    if condition == "red_or_yellow_triage":
        holds = by_household["triage"].isin(["red", "yellow"])
    elif condition == "poverty_list":
        holds = by_household["poverty_list"].fillna(False).astype(bool)
    else:
        raise ValueError(f"unknown household condition {condition!r}")
    return take(holds.to_numpy(bool), household_row, allow_fill=True, fill_value=False)


def found_in(presence: pd.DataFrame, rule: FlagRule) -> pd.Series:
    """Whether each presence row satisfies the rule: a record in a searched source (with the required field)."""
    found = presence["source"].isin(rule.expected_in)
    if rule.require_true:
        found &= presence[rule.require_true].eq(True).to_numpy(bool)
    return found


def _worse(rule_triage: str, household_triage: pd.Series) -> np.ndarray:
    """The rule's triage, raised to the household's where that is more urgent."""
    rank = household_triage.map(TRIAGE_ORDER).fillna(0).to_numpy()
    return np.where(rank > TRIAGE_ORDER[rule_triage], household_triage.to_numpy(object), rule_triage)


def _at_rows(column: pd.Series, rows: np.ndarray) -> np.ndarray:
    """``column``'s values at positions ``rows``, NaN where a row is -1 (as ``Series.map`` gives a missing key)."""
    return take(column.to_numpy(), rows, allow_fill=True)


def evaluate_missed_children(persons: pd.DataFrame, presence: pd.DataFrame, households: pd.DataFrame,
                             rules: tuple[FlagRule, ...], as_of: dt.date) -> pd.DataFrame:
    """Raise one flag per child and rule that the child fails.

    Args:
        persons: ``golden_person_id``, ``golden_household_id``, ``birth_date`` and admin codes.
        presence: One row per source record of a person: ``golden_person_id``, ``source`` and any field a rule's
            ``require_true`` names.
        households: ``golden_household_id``, ``triage``, ``poverty_list`` and, when known, admin codes (used
            where the person's own are missing).
        rules: Flag rules.
        as_of: Reference date for ages.

    Returns:
        Flags with :data:`FLAG_COLUMNS`, sorted by rule then person: status ``missed``, no near misses yet, and
        the triage of the rule raised to the household's where that is more urgent.
    """
    ages = age_in_years(persons["birth_date"], as_of)
    by_household = households.set_index("golden_household_id")
    household_row = by_household.index.get_indexer(persons["golden_household_id"])
    # Persons and presence rows as codes of one factorisation: "has a found record" is then an array lookup.
    person_ids = pd.concat([persons["golden_person_id"], presence["golden_person_id"]], ignore_index=True)
    codes, distinct = pd.factorize(person_ids, use_na_sentinel=False)
    person_code, presence_code = codes[:len(persons)], codes[len(persons):]
    own_columns = ["golden_person_id", "golden_household_id", *(code for code in _ADMIN_CODES if code in persons)]
    flags = []
    for rule in rules:
        in_range = ages.between(rule.min_age, rule.max_age).to_numpy(bool)
        eligible = in_range & _household_condition(by_household, household_row, rule.when_household)
        has_found = np.zeros(len(distinct), dtype=bool)
        has_found[presence_code[found_in(presence, rule).to_numpy(bool)]] = True
        missing = eligible & ~has_found[person_code]
        flagged = persons.loc[missing, own_columns]
        rows = household_row[missing]
        household = flagged["golden_household_id"]
        household_triage = pd.Series(_at_rows(by_household["triage"], rows), index=flagged.index).astype(object)
        frame = pd.DataFrame({
            "golden_person_id": flagged["golden_person_id"].to_numpy(),
            "golden_household_id": household.to_numpy(), "rule": rule.name, "status": MISSED,
            "triage": _worse(rule.triage, household_triage),
            "household_triage": household_triage.where(household_triage.notna(), None).to_numpy(object),
            "age": ages[missing].astype(int).to_numpy(), "searched_sources": ",".join(rule.expected_in),
            "near_misses": "[]", "reason_en": rule.reason_en, "reason_th": rule.reason_th,
        })
        for code in _ADMIN_CODES:
            own = flagged[code] if code in flagged else pd.Series(None, index=flagged.index, dtype=object)
            fallback = pd.Series(_at_rows(by_household[code], rows), index=flagged.index) if code in by_household \
                else own
            frame[code] = own.where(own.notna(), fallback).to_numpy(object)
        flags.append(frame)
    result = pd.concat(flags, ignore_index=True) if flags else pd.DataFrame(columns=list(FLAG_COLUMNS))
    return result.sort_values(["rule", "golden_person_id"], ignore_index=True)[list(FLAG_COLUMNS)]
