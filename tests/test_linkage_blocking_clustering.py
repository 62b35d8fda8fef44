"""Pure-function tests for blocking passes and constrained clustering."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from matching.blocking import BlockingPass, block_pairs
from matching.clustering import cluster_records, valid_citizen_ids
from matching.evaluation import pairwise_cluster_scores

VALID_A = "1101700203451"
VALID_B = "3100600454621"
PASSES = (BlockingPass("citizen_id", ("citizen_id",)),
          BlockingPass("name_birth_date", ("given_name", "family_name", "birth_date")))


@dataclass(frozen=True)
class Limits:
    max_size: int = 50
    min_density: float = 0.0


def _records(rows: list[dict]) -> pd.DataFrame:
    columns = ["source", "source_row", "citizen_id", "citizen_id_valid", "given_name", "family_name", "birth_date"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["birth_date"] = pd.to_datetime(frame["birth_date"])
    frame["record_id"] = frame["source"] + ":" + frame["source_row"].astype(str)
    return frame


def test_blocking_unions_passes_and_names_them() -> None:
    records = _records([
        {"source": "a", "source_row": 1, "citizen_id": VALID_A, "citizen_id_valid": True,
         "given_name": "สมชาย", "family_name": "ใจดี", "birth_date": "2015-03-15"},
        {"source": "b", "source_row": 1, "citizen_id": VALID_A, "citizen_id_valid": True,
         "given_name": "สมชาย", "family_name": "ใจดี", "birth_date": "2015-03-15"},
        {"source": "c", "source_row": 1, "citizen_id": None, "citizen_id_valid": False,
         "given_name": "สมชาย", "family_name": "ใจดี", "birth_date": "2015-03-15"},
        {"source": "c", "source_row": 2, "citizen_id": None, "citizen_id_valid": False,
         "given_name": "สมหญิง", "family_name": "ใจดี", "birth_date": None},
    ])
    pairs, report = block_pairs(records, PASSES, max_block_size=100)
    assert pairs[["left", "right"]].values.tolist() == [[0, 1], [0, 2], [1, 2]]
    assert pairs["passes"].astype(str).tolist() == ["citizen_id,name_birth_date", "name_birth_date", "name_birth_date"]
    assert report.pairs_per_pass == {"citizen_id": 1, "name_birth_date": 3}
    assert report.total_pairs == 3
    assert report.reduction_ratio == 1 - 3 / 6


def test_oversized_blocks_are_skipped_and_counted() -> None:
    records = _records([{"source": "a", "source_row": i, "citizen_id": None, "citizen_id_valid": False,
                         "given_name": "สมชาย", "family_name": "ใจดี", "birth_date": "2015-03-15"}
                        for i in range(5)])
    pairs, report = block_pairs(records, (BlockingPass("name", ("given_name", "family_name")),), max_block_size=4)
    assert pairs.empty
    assert report.skipped_blocks == {"name": 1}


def test_clustering_never_joins_two_valid_citizen_ids_through_a_chain() -> None:
    records = _records([
        {"source": "a", "source_row": 1, "citizen_id": VALID_A, "citizen_id_valid": True,
         "given_name": "x", "family_name": "y", "birth_date": None},
        {"source": "b", "source_row": 1, "citizen_id": None, "citizen_id_valid": False,
         "given_name": "x", "family_name": "y", "birth_date": None},
        {"source": "c", "source_row": 1, "citizen_id": VALID_B, "citizen_id_valid": True,
         "given_name": "x", "family_name": "y", "birth_date": None},
    ])
    labels, report = cluster_records(len(records), np.array([0, 1]), np.array([1, 2]), np.array([1.0, 0.95]),
                                     valid_citizen_ids(records), (np.empty(0, int), np.empty(0, int)), Limits())
    assert labels[0] == labels[1] != labels[2]
    assert report.groups_with_citizen_id_conflict == 1
    assert sum(report.refused_links.values()) == 1


def test_a_cannot_link_pair_is_never_joined_even_through_a_third_record() -> None:
    records = _records([{"source": "a", "source_row": i, "citizen_id": None, "citizen_id_valid": False,
                         "given_name": "x", "family_name": "y", "birth_date": None} for i in range(3)])
    labels, report = cluster_records(3, np.array([0, 1]), np.array([1, 2]), np.array([0.9, 0.8]),
                                     valid_citizen_ids(records), (np.array([0]), np.array([2])), Limits())
    assert labels[0] == labels[1] != labels[2]
    assert report.groups_with_cannot_link == 1


def test_pairwise_cluster_scores_count_pairs_from_contingency() -> None:
    truth = pd.Series(["a", "a", "a", "b", "b"])
    predicted = pd.Series([1, 1, 2, 3, 3])  # one true pair of "a" split off; "b" right
    scores = pairwise_cluster_scores(predicted, truth)
    assert (scores.precision, scores.recall) == (1.0, 2 / 4)
    assert scores.f1 == pytest.approx(2 * 0.5 / 1.5)
    assert (scores.predicted_clusters, scores.true_clusters) == (3, 2)
