"""Quarantine: rows that cannot be used for linkage are set aside with a reason, never dropped.

Every source row ends either in the linkable records or in the quarantine, which the accounting check
(:func:`account_rows`) proves on every run.
"""

from __future__ import annotations

import json
from enum import StrEnum

import pandas as pd

from matching.canonical import CANONICAL_FIELDS, IDENTIFYING_FIELDS


class QuarantineReason(StrEnum):
    """Why a row could not be used. The value is the code stored in the quarantine table."""

    NO_IDENTIFYING_FIELD = "no_identifying_field"


QUARANTINE_COLUMNS: tuple[str, ...] = ("source", "source_row", "reason", "raw_values")


def quarantine_reasons(canonical: pd.DataFrame) -> pd.Series:
    """Give each canonical row its quarantine reason, or ``None`` when the row is usable.

    Args:
        canonical: Rows as read by ingest (text values, ``None`` for blanks).

    Returns:
        A Series aligned with ``canonical`` holding a :class:`QuarantineReason` value or ``None``.
    """
    present = [field for field in IDENTIFYING_FIELDS if field in canonical.columns]
    has_identifier = canonical[present].notna().any(axis=1) if present else pd.Series(False, canonical.index)
    reasons = pd.Series(None, index=canonical.index, dtype=object)
    reasons[~has_identifier] = QuarantineReason.NO_IDENTIFYING_FIELD.value
    return reasons


def quarantine_rows(canonical: pd.DataFrame, reasons: pd.Series) -> pd.DataFrame:
    """Build quarantine-table rows (source, row number, reason, raw values as JSON) for the flagged rows."""
    flagged = canonical[reasons.notna()]
    fields = [field for field in CANONICAL_FIELDS if field in flagged.columns]
    raw_values = [
        json.dumps({field: value for field, value in zip(fields, row, strict=True) if value is not None},
                   ensure_ascii=False)
        for row in flagged[fields].itertuples(index=False, name=None)
    ]
    return pd.DataFrame({
        "source": flagged["source"].to_numpy(),
        "source_row": flagged["source_row"].to_numpy(),
        "reason": reasons[reasons.notna()].to_numpy(),
        "raw_values": raw_values,
    }, columns=list(QUARANTINE_COLUMNS))


def account_rows(rows_in: dict[str, int], linked: pd.Series, quarantined: pd.Series) -> pd.DataFrame:
    """Prove rows in = rows linked + rows quarantined for every source.

    Args:
        rows_in: Rows read per source.
        linked: The ``source`` column of every record that reached the cross-reference.
        quarantined: The ``source`` column of every quarantined row.

    Returns:
        One row per source with the three counts and ``balanced`` (True when nothing was lost or doubled).
    """
    linked_counts = linked.value_counts()
    quarantined_counts = quarantined.value_counts()
    table = pd.DataFrame({
        "source": list(rows_in),
        "rows_in": list(rows_in.values()),
        "rows_linked": [int(linked_counts.get(source, 0)) for source in rows_in],
        "rows_quarantined": [int(quarantined_counts.get(source, 0)) for source in rows_in],
    })
    table["balanced"] = table["rows_in"] == table["rows_linked"] + table["rows_quarantined"]
    return table
