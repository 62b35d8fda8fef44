"""Address parsing and resolution to official area codes."""

from __future__ import annotations

import pytest

from matching.addresses import ParsedAddress, clean_house_no, clean_moo, parse_thai_address
from matching.gazetteer import Resolution, resolve_subdistrict

BANG_PHLI_YAI = ParsedAddress(
    house_no="99/1", moo="4", subdistrict="บางพลีใหญ่", district="บางพลี", province="สมุทรปราการ", postcode="10540"
)


@pytest.mark.parametrize(
    "written",
    [
        "99/1 ม.4 ต.บางพลีใหญ่ อ.บางพลี จ.สมุทรปราการ 10540",
        "บ้านเลขที่ 99/1 หมู่ที่ 4 ตำบลบางพลีใหญ่ อำเภอบางพลี จังหวัดสมุทรปราการ รหัสไปรษณีย์ 10540",
        "99/1ม.4ต.บางพลีใหญ่อ.บางพลีจ.สมุทรปราการ10540",
        "99 / 1 หมู่ 04, ต. บางพลีใหญ่, อ. บางพลี, จ. สมุทรปราการ 10540",
        "๙๙/๑ ม.๔ ต.บางพลีใหญ่ อ.บางพลี จ.สมุทรปราการ ๑๐๕๔๐",
        "99/1 ม 4 ต บางพลีใหญ่ อ บางพลี จ สมุทรปราการ 10540",  # dots forgotten
        "จ.สมุทรปราการ อ.บางพลี ต.บางพลีใหญ่ 99/1 ม.4 10540",  # reordered
        "99/1 ม.4 บางพลีใหญ่ บางพลี สมุทรปราการ 10540",  # areas without their words
        "\ufeff99/1\u00a0ม.4 ต.บางพลีใหญ่ อ.บางพลี จ.สมุทรปราการ 10540\u200b",
    ],
)
def test_labelled_abbreviated_glued_reordered_and_unlabelled_forms(written: str) -> None:
    assert parse_thai_address(written) == BANG_PHLI_YAI


def test_bangkok_khwaeng_khet_soi_road_and_short_province() -> None:
    parsed = parse_thai_address("12/3 ซ.ลาดพร้าว 101 ถ.ลาดพร้าว แขวงคลองจั่น เขตบางกะปิ กทม. 10240")
    assert parsed == ParsedAddress(
        house_no="12/3", soi="ลาดพร้าว 101", road="ลาดพร้าว", subdistrict="คลองจั่น", district="บางกะปิ",
        province="กรุงเทพมหานคร", postcode="10240",
    )
    assert parse_thai_address("เขตบางกะปิ กรุงเทพฯ").province == "กรุงเทพมหานคร"


def test_village_estate_name() -> None:
    parsed = parse_thai_address("45 หมู่บ้านพฤกษา 5 ซอย 3 บางพลีใหญ่ บางพลี สมุทรปราการ")
    assert (parsed.house_no, parsed.village, parsed.soi, parsed.subdistrict) == ("45", "พฤกษา 5", "3", "บางพลีใหญ่")
    assert parse_thai_address("9 มบ.ชัยพฤกษ์ ต.บางพลีใหญ่").village == "ชัยพฤกษ์"


@pytest.mark.parametrize(
    ("written", "subdistrict"),
    [
        ("55 ถนนพญาไท แขวงถนนพญาไท เขตราชเทวี กรุงเทพฯ", "ถนนพญาไท"),  # the word ถนน inside a name
        ("12 หมู่ 5 ตำบลสามตำบล อำเภอจุฬาภรณ์ นครศรีธรรมราช", "สามตำบล"),
        ("1 แขวงคลองถนน เขตสายไหม กทม.", "คลองถนน"),
    ],
)
def test_keywords_inside_area_names_stay_in_the_name(written: str, subdistrict: str) -> None:
    assert parse_thai_address(written).subdistrict == subdistrict


def test_road_named_after_bangkok_is_not_the_province() -> None:
    parsed = parse_thai_address("88 ถ.กรุงเทพ-นนทบุรี แขวงบางซื่อ เขตบางซื่อ")
    assert (parsed.road, parsed.province) == ("กรุงเทพ-นนทบุรี", None)


def test_postcode_is_not_taken_from_a_house_number() -> None:
    assert parse_thai_address("99/10540 ม.2 ต.ท่าทราย").postcode is None
    assert parse_thai_address("99/10540 ม.2 ต.ท่าทราย").house_no == "99/10540"


def test_empty_and_wordless_text_give_nothing() -> None:
    assert parse_thai_address("") == ParsedAddress()
    assert parse_thai_address("ไม่ทราบที่อยู่") == ParsedAddress()


def test_split_column_helpers() -> None:
    assert clean_house_no("บ้านเลขที่ ๙๙ / ๑") == "99/1"
    assert clean_house_no("  ") is None
    assert clean_moo("หมู่ที่ 04") == clean_moo("ม.4") == clean_moo("๔") == "4"
    assert clean_moo("-") is None


def test_exact_resolution_with_labels_and_short_forms() -> None:
    expected = Resolution("110301", "1103", "11", "exact")
    assert resolve_subdistrict("บางพลีใหญ่", "บางพลี", "สมุทรปราการ", "10540") == expected
    assert resolve_subdistrict("ต.บางพลีใหญ่", "อ.บางพลี", "จ.สมุทรปราการ", None) == expected
    assert resolve_subdistrict("บางพลีใหญ่", "บางพลี", "สมุทรปราการ", "99999") == expected  # bad postcode ignored


def test_bangkok_resolution() -> None:
    expected = Resolution("100601", "1006", "10", "exact")
    assert resolve_subdistrict("แขวงคลองจั่น", "เขตบางกะปิ", "กทม", None) == expected
    assert resolve_subdistrict("คลองจั่น", "บางกะปิ", "กรุงเทพฯ", "10240") == expected


def test_capital_district_written_as_mueang() -> None:
    assert resolve_subdistrict("ในเมือง", "อ.เมือง", "ขอนแก่น", None) == Resolution("400101", "4001", "40", "exact")


@pytest.mark.parametrize(
    ("subdistrict", "district", "province", "postcode", "code"),
    [
        ("บางพลีใหย่", "บางพลี", "สมุทรปราการ", None, "110301"),  # ญ typed as ย
        ("บางพลีใหญ", "บางพลี", "สมุทรปราการ", None, "110301"),  # tone mark dropped
        ("บางพลีใหญ่", "บางพลี", "สมุทปราการ", None, "110301"),  # misspelt province
        ("คลองจัน", "บางกะปี", "กรุงเทพ", "10240", "100601"),
        ("สีภูมิ", "เมือง", "เชียงใหม่", None, "500101"),  # ศรี/สี, and ศรีภูมิ exists in 3 provinces
    ],
)
def test_misspelt_names_resolve_fuzzily(
    subdistrict: str, district: str, province: str, postcode: str | None, code: str
) -> None:
    assert resolve_subdistrict(subdistrict, district, province, postcode) == Resolution(
        code, code[:4], code[:2], "fuzzy"
    )


def test_a_name_repeated_across_provinces_needs_its_province_or_postcode() -> None:
    assert resolve_subdistrict("ท่าทราย", None, None, None) is None  # 3 provinces have one
    assert resolve_subdistrict("ท่าทราย", None, "นนทบุรี", None) == Resolution("120105", "1201", "12", "exact")
    assert resolve_subdistrict("ท่าทราย", None, "สมุทรสาคร", None) == Resolution("740110", "7401", "74", "exact")
    assert resolve_subdistrict("ท่าทราย", None, None, "74000") == Resolution("740110", "7401", "74", "postcode")


def test_ambiguous_or_unknown_areas_are_not_guessed() -> None:
    assert resolve_subdistrict("ในเมือง", None, "ขอนแก่น", None) is None  # 3 districts of Khon Kaen have one
    assert resolve_subdistrict("ในเมือง", None, None, "40000") == Resolution("400101", "4001", "40", "postcode")
    assert resolve_subdistrict("บางพลีใหญ่", "บางเสาธง", "สมุทรปราการ", None) is None  # district disagrees
    assert resolve_subdistrict("ไม่มีจริง", "บางพลี", "สมุทรปราการ", None) is None
    assert resolve_subdistrict(None, "บางพลี", "สมุทรปราการ", "10540") is None


def test_bangkok_labels_glued_to_names() -> None:
    parsed = parse_thai_address("45/6ซ.พหลโยธิน24ถ.พหลโยธินแขวงลาดยาวเขตจตุจักรกทม.10900")
    assert (parsed.subdistrict, parsed.district, parsed.province, parsed.moo) == (
        "ลาดยาว", "จตุจักร", "กรุงเทพมหานคร", None)
    assert parse_thai_address("ต.หลักเขต อ.เมือง จ.บุรีรัมย์").subdistrict == "หลักเขต"  # a name ending in เขต
