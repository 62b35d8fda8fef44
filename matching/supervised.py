"""A supervised correction to the Fellegi–Sunter weights, learnt from steward decisions.

Stewards review the pairs the model is least sure of, so their verdicts are few and concentrated where the model
is weakest. Rather than replace the model with a classifier trained on that biased sample, we fit a logistic
regression whose offset is the model's own match weight and whose features are the comparison levels (one-hot):
the learnt coefficients are corrections to the partial weights, shrunk to zero by an L2 penalty where the
decisions say little. The corrected model is still a prior plus one partial weight per field, so every link stays
explainable field by field.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.comparison import MISSING
from matching.fellegi_sunter import LevelWeights, model_version

_LN2 = float(np.log(2))


@dataclass(frozen=True)
class TrainingPairs:
    """Decided pairs: their comparison levels, the model's match weight (log2) and the steward's verdict."""

    gamma: np.ndarray
    match_weight: np.ndarray
    same: np.ndarray


def _one_hot(gamma: np.ndarray, level_counts: tuple[int, ...]) -> np.ndarray:
    starts = np.cumsum((0, *level_counts[:-1]))
    features = np.zeros((len(gamma), sum(level_counts)))
    for j, start in enumerate(starts):
        known = gamma[:, j] != MISSING
        features[np.flatnonzero(known), start + gamma[known, j]] = 1.0
    return features


def fit_weight_corrections(weights: LevelWeights, training: TrainingPairs, l2_penalty: float) -> LevelWeights:
    """Correct a model's weights towards steward decisions.

    Args:
        weights: The unsupervised model.
        training: Decided pairs (both verdicts present).
        l2_penalty: Strength of the pull of every correction towards zero.

    Returns:
        The corrected weights, with a version starting ``lr-``.
    """
    from scipy.optimize import minimize

    level_counts = tuple(len(levels) for levels in weights.levels)
    features = np.hstack([np.ones((len(training.gamma), 1)), _one_hot(training.gamma, level_counts)])
    offset = training.match_weight * _LN2
    sign = np.where(training.same, 1.0, -1.0)

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        margin = sign * (offset + features @ beta)
        value = np.logaddexp(0.0, -margin).sum() + 0.5 * l2_penalty * beta @ beta
        gradient = -(features.T @ (sign / (1.0 + np.exp(np.clip(margin, -700, 700))))) + l2_penalty * beta
        return float(value), gradient

    beta = minimize(loss, np.zeros(features.shape[1]), jac=True, method="L-BFGS-B").x / _LN2
    splits = np.cumsum(level_counts[:-1])
    corrected = tuple(w + delta for w, delta in zip(weights.weights, np.split(beta[1:], splits), strict=True))
    prior = weights.prior_weight + float(beta[0])
    return LevelWeights(prior, weights.fields, weights.levels, corrected, model_version("lr", prior, corrected))
