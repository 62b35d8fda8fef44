"""Pure-function tests for baseline blocking, scoring and constrained clustering."""

from __future__ import annotations

import pandas as pd
import pytest

from matching.blocking import BASELINE_PASSES, BlockingPass, block_pairs
from matching.clustering import cluster_records, golden_ids
from matching.scoring import score_pairs_by_rules

VALID_A = "1101700203451"
VALID_B = "3100600454621"


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
    pairs, report = block_pairs(records, BASELINE_PASSES)
    assert pairs[["left", "right"]].values.tolist() == [[0, 1], [0, 2], [1, 2]]
    assert pairs["passes"].tolist() == ["citizen_id,name_birth_date", "name_birth_date", "name_birth_date"]
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


def test_scoring_refuses_name_match_between_two_valid_ids() -> None:
    records = _records([
        {"source": "a", "source_row": 1, "citizen_id": VALID_A, "citizen_id_valid": True,
         "given_name": "สมชาย", "family_name": "ใจดี", "birth_date": "2015-03-15"},
        {"source": "b", "source_row": 1, "citizen_id": VALID_B, "citizen_id_valid": True,
         "given_name": "สมชาย", "family_name": "ใจดี", "birth_date": "2015-03-15"},
        {"source": "c", "source_row": 1, "citizen_id": None, "citizen_id_valid": False,
         "given_name": "สมชาย", "family_name": "ใจดี", "birth_date": "2015-03-15"},
    ])
    pairs, _ = block_pairs(records, BASELINE_PASSES)
    scored = score_pairs_by_rules(records, pairs).set_index(["left", "right"])
    assert scored.loc[(0, 1), "decision"] == "non_link"
    assert scored.loc[(0, 2), "rule"] == "name_birth_date"
    assert scored.loc[(1, 2), "decision"] == "link"


def test_clustering_never_joins_two_valid_citizen_ids_through_a_chain() -> None:
    records = _records([
        {"source": "a", "source_row": 1, "citizen_id": VALID_A, "citizen_id_valid": True,
         "given_name": "x", "family_name": "y", "birth_date": None},
        {"source": "b", "source_row": 1, "citizen_id": None, "citizen_id_valid": False,
         "given_name": "x", "family_name": "y", "birth_date": None},
        {"source": "c", "source_row": 1, "citizen_id": VALID_B, "citizen_id_valid": True,
         "given_name": "x", "family_name": "y", "birth_date": None},
    ])
    links = pd.DataFrame({"left": [0, 1], "right": [1, 2], "score": [1.0, 0.95]})
    labels, refused = cluster_records(records, links)
    assert labels[0] == labels[1] != labels[2]
    assert refused == 1


def test_golden_ids_are_stable_and_independent_of_row_order() -> None:
    record_ids = pd.Series(["a:1", "b:7", "c:2"])
    first = golden_ids(record_ids, pd.Series([0, 0, 2]).to_numpy(), "P")
    shuffled = golden_ids(record_ids[::-1].reset_index(drop=True), pd.Series([2, 0, 0]).to_numpy(), "P")
    assert first[0] == first[1] != first[2]
    assert list(shuffled) == list(first[::-1])
    assert first[0].startswith("P") and len(first[0]) == 13


def test_pairwise_cluster_scores_count_pairs_from_contingency() -> None:
    from matching.evaluation import pairwise_cluster_scores

    truth = pd.Series(["a", "a", "a", "b", "b"])
    predicted = pd.Series([1, 1, 2, 3, 3])  # one true pair of "a" split off; "b" right
    scores = pairwise_cluster_scores(predicted, truth)
    assert (scores.precision, scores.recall) == (1.0, 2 / 4)
    assert scores.f1 == pytest.approx(2 * 0.5 / 1.5)
    assert (scores.predicted_clusters, scores.true_clusters) == (3, 2)
