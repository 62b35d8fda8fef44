"""Term-frequency adjustment: agreeing on a rare name is stronger evidence than agreeing on a common one.

The Fellegi–Sunter weight of exact agreement, ``log2(m / u)``, uses one ``u`` for every value. Agreement on a value
``v`` happens among non-matching record pairs with probability ``tf(v)²`` rather than ``Σ tf²``, so the Bayes factor
of agreeing on ``v`` is the level's factor times ``Σ tf² / tf(v)`` (the approach Splink takes). The adjustment is
relative: ``Σ tf²`` is the agreement rate of random pairs, so an average value is left unchanged while the model's
own ``u`` (estimated on candidate pairs, which blocking made far more alike than random pairs) stays as estimated.
"""

from __future__ import annotations

import numpy as np


def value_frequencies(value_codes: np.ndarray) -> tuple[np.ndarray, float]:
    """How common each record's value is.

    Args:
        value_codes: Per-record value code, ``-1`` for missing.

    Returns:
        Per-record relative frequency of its value among records that have one (NaN where missing), and the
        chance that two random records with values agree (``Σ tf²``).
    """
    present = value_codes >= 0
    counts = np.bincount(value_codes[present]) if present.any() else np.zeros(0, dtype=np.int64)
    total = counts.sum()
    shares = counts / total if total else counts.astype(float)
    frequencies = np.full(len(value_codes), np.nan)
    frequencies[present] = shares[value_codes[present]]
    return frequencies, float((shares ** 2).sum())


def adjustment_weights(agreed_frequency: np.ndarray, exact: np.ndarray, random_agreement: float) -> np.ndarray:
    """Partial weight (log2) to add to the exact-agreement weight of each pair.

    Args:
        agreed_frequency: Frequency of the left record's value per pair (:func:`value_frequencies`).
        exact: Whether the pair agrees exactly (only those pairs are adjusted).
        random_agreement: ``Σ tf²`` from :func:`value_frequencies`.

    Returns:
        ``log2(Σ tf² / tf(v))`` where the pair agrees exactly, 0 elsewhere.
    """
    adjustment = np.zeros(len(exact))
    hit = exact & (agreed_frequency > 0)
    adjustment[hit] = np.log2(random_agreement / agreed_frequency[hit])
    return adjustment
