"""Every configured missed-children rule at its age boundaries, against the run's as-of date."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from matching.missed_children import FLAG_COLUMNS, MISSED, age_in_years, evaluate_missed_children
from termtem.settings import MissedChildRule, load_pipeline_settings

AS_OF = dt.date(2026, 6, 30)
RULES = load_pipeline_settings().missed_children
SETTINGS_SOURCES = load_pipeline_settings().sources


def _born(years: int, days_later: int = 0, as_of: dt.date = AS_OF) -> pd.Timestamp:
    """A birth date ``years`` before ``as_of`` (on the same day of the year), moved ``days_later`` days."""
    return pd.Timestamp(as_of) - pd.DateOffset(years=years) + pd.Timedelta(days=days_later)


def _child(birth: pd.Timestamp) -> pd.DataFrame:
    return pd.DataFrame({"golden_person_id": ["P1"], "golden_household_id": ["H1"], "birth_date": [birth],
                         "province_code": ["50"], "district_code": ["5001"], "subdistrict_code": ["500101"]})


def _household_meeting(rule: MissedChildRule) -> pd.DataFrame:
    """A household that satisfies the rule's household condition (and one a steward would triage green)."""
    return pd.DataFrame({"golden_household_id": ["H1"],
                         "triage": ["yellow" if rule.when_household == "red_or_yellow_triage" else "green"],
                         "poverty_list": [rule.when_household == "poverty_list"]})


def _presence_without(rule: MissedChildRule) -> pd.DataFrame:
    """The child's records: the civil registry, plus a searched source that fails ``require_true`` if any."""
    rows = [{"golden_person_id": "P1", "source": "civil_registration", "child_grant": None}]
    if rule.require_true:
        rows.append({"golden_person_id": "P1", "source": rule.expected_in[0], rule.require_true: False})
    return pd.DataFrame(rows)


def _flagged(rule: MissedChildRule, birth: pd.Timestamp, as_of: dt.date = AS_OF,
             presence: pd.DataFrame | None = None) -> bool:
    flags = evaluate_missed_children(_child(birth), _presence_without(rule) if presence is None else presence,
                                     _household_meeting(rule), (rule,), as_of)
    return len(flags) == 1


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_each_rule_flags_exactly_its_age_range(rule: MissedChildRule) -> None:
    assert _flagged(rule, _born(rule.min_age))  # birthday on the as-of date: just in range
    assert _flagged(rule, _born(rule.max_age + 1, days_later=1))  # turns max_age + 1 tomorrow: still in
    assert not _flagged(rule, _born(rule.max_age + 1))  # max_age + 1 today: out
    if rule.min_age > 0:
        assert not _flagged(rule, _born(rule.min_age, days_later=1))  # reaches min_age tomorrow: not yet
    else:
        assert not _flagged(rule, _born(0, days_later=1))  # born after the as-of date: not counted


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_each_rule_is_cleared_by_a_record_in_any_searched_source(rule: MissedChildRule) -> None:
    for source in rule.expected_in:
        required = {rule.require_true: [True]} if rule.require_true else {}
        presence = pd.DataFrame({"golden_person_id": ["P1"], "source": [source], "child_grant": [True], **required})
        assert not _flagged(rule, _born(rule.min_age), presence=presence), source


@pytest.mark.parametrize("rule", [rule for rule in RULES if rule.when_household], ids=lambda rule: rule.name)
def test_household_rules_need_their_household_condition(rule: MissedChildRule) -> None:
    households = pd.DataFrame({"golden_household_id": ["H1"], "triage": ["green"], "poverty_list": [False]})
    flags = evaluate_missed_children(_child(_born(rule.min_age)), _presence_without(rule), households, (rule,),
                                     AS_OF)
    assert flags.empty


def test_the_as_of_date_decides_age_not_the_clock() -> None:
    rule = next(rule for rule in RULES if rule.name == "out_of_school")
    birth = pd.Timestamp("2020-12-01")  # 5 on 30 June 2026, 6 on 1 December 2026
    assert not _flagged(rule, birth, as_of=dt.date(2026, 6, 30))
    assert _flagged(rule, birth, as_of=dt.date(2026, 12, 1))
    assert not _flagged(rule, birth, as_of=dt.date(2026, 11, 30))


def test_ages_count_completed_years_and_leap_day_birthdays() -> None:
    births = pd.Series(["2020-06-30", "2020-07-01", None, "2027-01-01", "2016-02-29"])
    ages = age_in_years(births, AS_OF)
    assert ages.tolist()[:2] == [6, 5] and ages.isna().tolist()[2:4] == [True, True]
    assert age_in_years(births, dt.date(2026, 2, 28))[4] == 9  # a 29 February child turns 10 on 1 March
    assert age_in_years(births, dt.date(2026, 3, 1))[4] == 10


def test_a_flag_carries_reason_triage_household_and_area() -> None:
    rule = next(rule for rule in RULES if rule.name == "no_early_education")
    flags = evaluate_missed_children(_child(_born(3)), _presence_without(rule),
                                     pd.DataFrame({"golden_household_id": ["H1"], "triage": ["red"],
                                                   "poverty_list": [False]}), (rule,), AS_OF)
    flag = flags.iloc[0]
    assert tuple(flags.columns) == FLAG_COLUMNS
    assert (flag["status"], flag["age"], flag["golden_household_id"]) == (MISSED, 3, "H1")
    assert flag["reason_th"] == rule.reason_th and flag["reason_en"] == rule.reason_en
    assert flag["searched_sources"] == ",".join(rule.expected_in)
    assert (flag["triage"], flag["household_triage"]) == ("red", "red")  # a green rule raised to the family's red
    assert (flag["province_code"], flag["district_code"]) == ("50", "5001")


def test_a_child_without_area_codes_takes_the_households() -> None:
    rule = next(rule for rule in RULES if rule.name == "out_of_school")
    child = _child(_born(10)).assign(province_code=None, district_code=None, subdistrict_code=None)
    households = pd.DataFrame({"golden_household_id": ["H1"], "triage": [None], "poverty_list": [False],
                               "province_code": ["10"], "district_code": ["1001"], "subdistrict_code": ["100101"]})
    flags = evaluate_missed_children(child, _presence_without(rule), households, (rule,), AS_OF)
    assert flags.loc[0, ["province_code", "district_code", "subdistrict_code"]].tolist() == ["10", "1001", "100101"]
    assert flags.loc[0, "triage"] == "red" and flags.loc[0, "household_triage"] is None


def test_configured_rules_name_configured_sources() -> None:
    assert {rule.name for rule in RULES} >= {"no_health_record", "no_early_education", "out_of_school",
                                             "triage_family_no_case", "poverty_no_child_grant"}
    assert all(set(rule.expected_in) <= set(SETTINGS_SOURCES) for rule in RULES)
