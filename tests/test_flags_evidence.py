"""Flag evidence from scored_links: near misses with scores, and 'pending_review' instead of 'missed'."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from matching.flag_evidence import NEAR_MISS_FIELDS, add_flag_evidence
from matching.flag_summary import flags_chart_png, summarise_flags
from matching.missed_children import ID_CONFLICT, MISSED, PENDING_REVIEW, evaluate_missed_children
from termtem.settings import load_pipeline_settings

AS_OF = dt.date(2026, 6, 30)
RULES = {rule.name: rule for rule in load_pipeline_settings().missed_children}
REVIEW_SCORE = 0.5


def _records() -> pd.DataFrame:
    """Position-indexed records: a 10-year-old (P1) and a 3-year-old (P2) known to the civil registry, and
    other golden persons' records that might be them."""
    rows = [
        ("P1", "civil_registration", None), ("P2", "civil_registration", None),
        ("Q1", "school_enrolment", None), ("Q2", "school_enrolment", None), ("Q3", "health_centre", None),
        ("Q4", "child_grant", False), ("Q5", "child_grant", True),
    ]
    frame = pd.DataFrame(rows, columns=["golden_person_id", "source", "child_grant"]).assign(case_open=None)
    frame["record_id"] = frame["source"] + ":" + (frame.index + 1).astype(str)
    return frame


def _pairs(*pairs: tuple) -> pd.DataFrame:
    """Scored pairs ``(left, right, score, decision[, rule])``; the rule is the model's unless given."""
    rows = [pair if len(pair) == 5 else (*pair, "model") for pair in pairs]
    return pd.DataFrame(rows, columns=["left", "right", "score", "decision", "rule"])


def _flags(*names: str) -> pd.DataFrame:
    persons = pd.DataFrame({"golden_person_id": ["P1", "P2"], "golden_household_id": ["H1", "H1"],
                            "birth_date": pd.to_datetime(["2016-01-01", "2023-01-01"]), "province_code": "10",
                            "district_code": "1001", "subdistrict_code": "100101"})
    households = pd.DataFrame({"golden_household_id": ["H1"], "triage": [None], "poverty_list": [True]})
    presence = _records()[["golden_person_id", "source", "child_grant"]]
    return evaluate_missed_children(persons, presence, households, tuple(RULES[name] for name in names), AS_OF)


def _evidence(flags: pd.DataFrame, pairs: pd.DataFrame, limit: int = 3) -> pd.DataFrame:
    return add_flag_evidence(flags, _records(), pairs, tuple(RULES.values()), limit, REVIEW_SCORE).set_index(
        ["golden_person_id", "rule"])


def test_a_child_missing_only_because_of_a_review_pair_is_pending_review() -> None:
    flags = _evidence(_flags("out_of_school"), _pairs((0, 2, 0.71, "review")))
    assert flags.loc[("P1", "out_of_school"), "status"] == PENDING_REVIEW


def test_a_non_link_near_miss_is_listed_but_the_child_stays_missed() -> None:
    flags = _evidence(_flags("out_of_school"), _pairs((0, 2, 0.31, "non_link"), (3, 0, 0.52, "non_link")))
    flag = flags.loc[("P1", "out_of_school")]
    assert flag["status"] == MISSED
    near = json.loads(flag["near_misses"])
    assert [entry["record_id"] for entry in near] == ["school_enrolment:4", "school_enrolment:3"]  # nearest first
    assert set(near[0]) == set(NEAR_MISS_FIELDS)
    assert (near[0]["golden_person_id"], near[0]["score"], near[0]["decision"]) == ("Q2", 0.52, "non_link")


def test_a_likely_pair_kept_apart_only_by_conflicting_citizen_ids_is_an_id_conflict() -> None:
    # A mistyped but valid citizen ID: everything else agrees, yet the pair may never link and is in no queue.
    flags = _evidence(_flags("out_of_school"), _pairs((0, 2, 0.99, "non_link", "citizen_id_conflict")))
    flag = flags.loc[("P1", "out_of_school")]
    assert flag["status"] == ID_CONFLICT
    assert json.loads(flag["near_misses"])[0]["pair_rule"] == "citizen_id_conflict"


def test_an_unlikely_id_conflict_pair_leaves_the_child_missed() -> None:
    below = REVIEW_SCORE - 0.01
    flags = _evidence(_flags("out_of_school"), _pairs((0, 2, below, "non_link", "citizen_id_conflict")))
    assert flags.loc[("P1", "out_of_school"), "status"] == MISSED
    at = _evidence(_flags("out_of_school"), _pairs((0, 2, REVIEW_SCORE, "non_link", "citizen_id_conflict")))
    assert at.loc[("P1", "out_of_school"), "status"] == ID_CONFLICT


def test_a_review_pair_outranks_an_id_conflict_pair() -> None:
    # The review pair is already in a steward's queue: that is where the flag is resolved.
    flags = _evidence(_flags("out_of_school"), _pairs((0, 2, 0.99, "non_link", "citizen_id_conflict"),
                                                      (0, 3, 0.7, "review")))
    assert flags.loc[("P1", "out_of_school"), "status"] == PENDING_REVIEW


def test_only_records_in_the_searched_registries_count() -> None:
    # A review pair to a health-centre record says nothing about school enrolment.
    flags = _evidence(_flags("out_of_school", "no_health_record"),
                      _pairs((0, 4, 0.8, "review"), (1, 4, 0.9, "review")))
    assert flags.loc[("P1", "out_of_school"), "status"] == MISSED
    assert flags.loc[("P1", "out_of_school"), "near_misses"] == "[]"
    assert flags.loc[("P2", "no_health_record"), "status"] == PENDING_REVIEW


def test_a_review_pair_that_would_not_satisfy_the_rule_leaves_the_child_missed() -> None:
    # The poverty-roll record under review says the child gets no grant: linking it would not clear the flag.
    flags = _evidence(_flags("poverty_no_child_grant"), _pairs((1, 5, 0.8, "review")))
    assert flags.loc[("P2", "poverty_no_child_grant"), "status"] == MISSED
    assert json.loads(flags.loc[("P2", "poverty_no_child_grant"), "near_misses"])[0]["record_id"] == "child_grant:6"
    cleared = _evidence(_flags("poverty_no_child_grant"), _pairs((1, 6, 0.8, "review")))
    assert cleared.loc[("P2", "poverty_no_child_grant"), "status"] == PENDING_REVIEW


def test_pairs_inside_one_golden_person_and_the_limit_are_respected() -> None:
    records = _records()
    records.loc[2, "golden_person_id"] = "P1"  # the school record is already P1's: not a near miss
    flags = add_flag_evidence(_flags("no_health_record"), records, _pairs((0, 2, 0.99, "link"), (1, 4, 0.4, "review")),
                              tuple(RULES.values()), limit=0, review_score=REVIEW_SCORE)
    assert flags["near_misses"].tolist() == ["[]"]
    assert flags["status"].tolist() == [PENDING_REVIEW]


def test_no_scored_pairs_leaves_every_flag_missed() -> None:
    flags = _evidence(_flags("out_of_school", "no_health_record"), _pairs())
    assert set(flags["status"]) == {MISSED} and set(flags["near_misses"]) == {"[]"}


def test_the_summary_counts_flags_per_district_rule_and_status_and_draws_a_chart() -> None:
    flags = add_flag_evidence(_flags("out_of_school", "no_health_record", "no_early_education"), _records(),
                              _pairs((1, 4, 0.9, "review")), tuple(RULES.values()), 3, REVIEW_SCORE)
    summary = summarise_flags(flags)
    assert summary["flags"].sum() == len(flags) == 3
    pending = summary[summary["status"] == PENDING_REVIEW]
    assert pending[["district_code", "rule", "flags"]].values.tolist() == [["1001", "no_health_record", 1]]
    assert (summary[["red", "yellow", "green"]].sum(axis=1) == summary["flags"]).all()
    assert summary["district"].iloc[0] == "Phra Nakhon (1001)"
    assert flags_chart_png(summary).startswith(b"\x89PNG")
    assert summarise_flags(flags.iloc[:0]).empty


def test_the_near_miss_list_is_the_json_of_the_nearest_entries_whatever_the_record_ids_hold() -> None:
    records = _records()
    records.loc[2, "record_id"] = 'school:"เด็ก\\ชาย"'  # quotes, Thai and a backslash
    records.loc[3, "record_id"] = "school:ü"
    pairs = _pairs((0, 2, 0.123456, "non_link"), (3, 0, 0.52, "non_link"), (0, 3, 0.2, "non_link"))
    flags = add_flag_evidence(_flags("out_of_school"), records, pairs, tuple(RULES.values()), 2, REVIEW_SCORE)
    expected = [{"record_id": "school:ü", "source": "school_enrolment", "golden_person_id": "Q2", "score": 0.52,
                 "decision": "non_link", "pair_rule": "model"},
                {"record_id": 'school:"เด็ก\\ชาย"', "source": "school_enrolment", "golden_person_id": "Q1",
                 "score": 0.1235, "decision": "non_link", "pair_rule": "model"}]
    assert flags["near_misses"].tolist() == [json.dumps(expected, ensure_ascii=False)]
