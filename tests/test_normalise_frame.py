"""Frame-level normalisation: the output contract and which source of a value wins."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from bench.messy_rows import messy_rows
from matching.canonical import NORMALISED_COLUMNS
from matching.citizen_id import compute_check_digit
from matching.normalise import normalise_records

AS_OF = dt.date(2025, 6, 1)
CID = "1234567890121"
MOTHER = "3" + "10060012345" + str(compute_check_digit("310060012345"))


def frame(**columns: list[object]) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    return pd.DataFrame({"source": ["school"] * n, "source_row": range(1, n + 1), **columns})


def one(**fields: object) -> pd.Series:
    return normalise_records(frame(**{k: [v] for k, v in fields.items()}), AS_OF).iloc[0]


def test_contract_columns_order_index_and_dtypes() -> None:
    canonical = frame(citizen_id=[CID, None, "G123456789012"], full_name=["ด.ช.ก้อง ใจดี", None, "x"])
    canonical.index = pd.Index([7, 3, 5])
    out = normalise_records(canonical, AS_OF)
    assert list(out.columns) == list(NORMALISED_COLUMNS)
    assert list(out.index) == [7, 3, 5]
    assert list(out["source_row"]) == [1, 2, 3]
    assert out["citizen_id_kind"].tolist() == ["thai", "missing", "g_code"]
    assert out["citizen_id_valid"].dtype == bool
    assert out["birth_date"].dtype == "datetime64[ns]" and out["recorded_on"].dtype == "datetime64[ns]"
    assert out["birth_date_flag"].tolist() == ["missing"] * 3


def test_columns_absent_from_the_source_are_all_missing() -> None:
    row = normalise_records(frame(nickname=["ต้น"]), AS_OF).iloc[0]
    assert row["nickname"] == "ต้น"
    assert row[["citizen_id", "given_name", "sex", "subdistrict_code", "triage", "child_grant"]].isna().all()
    assert row["citizen_id_kind"] == "missing" and not row["citizen_id_valid"]


def test_empty_frame() -> None:
    out = normalise_records(frame(citizen_id=[]), AS_OF)
    assert out.empty and list(out.columns) == list(NORMALISED_COLUMNS)


def test_nan_values_from_a_csv_are_missing() -> None:
    row = one(citizen_id=np.nan, given_name=np.nan, birth_date=np.nan, triage=np.nan)
    assert row["citizen_id"] is None and row["given_name"] is None and row["triage"] is None
    assert row["birth_date_flag"] == "missing" and pd.isna(row["birth_date"])


def test_full_name_is_split_and_keyed() -> None:
    row = one(full_name="นางสาวสมหญิง ชุมสาย ณ อยุธยา")
    assert (row["title"], row["given_name"], row["family_name"], row["sex"]) == (
        "น.ส.", "สมหญิง", "ชุมสาย ณ อยุธยา", "F")
    assert row["given_key"] and row["family_key"]


def test_split_name_fields_win_over_full_name_and_lose_their_glued_title() -> None:
    row = one(full_name="ด.ช.ก้อง ใจดี", given_name="นายก้องภพ", family_name="ใจดีมาก")
    assert (row["title"], row["given_name"], row["family_name"]) == ("นาย", "ก้องภพ", "ใจดีมาก")


def test_title_field_wins_and_is_canonical() -> None:
    assert one(title="ด.ช", full_name="นายก้อง ใจดี")["title"] == "ด.ช."
    assert one(title="ร้อยตำรวจเอก")["title"] == "ร.ต.อ."
    assert one(title="Khun")["title"] == "Khun"  # unknown titles are kept as written


@pytest.mark.parametrize(
    ("sex", "title", "expected"),
    [("ช", None, "M"), ("ชาย", None, "M"), ("M", None, "M"), ("male", None, "M"), ("1", None, "M"),
     ("ญ", None, "F"), ("หญิง", None, "F"), ("f", None, "F"), ("Female", None, "F"), ("2", None, "F"),
     (None, "ด.ญ.", "F"), (None, "นาย", "M"), ("ช", "ด.ญ.", "M"), ("?", "นาง", "F"), (None, "ดร.", None)],
)
def test_sex_from_the_field_else_the_title(sex: str | None, title: str | None, expected: str | None) -> None:
    assert one(sex=sex, title=title)["sex"] == expected


def test_dates_and_flags() -> None:
    out = normalise_records(frame(birth_date=["15 มี.ค. 2555", "1/1/2555", "31/02/2555", "zz"],
                                  recorded_on=["2024-01-05", None, "5/1/67", "x"]), AS_OF)
    assert out["birth_date"].tolist()[:2] == [pd.Timestamp("2012-03-15"), pd.Timestamp("2012-01-01")]
    assert out["birth_date_flag"].tolist() == ["ok", "day_uncertain", "impossible", "unparseable"]
    assert out["recorded_on"].tolist()[0] == out["recorded_on"].tolist()[2] == pd.Timestamp("2024-01-05")
    assert out["recorded_on"].isna().tolist() == [False, True, False, True]


def test_ids_of_relatives_and_house_code() -> None:
    row = one(mother_citizen_id=f"{MOTHER[0]}-{MOTHER[1:]}", father_citizen_id="ไม่ทราบ",
              house_code="๑๐๐๑-๐๑๒๓๔๕-๖", guardian_citizen_id="1234567890122")
    assert (row["mother_citizen_id"], row["father_citizen_id"]) == (MOTHER, None)
    assert row["guardian_citizen_id"] == "1234567890122"  # kept even with a wrong check digit
    assert row["house_code"] == "10010123456"
    assert one(house_code="123")["house_code"] is None


@pytest.mark.parametrize(
    ("written", "expected"),
    [("เขียว", "green"), ("สีเหลือง", "yellow"), ("แดง", "red"), ("Green", "green"), ("RED", "red"),
     ("y", "yellow"), ("ม่วง", None)],
)
def test_triage(written: str, expected: str | None) -> None:
    assert one(triage=written)["triage"] == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [("Y", True), ("yes", True), ("ใช่", True), ("1", True), ("1.0", True), ("ได้รับ", True),
     ("N", False), ("ไม่ใช่", False), ("0", False), ("ไม่ได้รับ", False), ("?", None), (None, None)],
)
def test_child_grant(written: str | None, expected: bool | None) -> None:
    assert one(child_grant=written)["child_grant"] is expected


def test_address_text_is_parsed_and_resolved() -> None:
    row = one(address_text="99/1 ม.4 ต.บางพลีใหญ่ อ.บางพลี จ.สมุทรปราการ 10540")
    assert (row["house_no"], row["moo"]) == ("99/1", "4")
    assert (row["subdistrict_code"], row["district_code"], row["province_code"]) == ("110301", "1103", "11")


def test_split_address_columns_win_over_the_text() -> None:
    row = one(address_text="99/1 ม.4 ต.บางพลีใหญ่ อ.บางพลี จ.สมุทรปราการ 10540",
              house_no="บ้านเลขที่ 7", moo="หมู่ที่ 02", subdistrict="ต.ท่าทราย", district="อ.เมือง",
              province="จ.นนทบุรี", postcode="11000")
    assert (row["house_no"], row["moo"], row["subdistrict_code"]) == ("7", "2", "120105")


def test_text_fills_the_address_parts_the_columns_lack() -> None:
    row = one(address_text="ต.บางพลีใหญ่ อ.บางพลี", province="สมุทรปราการ")
    assert row["subdistrict_code"] == "110301"


def test_unresolved_address_is_none() -> None:
    assert one(subdistrict="ในเมือง", province="ขอนแก่น")["subdistrict_code"] is None


def test_names_get_romanised_forms_that_meet_latin_spellings() -> None:
    out = normalise_records(frame(given_name=["ณัฐพล", "Natthaphon", None], family_name=["ศรีสุข", "SISUK", "!!"]),
                            AS_OF)
    assert out["given_rom"].tolist() == ["natthaphon", "natthaphon", None]
    assert out["family_rom"].tolist() == ["sisuk", "sisuk", None]


def test_independent_messy_rows_meet_the_contract() -> None:
    canonical = messy_rows(2_000)
    out = normalise_records(canonical, AS_OF)
    assert list(out.columns) == list(NORMALISED_COLUMNS)
    assert out.index.equals(canonical.index)
    assert out["given_name"].notna().all() and out["family_name"].notna().all()
    assert out["given_rom"].notna().all() and out["family_rom"].notna().all()
    assert out["birth_date"].notna().mean() > 0.99
    assert out["subdistrict_code"].notna().mean() > 0.95
    assert out["citizen_id_valid"].mean() > 0.9
