"""Citizen-ID clean-up, checksum and category rules."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.citizen_id import (
    citizen_id_kind,
    clean_citizen_id,
    compute_check_digit,
    is_valid_citizen_id,
    parse_citizen_id,
    parse_citizen_ids,
)


def with_check_digit(first12: str) -> str:
    return first12 + str(compute_check_digit(first12))


def test_check_digit_matches_hand_computation() -> None:
    # 1·13 + 2·12 + 3·11 + 4·10 + 5·9 + 6·8 + 7·7 + 8·6 + 9·5 + 0·4 + 1·3 + 2·2 = 352; 352 mod 11 = 0; 11 → 1
    assert compute_check_digit("123456789012") == 1
    # 144 mod 11 = 1; 11 - 1 = 10 → 0
    assert compute_check_digit("110170020345") == 0


@pytest.mark.parametrize("bad", ["12345678901", "1234567890123", "12345678901x", "๑๒๓๔๕๖๗๘๙๐๑๒"])
def test_check_digit_needs_twelve_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        compute_check_digit(bad)


@pytest.mark.parametrize(
    "written",
    [
        "1234567890121",
        "1-2345-67890-12-1",
        "1 2345 67890 12 1",
        " 1-2345-67890-12-1 ",
        "1–2345–67890–12–1",  # en dashes from a word processor
        "๑๒๓๔๕๖๗๘๙๐๑๒๑",
        "๑-๒๓๔๕-๖๗๘๙๐-๑๒-๑",
        "1234567890121.0",  # Excel number read back as text
        "\u200b1234567890121\ufeff",
        1234567890121.0,
        1234567890121,
    ],
)
def test_separators_thai_digits_and_excel_forms_clean_to_one_id(written: object) -> None:
    assert parse_citizen_id(written) == ("1234567890121", True, "thai")


def test_wrong_check_digit_is_kept_but_flagged() -> None:
    assert parse_citizen_id("1-2345-67890-12-2") == ("1234567890122", False, "invalid")
    assert not is_valid_citizen_id("1234567890122")


@pytest.mark.parametrize(
    ("first_digit", "kind"),
    [("0", "stateless"), ("1", "thai"), ("3", "thai"), ("5", "thai"), ("6", "migrant"), ("7", "migrant"),
     ("8", "naturalised"), ("9", "other")],
)
def test_first_digit_category_and_zero_or_nine_never_rejected(first_digit: str, kind: str) -> None:
    cid = with_check_digit(first_digit + "10060012345")
    assert parse_citizen_id(cid) == (cid, True, kind)


def test_stateless_id_that_lost_its_leading_zero_in_a_spreadsheet() -> None:
    cid = with_check_digit("010060012345")
    assert clean_citizen_id(cid[1:]) == cid
    assert clean_citizen_id(float(cid)) == cid
    assert parse_citizen_id(cid[1:]).kind == "stateless"


def test_twelve_digits_that_fail_with_a_zero_are_not_an_id() -> None:
    cid = with_check_digit("012345678901")
    wrong = cid[1:-1] + str((int(cid[-1]) + 1) % 10)
    assert clean_citizen_id(wrong) is None


@pytest.mark.parametrize("code", ["G123456789012", "g-1234-5678-9012", "G ๑๒๓๔๕๖๗๘๙๐๑๒"])
def test_school_g_code_is_recognised_but_not_a_citizen_id(code: str) -> None:
    assert parse_citizen_id(code) == (None, False, "g_code")


@pytest.mark.parametrize("nothing", [None, math.nan, "", "  ", "-", "ไม่มี", "123", "12345678901234", "1.23457E+12"])
def test_nothing_usable_is_missing(nothing: object) -> None:
    assert parse_citizen_id(nothing) == (None, False, "missing")
    assert citizen_id_kind(None, raw=nothing) == "missing"


@pytest.mark.parametrize("not_clean", [None, "", "123456789012", "123456789012a", "๑๒๓๔๕๖๗๘๙๐๑๒๑"])
def test_is_valid_only_accepts_cleaned_ids(not_clean: str | None) -> None:
    assert not is_valid_citizen_id(not_clean)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.text(alphabet="0123456789", min_size=12, max_size=14),
    st.text(alphabet="0123456789-G ๑๒.", max_size=16),
    st.none(), st.integers(min_value=0, max_value=10**13)), max_size=30))
def test_the_array_parser_gives_what_the_one_value_parser_gives(values: list[object]) -> None:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    ids, valid, kinds = parse_citizen_ids(array)
    expected = [parse_citizen_id(value) for value in values]
    assert list(zip(ids, valid, kinds, strict=True)) == [tuple(item) for item in expected]
    assert valid.dtype == bool
