"""Parsing of dates as Thai registries write them.

Rules, chosen to never guess silently:

* **Era.** A four-digit year above 2400 is Buddhist Era (BE = CE + 543); any other four-digit year is Common Era.
* **Two-digit years** are Buddhist Era, because Thai forms abbreviate the BE year (``66`` = 2566 = 2023). The
  century is the latest one that does not put the year after ``as_of``: with ``as_of`` in 2025 (BE 2568),
  ``00``–``68`` mean 2500–2568 BE and ``69``–``99`` mean 2469–2499 BE (1926–1956).
  Two-digit years beside an English month name (``15-Mar-87``) are Common Era, with the same pivot rule.
* **Layouts.** ``d/m/y`` with ``/``, ``-``, ``.`` or spaces (the Thai order); ``yyyy-mm-dd`` (ISO, also with ``/``);
  ``yyyymmdd``; a day, a Thai or English month name or abbreviation (``มี.ค.``, ``มีนาคม``, ``Mar``) and a year,
  glued or spaced, with optional ``วันที่``/``พ.ศ.``/``ค.ศ.``; a month and year alone; a year alone; an Excel
  serial day number (5 digits); any of these followed by a time (``2023-05-01 00:00:00``,
  ``15 มี.ค. 2530 10.30 น.``, ``เวลา 10.30``).
* **Day/month order.** Day first. Only when the second number cannot be a month (> 12) and the first can, the
  pair is read as month/day (a US-locale spreadsheet); no other swap is made.
* **Unknown parts.** Day or month written as ``00``, a month and year alone or a year alone become the 1st of the
  month / 1 January with flag ``day_uncertain``. Every 1 January is ``day_uncertain`` too: health-centre exports
  use it for an unknown birth day, so it must not weigh as an exact day when records are compared.
* **Impossible** dates (31/02, before 1900, more than a year after ``as_of``) give ``(None, "impossible")``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Final

#: Flags :func:`parse_date` returns, best first.
DATE_FLAGS: Final[tuple[str, ...]] = ("ok", "day_uncertain", "missing", "unparseable", "impossible")

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789", "\u200b\u200c\u200d\ufeff")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MIN_DATE = dt.date(1900, 1, 1)

_FULL_MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
                "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
_SHORT_MONTHS = ("มค", "กพ", "มีค", "เมย", "พค", "มิย", "กค", "สค", "กย", "ตค", "พย", "ธค")  # dots removed
_SPOKEN_MONTHS = ("มกรา", "กุมภา", "มีนา", "เมษา", "พฤษภา", "มิถุนา", "กรกฎา", "สิงหา", "กันยา", "ตุลา", "พฤศจิกา",
                  "ธันวา")
_EN_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS: Final[dict[str, int]] = {
    **{name: i for names in (_FULL_MONTHS, _SHORT_MONTHS, _SPOKEN_MONTHS, _EN_MONTHS) for i, name in
       enumerate(names, 1)},
    "กรกฏาคม": 7,  # the common misspelling with ฏ
    "กรกฏา": 7,
    "กุมภาพันธ": 2,  # a dropped thanthakhat
}

_MISSING_WORDS = frozenset({"", "-", "--", "nan", "nat", "none", "null", "n/a", "na", "ไม่ทราบ", "ไม่ระบุ"})
# A trailing time: "00:00:00", "T08:30:00Z", "10:30 น.", Thai "10.30 น." (a dot needs the น. or a leading เวลา,
# or "15.03.30" would lose its year) and "เวลา 10.30".
_TIME = re.compile(
    r"(?:t|\s+)(?:\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:z|[+-]\d{2}:?\d{2}|น\.?|am|pm)?|\d{1,2}\.\d{2}\s*น\.?)$"
    r"|\s*เวลา\s*\d{1,2}[.:]\d{2}(?:[.:]\d{2})?\s*(?:น\.?)?$"
)
_NOISE = re.compile(r"วันที่|เดือน|พ\.\s*ศ\.?|ค\.\s*ศ\.?|ปี|\b(?:b\.?e|a\.?d|c\.?e)\b\.?|,")
_SEP = r"\s*[-/.\s]\s*"
_ISO = re.compile(rf"(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})")
_DMY = re.compile(rf"(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{2}}|\d{{4}})")
_TEXT = re.compile(  # [day] month-name year, glued or separated
    r"(?:(\d{1,2})\s*[-/.\s]?\s*)?([\u0e01-\u0e4ea-z][\u0e01-\u0e4ea-z.\s]*?)\s*[-/.\s]?\s*(\d{2}|\d{4})"
)
_COMPACT = re.compile(r"\d{8}")
_YEAR = re.compile(r"\d{4}")
_SERIAL = re.compile(r"\d{5}(?:\.0+)?")


def _clean(raw: object) -> str:
    """Return the text lower-cased, Thai digits made ASCII, zero-width marks and a trailing time removed."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return ""
    text = " ".join(str(raw).translate(_THAI_DIGITS).lower().split())
    return _TIME.sub("", text).strip()


def _year(text: str, as_of: dt.date, *, buddhist: bool = True) -> int:
    """Turn a written year into a Common-Era year under the era rules in the module docstring.

    ``buddhist=False`` reads a two-digit year as Common Era, for dates with an English month name.
    """
    year = int(text)
    if len(text) == 2:
        latest = as_of.year + 543 if buddhist else as_of.year
        year += latest // 100 * 100 if year <= latest % 100 else latest // 100 * 100 - 100
        return year - 543 if buddhist else year
    return year - 543 if year > 2400 else year


def _month(text: str) -> int | None:
    """Look a month name or abbreviation up, ignoring dots and spaces (``มี.ค.``, ``มี.ค``, ``มีค``)."""
    key = text.replace(".", "").replace(" ", "")
    if key.isascii():  # "march", "mar"
        return _MONTHS.get(key[:3])
    return _MONTHS.get(key)


def _fields(text: str, as_of: dt.date) -> tuple[int, int, int] | None:
    """Split cleaned text into (year CE, month, day); 0 marks an unknown month or day."""
    if m := _ISO.fullmatch(text):
        return _year(m[1], as_of), int(m[2]), int(m[3])
    if m := _DMY.fullmatch(text):
        day, month = int(m[1]), int(m[2])
        if month > 12 >= day:
            day, month = month, day
        return _year(m[3], as_of), month, day
    if m := _COMPACT.fullmatch(text):
        if int(text[:4]) > 1800:
            return _year(text[:4], as_of), int(text[4:6]), int(text[6:])
        return _year(text[4:], as_of), int(text[2:4]), int(text[:2])
    if _YEAR.fullmatch(text):
        return _year(text, as_of), 0, 0
    if m := _TEXT.fullmatch(text):
        month = _month(m[2])
        if month is not None:
            return _year(m[3], as_of, buddhist=not m[2].isascii()), month, int(m[1] or 0)
    return None


def parse_date(raw: object, as_of: dt.date | None = None) -> tuple[dt.date | None, str]:
    """Parse a date as written in a Thai registry.

    Args:
        raw: The text as written (Thai or ASCII digits, BE or CE, any layout in the module docstring), or None.
        as_of: The date the data describes; it fixes the two-digit-year century and the future limit. Defaults
            to today.

    Returns:
        ``(date, flag)``; the date is Common Era, or None when the flag is ``missing``, ``unparseable`` or
        ``impossible``. ``day_uncertain`` keeps the date (the 1st of the month or 1 January).
    """
    as_of = as_of or dt.date.today()
    text = _clean(raw)
    if text in _MISSING_WORDS:
        return None, "missing"
    if _SERIAL.fullmatch(text):
        return _check(_EXCEL_EPOCH + dt.timedelta(days=int(float(text))), as_of, uncertain=False)
    fields = _fields(" ".join(_NOISE.sub(" ", text).split()), as_of)
    if fields is None:
        return None, "unparseable"
    year, month, day = fields
    if month == 0:  # a day without its month means nothing
        day = 0
    try:
        parsed = dt.date(year, month or 1, day or 1)
    except ValueError:
        return None, "impossible"
    return _check(parsed, as_of, uncertain=month == 0 or day == 0)


def _check(parsed: dt.date, as_of: dt.date, *, uncertain: bool) -> tuple[dt.date | None, str]:
    """Reject dates outside [1900-01-01, as_of + 1 year] and flag uncertain days."""
    try:
        latest = as_of.replace(year=as_of.year + 1)
    except ValueError:  # as_of is 29 February
        latest = as_of + dt.timedelta(days=365)
    if not _MIN_DATE <= parsed <= latest:
        return None, "impossible"
    if uncertain or (parsed.month == 1 and parsed.day == 1):
        return parsed, "day_uncertain"
    return parsed, "ok"
