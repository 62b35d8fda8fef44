"""Scoring candidate pairs: comparison levels, Fellegi–Sunter weights, match probability and decision.

For every candidate pair the configured comparisons give one level per field (:mod:`matching.comparison`); the
Fellegi–Sunter model fitted by EM on those levels (:mod:`matching.fellegi_sunter`) gives each level a partial
weight; names agreeing exactly are adjusted by how common the name is (:mod:`matching.term_frequency`); once
stewards have decided enough pairs, a logistic correction learnt from them adjusts the weights
(:mod:`matching.supervised`). The pair's match weight is the prior weight plus its partial weights, stored per
field so any link can be explained, and its score is the match probability ``1 / (1 + 2^-weight)``.

Two thresholds turn the score into a decision: link, review (the steward queue) or non-link. Two records with
different valid citizen IDs are never linked (rule ``citizen_id_conflict``), and a steward's verdict overrides
the model (rules ``steward_must_link`` and ``steward_cannot_link``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from matching.comparison import Comparison, RecordCodes
from matching.fellegi_sunter import FellegiSunterModel, LevelWeights, fit_em
from matching.steward import StewardPairs
from matching.supervised import TrainingPairs, fit_weight_corrections
from matching.term_frequency import adjustment_weights, value_frequencies

#: Columns of ``scored_links`` before the per-field partial weights, which follow as ``w_<field>``.
SCORED_LINK_COLUMNS: tuple[str, ...] = (
    "left", "right", "left_record_id", "right_record_id", "passes", "match_weight", "score", "decision", "rule",
)
#: Prefix of the per-field partial-weight columns; with the prior weight they add up to ``match_weight``.
WEIGHT_PREFIX = "w_"

LINK, REVIEW, NON_LINK = "link", "review", "non_link"
MODEL, CITIZEN_ID_CONFLICT = "model", "citizen_id_conflict"
STEWARD_MUST_LINK, STEWARD_CANNOT_LINK = "steward_must_link", "steward_cannot_link"
#: ``passes`` value of a pair that only a steward decision brought in.
STEWARD_PASS = "steward"


class Thresholds(Protocol):
    """Decision thresholds on the match probability (see ``termtem.settings.LinkThresholds``)."""

    link: float
    review: float


class EmParameters(Protocol):
    """EM settings (see ``termtem.settings.ExpectationMaximisationSettings``)."""

    initial_match_share: float
    max_iterations: int
    tolerance: float
    smoothing: float


class SupervisedParameters(Protocol):
    """When steward decisions train corrections (see ``termtem.settings.SupervisedSettings``)."""

    min_decisions: int
    min_per_class: int
    l2_penalty: float


@dataclass(frozen=True)
class ComparedPairs:
    """Comparison levels (``int8``, pairs × fields) and term-frequency adjustments (log2, pairs × fields)."""

    gamma: np.ndarray
    term_weights: np.ndarray


def compare_levels(codes: RecordCodes, left: np.ndarray, right: np.ndarray,
                   comparisons: tuple[Comparison, ...]) -> np.ndarray:
    """Comparison level of every pair on every field (``int8``, pairs × fields).

    A level depends on the two records' values only, so a province partition can compute the levels of its own
    pairs on its own records (:mod:`matching.provinces`).
    """
    gamma = np.empty((len(left), len(comparisons)), dtype=np.int8)
    for j, comparison in enumerate(comparisons):
        gamma[:, j] = comparison.compare(codes, left, right)
    return gamma


def term_frequency_weights(codes: RecordCodes, left: np.ndarray, gamma: np.ndarray,
                           comparisons: tuple[Comparison, ...]) -> np.ndarray:
    """Term-frequency adjustments (log2, pairs × fields); the frequencies are those of every record in ``codes``."""
    term_weights = np.zeros(gamma.shape)
    for j, comparison in enumerate(comparisons):
        if comparison.term_frequency:
            frequencies, random_agreement = value_frequencies(comparison.value_codes(codes))
            term_weights[:, j] = adjustment_weights(frequencies[left], gamma[:, j] == 0, random_agreement)
    return term_weights


@dataclass(frozen=True)
class ScoringReport:
    """How the pairs were scored: the fitted model, the weights used and what the stewards changed."""

    unsupervised: FellegiSunterModel
    weights: LevelWeights
    supervised_pairs: int
    must_links: int
    cannot_links: int
    decisions_on_unknown_records: int


def fit_weights(compared: ComparedPairs, comparisons: tuple[Comparison, ...], em: EmParameters,
                ) -> tuple[FellegiSunterModel, LevelWeights]:
    """Fit the unsupervised model on the compared pairs and return it with its weights."""
    model = fit_em(compared.gamma, tuple(c.name for c in comparisons), tuple(c.levels for c in comparisons),
                   initial_match_share=em.initial_match_share, max_iterations=em.max_iterations,
                   tolerance=em.tolerance, smoothing=em.smoothing)
    return model, model.level_weights()


def decide(score: np.ndarray, thresholds: Thresholds) -> np.ndarray:
    """``link`` / ``review`` / ``non_link`` per pair from its match probability."""
    return np.select([score >= thresholds.link, score >= thresholds.review], [LINK, REVIEW], NON_LINK).astype(object)


def _with_steward_pairs(pairs: pd.DataFrame, gamma: np.ndarray, steward: StewardPairs, codes: RecordCodes,
                        comparisons: tuple[Comparison, ...]) -> tuple[pd.DataFrame, np.ndarray]:
    """Candidate pairs plus decided pairs blocking did not propose (``passes`` = ``steward``), with their levels."""
    decided = pd.DataFrame({"left": steward.left, "right": steward.right})
    extra = decided.merge(pairs[["left", "right"]], how="left", indicator=True)
    extra = extra[extra["_merge"] == "left_only"].drop(columns="_merge")
    if extra.empty:
        return pairs, gamma
    passes = pairs["passes"].astype(object).tolist() + [STEWARD_PASS] * len(extra)
    combined = pd.concat([pairs[["left", "right"]], extra], ignore_index=True).assign(passes=pd.Categorical(passes))
    extra_gamma = compare_levels(codes, extra["left"].to_numpy(np.int64), extra["right"].to_numpy(np.int64),
                                 comparisons)
    order = np.lexsort((combined["right"].to_numpy(), combined["left"].to_numpy()))
    return combined.iloc[order].reset_index(drop=True), np.concatenate([gamma, extra_gamma])[order]


def _decided_rows(pairs: pd.DataFrame, steward: StewardPairs) -> tuple[np.ndarray, np.ndarray]:
    """Row of ``pairs`` holding each decided pair, and the verdict (True = same)."""
    keys = pd.MultiIndex.from_arrays([pairs["left"].to_numpy(), pairs["right"].to_numpy()])
    rows = keys.get_indexer(pd.MultiIndex.from_arrays([steward.left, steward.right]))
    return rows, steward.same


def score_links(records: pd.DataFrame, pairs: pd.DataFrame, comparisons: tuple[Comparison, ...], *,
                em: EmParameters, thresholds: Thresholds, supervised: SupervisedParameters,
                steward: StewardPairs, citizen_ids: np.ndarray | None,
                levels: np.ndarray | None = None,
                codes: RecordCodes | None = None) -> tuple[pd.DataFrame, ScoringReport]:
    """Score, explain and decide every candidate pair.

    Args:
        records: Linkable records indexed by position, with ``record_id`` and the comparisons' columns.
        pairs: Candidate pairs (``left``, ``right``, ``passes``) from :func:`matching.blocking.block_pairs`.
        comparisons: Field comparisons, in column order of the weights.
        em: How to fit the unsupervised model.
        thresholds: Link and review thresholds on the match probability.
        supervised: When steward decisions are enough to train corrections.
        steward: Steward verdicts in force (:func:`matching.steward.steward_pairs`).
        citizen_ids: Valid citizen ID per record (None where not valid), or None when records carry none: two
            records with different valid IDs are never linked.
        levels: Comparison levels of ``pairs`` computed beforehand (:func:`compare_levels`, per province
            partition); None computes them here.
        codes: The comparisons' views of ``records`` computed beforehand (the national codes the province
            partitions stored); None computes them from ``records``.

    Returns:
        ``scored_links`` (:data:`SCORED_LINK_COLUMNS` then ``w_<field>``) and a report.
    """
    codes = RecordCodes(records) if codes is None else codes
    if levels is None:
        levels = compare_levels(codes, pairs["left"].to_numpy(np.int64), pairs["right"].to_numpy(np.int64),
                                comparisons)
    pairs, levels = _with_steward_pairs(pairs, levels, steward, codes, comparisons)
    left, right = pairs["left"].to_numpy(np.int64), pairs["right"].to_numpy(np.int64)
    compared = ComparedPairs(levels, term_frequency_weights(codes, left, levels, comparisons))
    model, weights = fit_weights(compared, comparisons, em)
    partial = weights.partial_weights(compared.gamma) + compared.term_weights
    rows, same = _decided_rows(pairs, steward)
    trained = 0
    if len(rows) >= supervised.min_decisions and min(same.sum(), (~same).sum()) >= supervised.min_per_class:
        training = TrainingPairs(compared.gamma[rows], weights.prior_weight + partial[rows].sum(axis=1), same)
        weights = fit_weight_corrections(weights, training, supervised.l2_penalty)
        partial = weights.partial_weights(compared.gamma) + compared.term_weights
        trained = len(rows)
    match_weight = weights.prior_weight + partial.sum(axis=1)
    score = 1.0 / (1.0 + np.exp2(-np.clip(match_weight, -1000, 1000)))
    decision = decide(score, thresholds)
    rule = np.full(len(pairs), MODEL, dtype=object)
    if citizen_ids is not None:
        a, b = citizen_ids[left], citizen_ids[right]
        conflict = pd.notna(a) & pd.notna(b) & (a != b)
        decision[conflict], rule[conflict] = NON_LINK, CITIZEN_ID_CONFLICT
    decision[rows[same]], rule[rows[same]] = LINK, STEWARD_MUST_LINK
    decision[rows[~same]], rule[rows[~same]] = NON_LINK, STEWARD_CANNOT_LINK
    record_ids = records["record_id"].to_numpy(object)
    scored = pd.DataFrame({
        "left": left, "right": right, "left_record_id": record_ids[left], "right_record_id": record_ids[right],
        "passes": pairs["passes"].to_numpy(), "match_weight": match_weight, "score": score,
        "decision": decision, "rule": rule,
        **{WEIGHT_PREFIX + c.name: partial[:, j] for j, c in enumerate(comparisons)},
    })
    report = ScoringReport(model, weights, trained, int(same.sum()), int((~same).sum()), steward.unknown_records)
    return scored, report
