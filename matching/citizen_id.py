"""Clean-up and classification of Thai 13-digit citizen IDs.

Registries write the same ID with dashes (``1-1017-00203-45-1``), spaces, Thai digits or as an Excel number that
lost its leading zero or gained a ``.0``. Linkage needs one form, so every ID is reduced to 13 ASCII digits.

An ID whose check digit is wrong is *kept* (``valid`` False, kind ``invalid``): a single typo still agrees with the
true ID on 12 digits, which the fuzzy linkage can use. IDs starting with 0 (people without registration status or
nationality) and 9 are never rejected: stateless and migrant children are exactly the people most often missed.
A school "G-code" (``G`` + 12 digits) identifies a learner inside education only, so it is recognised and
reported as kind ``g_code`` but never returned as a citizen ID.
"""

from __future__ import annotations

import math
import operator
import re
from typing import NamedTuple

import numpy as np

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Everything people put between digit groups: spaces of every kind, dashes, dots, slashes, zero-width marks.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−_.,/\\'\"\u200b\u200c\u200d\ufeff\u00a0]+")
# Excel turns a numeric ID into "1101700203451.0".
_EXCEL_FLOAT = re.compile(r"(\d{12,13})\.0+")
_G_CODE = re.compile(r"G\d{12}")
_WEIGHTS = tuple(range(13, 1, -1))
_ZERO_OFFSET = ord("0") * sum(_WEIGHTS)

_NOT_VALID = frozenset({"invalid", "g_code", "missing"})

#: First digit → category, per the Department of Provincial Administration's numbering.
_KIND_BY_FIRST_DIGIT = {
    "0": "stateless",
    "1": "thai",
    "2": "thai",
    "3": "thai",
    "4": "thai",
    "5": "thai",
    "6": "migrant",
    "7": "migrant",
    "8": "naturalised",
}


class CitizenId(NamedTuple):
    """The cleaned ID with its checksum verdict and category."""

    citizen_id: str | None
    valid: bool
    kind: str


def _compact(raw: object) -> str:
    """Return ``raw`` as text with Thai digits made ASCII and every separator removed."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return ""
    text = str(raw).strip().translate(_THAI_DIGITS)
    excel = _EXCEL_FLOAT.fullmatch(text)
    if excel:
        text = excel.group(1)
    return _SEPARATORS.sub("", text).upper()


def compute_check_digit(first12: str) -> int:
    """Compute the 13th digit of a citizen ID from its first 12 digits.

    Args:
        first12: Exactly 12 ASCII digits.

    Returns:
        ``(11 - sum(d_i * (14 - i)) mod 11) mod 10`` for i = 1..12.

    Raises:
        ValueError: If ``first12`` is not 12 ASCII digits.
    """
    if len(first12) != 12 or not first12.isascii() or not first12.isdigit():
        raise ValueError(f"need 12 ASCII digits, got {first12!r}")
    total = sum(map(operator.mul, first12.encode(), _WEIGHTS)) - _ZERO_OFFSET  # bytes are ASCII codes
    return (11 - total % 11) % 10


def is_valid_citizen_id(citizen_id: str | None) -> bool:
    """Tell whether a cleaned ID has 13 ASCII digits and the right check digit."""
    if not citizen_id or len(citizen_id) != 13 or not citizen_id.isascii() or not citizen_id.isdigit():
        return False
    return compute_check_digit(citizen_id[:12]) == int(citizen_id[12])


def clean_citizen_id(raw: object) -> str | None:
    """Reduce an ID as written to 13 ASCII digits.

    A 12-digit value is taken as an ID that lost its leading zero in a spreadsheet only when ``"0" + value``
    passes the checksum, since that is how stateless people's IDs (first digit 0) get damaged.

    Args:
        raw: The ID as the source wrote it (text, number, None or NaN).

    Returns:
        13 digits (checksum not required), or None when the value holds no 13-digit ID.
    """
    if isinstance(raw, str) and len(raw) == 13 and raw.isascii() and raw.isdigit():
        return raw  # already clean: the common case, kept fast
    text = _compact(raw)
    if not text.isascii() or not text.isdigit():
        return None
    if len(text) == 13:
        return text
    if len(text) == 12 and is_valid_citizen_id("0" + text):
        return "0" + text
    return None


def citizen_id_kind(citizen_id: str | None, *, raw: object = None) -> str:
    """Classify a cleaned ID by its first digit.

    Args:
        citizen_id: Output of :func:`clean_citizen_id`.
        raw: The original value, consulted only when ``citizen_id`` is None to recognise a school G-code.

    Returns:
        ``thai``, ``migrant``, ``naturalised``, ``stateless``, ``other`` (first digit 9), ``invalid`` (wrong
        check digit), ``g_code`` or ``missing``.
    """
    if citizen_id is None:
        return "g_code" if _G_CODE.fullmatch(_compact(raw)) else "missing"
    if not is_valid_citizen_id(citizen_id):
        return "invalid"
    return _KIND_BY_FIRST_DIGIT.get(citizen_id[0], "other")


def parse_citizen_id(raw: object) -> CitizenId:
    """Clean, validate and classify an ID in one call (what the frame-level normaliser uses)."""
    cleaned = clean_citizen_id(raw)
    kind = citizen_id_kind(cleaned, raw=raw)
    return CitizenId(cleaned, kind not in _NOT_VALID, kind)


def parse_citizen_ids(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`parse_citizen_id` over many values at once: (IDs, valid flags, kinds) as arrays.

    Most values of a registry are already 13 ASCII digits; their check digits are computed together in numpy,
    which costs a small fraction of one Python call per ID. Every other value goes through
    :func:`parse_citizen_id`, so the results are the same value for value.

    Args:
        values: An object array of IDs as written (text, numbers, None or NaN).

    Returns:
        Object array of cleaned IDs (None where there is none), bool array of validity, object array of kinds.
    """
    count = len(values)
    ids, valid, kinds = np.empty(count, dtype=object), np.zeros(count, dtype=bool), np.empty(count, dtype=object)
    clean = np.fromiter((isinstance(value, str) and len(value) == 13 and value.isascii() and value.isdigit()
                         for value in values), dtype=bool, count=count)
    if clean.any():
        digits = np.frombuffer("".join(values[clean]).encode("ascii"), dtype=np.uint8).reshape(-1, 13) - ord("0")
        check = (11 - (digits[:, :12].astype(np.int64) @ np.array(_WEIGHTS)) % 11) % 10
        right = check == digits[:, 12]
        first = digits[:, 0]
        by_digit = np.array([_KIND_BY_FIRST_DIGIT.get(str(digit), "other") for digit in range(10)], dtype=object)
        ids[clean], valid[clean] = values[clean], right
        kinds[clean] = np.where(right, by_digit[first], "invalid")
    for position in np.flatnonzero(~clean):
        ids[position], valid[position], kinds[position] = parse_citizen_id(values[position])
    return ids, valid, kinds
