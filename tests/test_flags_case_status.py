"""An open social case clears the triage rule; a closed one does not, counted at the run's as-of date."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from matching.case_status import case_columns, status_is_open
from matching.flag_evidence import add_flag_evidence
from matching.missed_children import MISSED, PENDING_REVIEW, evaluate_missed_children
from matching.scoring import REVIEW
from termtem.settings import load_pipeline_settings
from termtem.synth.agencies import CLOSED_CASE_WORDS, OPEN_CASE_WORDS

AS_OF = dt.date(2026, 6, 30)
RULE = next(rule for rule in load_pipeline_settings().missed_children if rule.name == "triage_family_no_case")


@pytest.mark.parametrize(("written", "expected"), [
    ("เปิด", True), ("เปิดกรณี", True), ("ติดตาม", True), (" อยู่ระหว่าง ติดตาม ", True), ("Open", True),
    ("ปิด", False), ("ปิดกรณี.", False), ("ยุติ", False), ("CLOSED", False),
    ("", None), (None, None), ("ไม่ทราบ", None), ("\u200bเปิด", True),
])
def test_status_words_as_volunteers_write_them(written: str | None, expected: bool | None) -> None:
    assert status_is_open(written) is expected


def test_every_status_word_the_generator_writes_is_understood() -> None:
    assert all(status_is_open(word) is True for word in OPEN_CASE_WORDS)
    assert all(status_is_open(word) is False for word in CLOSED_CASE_WORDS)


def test_the_closing_date_decides_at_the_as_of_date() -> None:
    status = pd.Series(["ปิดกรณี", "ปิดกรณี", "ปิดกรณี", "เปิด", "ปิด", None, "ติดตาม"])
    closed_on = pd.Series(["30/6/2569", "1/7/2569", "๒๙/๖/๒๕๖๙", None, None, "15/1/2569", "1/3/2569"])
    is_open, day = case_columns(status, closed_on, AS_OF)
    # Closed on the as-of date: closed. The day after: still open on the as-of date (a re-run of an old day).
    assert is_open.tolist() == [False, True, False, True, False, False, False]
    assert day[0] == pd.Timestamp("2026-06-30") and day[2] == pd.Timestamp("2026-06-29") and pd.isna(day[3])
    assert str(day.dtype) == "datetime64[ns]"


def test_without_status_or_date_the_case_is_of_unknown_openness() -> None:
    is_open, day = case_columns(pd.Series([None, ""]), pd.Series([None, "not a date"]), AS_OF)
    assert is_open.tolist() == [None, None] and pd.isna(day).all()


def _flags(case_open: object, age: int = 8, triage: str = "red") -> pd.DataFrame:
    birth = pd.Timestamp(AS_OF) - pd.DateOffset(years=age)
    child = pd.DataFrame({"golden_person_id": ["P1"], "golden_household_id": ["H1"], "birth_date": [birth]})
    presence = pd.DataFrame({"golden_person_id": ["P1", "P1"], "source": ["civil_registration", "social_cases"],
                             "case_open": [None, case_open], "child_grant": [None, None]})
    households = pd.DataFrame({"golden_household_id": ["H1"], "triage": [triage], "poverty_list": [False]})
    return evaluate_missed_children(child, presence, households, (RULE,), AS_OF)


def test_the_triage_rule_asks_for_an_open_case() -> None:
    assert RULE.require_true == "case_open" and RULE.expected_in == ("social_cases",)
    assert _flags(True).empty
    assert len(_flags(False)) == 1  # a closed case: no one follows the family any more
    assert len(_flags(None)) == 1  # no status: not known to be open


@pytest.mark.parametrize("case_open", [False, None])
def test_a_closed_case_flags_exactly_the_rules_ages(case_open: object) -> None:
    assert len(_flags(case_open, age=RULE.min_age)) == 1 and len(_flags(case_open, age=RULE.max_age)) == 1
    assert _flags(case_open, age=RULE.max_age + 1).empty
    assert _flags(True, age=RULE.max_age).empty and _flags(True, age=RULE.min_age).empty


def test_a_closed_case_in_a_green_family_raises_no_flag() -> None:
    assert _flags(False, triage="green").empty


@pytest.mark.parametrize(("case_open", "status"), [(True, PENDING_REVIEW), (False, MISSED), (None, MISSED)])
def test_only_a_review_pair_to_an_open_case_makes_the_flag_pending_review(case_open: object, status: str) -> None:
    flags = _flags(None)  # the child's own case row has no status: flagged
    records = pd.DataFrame({"golden_person_id": ["P1", "Q1"], "source": ["civil_registration", "social_cases"],
                            "record_id": ["civil_registration:1", "social_cases:1"], "case_open": [None, case_open],
                            "child_grant": [None, None]})
    pairs = pd.DataFrame({"left": [0], "right": [1], "score": [0.7], "decision": [REVIEW], "rule": ["model"]})
    assert add_flag_evidence(flags, records, pairs, (RULE,), 3, 0.5)["status"].tolist() == [status]
