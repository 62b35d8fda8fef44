"""Accuracy against known truth: pairwise and cluster-level scores of a clustering.

Pair counts come from cluster-size contingency tables, so scoring a million records never enumerates pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ClusterScores:
    """Pairwise precision, recall and F1 of a predicted clustering, plus the cluster counts."""

    precision: float
    recall: float
    f1: float
    predicted_clusters: int
    true_clusters: int


def _pairs(sizes: np.ndarray) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_cluster_scores(predicted: pd.Series, truth: pd.Series) -> ClusterScores:
    """Score a clustering pair by pair: a pair is right when both sides put the two records together.

    Args:
        predicted: Predicted cluster label of each record.
        truth: True cluster label of the same records (aligned by position).

    Returns:
        The scores; precision (recall) is 1.0 when no pairs are predicted (true).
    """
    frame = pd.DataFrame({"predicted": predicted.to_numpy(), "truth": truth.to_numpy()})
    together = _pairs(frame.groupby(["predicted", "truth"]).size().to_numpy())
    predicted_pairs = _pairs(frame.groupby("predicted").size().to_numpy())
    true_pairs = _pairs(frame.groupby("truth").size().to_numpy())
    precision = together / predicted_pairs if predicted_pairs else 1.0
    recall = together / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ClusterScores(precision, recall, f1, frame["predicted"].nunique(), frame["truth"].nunique())
