"""Scoring golden households and missed-children flags against a small hand-made ground truth."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from matching.evaluation_households import flag_scores, household_scores, true_flags, true_person_of
from matching.missed_children import MISSED, PENDING_REVIEW
from termtem.settings import load_pipeline_settings

AS_OF = dt.date(2026, 6, 30)
RULES = {rule.name: rule for rule in load_pipeline_settings().missed_children}


def _truth_records() -> pd.DataFrame:
    """Two true households: T1 (parent A, child B, child C) and T2 (parent D). B has two civil rows."""
    rows = [("civil_registration", 1, "A", "T1"), ("civil_registration", 2, "B", "T1"),
            ("civil_registration", 3, "B", "T1"), ("civil_registration", 4, "C", "T1"),
            ("civil_registration", 5, "D", "T2"), ("health_centre", 1, "B", "T1"), ("child_grant", 1, "C", "T1")]
    return pd.DataFrame(rows, columns=["source", "source_row", "person_id", "household_id"])


def _linked(golden: list[str]) -> pd.DataFrame:
    """The truth's rows as linked records, each given the golden person in ``golden`` (same order)."""
    return _truth_records()[["source", "source_row"]].assign(golden_person_id=golden)


def _membership(households: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"golden_person_id": list(households), "golden_household_id": list(households.values())})


GOLDEN = ["GA", "GB", "GB", "GC", "GD", "GB", "GC"]


def test_households_that_match_the_truth_score_one() -> None:
    scores = household_scores(_linked(GOLDEN), _membership({"GA": "H1", "GB": "H1", "GC": "H1", "GD": "H2"}),
                              _truth_records())
    assert (scores.precision, scores.recall, scores.f1) == (1.0, 1.0, 1.0)
    assert (scores.predicted_clusters, scores.true_clusters) == (2, 2)


def test_a_wrongly_merged_household_costs_precision_pair_by_pair() -> None:
    merged = _membership({"GA": "H1", "GB": "H1", "GC": "H1", "GD": "H1"})
    every = household_scores(_linked(GOLDEN), merged, _truth_records())
    # 7 records in one household: 21 predicted pairs, of which the 6 true records of T1 make 15.
    assert every.precision == pytest.approx(15 / 21) and every.recall == 1.0
    per_person = household_scores(_linked(GOLDEN), merged, _truth_records(), one_per_person=True)
    assert per_person.precision == pytest.approx(3 / 6)  # 4 people, 6 pairs, 3 of them inside T1


def test_a_split_household_costs_recall() -> None:
    split = _membership({"GA": "H1", "GB": "H1", "GC": "H3", "GD": "H2"})
    scores = household_scores(_linked(GOLDEN), split, _truth_records(), one_per_person=True)
    assert scores.precision == 1.0 and scores.recall == pytest.approx(1 / 3)  # A-B kept, A-C and B-C lost


def test_a_golden_person_maps_to_the_true_person_most_of_its_records_are_about() -> None:
    mixed = _linked(["GA", "GB", "GB", "GB", "GD", "GB", "GC"])  # C's civil row wrongly joined to B
    assert true_person_of(mixed, _truth_records()).to_dict() == {"GA": "A", "GB": "B", "GC": "C", "GD": "D"}


def _truth_people() -> pd.DataFrame:
    """A parent, B aged 3 (health record) and C aged 4 (poverty roll) in T1, on the poverty list; D in T2."""
    people = pd.DataFrame({"person_id": ["A", "B", "C", "D"], "household_id": ["T1", "T1", "T1", "T2"],
                           "birth_date": ["1990-01-01", "2023-01-01", "2022-01-01", "1980-01-01"],
                           "triage": [None, None, None, None], "poverty": [True, True, True, False]})
    return people.assign(province_code="10", district_code="1001", subdistrict_code="100101")


def _source_values() -> pd.DataFrame:
    return pd.DataFrame({"source": ["child_grant"], "source_row": [1], "child_grant": [False]})


def test_true_flags_apply_the_configured_rules_to_the_true_population() -> None:
    rules = (RULES["no_health_record"], RULES["poverty_no_child_grant"])
    truth = true_flags(_truth_people(), _truth_records(), _source_values(), rules, AS_OF)
    # B has no poverty-roll row at all, C has one without the grant.
    assert truth[["golden_person_id", "rule"]].values.tolist() == [
        ["C", "no_health_record"], ["B", "poverty_no_child_grant"], ["C", "poverty_no_child_grant"]]
    granted = _source_values().assign(child_grant=True)
    truth = true_flags(_truth_people(), _truth_records(), granted, rules, AS_OF)
    assert truth[["golden_person_id", "rule"]].values.tolist() == [
        ["C", "no_health_record"], ["B", "poverty_no_child_grant"]]


def test_true_flags_count_ages_at_the_given_as_of_date() -> None:
    rule = (RULES["no_health_record"],)
    assert true_flags(_truth_people(), _truth_records(), _source_values(), rule, AS_OF)["golden_person_id"].tolist() \
        == ["C"]
    # On C's sixth birthday C leaves the 0-5 range.
    assert true_flags(_truth_people(), _truth_records(), _source_values(), rule, dt.date(2028, 1, 1)).empty


def test_flag_scores_count_precision_per_flag_and_recall_per_truly_missed_child() -> None:
    truth = pd.DataFrame({"golden_person_id": ["C", "C"], "rule": ["no_health_record", "poverty_no_child_grant"]})
    true_person = pd.Series({"GA": "A", "GB": "B", "GC": "C", "GC2": "C"})
    flags = pd.DataFrame({
        "golden_person_id": ["GC", "GC2", "GB", "GC"],
        "rule": ["no_health_record", "no_health_record", "no_health_record", "poverty_no_child_grant"],
        "status": [MISSED, MISSED, MISSED, PENDING_REVIEW]})
    scores = flag_scores(flags, truth, true_person).set_index("rule")
    health = scores.loc["no_health_record"]
    # C split in two golden persons is flagged twice (both right); B is a false flag.
    assert (health["true_missed"], health["flagged"], health["true_positives"]) == (1, 3, 2)
    assert health["precision"] == pytest.approx(2 / 3) and health["recall"] == 1.0
    grant = scores.loc["poverty_no_child_grant"]
    # Only a pending-review flag: no 'missed' flag, so the truly missed child is not recalled.
    assert (grant["flagged"], grant["recall"], grant["uncertain"], grant["uncertain_truly_missed"]) == (0, 0, 1, 1)


def test_recorded_households_know_only_the_triage_and_poverty_some_registry_holds() -> None:
    people = _truth_people().assign(triage=["red", "red", "red", None])  # T1 is triaged red
    rules = (RULES["triage_family_no_case"], RULES["poverty_no_child_grant"])
    values = _source_values().assign(triage=None, case_open=None)
    truly = true_flags(people, _truth_records(), values, rules, AS_OF)
    assert truly[["golden_person_id", "rule"]].values.tolist() == [
        ["B", "poverty_no_child_grant"], ["C", "poverty_no_child_grant"],
        ["B", "triage_family_no_case"], ["C", "triage_family_no_case"]]
    # No registry records T1's triage: only the poverty roll's row puts T1 on the list.
    recorded = true_flags(people, _truth_records(), values, rules, AS_OF, recorded_with=("child_grant",))
    assert set(recorded["rule"]) == {"poverty_no_child_grant"} and len(recorded) == 2
    # B's open case records the triage: C (no case of their own) is flagged, B is not.
    with_case = pd.concat([_truth_records(), pd.DataFrame(
        [("social_cases", 1, "B", "T1")], columns=["source", "source_row", "person_id", "household_id"])])
    case = pd.DataFrame({"source": ["social_cases"], "source_row": [1], "triage": ["red"], "case_open": [True]})
    recorded = true_flags(people, with_case, pd.concat([values, case]), rules, AS_OF, recorded_with=("child_grant",))
    assert recorded.loc[recorded["rule"] == "triage_family_no_case", "golden_person_id"].tolist() == ["C"]
    # B's case was closed: B has no open case either.
    closed = pd.concat([values, case.assign(case_open=False)])
    recorded = true_flags(people, with_case, closed, rules, AS_OF, recorded_with=("child_grant",))
    assert recorded.loc[recorded["rule"] == "triage_family_no_case", "golden_person_id"].tolist() == ["B", "C"]


def test_a_family_assessment_alone_records_the_triage() -> None:
    people = _truth_people().assign(triage=["yellow", "yellow", "yellow", None])
    assessed = pd.concat([_truth_records(), pd.DataFrame(
        [("family_assessment", 1, "A", "T1")], columns=["source", "source_row", "person_id", "household_id"])])
    values = pd.concat([_source_values().assign(triage=None, case_open=None),
                        pd.DataFrame({"source": ["family_assessment"], "source_row": [1], "triage": ["yellow"]})])
    rule = (RULES["triage_family_no_case"],)
    recorded = true_flags(people, assessed, values, rule, AS_OF, recorded_with=("child_grant",))
    assert recorded["golden_person_id"].tolist() == ["B", "C"]  # the parent's assessment covers the children
    green = values.assign(triage=values["triage"].replace({"yellow": "green"}))
    assert true_flags(people, assessed, green, rule, AS_OF, recorded_with=("child_grant",)).empty
