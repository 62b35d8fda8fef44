"""Normalisation of a whole generated sample against its ground truth, with the figures of ``bench.normalise``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bench.normalise import address_figures, key_figures, labelled_rows, name_pairs, swap_figures


@pytest.fixture(scope="module")
def labelled(generated_sample: Path) -> pd.DataFrame:
    return labelled_rows(generated_sample)


def test_current_addresses_resolve_to_the_true_subdistrict(labelled: pd.DataFrame) -> None:
    figures = address_figures(labelled)
    assert figures["rows"] > 1000
    assert figures["correct"] >= 0.98
    assert figures["wrong"] <= 0.001


def test_swapped_names_are_put_back_and_no_others_swapped(labelled: pd.DataFrame) -> None:
    figures = swap_figures(labelled)
    assert figures["swapped"] > 0
    assert figures["put_back"] >= 0.75
    assert figures["wrongly_swapped"] == 0


def test_the_default_key_keeps_respellings_together_with_fine_buckets(labelled: pd.DataFrame) -> None:
    shares = key_figures(name_pairs(labelled))
    ours, respelt, strangers = "termtem phonetic_key", shares["same person, phonetic"], shares["different people"]
    assert respelt[ours] >= respelt["lk82"]
    assert respelt[ours] >= 0.7
    assert strangers[ours] <= min(0.001, strangers["metasound"])
