"""Date parsing: eras, two-digit years, Thai months, layouts, uncertain and impossible dates."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from matching.dates import parse_date

AS_OF = dt.date(2025, 6, 1)
D = dt.date


def parse(text: object) -> tuple[dt.date | None, str]:
    return parse_date(text, AS_OF)


@pytest.mark.parametrize(
    "written",
    ["15/03/2530", "15-03-2530", "15.03.2530", "15 03 2530", "15/3/2530", "1987-03-15", "1987/03/15",
     "15/03/1987", "25300315", "15032530", "๑๕/๐๓/๒๕๓๐"],
)
def test_buddhist_and_common_era_layouts(written: str) -> None:
    assert parse(written) == (D(1987, 3, 15), "ok")


@pytest.mark.parametrize(
    "written",
    ["15 มี.ค. 2530", "15 มี.ค 2530", "15มี.ค.30", "15 มีค 30", "15 มีนาคม 2530", "15 มีนาคม พ.ศ. 2530",
     "วันที่ 15 เดือนมีนาคม พ.ศ. ๒๕๓๐", "15 มีนา 2530", "15 Mar 1987", "15-Mar-87", "15 March 1987"],
)
def test_thai_and_english_month_names(written: str) -> None:
    assert parse(written) == (D(1987, 3, 15), "ok")


@pytest.mark.parametrize(
    ("abbreviation", "month"),
    [("ม.ค.", 1), ("ก.พ.", 2), ("มี.ค.", 3), ("เม.ย.", 4), ("พ.ค.", 5), ("มิ.ย.", 6), ("ก.ค.", 7),
     ("ส.ค.", 8), ("ก.ย.", 9), ("ต.ค.", 10), ("พ.ย.", 11), ("ธ.ค.", 12)],
)
def test_every_thai_month_abbreviation(abbreviation: str, month: int) -> None:
    assert parse(f"2 {abbreviation} 2566") == (D(2023, month, 2), "ok")


@pytest.mark.parametrize(
    ("written", "expected"),
    [("5/1/66", D(2023, 1, 5)), ("5/1/68", D(2025, 1, 5)), ("5/1/69", D(1926, 1, 5)), ("5/1/00", D(1957, 1, 5))],
)
def test_two_digit_years_are_buddhist_with_a_pivot_at_as_of(written: str, expected: dt.date) -> None:
    assert parse(written) == (expected, "ok")


@pytest.mark.parametrize(
    "written", ["2023-05-01 00:00:00", "2023-05-01T00:00:00", "2023-05-01T08:30:00.000Z", "01/05/2566 0:00"]
)
def test_spreadsheet_datetimes_drop_the_time(written: str) -> None:
    assert parse(written) == (D(2023, 5, 1), "ok")


def test_excel_serial_day_number() -> None:
    assert parse("45047") == (D(2023, 5, 1), "ok")
    assert parse("45047.0") == (D(2023, 5, 1), "ok")


def test_day_month_swap_only_when_the_month_cannot_be_a_month() -> None:
    assert parse("03/15/1987") == (D(1987, 3, 15), "ok")
    assert parse("03/05/1987") == (D(1987, 5, 3), "ok")  # day first when both could be either
    assert parse("13/15/1987") == (None, "impossible")


@pytest.mark.parametrize("written", ["01/01/2530", "1 ม.ค. 2530", "1987-01-01", "00/00/2530", "2530", "0/0/30"])
def test_first_of_january_and_unknown_day_month_are_day_uncertain(written: str) -> None:
    assert parse(written) == (D(1987, 1, 1), "day_uncertain")


def test_known_month_unknown_day_keeps_the_month() -> None:
    assert parse("00/03/2530") == (D(1987, 3, 1), "day_uncertain")
    assert parse("มี.ค. 2530") == (D(1987, 3, 1), "day_uncertain")


@pytest.mark.parametrize(
    "written",
    ["31/02/2530", "29/02/2530", "32/01/2530", "1899-12-31", "31/12/2442",
     "15/03/2570", "2027-01-01"],
)
def test_impossible_dates_are_flagged_not_guessed(written: str) -> None:
    assert parse(written) == (None, "impossible")


def test_leap_day_and_the_one_year_future_margin() -> None:
    assert parse("29/02/2531") == (D(1988, 2, 29), "ok")
    assert parse("2026-05-31") == (D(2026, 5, 31), "ok")
    assert parse("2026-06-02") == (None, "impossible")


@pytest.mark.parametrize("nothing", [None, math.nan, "", "  ", "-", "ไม่ทราบ", "NaT", "None"])
def test_missing(nothing: object) -> None:
    assert parse(nothing) == (None, "missing")


@pytest.mark.parametrize("junk", ["abc", "15 ฟฟฟ 2530", "12/13/14/15", "15 มี.ค.", "66", "1/2"])
def test_unparseable(junk: str) -> None:
    assert parse(junk) == (None, "unparseable")
