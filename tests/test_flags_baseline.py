"""Pure-function tests for households and the missed-children rules at their age boundaries."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from matching.households import assign_households, build_golden_households
from matching.missed_children import age_in_years, evaluate_missed_children
from termtem.settings import MissedChildRule, load_pipeline_settings

AS_OF = dt.date(2026, 6, 30)


def test_age_counts_completed_years_only() -> None:
    births = pd.Series(["2020-06-30", "2020-07-01", None, "2027-01-01"])
    assert age_in_years(births, AS_OF).tolist()[:2] == [6, 5]
    assert age_in_years(births, AS_OF).isna().tolist()[2:] == [True, True]


def _rule(**overrides: object) -> MissedChildRule:
    values = {"name": "out_of_school", "min_age": 6, "max_age": 17, "expected_in": ("school",),
              "triage": "red", "reason_en": "no school", "reason_th": "ไม่พบการลงทะเบียนเรียน"} | overrides
    return MissedChildRule.model_validate(values)


def _people(births: list[str]) -> pd.DataFrame:
    return pd.DataFrame({
        "golden_person_id": [f"P{i}" for i in range(len(births))],
        "golden_household_id": "H1", "birth_date": pd.to_datetime(births),
        "province_code": "10", "district_code": "1001", "subdistrict_code": "100101",
    })


@pytest.mark.parametrize(("birth", "flagged"), [
    ("2020-06-30", True),   # sixth birthday on the as-of date: 6, in range
    ("2020-07-01", False),  # turns 6 the day after: still 5
    ("2008-07-01", True),   # 17, the last year in range
    ("2008-06-30", False),  # 18 on the as-of date
])
def test_out_of_school_rule_at_its_age_boundaries(birth: str, flagged: bool) -> None:
    people = _people([birth])
    presence = pd.DataFrame({"golden_person_id": ["P0"], "source": ["civil"]})
    households = pd.DataFrame({"golden_household_id": ["H1"], "triage": [None], "poverty_list": [False]})
    flags = evaluate_missed_children(people, presence, households, (_rule(),), AS_OF)
    assert (len(flags) == 1) is flagged


def test_a_child_found_in_the_expected_source_is_not_flagged() -> None:
    people = _people(["2015-01-01", "2015-01-01"])
    presence = pd.DataFrame({"golden_person_id": ["P0", "P1"], "source": ["school", "civil"]})
    households = pd.DataFrame({"golden_household_id": ["H1"], "triage": [None], "poverty_list": [False]})
    flags = evaluate_missed_children(people, presence, households, (_rule(),), AS_OF)
    assert flags["golden_person_id"].tolist() == ["P1"]
    assert flags.loc[0, "age"] == 11 and flags.loc[0, "triage"] == "red"


def test_the_as_of_date_decides_eligibility() -> None:
    people = _people(["2020-12-01"])
    presence = pd.DataFrame({"golden_person_id": ["P0"], "source": ["civil"]})
    households = pd.DataFrame({"golden_household_id": ["H1"], "triage": [None], "poverty_list": [False]})
    assert evaluate_missed_children(people, presence, households, (_rule(),), AS_OF).empty
    later = evaluate_missed_children(people, presence, households, (_rule(),), dt.date(2026, 12, 1))
    assert later["golden_person_id"].tolist() == ["P0"]


def test_household_conditions_and_required_flag() -> None:
    people = _people(["2023-01-01", "2023-01-01", "2023-01-01"])
    people["golden_household_id"] = ["H1", "H1", "H2"]
    presence = pd.DataFrame({"golden_person_id": ["P0", "P1"], "source": ["grant", "grant"],
                             "child_grant": [True, False]})
    households = pd.DataFrame({"golden_household_id": ["H1", "H2"], "triage": ["red", None],
                               "poverty_list": [True, False]})
    rule = _rule(name="poverty_no_child_grant", min_age=0, max_age=5, expected_in=("grant",),
                 when_household="poverty_list", require_true="child_grant", triage="yellow")
    flags = evaluate_missed_children(people, presence, households, (rule,), AS_OF)
    assert flags["golden_person_id"].tolist() == ["P1"]


def test_households_prefer_house_code_of_most_trusted_source() -> None:
    records = pd.DataFrame({
        "golden_person_id": ["P1", "P1", "P2", "P3"],
        "source": ["civil", "school", "civil", "cases"],
        "house_code": ["10010001234", None, "10010001234", None],
        "subdistrict_code": ["100101", "100101", "100101", None],
        "moo": [None, None, None, None], "house_no": ["12", "99", "12", None],
        "household_ref": [None, None, None, "FAM-1"], "triage": [None, None, None, "red"],
    })
    households = assign_households(records, {"civil": 1, "school": 2, "cases": 3})
    assert households["P1"] == households["P2"] != households["P3"]
    persons = pd.DataFrame({"golden_person_id": ["P1", "P2", "P3"], "golden_household_id": households.to_numpy(),
                            "subdistrict_code": "100101", "district_code": "1001", "province_code": "10",
                            "house_code": None})
    golden = build_golden_households(persons, records, ("cases",)).set_index("golden_household_id")
    assert golden.loc[households["P1"], "member_count"] == 2
    assert golden.loc[households["P3"], "triage"] == "red"
    assert bool(golden.loc[households["P3"], "poverty_list"]) is True


def test_configured_rules_name_configured_sources() -> None:
    settings = load_pipeline_settings()
    assert {rule.name for rule in settings.missed_children} >= {"out_of_school", "no_health_record"}
