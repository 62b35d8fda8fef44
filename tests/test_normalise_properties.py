"""Property tests: normalisers never raise on arbitrary Unicode and are idempotent on their own output."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from matching.addresses import ParsedAddress, parse_thai_address
from matching.canonical import CANONICAL_FIELDS, NORMALISED_COLUMNS
from matching.citizen_id import clean_citizen_id, compute_check_digit, parse_citizen_id
from matching.dates import DATE_FLAGS, parse_date
from matching.gazetteer import resolve_subdistrict
from matching.names import clean_thai_text, normalise_thai_name, phonetic_key, split_full_name, strip_title
from matching.normalise import normalise_records

AS_OF = dt.date(2025, 6, 1)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Thai letters, marks and digits, with the separators, invisible characters and Latin that exports mix in.
THAI_ISH = st.text(
    st.one_of(st.characters(min_codepoint=0x0E01, max_codepoint=0x0E5B),
              st.sampled_from(list(" ./-\u00a0\u200b\u200d\ufeff\tabcMrs0123"))),
    max_size=30,
)
ANY_TEXT = st.one_of(st.text(max_size=40), THAI_ISH)


@FAST
@given(ANY_TEXT)
def test_clean_thai_text_is_idempotent(text: str) -> None:
    once = clean_thai_text(text)
    assert clean_thai_text(once) == once


@FAST
@given(ANY_TEXT)
def test_name_normalisation_is_idempotent_and_keys_agree(text: str) -> None:
    once = normalise_thai_name(text)
    assert normalise_thai_name(once) == once
    assert phonetic_key(once) == phonetic_key(text)


@FAST
@given(ANY_TEXT)
def test_title_stripping_and_splitting_never_raise(text: str) -> None:
    title, rest = strip_title(text)
    assert title is None or title.strip() == title
    assert rest == rest.strip()
    _, given_name, family = split_full_name(text)
    assert " " not in given_name and given_name == given_name.strip() and family == family.strip()


@FAST
@given(st.one_of(ANY_TEXT, st.integers(), st.floats(), st.none()))
def test_citizen_id_cleaning_never_raises_and_is_idempotent(raw: object) -> None:
    cid, valid, kind = parse_citizen_id(raw)
    if cid is not None:
        assert len(cid) == 13 and cid.isascii() and cid.isdigit()
        assert parse_citizen_id(cid) == (cid, valid, kind)
    assert valid == (kind in {"thai", "migrant", "naturalised", "stateless", "other"})


@FAST
@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.sampled_from(["{}", "{}-", "๐"]))
def test_any_valid_id_survives_formatting(first12: str, style: str) -> None:
    cid = first12 + str(compute_check_digit(first12))
    written = {"{}": cid, "{}-": "-".join([cid[0], cid[1:5], cid[5:10], cid[10:12], cid[12]]),
               "๐": cid.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))}[style]
    assert clean_citizen_id(written) == cid


@FAST
@given(ANY_TEXT)
def test_date_parsing_never_raises(text: str) -> None:
    parsed, flag = parse_date(text, AS_OF)
    assert flag in DATE_FLAGS and (parsed is None) == (flag in {"missing", "unparseable", "impossible"})


@FAST
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=AS_OF), st.sampled_from(["iso", "be", "thai", "ce"]))
def test_dates_round_trip_through_their_written_forms(day: dt.date, layout: str) -> None:
    months = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
    written = {"iso": day.isoformat(), "be": f"{day.day}/{day.month}/{day.year + 543}",
               "thai": f"{day.day} {months[day.month - 1]} {day.year + 543}",
               "ce": f"{day.day:02d}-{day.month:02d}-{day.year}"}[layout]
    parsed, flag = parse_date(written, AS_OF)
    assert parsed == day
    assert flag == ("day_uncertain" if (day.month, day.day) == (1, 1) else "ok")
    assert parse_date(parsed.isoformat(), AS_OF) == (parsed, flag)


@FAST
@given(ANY_TEXT)
def test_address_parsing_and_resolution_never_raise(text: str) -> None:
    parsed = parse_thai_address(text)
    resolve_subdistrict(parsed.subdistrict, parsed.district, parsed.province, parsed.postcode)
    if parsed.postcode:
        assert len(parsed.postcode) == 5 and parsed.postcode.isdigit()


LABELS = {"full": ("ตำบล", "อำเภอ", "จังหวัด"), "short": ("ต.", "อ.", "จ."), "none": ("", "", "")}


def write(parsed: ParsedAddress) -> str:
    """Write parsed parts back as a labelled address."""
    parts = [parsed.house_no, f"ม.{parsed.moo}" if parsed.moo else None, f"ต.{parsed.subdistrict}",
             f"อ.{parsed.district}", f"จ.{parsed.province}", parsed.postcode]
    return " ".join(p for p in parts if p)


@st.composite
def written_addresses(draw: st.DrawFn) -> tuple[str, str, str]:
    import geothai

    province = draw(st.sampled_from(geothai.provinces()))
    district = draw(st.sampled_from(geothai.districts(province.code)))
    sub = draw(st.sampled_from(geothai.subdistricts(district.code)))
    labels = LABELS[draw(st.sampled_from(sorted(LABELS)))]
    parts = [f"{label}{name}" for label, name in zip(labels, (sub.name_th, district.name_th, province.name_th),
                                                     strict=True)]
    if labels[0]:  # labelled parts may come in any order; unlabelled ones keep the usual order
        parts = draw(st.permutations(parts))
    house = f"{draw(st.integers(1, 999))}/{draw(st.integers(1, 99))}"
    return f"{house} ม.{draw(st.integers(1, 20))} {' '.join(parts)} {sub.postal_codes[0]}", sub.code, house


@settings(max_examples=100, deadline=None)
@given(written_addresses())
@example(("1/1 ม.1 แป-ระ ท่าแพ สตูล 91150", "910402", "1/1"))  # an unlabelled name with a hyphen, found in CI
def test_addresses_resolve_to_their_code_and_reparse_to_themselves(case: tuple[str, str, str]) -> None:
    text, code, house = case
    parsed = parse_thai_address(text)
    assert parsed.house_no == house
    found = resolve_subdistrict(parsed.subdistrict, parsed.district, parsed.province, parsed.postcode)
    assert found is not None and found.subdistrict_code == code
    assert parse_thai_address(write(parsed)) == parsed


@settings(max_examples=40, deadline=None)
@given(st.lists(st.fixed_dictionaries({f: st.one_of(st.none(), ANY_TEXT) for f in CANONICAL_FIELDS}),
                max_size=4))
def test_normalise_records_never_raises_on_arbitrary_text(rows: list[dict[str, str | None]]) -> None:
    canonical = pd.DataFrame(rows, columns=list(CANONICAL_FIELDS))
    canonical.insert(0, "source_row", range(1, len(rows) + 1))
    canonical.insert(0, "source", "fuzz")
    out = normalise_records(canonical, AS_OF)
    assert list(out.columns) == list(NORMALISED_COLUMNS) and len(out) == len(rows)
