"""String-level errors a clerk or volunteer makes: slips of the keyboard, respellings, mistyped IDs.

Each function takes the clean text and a few uniform random numbers drawn in bulk by the caller, so a run is
reproducible and only the rows chosen for an error pay for a Python call.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

#: Rows of the Thai Kedmanee keyboard: a slip hits the key beside the intended one.
_KEYBOARD_ROWS = ("ๅ/-ภถุึคตจขช", "ๆไำพะัีรนยบลฃ", "ฟหกดเ้่าสวง", "ผปแอิืทมใฝ")


def _neighbour_keys() -> dict[str, str]:
    """Map each key to the keys left and right of it on its row."""
    return {key: row[max(i - 1, 0):i] + row[i + 1:i + 2]
            for row in _KEYBOARD_ROWS for i, key in enumerate(row)}


_NEIGHBOURS = _neighbour_keys()

#: Respellings that sound the same or nearly so (pattern, replacement), including tone-mark slips.
PHONETIC_RULES: tuple[tuple[str, str], ...] = (
    ("ศรี", "สี"), ("สี", "ศรี"), ("ทร", "ซ"), ("ณ", "น"), ("น", "ณ"), ("ศ", "ส"), ("ษ", "ส"), ("ส", "ศ"),
    ("ธ", "ท"), ("ท", "ธ"), ("ภ", "พ"), ("พ", "ภ"), ("ฐ", "ถ"), ("ฒ", "ถ"), ("ญ", "ย"), ("ย", "ญ"),
    ("ร", "ล"), ("ล", "ร"), ("ใ", "ไ"), ("ไ", "ใ"), ("ฎ", "ด"), ("ฏ", "ต"), ("ฆ", "ค"),
    ("\u0e48", ""), ("\u0e49", ""), ("\u0e48", "\u0e49"), ("\u0e49", "\u0e48"), ("\u0e4a", "\u0e49"),
    ("\u0e4c", ""),
)

#: Matches any text at least one phonetic rule applies to.
PHONETIC_PATTERN = "|".join(re.escape(source) for source, _ in PHONETIC_RULES)

_TO_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def _pick(count: int, u: float) -> int:
    return min(int(u * count), count - 1)


def typo(text: str, u: np.ndarray) -> str:
    """Make one keyboard slip: drop, double or transpose a character, or hit a neighbouring key.

    Args:
        text: A name of at least two characters.
        u: Three uniform numbers: which slip, where, and which neighbour.
    """
    at = _pick(len(text), u[1])
    slip = _pick(4, u[0])
    if slip == 1:
        changed = text[:at] + text[at] + text[at:]
    elif slip == 2 and at + 1 < len(text):
        changed = text[:at] + text[at + 1] + text[at] + text[at + 2:]
    elif slip == 3 and _NEIGHBOURS.get(text[at]):
        keys = _NEIGHBOURS[text[at]]
        changed = text[:at] + keys[_pick(len(keys), u[2])] + text[at + 1:]
    else:
        changed = text[:at] + text[at + 1:]
    return changed if changed != text else text[:at] + text[at + 1:]


def phonetic(text: str, u: np.ndarray) -> str:
    """Apply one respelling rule that fits ``text`` at one of the places it fits (unchanged if none fits).

    Args:
        text: A name.
        u: Two uniform numbers: which rule and which occurrence.
    """
    rules = [(source, target) for source, target in PHONETIC_RULES if source in text]
    if not rules:
        return text
    source, target = rules[_pick(len(rules), u[0])]
    starts = [match.start() for match in re.finditer(re.escape(source), text)]
    at = starts[_pick(len(starts), u[1])]
    return text[:at] + target + text[at + len(source):]


def mistype_id(citizen_id: str, u: np.ndarray) -> str:
    """Change one digit, or transpose two adjacent different digits, of a 13-digit ID.

    Args:
        citizen_id: The true ID.
        u: Three uniform numbers: which error, where, and the replacement digit.
    """
    digits = list(citizen_id)
    pairs = [i for i in range(len(digits) - 1) if digits[i] != digits[i + 1]]
    if u[0] < 0.5 and pairs:
        at = pairs[_pick(len(pairs), u[1])]
        digits[at], digits[at + 1] = digits[at + 1], digits[at]
    else:
        at = _pick(len(digits), u[1])
        digits[at] = str((int(digits[at]) + 1 + _pick(9, u[2])) % 10)
    return "".join(digits)


def thai_digits(text: str) -> str:
    """Write the ASCII digits of ``text`` as Thai digits (๐–๙)."""
    return text.translate(_TO_THAI_DIGITS)


def apply_each(function: Callable[[str, np.ndarray], str], values: np.ndarray,
               draws: np.ndarray) -> np.ndarray:
    """Apply a string error to each value with its own row of random numbers."""
    return np.array([function(value, row) for value, row in zip(values.tolist(), draws, strict=True)],
                    dtype=object)
