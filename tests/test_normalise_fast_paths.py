"""The frame-level fast paths give exactly what the per-value rules give, value for value.

normalise_records runs some rules on distinct names or on combined integer codes instead of per row, and ingest
reads .xlsx cell references without a regular expression; each is checked here against the rule written out
per value.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pandas as pd
import pytest

from matching.gazetteer import resolve_subdistrict
from matching.names import is_only_family_name, is_only_given_name, is_swapped_name
from matching.normalise import normalise_records
from termtem.xlsx_cells import _column_of, _Declined

AS_OF = dt.date(2025, 6, 1)
_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def _frame(**columns: list[object]) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    return pd.DataFrame({"source": ["school"] * n, "source_row": range(1, n + 1), **columns})


def test_swap_split_per_name_agrees_with_the_pair_rule() -> None:
    names = ["ใจดี", "สมหญิง", "สมชาย", "ทองดี", "ธนากร", "ชุมสาย", "", None]
    for given, family in itertools.product(names, repeat=2):
        assert is_swapped_name(given, family) == (is_only_family_name(given) and is_only_given_name(family))


def test_swapped_names_are_put_back_row_by_row() -> None:
    names = ["ใจดี", "สมหญิง", "สมชาย", "ทองดี", None]
    pairs = list(itertools.product(names, repeat=2)) * 2  # repeated pairs share codes
    out = normalise_records(_frame(given_name=[g for g, _ in pairs], family_name=[f for _, f in pairs]), AS_OF)
    for (given, family), written_given, written_family in zip(pairs, out["given_name"], out["family_name"],
                                                              strict=True):
        expected = (family, given) if is_swapped_name(given, family) else (given, family)
        assert (written_given, written_family) == expected


def test_area_codes_are_resolved_per_combination_exactly_as_per_row() -> None:
    rows = [("บางพลีใหญ่", "บางพลี", "สมุทรปราการ", "10540"), ("บางพลีใหญ่", "บางพลี", None, None),
            ("บางพลีใหญ่", None, "สมุทรปราการ", "10540"), ("ลาดยาว", "จตุจักร", "กรุงเทพมหานคร", None),
            ("ลาดยาว", "จตุจักร", "กรุงเทพมหานคร", "10900"), (None, "จตุจักร", "กรุงเทพมหานคร", None),
            ("ในเมือง", None, None, None), ("ในเมือง", "เมืองขอนแก่น", "ขอนแก่น", None), (None, None, None, None)]
    rows = rows + rows[::-1]
    out = normalise_records(_frame(**dict(zip(("subdistrict", "district", "province", "postcode"),
                                              map(list, zip(*rows, strict=True)), strict=True))), AS_OF)
    resolved = 0
    for parts, code in zip(rows, out["subdistrict_code"], strict=True):
        found = resolve_subdistrict(*parts)
        assert code == (found.subdistrict_code if found else None)
        resolved += found is not None
    assert resolved >= 6  # the rows are real places: the comparison is not of Nones only


@pytest.mark.parametrize("written", ["12345678901", "๑๒๓๔๕๖๗๘๙๐๑", "1234-5678-901", "1234 5678 901", "ABC45678901",
                                     "١٢٣٤٥٦٧٨٩٠١", "1234567890", "123456789012", "12345678901.0", "", None])
def test_house_code_fast_path_keeps_the_per_letter_rule(written: str | None) -> None:
    digits = "".join(c for c in (written or "").translate(_DIGITS) if c.isascii() and c.isalnum())
    expected = digits if len(digits) == 11 and digits.isdigit() else None
    assert normalise_records(_frame(house_code=[written]), AS_OF)["house_code"].iloc[0] == expected


@pytest.mark.parametrize("reference", ["A1", "Z9", "AB12", "XFD1048576", "a1", "A1B2", "AAAA1", "AB", "1", "ÀB1",
                                       "A12C", "AB 1"])
def test_cell_reference_fast_path_agrees_with_the_pattern(reference: str) -> None:
    letters = re.match(r"[A-Z]{1,3}(?=[0-9])", reference)
    if letters is None:
        with pytest.raises(_Declined):
            _column_of(reference)
        return
    expected = 0
    for letter in letters.group():
        expected = expected * 26 + ord(letter) - 64
    assert _column_of(reference) == expected
