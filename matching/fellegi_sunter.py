"""The Fellegi–Sunter model, fitted without labels by expectation–maximisation on comparison patterns.

A pair's comparison vector holds one level per field (:mod:`matching.comparison`). Among matching pairs field ``f``
shows level ``k`` with probability ``m[f][k]``, among non-matching pairs with ``u[f][k]``; fields are taken as
independent given the match status. A pair's match weight is the log2 prior odds plus one partial weight
``log2(m/u)`` per field, so every link can be explained field by field and the parts add up to the total. A missing
level contributes nothing (its ``m`` and ``u`` are equal by construction: it is no evidence).

EM runs on the *distinct* patterns with their counts, not on the pairs: millions of pairs collapse into a few
thousand patterns, so fitting takes milliseconds. We fit our own EM rather than recordlinkage's ``ECMClassifier``
because ECM needs binary features (its default initialisation rejects anything else), treats a missing value as a
value with its own weight, and collapses the pair matrix with a row-wise ``np.unique`` that is much slower; the
accuracy benchmark prints both on FEBRL4.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from matching.comparison import MISSING


@dataclass(frozen=True)
class FieldParameters:
    """``m`` and ``u`` probabilities of one field's levels (missing excluded).

    Attributes:
        name: Field name (the comparison's name).
        levels: Level names, best agreement first.
        m: Probability of each level among matching pairs.
        u: Probability of each level among non-matching pairs.
    """

    name: str
    levels: tuple[str, ...]
    m: tuple[float, ...]
    u: tuple[float, ...]

    @property
    def weights(self) -> np.ndarray:
        """Partial match weight ``log2(m/u)`` of each level."""
        return np.log2(np.asarray(self.m)) - np.log2(np.asarray(self.u))


@dataclass(frozen=True)
class LevelWeights:
    """What scoring needs from any model: a prior weight and a partial weight (log2) per field and level.

    Attributes:
        prior_weight: log2 prior odds of a match among candidate pairs.
        fields: Field names, one per column of the comparison matrix.
        levels: Level names per field.
        weights: Partial weight of each level per field.
        version: Short digest naming the model, recorded with steward decisions.
    """

    prior_weight: float
    fields: tuple[str, ...]
    levels: tuple[tuple[str, ...], ...]
    weights: tuple[np.ndarray, ...]
    version: str

    def partial_weights(self, gamma: np.ndarray) -> np.ndarray:
        """Per-pair, per-field partial weights (0 where the level is missing)."""
        partial = np.zeros(gamma.shape, dtype=np.float64)
        for j, field_weights in enumerate(self.weights):
            column = gamma[:, j]
            known = column != MISSING
            partial[known, j] = field_weights[column[known]]
        return partial


def model_version(prefix: str, prior_weight: float, weights: tuple[np.ndarray, ...]) -> str:
    """A short digest of a model's weights (``prefix-`` + 10 hex digits)."""
    text = repr((round(prior_weight, 9), [np.round(w, 9).tolist() for w in weights]))
    return f"{prefix}-" + hashlib.sha256(text.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class FellegiSunterModel:
    """A fitted model: the match share among candidate pairs and the parameters of every field."""

    match_share: float
    fields: tuple[FieldParameters, ...]
    iterations: int

    def level_weights(self) -> LevelWeights:
        """The model as prior and partial weights."""
        prior = float(np.log2(self.match_share / (1 - self.match_share)))
        weights = tuple(f.weights for f in self.fields)
        return LevelWeights(prior, tuple(f.name for f in self.fields), tuple(f.levels for f in self.fields),
                            weights, model_version("fs", prior, weights))


def pattern_counts(gamma: np.ndarray, level_counts: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct comparison patterns and how many pairs show each.

    Args:
        gamma: Levels per pair and field (``MISSING`` allowed).
        level_counts: Number of levels of each field.

    Returns:
        The distinct patterns (rows of levels) and their counts.
    """
    radix = np.asarray(level_counts, dtype=np.int64) + 1
    place = np.cumprod(np.r_[1, radix[:-1]])
    codes = (gamma.astype(np.int64) + 1) @ place
    unique, counts = np.unique(codes, return_counts=True)
    patterns = (unique[:, None] // place[None, :]) % radix[None, :] - 1
    return patterns.astype(np.int8), counts


def _log_likelihoods(patterns: np.ndarray, log_m: list[np.ndarray], log_u: list[np.ndarray]) -> tuple[
        np.ndarray, np.ndarray]:
    match = np.zeros(len(patterns))
    non_match = np.zeros(len(patterns))
    for j in range(patterns.shape[1]):
        column = patterns[:, j]
        known = column != MISSING
        match[known] += log_m[j][column[known]]
        non_match[known] += log_u[j][column[known]]
    return match, non_match


def _maximise(patterns: np.ndarray, weight: np.ndarray, level_counts: tuple[int, ...],
              smoothing: float) -> list[np.ndarray]:
    """Level probabilities per field from pattern weights (expected pair counts), smoothed."""
    probabilities = []
    for j, count in enumerate(level_counts):
        column = patterns[:, j]
        known = column != MISSING
        totals = np.bincount(column[known], weights=weight[known], minlength=count) + smoothing
        probabilities.append(totals / totals.sum())
    return probabilities


def fit_em(gamma: np.ndarray, names: tuple[str, ...], levels: tuple[tuple[str, ...], ...], *,
           initial_match_share: float, max_iterations: int, tolerance: float, smoothing: float) -> FellegiSunterModel:
    """Fit ``m``, ``u`` and the match share by EM on the candidate pairs' comparison patterns.

    Starts from ``m`` concentrated on the best levels and ``u`` equal to the observed level shares (most candidate
    pairs of a field's disagreement level are non-matches), which puts the match class on agreement.

    Args:
        gamma: Levels per pair and field.
        names: Field names, one per column of ``gamma``.
        levels: Level names per field, best first.
        initial_match_share: Starting share of matches among the pairs.
        max_iterations: Upper bound on EM iterations.
        tolerance: Stop when no probability moves by more than this.
        smoothing: Pseudo-count added to every level (keeps weights finite for unseen levels).

    Returns:
        The fitted model.
    """
    level_counts = tuple(len(field_levels) for field_levels in levels)
    patterns, counts = pattern_counts(gamma, level_counts)
    counts = counts.astype(np.float64)
    u = _maximise(patterns, counts, level_counts, smoothing)
    m = [np.geomspace(1.0, 1e-3, count) / np.geomspace(1.0, 1e-3, count).sum() for count in level_counts]
    share = initial_match_share
    iterations = 0
    while iterations < max_iterations:
        iterations += 1
        log_match, log_non_match = _log_likelihoods(patterns, [np.log(p) for p in m], [np.log(p) for p in u])
        log_odds = np.log(share) - np.log1p(-share) + log_match - log_non_match
        posterior = 1.0 / (1.0 + np.exp(-np.clip(log_odds, -700, 700)))
        new_m = _maximise(patterns, counts * posterior, level_counts, smoothing)
        new_u = _maximise(patterns, counts * (1 - posterior), level_counts, smoothing)
        new_share = float(np.clip((counts * posterior).sum() / counts.sum(), 1e-9, 1 - 1e-9))
        change = max(abs(new_share - share), *(np.abs(a - b).max() for a, b in zip(new_m + new_u, m + u,
                                                                                   strict=True)))
        m, u, share = new_m, new_u, new_share
        if change < tolerance:
            break
    fields = tuple(FieldParameters(name, field_levels, tuple(mf.tolist()), tuple(uf.tolist()))
                   for name, field_levels, mf, uf in zip(names, levels, m, u, strict=True))
    return FellegiSunterModel(share, fields, iterations)
