"""Household identity from each signal the registries carry: house code, address, family name, relations, refs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from matching.household_evidence import Evidence, address_dwellings, evidence_rows
from matching.households import resolve_households
from termtem.settings import (
    DEFAULT_CONFIG_DIR,
    HouseholdEvidence,
    HouseholdSettings,
    SettingsError,
    load_household_settings,
)

TRUST = {"civil_registration": 1, "school_enrolment": 2, "health_centre": 2, "child_grant": 3, "social_cases": 4}
MOTHER_ID, FATHER_ID, CHILD_ID = "1101700203451", "1101700203469", "1101700203477"


def records(*rows: dict) -> pd.DataFrame:
    """Linked records with every column household resolution reads (unset ones missing)."""
    defaults = {"house_code": None, "subdistrict_code": None, "moo": None, "house_no": None, "family_name": None,
                "household_ref": None, "citizen_id": None, "citizen_id_valid": False, "mother_citizen_id": None,
                "guardian_citizen_id": None, "father_citizen_id": None, "recorded_on": pd.NaT, "triage": None}
    frame = pd.DataFrame([defaults | row for row in rows])
    frame["record_id"] = frame["source"] + ":" + (frame.index + 1).astype(str)
    frame["citizen_id_valid"] = frame["citizen_id"].notna()
    frame["recorded_on"] = pd.to_datetime(frame["recorded_on"])
    return frame


def households_of(frame: pd.DataFrame, policy: HouseholdSettings | None = None) -> pd.Series:
    resolution = resolve_households(frame, policy or load_household_settings(), TRUST)
    return resolution.membership.set_index("golden_person_id")["golden_household_id"]


def civil(person: str, house: str, **more: object) -> dict:
    return {"golden_person_id": person, "source": "civil_registration", "house_code": house,
            "subdistrict_code": "100101", "house_no": house[-3:]} | more


def test_the_civil_house_code_groups_a_family() -> None:
    frame = records(civil("P1", "10010000111"), civil("P2", "10010000111"), civil("P3", "10010000222"))
    placed = households_of(frame)
    assert placed["P1"] == placed["P2"] != placed["P3"]


def test_an_address_seen_with_one_house_code_is_that_house() -> None:
    frame = records(civil("P1", "10010000111", moo="4"),
                    {"golden_person_id": "P2", "source": "health_centre", "subdistrict_code": "100101",
                     "moo": "4", "house_no": "111"})
    placed = households_of(frame)
    assert placed["P1"] == placed["P2"]


def test_a_shared_address_goes_to_the_house_with_the_same_family_name() -> None:
    # Two houses with the same house number in one subdistrict: only the family name tells them apart.
    frame = records(civil("P1", "10010000111", house_no="7", family_name="ใจดี"),
                    civil("P2", "10010000999", house_no="7", family_name="มีสุข"),
                    {"golden_person_id": "P3", "source": "health_centre", "subdistrict_code": "100101",
                     "house_no": "7", "family_name": "มีสุข"},
                    {"golden_person_id": "P4", "source": "health_centre", "subdistrict_code": "100101",
                     "house_no": "7", "family_name": "ทองดี"})
    dwellings = address_dwellings(frame)
    assert dwellings.tolist()[:3] == ["house:10010000111", "house:10010000999", "house:10010000999"]
    assert dwellings[3] == "addr:100101||7"  # neither family: the address stays a dwelling of its own
    placed = households_of(frame)
    assert placed["P3"] == placed["P2"] != placed["P1"]
    assert placed["P4"] not in {placed["P1"], placed["P2"]}


def test_a_child_joins_the_mother_named_on_a_record() -> None:
    frame = records(civil("P_mother", "10010000111", citizen_id=MOTHER_ID),
                    {"golden_person_id": "P_child", "source": "school_enrolment", "subdistrict_code": "100101",
                     "house_no": "555", "guardian_citizen_id": MOTHER_ID},
                    {"golden_person_id": "P_child", "source": "health_centre", "mother_citizen_id": MOTHER_ID})
    resolution = resolve_households(frame, load_household_settings(), TRUST)
    membership = resolution.membership.set_index("golden_person_id")
    assert membership.loc["P_child", "golden_household_id"] == membership.loc["P_mother", "golden_household_id"]
    assert membership.loc["P_child", "evidence"] == "mother"
    assert membership.loc["P_child", "other_dwellings"] == 1  # the school's address is kept as history


def test_the_childs_own_civil_house_code_is_stronger_than_the_mother() -> None:
    # Registered at the grandparents' house while the mother lives elsewhere: the civil registry decides.
    frame = records(civil("P_mother", "10010000111", citizen_id=MOTHER_ID),
                    civil("P_grandmother", "10010000222"),
                    civil("P_child", "10010000222", mother_citizen_id=MOTHER_ID))
    placed = households_of(frame)
    assert placed["P_child"] == placed["P_grandmother"] != placed["P_mother"]


def test_relations_chain_through_a_parent_placed_by_a_relation() -> None:
    frame = records(civil("P_grandmother", "10010000111", citizen_id=FATHER_ID),
                    {"golden_person_id": "P_mother", "source": "health_centre", "citizen_id": MOTHER_ID,
                     "mother_citizen_id": FATHER_ID},
                    {"golden_person_id": "P_child", "source": "health_centre", "mother_citizen_id": MOTHER_ID})
    placed = households_of(frame)
    assert placed["P_child"] == placed["P_mother"] == placed["P_grandmother"]


def test_a_household_number_follows_the_members_placed_by_stronger_evidence() -> None:
    # The poverty roll still has the old house; the family moved and the civil registry has the new one.
    frame = records(civil("P1", "10010000111"), civil("P2", "10010000111"),
                    {"golden_person_id": "P1", "source": "child_grant", "household_ref": "TP1",
                     "house_code": "20020000999"},
                    {"golden_person_id": "P3", "source": "child_grant", "household_ref": "TP1",
                     "house_code": "20020000999"})
    placed = households_of(frame)
    assert placed["P3"] == placed["P1"] == placed["P2"]


def test_a_household_number_nobody_else_places_falls_back_to_the_members_addresses() -> None:
    frame = records(civil("P1", "10010000111", moo="2"),
                    {"golden_person_id": "P2", "source": "social_cases", "household_ref": "FB9",
                     "subdistrict_code": "100101", "moo": "2", "house_no": "111"},
                    {"golden_person_id": "P3", "source": "social_cases", "household_ref": "FB9"})
    resolution = resolve_households(frame, load_household_settings(), TRUST)
    membership = resolution.membership.set_index("golden_person_id")
    assert membership.loc["P2", "evidence"] == "address"
    assert membership["golden_household_id"].nunique() == 1  # P3 follows P2, who lives with P1


def test_a_person_without_any_evidence_is_a_household_alone() -> None:
    frame = records(civil("P1", "10010000111"), {"golden_person_id": "P2", "source": "school_enrolment"})
    resolution = resolve_households(frame, load_household_settings(), TRUST)
    membership = resolution.membership.set_index("golden_person_id")
    assert membership.loc["P2", "decision"] == "no household evidence: alone"
    assert membership["golden_household_id"].nunique() == 2


def test_two_records_naming_each_other_form_one_household() -> None:
    frame = records({"golden_person_id": "P1", "source": "health_centre", "citizen_id": MOTHER_ID,
                     "mother_citizen_id": CHILD_ID},
                    {"golden_person_id": "P2", "source": "health_centre", "citizen_id": CHILD_ID,
                     "mother_citizen_id": MOTHER_ID})
    assert households_of(frame).nunique() == 1


def test_the_evidence_order_is_configuration() -> None:
    frame = records(civil("P_mother", "10010000111", citizen_id=MOTHER_ID),
                    civil("P_child", "10010000222", mother_citizen_id=MOTHER_ID))
    relations_first = HouseholdSettings(evidence=(HouseholdEvidence(kind="mother"),
                                                  HouseholdEvidence(kind="house_code")),
                                        tie_break=("trust", "recency"), near_miss_candidates=3)
    placed = households_of(frame, relations_first)
    assert placed["P_child"] == placed["P_mother"]
    assert households_of(frame).nunique() == 2


def test_evidence_rows_name_their_entry_and_target() -> None:
    frame = records(civil("P1", "10010000111", household_ref="X"))
    rows = evidence_rows(frame, (Evidence("house_code", ("civil_registration",)), Evidence("house_code"),
                                 Evidence("address")))
    assert rows[["entry", "kind", "target"]].values.tolist() == [[0, "house_code", "house:10010000111"],
                                                                 [2, "address", "house:10010000111"]]


@pytest.mark.parametrize(("text", "message"), [
    ("evidence: [{kind: colour}]\ntie_break: [trust, recency]\nnear_miss_candidates: 3\n", "kind"),
    ("evidence: [{kind: address}]\ntie_break: [trust]\nnear_miss_candidates: 3\n", "tie_break"),
    ("evidence: [{kind: address, sources: [nowhere]}]\ntie_break: [trust, recency]\nnear_miss_candidates: 3\n",
     "nowhere"),
])
def test_a_bad_households_file_names_the_problem(tmp_path: Path, text: str, message: str) -> None:
    for name in ("pipeline.yaml", "sources"):
        (tmp_path / name).symlink_to(DEFAULT_CONFIG_DIR / name)
    (tmp_path / "households.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=message):
        load_household_settings(tmp_path)
