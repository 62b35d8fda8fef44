"""Accuracy against known truth: pairwise and cluster-level scores of a clustering, and blocking completeness.

Pair counts come from cluster-size contingency tables, so scoring a million records never enumerates pairs.
B-cubed scores each record by the overlap of its predicted and true clusters and averages over records, so a
wrongly merged big cluster and many wrongly split small ones weigh by the records they affect.
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


def true_persons(records: pd.DataFrame, truth_records: pd.DataFrame) -> pd.Series:
    """The true ``person_id`` of each record, by position, from a generated sample's ``truth_records``.

    A left join on (``source``, ``source_row``), both sides unique, done as an index lookup: a merge on an object
    and an integer column costs seconds at a million records.

    Raises:
        pandas.errors.MergeError: A (source, source_row) occurs twice on either side.
    """
    record_keys = pd.MultiIndex.from_arrays([records["source"], records["source_row"]])
    truth_keys = pd.MultiIndex.from_arrays([truth_records["source"], truth_records["source_row"]])
    if not (record_keys.is_unique and truth_keys.is_unique):
        raise pd.errors.MergeError("(source, source_row) must be unique in the records and in the truth")
    rows = truth_keys.get_indexer(record_keys)
    person = truth_records["person_id"].to_numpy()
    if (rows < 0).any():
        person = np.append(person.astype(object), np.nan)  # row -1 takes the NaN a left join gives
    return pd.Series(person[rows], name="person_id")


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
    true_pairs = true_pair_count(frame["truth"])
    precision = together / predicted_pairs if predicted_pairs else 1.0
    recall = together / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ClusterScores(precision, recall, f1, frame["predicted"].nunique(), frame["truth"].nunique())


@dataclass(frozen=True)
class BCubedScores:
    """B-cubed precision, recall and F1 (record-averaged cluster overlap)."""

    precision: float
    recall: float
    f1: float


def b_cubed_scores(predicted: pd.Series, truth: pd.Series) -> BCubedScores:
    """Score a clustering record by record.

    A record's precision is the share of its predicted cluster that truly belongs with it, its recall the share
    of its true cluster that was predicted with it; both are averaged over records.

    Args:
        predicted: Predicted cluster label of each record.
        truth: True cluster label of the same records (aligned by position).
    """
    frame = pd.DataFrame({"predicted": predicted.to_numpy(), "truth": truth.to_numpy()})
    overlap = frame.groupby(["predicted", "truth"]).size().rename("overlap").reset_index()
    overlap["predicted_size"] = overlap["predicted"].map(frame.groupby("predicted").size())
    overlap["true_size"] = overlap["truth"].map(frame.groupby("truth").size())
    records = len(frame)
    precision = float((overlap["overlap"] ** 2 / overlap["predicted_size"]).sum() / records) if records else 1.0
    recall = float((overlap["overlap"] ** 2 / overlap["true_size"]).sum() / records) if records else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BCubedScores(precision, recall, f1)


def true_pair_count(truth: pd.Series) -> int:
    """Number of record pairs that share a true cluster label."""
    return _pairs(truth.value_counts().to_numpy())


def pairs_completeness(left: np.ndarray, right: np.ndarray, truth: pd.Series,
                       true_pairs: int | None = None) -> float:
    """Share of truly matching record pairs that blocking proposed (1.0 when there are none).

    Args:
        left: Left position of each candidate pair (pairs are unique).
        right: Right position of each candidate pair.
        truth: True cluster label of each record, by position.
        true_pairs: How many true pairs there are, when not every pair counts (only pairs across two files when
            linking them); default: every pair sharing a label.
    """
    labels = truth.to_numpy()
    found = int((labels[left] == labels[right]).sum())
    true_pairs = true_pair_count(truth) if true_pairs is None else true_pairs
    return found / true_pairs if true_pairs else 1.0


@dataclass(frozen=True)
class LinkScores:
    """Precision, recall and F1 of the linked pairs themselves (before clustering closes them transitively)."""

    precision: float
    recall: float
    f1: float
    links: int
    true_pairs: int


def pairwise_link_scores(left: np.ndarray, right: np.ndarray, truth: pd.Series,
                         true_pairs: int | None = None) -> LinkScores:
    """Score linked pairs: a link is right when both records share a true label.

    Args:
        left: Left position of each link (links are unique).
        right: Right position of each link.
        truth: True cluster label of each record, by position.
        true_pairs: How many true pairs there are (see :func:`pairs_completeness`).
    """
    labels = truth.to_numpy()
    right_links = int((labels[left] == labels[right]).sum())
    true_pairs = true_pair_count(truth) if true_pairs is None else true_pairs
    precision = right_links / len(left) if len(left) else 1.0
    recall = right_links / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return LinkScores(precision, recall, f1, len(left), true_pairs)


def completeness_per_pass(pairs: pd.DataFrame, truth: pd.Series, true_pairs: int | None = None) -> dict[str, float]:
    """Pairs-completeness of each blocking pass on its own, then of their union (key ``all``).

    Args:
        pairs: Candidate pairs with ``left``, ``right`` and the comma-joined ``passes`` that proposed each.
        truth: True cluster label of each record, by position.
        true_pairs: How many true pairs there are (see :func:`pairs_completeness`).
    """
    left, right = pairs["left"].to_numpy(), pairs["right"].to_numpy()
    passes = pairs["passes"].astype("category")
    codes = passes.cat.codes.to_numpy()
    members = [str(combined).split(",") for combined in passes.cat.categories]
    # Integer labels and the true pair count once, rather than comparing label strings per pass (a million records).
    labels = pd.Series(pd.factorize(truth.to_numpy(), use_na_sentinel=True)[0])
    labels = labels.where(labels >= 0)
    true_pairs = true_pair_count(truth) if true_pairs is None else true_pairs
    completeness = {}
    for name in dict.fromkeys(name for names in members for name in names):
        chosen = np.isin(codes, [code for code, names in enumerate(members) if name in names])
        completeness[name] = pairs_completeness(left[chosen], right[chosen], labels, true_pairs)
    completeness["all"] = pairs_completeness(left, right, labels, true_pairs)
    return completeness
