"""Survivorship rules from config/survivorship.yaml: which record supplies each golden attribute, and why."""

from __future__ import annotations

import dataclasses
import itertools
import json

import pandas as pd
import pytest

from matching.survivorship import PROVENANCE_PREFIX, SURVIVING_ATTRIBUTES, build_golden_persons
from termtem.golden_store import current_release, engine_for, publish_release, read_release
from termtem.golden_store.frames import attribute_source_rows, person_rows
from termtem.golden_store.sample import sample_release
from termtem.settings import SettingsError, SurvivorshipSettings, load_survivorship

TRUST = {"civil_registration": 1, "school_enrolment": 2, "health_centre": 3}
VALID_ID = "1101700203450"  # check digit valid
OTHER_VALID_ID = "3100600123450"


def _record(source: str, row: int, person: str = "P1", **values: object) -> dict:
    record = {"golden_person_id": person, "source": source, "source_row": row, "record_id": f"{source}:{row}",
              "citizen_id_valid": False, "birth_date_flag": "ok" if values.get("birth_date") else "missing",
              "recorded_on": pd.NaT}
    record |= {attribute: None for attribute in SURVIVING_ATTRIBUTES}
    return record | values


def _golden(*records: dict) -> pd.DataFrame:
    frame = pd.DataFrame(list(records))
    frame["birth_date"] = pd.to_datetime(frame["birth_date"])
    frame["recorded_on"] = pd.to_datetime(frame["recorded_on"])
    return build_golden_persons(frame, load_survivorship().rules, TRUST)


def test_the_most_trusted_source_with_a_value_wins_and_a_blank_erases_nothing() -> None:
    golden = _golden(_record("civil_registration", 1, given_name="สมชาย", family_name=None),
                     _record("school_enrolment", 7, given_name="สมชัย", family_name="ใจดี"))
    row = golden.iloc[0]
    assert (row["given_name"], row["family_name"]) == ("สมชาย", "ใจดี")
    assert row[PROVENANCE_PREFIX + "given_name"] == "civil_registration:1"
    assert row[PROVENANCE_PREFIX + "family_name"] == "school_enrolment:7"
    assert row["record_count"] == 2 and row["sources"] == "civil_registration,school_enrolment"


def test_each_person_lists_its_distinct_sources_sorted_whatever_the_record_order() -> None:
    golden = _golden(_record("school_enrolment", 3, person="P2"), _record("health_centre", 1, person="P1"),
                     _record("civil_registration", 2, person="P1"), _record("health_centre", 4, person="P1"),
                     _record("school_enrolment", 5, person="P3"), _record("civil_registration", 6, person="P2"))
    assert golden.set_index("golden_person_id")["sources"].to_dict() == {
        "P1": "civil_registration,health_centre", "P2": "civil_registration,school_enrolment",
        "P3": "school_enrolment"}
    assert golden["record_count"].tolist() == [3, 2, 1]


def test_an_address_survives_whole_from_one_record_never_stitched() -> None:
    golden = _golden(
        _record("civil_registration", 1, house_code="10010012345", province_code="10", district_code="1001"),
        _record("school_enrolment", 2, subdistrict_code="500101", district_code="5001", province_code="50"))
    row = golden.iloc[0]
    # Equally complete (3 of 4), so trust decides; the school's subdistrict is not grafted onto the civil address.
    assert (row["house_code"], row["province_code"], row["district_code"]) == ("10010012345", "10", "1001")
    assert row["subdistrict_code"] is None or pd.isna(row["subdistrict_code"])
    assert {row[PROVENANCE_PREFIX + name] for name in ("house_code", "province_code", "district_code",
                                                       "subdistrict_code")} == {"civil_registration:1"}


def test_a_more_complete_address_beats_a_more_trusted_partial_one() -> None:
    golden = _golden(_record("civil_registration", 1, province_code="10"),
                     _record("health_centre", 3, house_code="50010012345", subdistrict_code="500101",
                             district_code="5001", province_code="50"))
    assert golden.iloc[0]["subdistrict_code"] == "500101"
    assert golden.iloc[0][PROVENANCE_PREFIX + "province_code"] == "health_centre:3"


def test_only_a_valid_citizen_id_survives_even_from_the_most_trusted_source() -> None:
    golden = _golden(_record("civil_registration", 1, citizen_id="1101700203452", citizen_id_kind="invalid"),
                     _record("school_enrolment", 2, citizen_id=VALID_ID, citizen_id_valid=True,
                             citizen_id_kind="thai"))
    row = golden.iloc[0]
    assert (row["citizen_id"], row["citizen_id_kind"]) == (VALID_ID, "thai")
    assert row[PROVENANCE_PREFIX + "citizen_id"] == "school_enrolment:2"


def test_within_a_source_the_newest_record_wins_and_an_exact_birth_date_beats_a_placeholder() -> None:
    golden = _golden(
        _record("school_enrolment", 1, given_name="เก่า", birth_date="2015-03-15", recorded_on="2026-05-01"),
        _record("school_enrolment", 2, given_name="ใหม่", birth_date="2015-01-01", birth_date_flag="day_uncertain",
                recorded_on="2026-06-01"),
        _record("school_enrolment", 3, given_name="ไม่ทราบวัน", recorded_on=None))
    row = golden.iloc[0]
    assert row["given_name"] == "ใหม่"
    assert str(row["birth_date"].date()) == "2015-03-15" and row["birth_date_flag"] == "ok"
    assert row[PROVENANCE_PREFIX + "birth_date"] == "school_enrolment:1"


def test_the_same_records_in_any_order_give_identical_golden_rows() -> None:
    records = [_record("civil_registration", row, person=f"P{row % 4}", given_name=f"ชื่อ{row}",
                       citizen_id=VALID_ID if row % 2 else OTHER_VALID_ID, citizen_id_valid=True,
                       province_code=str(10 + row % 3), recorded_on=f"2026-0{1 + row % 5}-01")
               for row in range(1, 30)]
    first = _golden(*records)
    again = _golden(*reversed(records))
    pd.testing.assert_frame_equal(first, again)
    assert first["golden_person_id"].tolist() == ["P0", "P1", "P2", "P3"]


def test_rules_must_name_every_attribute_exactly_once() -> None:
    rules = [rule.model_dump() for rule in load_survivorship().rules]
    with pytest.raises(ValueError, match=r"named twice \['sex'\]"):
        SurvivorshipSettings.model_validate({"rules": [*rules, {"attributes": ["sex"], "criteria": ["trust"]}]})
    with pytest.raises(ValueError, match=r"missing \['given_name'\]"):
        SurvivorshipSettings.model_validate({"rules": rules[1:]})
    with pytest.raises(ValueError, match="criteria"):
        SurvivorshipSettings.model_validate({"rules": [{"attributes": ["sex"], "criteria": ["luck"]}]})
    assert issubclass(SettingsError, ValueError)


def test_a_published_release_records_per_attribute_the_record_that_won_and_the_rules(database_url: str) -> None:
    records = [_record("civil_registration", 1, given_name="สมชาย", sex="M", birth_date="2015-01-01",
                       birth_date_flag="day_uncertain", province_code="10"),
               _record("school_enrolment", 2, given_name="สมชัย", family_name="ใจดี", birth_date="2015-03-15",
                       citizen_id=VALID_ID, citizen_id_valid=True, citizen_id_kind="thai", house_code="50010012345",
                       subdistrict_code="500101", district_code="5001", province_code="50"),
               _record("health_centre", 3, person="P2", family_name="รักไทย", sex="F")]
    golden = _golden(*records).assign(golden_household_id="H1")
    rules = load_survivorship().rules
    base = sample_release(20, seed=5, run_id="survivorship")
    frames = {**base.frames, "golden_person": person_rows(golden, base.frames["missed_child"].iloc[:0]),
              "golden_attribute_source": attribute_source_rows(golden)}
    engine = engine_for(database_url)
    publish_release(engine, dataclasses.replace(base, frames=frames,
                                                survivorship=[rule.model_dump(mode="json") for rule in rules]))
    _, stored = read_release(engine, ["golden_person", "golden_attribute_source"])
    lineage = stored["golden_attribute_source"].set_index("golden_person_id")
    persons = stored["golden_person"].set_index("golden_person_id")
    by_record = {record["record_id"]: record for record in records}
    for person, attribute in itertools.product(("P1", "P2"), SURVIVING_ATTRIBUTES):
        supplier = lineage.loc[person, attribute]
        value = persons.loc[person, attribute]
        if supplier is None:  # no record of the person had a value
            assert value is None, (person, attribute)
        else:
            assert str(value) == str(by_record[supplier][attribute]), (person, attribute)
    assert lineage.loc["P1", "given_name"] == "civil_registration:1"  # trust
    assert lineage.loc["P1", "family_name"] == "school_enrolment:2"  # the only record with a value
    assert lineage.loc["P1", "province_code"] == "school_enrolment:2"  # the complete address wins whole
    stored_rules = json.loads(current_release(engine)["survivorship"])
    assert [rule["attributes"] for rule in stored_rules] == [list(rule.attributes) for rule in rules]
    assert stored_rules[-1]["criteria"] == ["completeness", "trust", "recency"]
