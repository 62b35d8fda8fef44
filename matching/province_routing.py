"""Routing of raw registry rows to a province partition, before normalisation, so each province normalises alone.

Normalisation (:func:`matching.normalise.normalise_records`) works row by row, so a row gives the same normalised
values whichever partition normalises it: the route decides only how the work is shared out, never the result.
It must therefore be cheap (it runs on every row of every registry, in one step) and deterministic, not exact.
It reads, in this order, the first clue a row gives:

1. ``province``: the province field, an exact name or a short form the gazetteer knows (กทม, จ.สตูล);
2. ``address_text``: the last word of the free-text address that is exactly a province name (จ.อ่างทอง);
3. ``postcode``: the postcode field, or the last five-digit number of the address text, when every
   subdistrict sharing it lies in one province;
4. ``house_code``: the first two digits of an 11-digit house code (the registration office's province);

and :data:`~matching.provinces.UNKNOWN_PROVINCE` when none decides. No fuzzy matching and no full address
parsing: those are normalisation's work, and a misrouted row only lands in another province's batch. The
normalised ``province_code`` (which :mod:`matching.provinces` partitions linkage by) can therefore differ from the
route; the normalisation step reports how often.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import NamedTuple

import geothai
import numpy as np
import pandas as pd

from matching.gazetteer import area_key, gazetteer
from matching.provinces import UNKNOWN_PROVINCE

#: The clues in the order they are tried; a row's method is the first that gave a province, or ``unknown``.
METHODS: tuple[str, ...] = ("province", "address_text", "postcode", "house_code", UNKNOWN_PROVINCE)
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_POSTCODE = re.compile(r"(?<!\d)[1-9]\d{4}(?!\d)")
_HOUSE_CODE = re.compile(r"\d{11}")


class Routing(NamedTuple):
    """Per row, its partition key and the method (one of :data:`METHODS`) that chose it."""

    provinces: np.ndarray
    methods: np.ndarray


@cache
def _postcode_provinces() -> dict[str, str]:
    """Postcode → its province code, for the postcodes used in one province only (most; a few span two)."""
    seen: dict[str, set[str]] = {}
    for province in geothai.provinces():
        for district in geothai.districts(province.code):
            for subdistrict in geothai.subdistricts(district.code):
                for postcode in subdistrict.postal_codes:
                    seen.setdefault(postcode, set()).add(subdistrict.province_code)
    return {postcode: codes.pop() for postcode, codes in seen.items() if len(codes) == 1}


def _province_of_name(text: str) -> str | None:
    return gazetteer().provinces.get(area_key(text))


def _province_in_address(text: str) -> str | None:
    """The province of the last word of an address that names one exactly (``จ.`` and ``จังหวัด`` allowed)."""
    provinces = gazetteer().provinces
    for word in reversed(text.split()):
        code = provinces.get(area_key(word))
        if code:
            return code
    return None


def _province_of_postcode(text: str) -> str | None:
    """The province of the last five-digit number of a postcode field or an address, if only one has it."""
    found = _POSTCODE.findall(text.translate(_THAI_DIGITS))
    return _postcode_provinces().get(found[-1]) if found else None


def _province_of_house_code(text: str) -> str | None:
    digits = "".join(text.translate(_THAI_DIGITS).split()).replace("-", "")
    return digits[:2] if _HOUSE_CODE.fullmatch(digits) and digits[:2] in _province_codes() else None


@cache
def _province_codes() -> frozenset[str]:
    return frozenset(province.code for province in geothai.provinces())


def _per_distinct(values: pd.Series, func: Callable[[str], str | None]) -> np.ndarray:
    """``func`` of every row's text, computed once per distinct value; None where the value is missing."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    results[:-1] = [func(value if isinstance(value, str) else str(value)) for value in uniques]
    return results[codes]


def route_provinces(raw: pd.DataFrame) -> Routing:
    """Give every raw row its province partition key and the clue that decided it (module docstring).

    Args:
        raw: Rows as ingest reads them (canonical fields as text, None for blanks); a missing column counts as
            blank.

    Returns:
        The partition keys (province codes or ``unknown``) and methods, aligned with the rows.
    """
    provinces = np.full(len(raw), None, dtype=object)
    methods = np.full(len(raw), UNKNOWN_PROVINCE, dtype=object)
    clues = (("province", "province", _province_of_name), ("address_text", "address_text", _province_in_address),
             ("postcode", "postcode", _province_of_postcode), ("postcode", "address_text", _province_of_postcode),
             ("house_code", "house_code", _province_of_house_code))
    for method, column, find in clues:
        open_rows = np.flatnonzero(pd.isna(provinces))
        if not len(open_rows) or column not in raw:
            continue
        found = _per_distinct(raw[column].iloc[open_rows], find)
        decided = pd.notna(found)
        provinces[open_rows[decided]] = found[decided]
        methods[open_rows[decided]] = method
    provinces[pd.isna(provinces)] = UNKNOWN_PROVINCE
    return Routing(provinces, methods)
