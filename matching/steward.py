"""Steward decisions as must-link and cannot-link constraints on record pairs.

A steward reviews a pair and says the two records are the ``same`` person, ``different`` people, or is
``unsure``. The newest decision on a pair wins (a later ``unsure`` withdraws an earlier verdict). ``same`` makes the
pair a link whatever the model says; ``different`` makes it a non-link and forbids clustering from ever putting the
two records in one person, even through other links. Decisions name records by their stable ``record_id``
(``source:source_row``), so they survive re-runs that renumber positions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Steward verdicts.
SAME, DIFFERENT, UNSURE = "same", "different", "unsure"


@dataclass(frozen=True)
class StewardPairs:
    """The steward verdicts in force, as record positions.

    Attributes:
        left: Smaller position of each decided pair.
        right: Larger position.
        same: True for a must-link, False for a cannot-link.
        unknown_records: Decisions ignored because a record is no longer among the linkable records.
    """

    left: np.ndarray
    right: np.ndarray
    same: np.ndarray
    unknown_records: int

    @property
    def cannot_link(self) -> tuple[np.ndarray, np.ndarray]:
        """Left and right positions of the cannot-link pairs."""
        return self.left[~self.same], self.right[~self.same]


def steward_pairs(decisions: pd.DataFrame, record_ids: pd.Series) -> StewardPairs:
    """Resolve decisions to the verdict in force per pair of linkable records.

    Args:
        decisions: Steward decisions (``termtem.golden_store.steward_decisions``; only ``left_record_id``,
            ``right_record_id``, ``decision``, ``decided_at`` and ``decision_id`` are read).
        record_ids: ``record_id`` of each linkable record, by position.

    Returns:
        Must-link and cannot-link pairs by position.

    Raises:
        ValueError: A decision is not one of ``same``, ``different``, ``unsure``.
    """
    unexpected = set(decisions["decision"].dropna()) - {SAME, DIFFERENT, UNSURE}
    if unexpected or decisions["decision"].isna().any():
        raise ValueError(f"steward decisions must be same, different or unsure; got {sorted(map(str, unexpected))}"
                         f"{' and missing values' if decisions['decision'].isna().any() else ''}")
    position = pd.Series(np.arange(len(record_ids)), index=record_ids.to_numpy())
    a = decisions["left_record_id"].map(position)
    b = decisions["right_record_id"].map(position)
    known = a.notna() & b.notna() & (a != b)
    frame = pd.DataFrame({"left": np.minimum(a, b)[known].astype(np.int64),
                          "right": np.maximum(a, b)[known].astype(np.int64),
                          "decision": decisions["decision"][known],
                          "decided_at": decisions["decided_at"][known],
                          "decision_id": decisions["decision_id"][known]})
    latest = frame.sort_values(["decided_at", "decision_id"], kind="stable").drop_duplicates(
        ["left", "right"], keep="last")
    verdicts = latest[latest["decision"] != UNSURE].sort_values(["left", "right"])
    return StewardPairs(verdicts["left"].to_numpy(np.int64), verdicts["right"].to_numpy(np.int64),
                        (verdicts["decision"] == SAME).to_numpy(bool), int((~known).sum()))
