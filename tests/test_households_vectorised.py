"""The integer-coded household steps keep the rules the other household tests describe, tie-breaks included."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matching.household_evidence import citizen_owners
from matching.households import _seen_range, resolve_households
from termtem.settings import load_household_settings
from tests.test_households_evidence import CHILD_ID, FATHER_ID, MOTHER_ID, TRUST, civil, records

OTHER_ID = "1101700203485"


def _placed(frame: pd.DataFrame) -> pd.Series:
    resolution = resolve_households(frame, load_household_settings(), TRUST)
    return resolution.membership.set_index("golden_person_id")["golden_household_id"]


def test_a_household_number_split_evenly_goes_to_the_smaller_root() -> None:
    # FB1's members voting: one at house 222, one at house 111; P3, placed by FB1 only, joins house 111.
    frame = records(civil("P1", "10010000222"), civil("P2", "10010000111"),
                    {"golden_person_id": "P1", "source": "social_cases", "household_ref": "FB1"},
                    {"golden_person_id": "P2", "source": "social_cases", "household_ref": "FB1"},
                    {"golden_person_id": "P3", "source": "social_cases", "household_ref": "FB1"})
    placed = _placed(frame)
    assert placed["P3"] == placed["P2"] != placed["P1"]


def test_a_household_number_follows_the_majority_of_its_placed_members() -> None:
    frame = records(civil("P1", "10010000222"), civil("P2", "10010000111"), civil("P4", "10010000111"),
                    *[{"golden_person_id": person, "source": "social_cases", "household_ref": "FB1"}
                      for person in ("P1", "P2", "P3", "P4")])
    placed = _placed(frame)
    assert placed["P3"] == placed["P2"] == placed["P4"] != placed["P1"]


def test_relations_reach_through_a_household_number_and_a_loop_stays_one_household() -> None:
    frame = records(civil("P1", "10010000111"),
                    {"golden_person_id": "P1", "source": "social_cases", "household_ref": "FB1"},
                    {"golden_person_id": "P2", "source": "social_cases", "household_ref": "FB1",
                     "citizen_id": MOTHER_ID},
                    {"golden_person_id": "P3", "source": "health_centre", "mother_citizen_id": MOTHER_ID},
                    {"golden_person_id": "P4", "source": "health_centre", "citizen_id": CHILD_ID,
                     "mother_citizen_id": FATHER_ID},
                    {"golden_person_id": "P5", "source": "health_centre", "citizen_id": FATHER_ID,
                     "mother_citizen_id": CHILD_ID},
                    {"golden_person_id": "P6", "source": "health_centre", "mother_citizen_id": OTHER_ID})
    resolution = resolve_households(frame, load_household_settings(), TRUST)
    membership = resolution.membership.set_index("golden_person_id")
    placed = membership["golden_household_id"]
    assert placed["P1"] == placed["P2"] == placed["P3"]
    assert placed["P4"] == placed["P5"] != placed["P1"]
    assert placed["P6"] not in set(placed.drop("P6"))  # names nobody known: a household of their own
    assert membership.loc["P3", "decision"] == "mother from health_centre"
    assert membership.loc["P6", "decision"] == "no household evidence: alone"


def test_the_owner_of_a_citizen_id_is_the_person_with_most_records_then_the_smaller_id() -> None:
    frame = records({"golden_person_id": "P9", "source": "civil_registration", "citizen_id": MOTHER_ID},
                    {"golden_person_id": "P9", "source": "school_enrolment", "citizen_id": MOTHER_ID},
                    {"golden_person_id": "P1", "source": "health_centre", "citizen_id": MOTHER_ID},
                    {"golden_person_id": "P7", "source": "civil_registration", "citizen_id": FATHER_ID},
                    {"golden_person_id": "P3", "source": "health_centre", "citizen_id": FATHER_ID},
                    {"golden_person_id": "P5", "source": "health_centre", "citizen_id": CHILD_ID})
    owners = citizen_owners(frame, pd.Series([MOTHER_ID, FATHER_ID, None]))
    assert owners.to_dict() == {MOTHER_ID: "P9", FATHER_ID: "P3"}


def test_seen_range_skips_missing_times_like_pandas_min_and_max() -> None:
    stamps = pd.to_datetime(pd.Series(["2026-01-02", None, "2025-05-01", None, None, "2024-01-01"]))
    group = np.array([0, 0, 0, 1, 1, 2])
    expected = stamps.groupby(group).agg(["min", "max"])
    first, last = _seen_range(stamps.to_numpy(), np.array([0, 3, 5]))
    assert pd.Series(first).equals(expected["min"].reset_index(drop=True))
    assert pd.Series(last).equals(expected["max"].reset_index(drop=True))
