"""The golden-table suites, run through great-expectations without Dagster: a consistent set of golden frames
passes every suite, and each broken rule fails exactly the expectations that guard it."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from matching.citizen_id import compute_check_digit
from quality.golden_suites import (
    households_suite,
    households_view,
    missed_children_suite,
    missed_children_view,
    persons_suite,
    persons_view,
    xref_suite,
    xref_view,
)
from quality.validation import validate_frame

RULES = {"no_health_record": (0, 5), "no_early_education": (2, 5)}


def _citizen_id(first12: str) -> str:
    return first12 + str(compute_check_digit(first12))


ID_A, ID_B = _citizen_id("110170020345"), _citizen_id("310170020345")
INVALID_ID = ID_B[:12] + str((int(ID_B[12]) + 1) % 10)

Frames = dict[str, pd.DataFrame]


def _frames() -> Frames:
    """Two households; P1 has two records with one valid ID, P2 one record, P3 a record without an ID."""
    clusters = pd.DataFrame({
        "source": ["civil_registration", "health_centre", "civil_registration", "social_cases"],
        "source_row": [1, 1, 2, 1],
        "record_id": ["civil_registration:1", "health_centre:1", "civil_registration:2", "social_cases:1"],
        "golden_person_id": ["P1", "P1", "P2", "P3"],
        "link_score": [1.0, 0.97, 1.0, 1.0],
        "citizen_id": [ID_A, ID_A, ID_B, None],
        "citizen_id_valid": [True, True, True, False],
    })
    persons = pd.DataFrame({"golden_person_id": ["P1", "P2", "P3"], "golden_household_id": ["H1", "H1", "H2"],
                            "citizen_id": [ID_A, ID_B, None], "record_count": [2, 1, 1]})
    households = pd.DataFrame({"golden_household_id": ["H1", "H2"], "member_count": [2, 1],
                               "triage": ["green", "yellow"], "poverty_list": [False, True]})
    missed = pd.DataFrame({"golden_person_id": ["P3"], "golden_household_id": ["H2"], "rule": ["no_health_record"],
                           "triage": ["yellow"], "age": [3]})
    return {"clusters": clusters, "persons": persons, "households": households, "missed": missed}


def _validate(suite: str, frames: Frames) -> tuple[bool, set[str]]:
    """Run one golden suite on its view of ``frames``; return success and the failed descriptions."""
    views: dict[str, Callable[[], tuple[pd.DataFrame, object]]] = {
        "xref": lambda: (xref_view(frames["clusters"]), xref_suite()),
        "persons": lambda: (persons_view(frames["persons"], frames["clusters"]), persons_suite()),
        "households": lambda: (households_view(frames["households"], frames["persons"]), households_suite()),
        "missed": lambda: (missed_children_view(frames["missed"], frames["persons"], RULES),
                           missed_children_suite(RULES)),
    }
    view, expectations = views[suite]()
    outcome = validate_frame(view, expectations)
    return outcome.success, {failure.description for failure in outcome.failures}


def _append(frames: Frames, name: str, row: dict) -> None:
    frames[name] = pd.concat([frames[name], pd.DataFrame([row])], ignore_index=True)


def _two_valid_ids_in_one_person(frames: Frames) -> None:
    frames["clusters"].loc[1, "citizen_id"] = ID_B


def _duplicated_person_id(frames: Frames) -> None:
    _append(frames, "persons", frames["persons"].iloc[1].to_dict())


def _person_without_record(frames: Frames) -> None:
    _append(frames, "persons", {"golden_person_id": "P4", "golden_household_id": "H2", "citizen_id": None,
                                "record_count": 0})


def _record_of_a_missing_person(frames: Frames) -> None:
    frames["clusters"].loc[3, "golden_person_id"] = "P9"
    frames["persons"] = frames["persons"][frames["persons"]["golden_person_id"] != "P3"]


def _invalid_golden_citizen_id(frames: Frames) -> None:
    frames["persons"].loc[1, "citizen_id"] = INVALID_ID


def _wrong_member_count(frames: Frames) -> None:
    frames["households"].loc[0, "member_count"] = 3


def _household_without_members(frames: Frames) -> None:
    _append(frames, "households", {"golden_household_id": "H3", "member_count": 0, "triage": "green",
                                   "poverty_list": False})


def _person_in_a_missing_household(frames: Frames) -> None:
    frames["persons"].loc[2, "golden_household_id"] = "H9"
    frames["missed"].loc[0, "golden_household_id"] = "H9"
    frames["households"] = frames["households"][frames["households"]["golden_household_id"] != "H2"]


def _flag_outside_the_rule_ages(frames: Frames) -> None:
    frames["missed"].loc[0, "age"] = 9


def _flag_in_another_household(frames: Frames) -> None:
    frames["missed"].loc[0, "golden_household_id"] = "H1"


def _flag_twice_by_one_rule(frames: Frames) -> None:
    _append(frames, "missed", frames["missed"].iloc[0].to_dict())


@pytest.mark.parametrize("suite", ["xref", "persons", "households", "missed"])
def test_consistent_golden_frames_pass_every_suite(suite: str) -> None:
    assert _validate(suite, _frames()) == (True, set())


@pytest.mark.parametrize(("suite", "break_rule", "failed"), [
    ("xref", _two_valid_ids_in_one_person, {"No person holds two different valid citizen IDs"}),
    ("persons", _duplicated_person_id, {"Golden person IDs are unique"}),
    ("persons", _person_without_record, {"No person without a source record"}),
    ("persons", _record_of_a_missing_person, {"Every cross-reference row points to an existing person",
                                              "Every person has a household",
                                              "Each person's record count is its cross-reference rows"}),
    ("persons", _invalid_golden_citizen_id, {"A golden citizen ID always passes the check digit"}),
    ("households", _wrong_member_count, {"Each household's member count is its members"}),
    ("households", _household_without_members, {"No household without members"}),
    ("households", _person_in_a_missing_household, {"Every person's household exists",
                                                    "Each household's member count is its members"}),
    ("missed", _flag_outside_the_rule_ages, {"Every flagged child is of the rule's ages"}),
    ("missed", _flag_in_another_household, {"Every flag names the person's own household"}),
    ("missed", _flag_twice_by_one_rule, {"A rule flags a child once"}),
])
def test_each_broken_rule_fails_exactly_its_expectations(suite: str, break_rule: Callable[[Frames], None],
                                                         failed: set[str]) -> None:
    frames = _frames()
    break_rule(frames)
    assert _validate(suite, frames) == (False, failed)


def test_golden_citizen_id_check_is_the_check_digit_rule_value_for_value() -> None:
    from matching.citizen_id import is_valid_citizen_id
    from quality.golden_suites import _check_digits_ok

    ids = pd.Series([ID_A, ID_B, INVALID_ID, None, float("nan"), "", ID_A[:12], "๑" + ID_A[1:], ID_A + "0",
                     " " + ID_A[1:], *[_citizen_id(f"{n:012d}") for n in range(0, 10**12, 10**10 + 7)]],
                    dtype=object)
    checked = _check_digits_ok(ids)
    assert checked.tolist() == [None if pd.isna(cid) else is_valid_citizen_id(cid) for cid in ids]
    assert {type(value) for value in checked} == {bool, type(None)}


def test_xref_view_counts_distinct_valid_ids_per_person_as_groupby_does() -> None:
    clusters = pd.DataFrame({
        "source": ["a"] * 7, "source_row": range(7), "record_id": [f"a:{row}" for row in range(7)],
        "golden_person_id": ["P1", "P1", "P1", "P2", "P2", None, "P3"], "link_score": [1.0] * 7,
        "citizen_id": [ID_A, ID_A, ID_B, None, ID_B, ID_A, INVALID_ID],
        "citizen_id_valid": [True, True, True, False, None, True, False],
    })
    valid = clusters[clusters["citizen_id_valid"].astype("boolean").fillna(False).to_numpy(dtype=bool)]
    expected = clusters["golden_person_id"].map(valid.groupby("golden_person_id")["citizen_id"].nunique())
    view = xref_view(clusters)
    assert view["valid_citizen_ids_in_person"].tolist() == expected.fillna(0).astype("int64").tolist() == [
        2, 2, 2, 0, 0, 0, 0]
    assert view["valid_citizen_ids_in_person"].dtype == "int64"
