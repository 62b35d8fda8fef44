"""Household history groups: the sorted integer grouping behind ``household_history`` equals pandas' own groupby."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matching.households import _sorted_groups


def _keys() -> pd.DataFrame:
    return pd.DataFrame({
        "golden_person_id": ["P2", "P1", "P2", "P1", "P1", "P3", "P2"],
        "golden_household_id": ["H9", None, "H9", "H1", None, "H1", np.nan],
        "dwelling": ["house:2", None, "house:2", "addr:1|2|3", None, "house:1", None],
        "source": ["school", "civil", "school", "civil", "health", "civil", "civil"]})


def test_groups_are_pandas_groups_in_pandas_order_with_missing_keys_last() -> None:
    keys = _keys()
    order, group = _sorted_groups(keys)
    expected = keys.groupby(list(keys.columns), sort=True, dropna=False).ngroup()
    assert group.tolist() == expected.iloc[order].tolist()
    assert np.all(np.diff(group) >= 0), "rows come out grouped, in group order"


def test_rows_of_one_group_share_every_key_and_different_groups_differ() -> None:
    keys = _keys()
    order, group = _sorted_groups(keys)
    ordered = keys.iloc[order].fillna("<missing>")
    per_group = ordered.groupby(group).nunique()
    assert (per_group == 1).all().all()
    assert len(ordered.drop_duplicates()) == group.max() + 1
