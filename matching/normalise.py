"""Frame-level normalisation: canonical text records in, typed and cleaned columns out.

Every cleaning function runs once per *distinct* value of its column (``pd.factorize``) and the results are
spread back with one array take, so the cost follows the number of distinct IDs, names, dates and addresses,
not the number of rows. Address areas are resolved once per distinct (subdistrict, district, province,
postcode) combination, found from the columns' integer codes rather than by hashing a tuple per row; the
given/family swap test runs once per distinct name on each side, since nearly every pair is distinct.

Where a value can come from two places the more specific one wins: a given/family name field over the split of
``full_name``; the title field over a title stripped from the name; the sex field over the title's sex hint; each
split address column, part by part, over what :func:`matching.addresses.parse_thai_address` reads from
``address_text``. A given and family name written in each other's fields are then put back where PyThaiNLP's
name lists show it (:func:`matching.names.is_swapped_name`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from matching.addresses import clean_house_no, clean_moo, parse_thai_address
from matching.canonical import NORMALISED_COLUMNS
from matching.case_status import case_columns
from matching.citizen_id import clean_citizen_id, parse_citizen_ids
from matching.dates import parse_date
from matching.gazetteer import resolve_subdistrict
from matching.names import (
    clean_thai_text,
    is_only_family_name,
    is_only_given_name,
    normalise_thai_name,
    phonetic_key,
    split_full_name,
    strip_title,
    title_sex,
)
from matching.romanise import romanise_names

_ADDRESS_PARTS = ("house_no", "moo", "subdistrict", "district", "province", "postcode")
_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SEX = {
    **dict.fromkeys(("m", "male", "man", "boy", "ช", "ชาย", "ผู้ชาย", "เพศชาย", "1"), "M"),
    **dict.fromkeys(("f", "female", "woman", "girl", "ญ", "หญิง", "ผู้หญิง", "เพศหญิง", "2"), "F"),
}
_TRIAGE = {
    **dict.fromkeys(("green", "g", "เขียว", "สีเขียว"), "green"),
    **dict.fromkeys(("yellow", "y", "เหลือง", "สีเหลือง"), "yellow"),
    **dict.fromkeys(("red", "r", "แดง", "สีแดง"), "red"),
}
_YES_NO = {
    **dict.fromkeys(("y", "yes", "true", "t", "1", "ใช่", "ได้รับ", "รับ", "มี"), True),
    **dict.fromkeys(("n", "no", "false", "f", "0", "ไม่ใช่", "ไม่ได้รับ", "ไม่รับ", "ไม่มี"), False),
}


def _word(text: str | None) -> str:
    """Reduce a coded value to a lookup key: cleaned, lower case, no spaces or dots, no Excel ``.0``."""
    key = clean_thai_text(text or "").lower().replace(" ", "").rstrip(".")
    return key.removesuffix(".0")


def _sex(text: str | None) -> str | None:
    return _SEX.get(_word(text)) or (title_sex(strip_title(text)[0]) if text else None)


def _triage(text: str | None) -> str | None:
    return _TRIAGE.get(_word(text))


def _child_grant(text: str | None) -> bool | None:
    return _YES_NO.get(_word(text))


def _house_code(text: str | None) -> str | None:
    digits = (text or "").translate(_DIGITS)
    if not (digits.isascii() and digits.isalnum()):  # else every letter is kept: no need to look at each
        digits = "".join(c for c in digits if c.isascii() and c.isalnum())
    return digits if len(digits) == 11 and digits.isdigit() else None


def _postcode(text: str | None) -> str | None:
    digits = "".join(c for c in (text or "").translate(_DIGITS) if c.isdigit())
    return digits if len(digits) == 5 else None


def _area(text: str | None) -> str | None:
    return clean_thai_text(text) or None if text else None


def _title_field(text: str | None) -> str | None:
    """A title field: its canonical form when known, else the cleaned text as the source wrote it."""
    return (strip_title(text)[0] or clean_thai_text(text) or None) if text else None


def _given_field(text: str | None) -> tuple[str | None, str | None]:
    """A given-name field can carry a glued title (``นายสมชาย``): return (title, cleaned name)."""
    title, rest = strip_title(text or "")
    return title, normalise_thai_name(rest) or None


def _full_name(text: str | None) -> tuple[str | None, str | None, str | None]:
    title, given, family = split_full_name(text or "")
    return title, given or None, family or None


def _name(text: str | None) -> str | None:
    return normalise_thai_name(text or "") or None


def _key(text: str | None) -> str | None:
    return phonetic_key(text) or None if text else None


def _romanised(*columns: np.ndarray) -> list[np.ndarray]:
    """Romanise name columns in one batch over their distinct names (the model is fastest on many words)."""
    codes, uniques = pd.factorize(np.concatenate(columns), use_na_sentinel=True)
    written = np.empty(len(uniques) + 1, dtype=object)
    written[:-1] = [text or None for text in romanise_names(list(uniques))]
    written[-1] = None
    return np.split(written[codes], np.cumsum([len(column) for column in columns[:-1]]))


def _map(values: pd.Series | np.ndarray, func: Callable[[Any], Any]) -> np.ndarray:
    """Apply ``func`` once per distinct value (None/NaN as one value) and spread results over the rows."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    for i, value in enumerate(uniques):
        results[i] = func(value if isinstance(value, str | tuple) else str(value))
    results[-1] = func(None)
    return results[codes]


def _map_many(values: pd.Series | np.ndarray, func: Callable[[Any], tuple[Any, ...]], width: int) -> list[np.ndarray]:
    """Like :func:`_map` for a function returning a ``width``-tuple: one array per tuple position."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    results = [func(v if isinstance(v, str | tuple) else str(v)) for v in uniques] + [func(None)]
    columns = []
    for j in range(width):
        column = np.empty(len(results), dtype=object)
        column[:] = [r[j] for r in results]
        columns.append(column[codes])
    return columns


def _map_rows(arrays: tuple[np.ndarray, ...], func: Callable[..., tuple[Any, ...]], width: int) -> list[np.ndarray]:
    """Like :func:`_map_many` over the rows of several arrays of text and None: ``func(a, b, ...)`` once per
    distinct combination, which is found by combining each column's integer codes (hashing Python tuples of
    strings for every row costs several times more)."""
    combined = np.zeros(len(arrays[0]), dtype=np.int64)
    for array in arrays:
        codes, uniques = pd.factorize(array, use_na_sentinel=True)
        combined, _ = pd.factorize(combined * (len(uniques) + 1) + codes + 1)  # refactorised: never overflows
    count = int(combined.max()) + 1 if len(combined) else 0
    first = np.empty(count, dtype=np.int64)
    first[combined[::-1]] = np.arange(len(combined) - 1, -1, -1)  # each combination's first row
    results = [func(*values) for values in zip(*(array[first] for array in arrays), strict=True)]
    columns = []
    for j in range(width):
        column = np.empty(count, dtype=object)
        column[:] = [result[j] for result in results]
        columns.append(column[combined])
    return columns


def _first(*arrays: np.ndarray) -> np.ndarray:
    """Row by row, the first value that is not None."""
    result = arrays[0].copy()
    for other in arrays[1:]:
        missing = pd.isna(result)
        result[missing] = other[missing]
    return result


def _date_parser(as_of: dt.date) -> Callable[[str | None], tuple[np.datetime64, str]]:
    def parse(text: str | None) -> tuple[np.datetime64, str]:
        day, flag = parse_date(text, as_of)
        return (np.datetime64(day, "D") if day else np.datetime64("NaT", "D")), flag

    return parse


def _address_parts(text: str | None) -> tuple[str | None, ...]:
    p = parse_thai_address(text or "")
    return p.house_no, p.moo, p.subdistrict, p.district, p.province, p.postcode


def _resolve(*parts: str | None) -> tuple[str | None, str | None, str | None]:
    found = resolve_subdistrict(*parts)
    return (found.subdistrict_code, found.district_code, found.province_code) if found else (None, None, None)


def normalise_records(canonical: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Derive the normalised record frame from a canonical one.

    Args:
        canonical: ``source``, ``source_row`` and any subset of the canonical fields, all text with None/NaN
            for missing; a missing column counts as all missing.
        as_of: The date the data describes: fixes two-digit years and the future limit for dates.

    Returns:
        Exactly the columns of :data:`matching.canonical.NORMALISED_COLUMNS`, in that order, with the same
        index and row order as ``canonical``.
    """
    n = len(canonical)

    def col(name: str) -> pd.Series:
        if name in canonical:
            return canonical[name].astype(object)
        return pd.Series(np.full(n, None, dtype=object), index=canonical.index)

    out: dict[str, Any] = {"source": canonical["source"].to_numpy(), "source_row": canonical["source_row"].to_numpy()}
    out["record_key"] = col("record_key").where(col("record_key").notna(), None).to_numpy()
    codes, distinct = pd.factorize(col("citizen_id"), use_na_sentinel=True)
    written = np.empty(len(distinct) + 1, dtype=object)  # as in _map: text as is, anything else as str
    written[:-1] = [value if isinstance(value, str) else str(value) for value in distinct]
    parsed = parse_citizen_ids(written)
    out["citizen_id"], out["citizen_id_valid"], out["citizen_id_kind"] = (column[codes] for column in parsed)

    full_title, full_given, full_family = _map_many(col("full_name"), _full_name, 3)
    given_title, given = _map_many(col("given_name"), _given_field, 2)
    out["title"] = _first(_map(col("title"), _title_field), given_title, full_title)
    given, family = _first(given, full_given), _first(_map(col("family_name"), _name), full_family)
    # is_swapped_name, one test per distinct name on each side
    swapped = _map(given, is_only_family_name).astype(bool) & _map(family, is_only_given_name).astype(bool)
    out["given_name"], out["family_name"] = np.where(swapped, family, given), np.where(swapped, given, family)
    out["nickname"] = _map(col("nickname"), _name)
    out["given_key"] = _map(out["given_name"], _key)
    out["family_key"] = _map(out["family_name"], _key)
    # The romaniser spends its time in numpy, which lets go of the GIL: it runs beside the rest, in pure Python.
    with ThreadPoolExecutor(max_workers=1) as romanising:
        romanised = romanising.submit(_romanised, out["given_name"], out["family_name"])
        out["sex"] = _first(_map(col("sex"), _sex), _map(out["title"], title_sex))
        birth, out["birth_date_flag"] = _map_many(col("birth_date"), _date_parser(as_of), 2)
        out["birth_date"] = birth.astype("datetime64[ns]")
        out["house_code"] = _map(col("house_code"), _house_code)

        from_text = dict(zip(_ADDRESS_PARTS, _map_many(col("address_text"), _address_parts, 6), strict=True))
        out["house_no"] = _first(_map(col("house_no"), clean_house_no), from_text["house_no"])
        out["moo"] = _first(_map(col("moo"), clean_moo), from_text["moo"])
        areas = [_first(_map(col(f), _area), from_text[f]) for f in ("subdistrict", "district", "province")]
        areas.append(_first(_map(col("postcode"), _postcode), from_text["postcode"]))
        codes = _map_rows(tuple(areas), _resolve, 3)
        out["subdistrict_code"], out["district_code"], out["province_code"] = codes

        for field in ("mother_citizen_id", "father_citizen_id", "guardian_citizen_id"):
            out[field] = _map(col(field), clean_citizen_id)
        out["household_ref"] = col("household_ref").where(col("household_ref").notna(), None).to_numpy()
        out["triage"] = _map(col("triage"), _triage)
        out["case_open"], out["case_closed_on"] = case_columns(col("case_status"), col("case_closed_on"), as_of)
        out["child_grant"] = _map(col("child_grant"), _child_grant)
        out["recorded_on"] = _map_many(col("recorded_on"), _date_parser(as_of), 1)[0].astype("datetime64[ns]")
        out["given_rom"], out["family_rom"] = romanised.result()
    return pd.DataFrame({c: out[c] for c in NORMALISED_COLUMNS}, index=canonical.index)
