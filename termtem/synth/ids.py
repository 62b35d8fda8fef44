"""Identifiers the agencies use: citizen IDs with the real check digit, G-codes and house codes.

All are drawn as integers and made unique by redrawing collisions, so a million people cost a few array
operations rather than a Python loop.
"""

from __future__ import annotations

import numpy as np

#: Weights of the first 12 digits in the citizen-ID checksum (13 down to 2).
_WEIGHTS = np.arange(13, 1, -1, dtype=np.int64)
_POWERS = 10 ** np.arange(11, -1, -1, dtype=np.int64)


def check_digits(first12: np.ndarray) -> np.ndarray:
    """Return the check digit of each 12-digit number: (11 − Σ dᵢ·(14−i) mod 11) mod 10."""
    digits = (first12[:, None] // _POWERS) % 10
    return (11 - (digits @ _WEIGHTS) % 11) % 10


def unique_numbers(prefixes: np.ndarray, width: int, rng: np.random.Generator) -> np.ndarray:
    """Append ``width`` random digits to each prefix, redrawing until no two numbers are equal.

    Args:
        prefixes: Non-negative int64 leading parts (category, province, office …).
        width: How many random digits to append.
        rng: Random stream.

    Returns:
        int64 numbers ``prefix * 10**width + random``, all distinct.
    """
    scale = np.int64(10) ** width
    numbers = prefixes * scale + rng.integers(0, scale, len(prefixes))
    while True:
        _, first = np.unique(numbers, return_index=True)
        repeated = np.ones(len(numbers), dtype=bool)
        repeated[first] = False
        if not repeated.any():
            return numbers
        numbers[repeated] = prefixes[repeated] * scale + rng.integers(0, scale, int(repeated.sum()))


def zero_padded(numbers: np.ndarray, width: int) -> np.ndarray:
    """Format integers as fixed-width digit strings (a 0-ID keeps its leading zero)."""
    return np.array([f"{number:0{width}d}" for number in numbers.tolist()], dtype=object)


def citizen_ids(category: np.ndarray, province: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw unique, checksum-valid 13-digit citizen IDs.

    The first digit is the person's category (0 stateless, 1–5 Thai, 6/7 migrant); digits 2–5 a registration
    office, whose first two digits are the province, as on real cards.

    Args:
        category: First digit per person (int array).
        province: Province code per person (int array).
        rng: Random stream.
    """
    office = (category.astype(np.int64) * 100 + province) * 100 + rng.integers(0, 100, len(category))
    first12 = unique_numbers(office, 7, rng)
    return zero_padded(first12 * 10 + check_digits(first12), 13)


def g_codes(count: int, rng: np.random.Generator) -> np.ndarray:
    """Draw unique school G-codes ("G" + 12 digits) for learners without a usable ID."""
    numbers = unique_numbers(np.zeros(count, dtype=np.int64), 12, rng)
    return np.array(["G" + text for text in zero_padded(numbers, 12)], dtype=object)


def house_codes(province: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw unique 11-digit house codes whose first two digits are the province code."""
    return zero_padded(unique_numbers(province.astype(np.int64), 9, rng), 11)
