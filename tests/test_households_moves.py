"""Households that moved: the most trusted (or, if configured, the most recent) record wins; the rest is history."""

from __future__ import annotations

import pandas as pd

from matching.households import HISTORY_COLUMNS, build_golden_households, resolve_households
from termtem.settings import HouseholdEvidence, HouseholdSettings, load_household_settings
from tests.test_households_evidence import TRUST, civil, records

NEW, OLD = "10010000111", "20020000999"


def _moved_family() -> pd.DataFrame:
    """A family the civil registry has at its new house, while the poverty roll still has the old one."""
    return records(civil("P1", NEW, district_code="1001", province_code="10"),
                   civil("P2", NEW, district_code="1001", province_code="10"),
                   {"golden_person_id": "P1", "source": "child_grant", "household_ref": "TP1", "house_code": OLD,
                    "subdistrict_code": "200201", "house_no": "999", "recorded_on": "2025-03-01", "triage": None},
                   {"golden_person_id": "P2", "source": "social_cases", "household_ref": "FB1", "triage": "red",
                    "subdistrict_code": "200201", "house_no": "999", "recorded_on": "2026-05-01"})


def test_the_civil_house_code_wins_and_the_old_house_is_history() -> None:
    resolution = resolve_households(_moved_family(), load_household_settings(), TRUST)
    membership = resolution.membership.set_index("golden_person_id")
    assert membership["golden_household_id"].nunique() == 1
    assert membership.loc["P1", "decision"] == ("house_code from civil_registration; "
                                                "1 other dwelling(s) kept as history")
    history = resolution.history
    assert tuple(history.columns) == HISTORY_COLUMNS
    old = history[history["dwelling"] == f"house:{OLD}"]
    assert old[["golden_person_id", "source", "current"]].values.tolist() == [["P1", "child_grant", False],
                                                                             ["P2", "social_cases", False]]
    assert old["golden_household_id"].isna().all()  # nobody lives at the old house now
    assert old["first_seen"].tolist() == [pd.Timestamp("2025-03-01"), pd.Timestamp("2026-05-01")]
    current = history[history["current"]]
    assert set(current["golden_person_id"]) == {"P1", "P2"}
    assert (current["dwelling"] == f"house:{NEW}").all()


def test_recency_before_trust_lets_a_recent_visit_overrule_an_older_record() -> None:
    # No civil record: a health-centre address (trust 2, 2024) and a case visit (trust 4, this year) disagree.
    frame = records(civil("P_neighbour", NEW, moo="3"),
                    {"golden_person_id": "P1", "source": "health_centre", "subdistrict_code": "200201",
                     "house_no": "999", "recorded_on": "2024-01-10"},
                    {"golden_person_id": "P1", "source": "social_cases", "subdistrict_code": "100101", "moo": "3",
                     "house_no": NEW[-3:], "recorded_on": "2026-05-01"})
    entries = (HouseholdEvidence(kind="house_code"), HouseholdEvidence(kind="address"))
    by_trust = HouseholdSettings(evidence=entries, tie_break=("trust", "recency"), near_miss_candidates=3)
    by_recency = by_trust.model_copy(update={"tie_break": ("recency", "trust")})
    trusted = resolve_households(frame, by_trust, TRUST).membership.set_index("golden_person_id")
    recent = resolve_households(frame, by_recency, TRUST).membership.set_index("golden_person_id")
    assert trusted.loc["P1", "evidence_source"] == "health_centre"
    assert trusted.loc["P1", "golden_household_id"] != trusted.loc["P_neighbour", "golden_household_id"]
    assert recent.loc["P1", "evidence_source"] == "social_cases"
    assert recent.loc["P1", "golden_household_id"] == recent.loc["P_neighbour", "golden_household_id"]


def test_the_golden_household_takes_its_address_from_the_dwelling_and_triage_from_any_member() -> None:
    frame = _moved_family()
    resolution = resolve_households(frame, load_household_settings(), TRUST)
    persons = pd.DataFrame({"golden_person_id": ["P1", "P2"], "subdistrict_code": "100101",
                            "district_code": "1001", "province_code": "10"})
    households = build_golden_households(persons, frame, resolution.membership, resolution.id_history,
                                         ("child_grant",))
    assert len(households) == 1
    row = households.iloc[0]
    assert (row["house_code"], row["member_count"], row["triage"], row["id_event"]) == (NEW, 2, "red", "created")
    assert bool(row["poverty_list"]) is True
