"""Whether a social case is open at the run's as-of date, from the status and closing date volunteers write.

The missed-children rule for triaged families asks for an *open* case: a family whose case was closed has no one
following it up any more. Case notes carry the status as a word (เปิด, เปิดกรณี, ติดตาม, ปิดกรณี, ยุติ …) and,
for closed cases, the date it was closed. The date wins over the word because it is tied to the as-of date: a
case closed after the as-of date was still open on it, so re-running an old day gives that day's answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Final

import numpy as np
import pandas as pd

from matching.dates import parse_date
from matching.names import clean_thai_text

#: Status words meaning someone is following the case, as volunteers and case systems write them.
OPEN_STATUSES: Final[frozenset[str]] = frozenset({
    "เปิด", "เปิดกรณี", "เปิดเคส", "ติดตาม", "อยู่ระหว่างติดตาม", "กำลังติดตาม", "ดำเนินการ", "อยู่ระหว่างดำเนินการ",
    "รับเรื่อง", "open", "opened", "active", "ongoing", "followup", "follow-up",
})

#: Status words meaning the case is closed or ended.
CLOSED_STATUSES: Final[frozenset[str]] = frozenset({
    "ปิด", "ปิดกรณี", "ปิดเคส", "ปิดแล้ว", "ยุติ", "ยุติกรณี", "ยุติการช่วยเหลือ", "สิ้นสุด", "จบ", "closed", "close",
    "ended",
})


def status_is_open(text: str | None) -> bool | None:
    """True for an open status word, False for a closed one, None when blank or not understood."""
    key = clean_thai_text(text or "").lower().replace(" ", "").rstrip(".")
    if key in OPEN_STATUSES:
        return True
    if key in CLOSED_STATUSES:
        return False
    return None


def _per_distinct(values: pd.Series, func: Callable[[Any], Any]) -> tuple[np.ndarray, np.ndarray]:
    """``func`` of each distinct value, blank last, and each row's position in them (a registry repeats a few)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    results[:-1] = [func(value) for value in uniques]
    results[-1] = func(None)
    return results, codes


def case_columns(status: pd.Series, closed_on: pd.Series, as_of: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """The normalised ``case_open`` and ``case_closed_on`` columns of a record frame.

    Args:
        status: The case status as written (None where the source has none).
        closed_on: The date the case was closed as written (any layout :func:`matching.dates.parse_date` reads).
        as_of: The run's reference date.

    Returns:
        ``case_open`` (object array of True / False / None) and ``case_closed_on`` (``datetime64[ns]``, NaT when
        unknown). A closing date on or before ``as_of`` means closed and one after it open, whatever the status
        word says; without a date the status word decides; with neither the openness is unknown (None), which
        a rule requiring an open case does not count as open.
    """
    days, rows = _per_distinct(closed_on, lambda text: parse_date(text, as_of)[0])
    closed_on_day = pd.to_datetime(pd.Series(days, dtype=object)).to_numpy("datetime64[ns]")[rows]
    words, rows = _per_distinct(status, status_is_open)
    is_open = words[rows]
    dated = ~np.isnat(closed_on_day)
    after_as_of = closed_on_day > np.datetime64(as_of, "ns")
    is_open[dated] = after_as_of[dated].tolist()  # Python bools, like the status words give
    return is_open, closed_on_day
