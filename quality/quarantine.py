"""Quarantine: rows that cannot be used for linkage are set aside with a reason, never dropped.

Every source row ends either in the linkable records or in the quarantine, which the accounting check
(:func:`account_rows`) proves on every run. A row is quarantined when ingest could not map it onto the canonical
schema (its ``read_problem``), when it carries no identifying field at all, or when it carries some but none of
them yields a citizen ID, a G-code or a name after normalisation.
"""

from __future__ import annotations

import json
from enum import StrEnum

import numpy as np
import pandas as pd

from matching.canonical import CANONICAL_FIELDS, IDENTIFYING_FIELDS


class QuarantineReason(StrEnum):
    """Why a row could not be used. The value is the code stored in the quarantine table."""

    #: The row has more or fewer cells than the header: which value belongs to which column is unknown.
    WRONG_SHAPE = "wrong_shape"
    #: Some bytes of the row are not valid in the file's encoding (kept as ``\\xNN`` escapes).
    UNDECODABLE_TEXT = "undecodable_text"
    #: A cell is longer than ``ingest.max_field_chars`` in ``config/quality.yaml``: not a registry value.
    OVERSIZED_FIELD = "oversized_field"
    #: Every identifying field (citizen ID, names, nickname) is blank.
    NO_IDENTIFYING_FIELD = "no_identifying_field"
    #: Identifying fields are filled, but none gives a citizen ID, a G-code or a name once cleaned.
    UNPARSEABLE_IDENTIFIERS = "unparseable_identifiers"


#: Reasons ingest itself gives, for rows it read but could not map onto the canonical schema.
READ_PROBLEMS: tuple[QuarantineReason, ...] = (
    QuarantineReason.UNDECODABLE_TEXT, QuarantineReason.WRONG_SHAPE, QuarantineReason.OVERSIZED_FIELD)

#: Columns ingest adds beside the canonical ones: the read problem of a row, and its cells as found (JSON)
#: when the problem kept it from being mapped.
READ_PROBLEM_COLUMNS: tuple[str, ...] = ("read_problem", "raw_cells")

QUARANTINE_COLUMNS: tuple[str, ...] = ("source", "source_row", "reason", "raw_values")

_NORMALISED_IDENTIFIERS = ("citizen_id", "given_name", "family_name", "nickname")


def quarantine_reasons(raw: pd.DataFrame, normalised: pd.DataFrame) -> pd.Series:
    """Give each row its quarantine reason, or none when the row is usable.

    Args:
        raw: Rows as read by ingest (text values, ``None`` for blanks, optionally ``read_problem``).
        normalised: The same rows after normalisation, in the same order.

    Returns:
        A Series aligned with ``raw`` holding a :class:`QuarantineReason` value or a missing value (test with
        ``notna``); a read problem wins over the identifier tests, because the row's fields were never mapped.
    """
    present = [field for field in IDENTIFYING_FIELDS if field in raw.columns]
    has_identifier = raw[present].notna().any(axis=1).to_numpy() if present else np.zeros(len(raw), bool)
    parsed = normalised[[field for field in _NORMALISED_IDENTIFIERS if field in normalised.columns]].notna()
    usable = parsed.any(axis=1).to_numpy()
    if "citizen_id_kind" in normalised:
        usable |= normalised["citizen_id_kind"].eq("g_code").to_numpy()
    reasons = pd.Series(None, index=raw.index, dtype=object)
    reasons[~has_identifier] = QuarantineReason.NO_IDENTIFYING_FIELD.value
    reasons[has_identifier & ~usable] = QuarantineReason.UNPARSEABLE_IDENTIFIERS.value
    if "read_problem" in raw.columns:
        problems = raw["read_problem"].notna()
        reasons[problems] = raw.loc[problems, "read_problem"]
    return reasons


def quarantine_rows(canonical: pd.DataFrame, reasons: pd.Series) -> pd.DataFrame:
    """Build quarantine-table rows (source, row number, reason, raw values as JSON) for the flagged rows.

    A row ingest could not map keeps its cells exactly as found (``raw_cells``, keyed by the export's own
    column names); any other row keeps its canonical fields as read.
    """
    flagged = canonical[reasons.notna()]
    fields = [field for field in CANONICAL_FIELDS if field in flagged.columns]
    raw_values = [
        json.dumps({field: value for field, value in zip(fields, row, strict=True) if value is not None},
                   ensure_ascii=False)
        for row in flagged[fields].itertuples(index=False, name=None)
    ]
    if "raw_cells" in flagged.columns:
        cells = flagged["raw_cells"].to_numpy(dtype=object)
        raw_values = [found if found is not None else mapped for found, mapped in zip(cells, raw_values, strict=True)]
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
