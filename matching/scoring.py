"""Deterministic pair scoring: exact citizen ID, or exact cleaned name plus birth date.

This is the baseline matcher. It is deliberately strict, so its links are trustworthy and its misses (typos,
mistyped IDs) are what the probabilistic model improves on; the accuracy benchmark measures both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Score given to a pair linked by each rule.
RULE_SCORES: dict[str, float] = {"citizen_id": 1.0, "name_birth_date": 0.95}


def _same(records: pd.DataFrame, column: str, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    values = records[column].to_numpy(object)
    a, b = values[left], values[right]
    return pd.notna(a) & pd.notna(b) & (a == b)


def score_pairs_by_rules(records: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Decide each candidate pair with the baseline rules.

    Args:
        records: Normalised records indexed by position (see :mod:`matching.blocking`).
        pairs: Candidate pairs with ``left`` and ``right`` positions.

    Returns:
        ``pairs`` with ``rule`` (the rule that linked it, or ``None``), ``score`` and ``decision``
        (``link`` or ``non_link``).
    """
    left = pairs["left"].to_numpy()
    right = pairs["right"].to_numpy()
    valid = records["citizen_id_valid"].fillna(False).to_numpy(bool)
    same_id = _same(records, "citizen_id", left, right) & valid[left] & valid[right]
    ids = records["citizen_id"].to_numpy(object)
    conflicting_ids = valid[left] & valid[right] & (ids[left] != ids[right])
    same_name_dob = (_same(records, "given_name", left, right) & _same(records, "family_name", left, right)
                     & _same(records, "birth_date", left, right) & ~conflicting_ids)

    rule = np.where(same_id, "citizen_id", np.where(same_name_dob, "name_birth_date", None))
    score = np.select([same_id, same_name_dob], [RULE_SCORES["citizen_id"], RULE_SCORES["name_birth_date"]], 0.0)
    scored = pairs.copy()
    scored["rule"] = rule
    scored["score"] = score
    scored["decision"] = np.where(rule != None, "link", "non_link")  # noqa: E711 (elementwise on objects)
    return scored
