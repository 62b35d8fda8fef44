"""Comparison levels: how two records agree on a field, as a small integer per pair and field.

Each comparison turns a pair into one *level*, best agreement first and plain disagreement last, or
:data:`MISSING` when either side lacks the value: a missing value is no evidence either way, so it never counts as
disagreement. The levels know this data's errors: phonetic keys and Jaro–Winkler for respelt and mistyped names,
swapped given and family names, 1 January as "year known, day unknown", day/month swaps, Buddhist/Common Era year
slips, and citizen IDs one digit off or with two adjacent digits transposed.

All comparisons are vectorised over the pairs. Columns are factorised once per record frame
(:class:`RecordCodes`) and compared as integer codes; string similarity is computed once per distinct pair of
values with rapidfuzz, so the cost follows the number of distinct value pairs, not the number of pairs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Level of a pair whose value is missing on either side (contributes no evidence).
MISSING = -1


class RecordCodes:
    """Per-record integer views of the record frame, computed once and shared by every comparison.

    Codes of one *code space* are comparable across columns: the columns are factorised together, so a given name
    can be compared with a family name (name swaps) or a mother's ID with a guardian's.

    Every view is a per-record array named by what it holds (``space:<columns>:<column>``, ``date:<column>:<part>``,
    ``flag:<column>=<value>``); the distinct values behind a code space (for Jaro–Winkler) and identifiers'
    character matrices are *tables*, held only once a comparison asks for one. Views are computed from ``records``
    on first use, or given: province partitions compare their rows on views computed once nationally and stored
    (:mod:`matching.province_store`), because factorising the strings again in every partition cost more than
    comparing, and codes of one factorisation are what make rows comparable.
    """

    def __init__(self, records: pd.DataFrame | None = None, *, views: dict[str, np.ndarray] | None = None,
                 tables: Callable[[str], object] | None = None) -> None:
        self.records = records
        self.views: dict[str, np.ndarray] = dict(views or {})
        self.tables: dict[str, object] = {}
        self._stored_table = tables
        self._distinct: dict[tuple[str, ...], np.ndarray] = {}  # every space's values, published when asked for

    def _records(self, name: str) -> pd.DataFrame:
        if self.records is None:
            raise KeyError(f"view {name!r} was not stored and there are no records to compute it from")
        return self.records

    def _table(self, name: str) -> object:
        if name not in self.tables and self._stored_table is not None:
            self.tables[name] = self._stored_table(name)
        return self.tables[name]

    def space(self, columns: tuple[str, ...]) -> list[np.ndarray]:
        """Codes (``-1`` missing) of each column in one shared code space."""
        names = [f"space:{','.join(columns)}:{column}" for column in columns]
        if names[0] not in self.views:
            records = self._records(names[0])
            missing = [c for c in columns if c not in records]
            if missing:
                raise KeyError(f"comparison needs column(s) {missing}, not in the records")
            same_columns = [done for done in self._distinct if sorted(done) == sorted(columns)]
            if same_columns:
                codes, uniques = self._reordered(same_columns[0], columns)
            else:
                stacked = pd.concat([records[c].astype(object) for c in columns], ignore_index=True)
                codes, uniques = pd.factorize(stacked, use_na_sentinel=True)
                uniques = uniques.to_numpy(dtype=object)
            n = len(records)
            self.views.update({name: codes[i * n:(i + 1) * n] for i, name in enumerate(names)})
            self._distinct[columns] = uniques
        return [self.views[name] for name in names]

    def _reordered(self, done: tuple[str, ...], columns: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """The codes and values of ``columns`` from a space of the same columns in another order.

        Factorising the earlier space's integer codes in the new column order numbers the values in the order they
        first appear, exactly as factorising the strings would, without hashing millions of strings again (the
        given/family name swap needs both orders).
        """
        earlier = dict(zip(done, self.space(done), strict=True))
        stacked = np.concatenate([earlier[column] for column in columns])
        codes = np.full(len(stacked), -1, dtype=np.intp)
        present = stacked >= 0
        codes[present], first_seen = pd.factorize(stacked[present])
        return codes, self._distinct[done][first_seen]

    def codes(self, column: str) -> np.ndarray:
        """Codes of one column in its own code space."""
        return self.space((column,))[0]

    def values(self, columns: tuple[str, ...]) -> np.ndarray:
        """The distinct values of a code space (``object``), indexed by code."""
        name = f"values:{','.join(columns)}"
        if name not in self.tables and self._stored_table is None:
            self.space(columns)
            self.tables[name] = self._distinct[columns]
        return self._table(name)  # type: ignore[return-value]

    def characters(self, columns: tuple[str, ...]) -> np.ndarray:
        """One row per distinct value of a code space: its characters as bytes, NUL-padded to the longest."""
        name = f"characters:{','.join(columns)}"
        if name not in self.tables and self._stored_table is None:
            self.space(columns)
            self.tables[name] = _character_matrix(self._distinct[columns])
        return self._table(name)  # type: ignore[return-value]

    def date_parts(self, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Year, month and day (``int32``, ``-1`` missing) of a ``datetime64`` column."""
        names = [f"date:{column}:{part}" for part in ("year", "month", "day")]
        if names[0] not in self.views:
            dates = pd.DatetimeIndex(self._records(names[0])[column])
            self.views.update({name: np.asarray(part.fillna(-1), dtype=np.int32)
                               for name, part in zip(names, (dates.year, dates.month, dates.day), strict=True)})
        return self.views[names[0]], self.views[names[1]], self.views[names[2]]

    def flagged(self, column: str, value: str) -> np.ndarray:
        """Whether each record's ``column`` equals ``value``."""
        name = f"flag:{column}={value}"
        if name not in self.views:
            self.views[name] = (self._records(name)[column] == value).to_numpy(bool)
        return self.views[name]

    def take(self, rows: np.ndarray) -> RecordCodes:
        """The views of some records (in the order of ``rows``), sharing this frame's tables."""
        return RecordCodes(views={name: view[rows] for name, view in self.views.items()}, tables=self._table)


@dataclass(frozen=True)
class Comparison(ABC):
    """A field comparison: its name, its level names (best first, disagreement last) and how to compute them.

    Level 0 is exact agreement; a comparison with ``term_frequency`` set adjusts that level by how common the
    agreed value is (:mod:`matching.term_frequency`).
    """

    name: str
    levels: tuple[str, ...] = field(init=False)
    term_frequency: bool = field(default=False, kw_only=True)

    @abstractmethod
    def compare(self, codes: RecordCodes, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Level index per pair (``int8``), :data:`MISSING` where either side lacks the value."""

    @abstractmethod
    def encode(self, codes: RecordCodes) -> None:
        """Compute every view and table :meth:`compare` reads, so that they can be stored and compared later."""

    def value_codes(self, codes: RecordCodes) -> np.ndarray:
        """Per-record code of the value whose frequency adjusts exact agreement (``-1`` missing)."""
        raise ValueError(f"comparison {self.name!r} has no single value for term frequencies")


_PENDING = -2


def _pending(evaluable: np.ndarray) -> np.ndarray:
    """Levels to fill in: :data:`MISSING` where the pair cannot be compared, "not decided yet" elsewhere."""
    return np.where(evaluable, _PENDING, MISSING).astype(np.int8)


def _assign(levels: np.ndarray, condition: np.ndarray, level: int) -> None:
    """Give ``level`` to pairs meeting ``condition`` that have no level yet."""
    levels[condition & (levels == _PENDING)] = level


def _finish(levels: np.ndarray, different: int) -> np.ndarray:
    """Every comparable pair no level claimed disagrees."""
    levels[levels == _PENDING] = different
    return levels


@dataclass(frozen=True)
class ExactComparison(Comparison):
    """Agreement when any value on one side equals any value on the other, across ``columns``.

    One column gives a plain equality (sex); several give "shares a value" (a parent's or guardian's ID in any of
    the mother/father/guardian columns).
    """

    columns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "levels", ("equal", "different"))

    def encode(self, codes: RecordCodes) -> None:
        codes.space(self.columns)

    def compare(self, codes: RecordCodes, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        per_column = codes.space(self.columns)
        left_any = np.logical_or.reduce([a[left] >= 0 for a in per_column])
        right_any = np.logical_or.reduce([a[right] >= 0 for a in per_column])
        levels = _pending(left_any & right_any)
        for a in per_column:
            for b in per_column:
                _assign(levels, (a[left] >= 0) & (a[left] == b[right]), 0)
        return _finish(levels, 1)

    def value_codes(self, codes: RecordCodes) -> np.ndarray:
        if len(self.columns) != 1:
            raise ValueError(f"comparison {self.name!r}: term frequencies need exactly one column")
        return codes.codes(self.columns[0])


@dataclass(frozen=True)
class NameComparison(Comparison):
    """A name: exact, same phonetic key, same romanised form, swapped with another name field, then Jaro–Winkler.

    The romanised form lets a Thai spelling meet a Latin one (and two Thai spellings that sound alike); when it is
    configured, a pair's Jaro–Winkler similarity is the better of the cleaned and the romanised forms'.

    Attributes:
        column: Cleaned name column.
        key_column: Phonetic key column (``None`` skips the level).
        romanised_column: Romanised (Latin) form column (``None`` skips the level).
        swap_column: The other name field a swap would put this value in (``None`` skips the level).
        similarity: Jaro–Winkler lower bounds of the fuzzy levels, highest first.
    """

    column: str = ""
    key_column: str | None = None
    romanised_column: str | None = None
    swap_column: str | None = None
    similarity: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        levels = ["exact"] + ["phonetic"] * bool(self.key_column) + ["romanised"] * bool(self.romanised_column)
        levels += ["swapped"] * bool(self.swap_column)
        levels += [f"jaro_winkler_{bound:g}" for bound in self.similarity]
        object.__setattr__(self, "levels", (*levels, "different"))

    def _name_space(self) -> tuple[str, ...]:
        return (self.column, self.swap_column) if self.swap_column else (self.column,)

    def _names(self, codes: RecordCodes) -> tuple[np.ndarray, np.ndarray | None]:
        own, *other = codes.space(self._name_space())
        return own, other[0] if other else None

    def encode(self, codes: RecordCodes) -> None:
        self._names(codes)
        if self.key_column:
            codes.codes(self.key_column)
        if self.romanised_column:
            codes.codes(self.romanised_column)
        if self.similarity:
            codes.values(self._name_space())
            if self.romanised_column:
                codes.values((self.romanised_column,))

    def compare(self, codes: RecordCodes, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        own, other = self._names(codes)
        a, b = own[left], own[right]
        levels = _pending((a >= 0) & (b >= 0))
        _assign(levels, a == b, 0)
        level = 1
        if self.key_column:
            key = codes.codes(self.key_column)
            _assign(levels, (key[left] >= 0) & (key[left] == key[right]), level)
            level += 1
        if self.romanised_column:
            roman = codes.codes(self.romanised_column)
            _assign(levels, (roman[left] >= 0) & (roman[left] == roman[right]), level)
            level += 1
        if other is not None:
            _assign(levels, (a == other[right]) & (other[left] == b), level)
            level += 1
        if self.similarity:
            pending = np.flatnonzero(levels == _PENDING)
            scores = _jaro_winkler(a[pending], b[pending], codes.values(self._name_space()))
            if self.romanised_column:
                roman_a, roman_b = roman[left[pending]], roman[right[pending]]
                both = (roman_a >= 0) & (roman_b >= 0)
                scores[both] = np.maximum(scores[both], _jaro_winkler(roman_a[both], roman_b[both],
                                                                         codes.values((self.romanised_column,))))
            for bound in self.similarity:
                levels[pending[(scores >= bound) & (levels[pending] == _PENDING)]] = level
                level += 1
        return _finish(levels, level)

    def value_codes(self, codes: RecordCodes) -> np.ndarray:
        return self._names(codes)[0]


def _jaro_winkler(a: np.ndarray, b: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Jaro–Winkler similarity of value codes ``a`` and ``b`` (into ``values``), once per distinct code pair."""
    from rapidfuzz import process
    from rapidfuzz.distance import JaroWinkler

    if not len(a):
        return np.empty(0, dtype=np.float32)
    pair_codes, inverse = np.unique(a.astype(np.int64) * len(values) + b, return_inverse=True)
    scores = process.cpdist(values[pair_codes // len(values)].tolist(), values[pair_codes % len(values)].tolist(),
                            scorer=JaroWinkler.normalized_similarity, workers=-1, dtype=np.float32)
    return np.asarray(scores)[inverse.ravel()]


@dataclass(frozen=True)
class DateComparison(Comparison):
    """A date: exact, year only when either side's day is uncertain, day/month swap, era slip, one part off.

    Attributes:
        column: ``datetime64`` column.
        uncertain_column: Flag column whose ``uncertain_value`` means only the year is known (1 January).
        uncertain_value: The flag value meaning "year known, day uncertain".
        era_offset_years: Year difference of an era slip (Buddhist Era = Common Era + 543).
    """

    column: str = ""
    uncertain_column: str | None = None
    uncertain_value: str = "day_uncertain"
    era_offset_years: int = 543

    def __post_init__(self) -> None:
        object.__setattr__(self, "levels", ("exact", "year_of_uncertain_day", "day_month_swapped", "era_slip",
                                            "one_part_differs", "different"))

    def encode(self, codes: RecordCodes) -> None:
        codes.date_parts(self.column)
        if self.uncertain_column:
            codes.flagged(self.uncertain_column, self.uncertain_value)

    def compare(self, codes: RecordCodes, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        year, month, day = codes.date_parts(self.column)
        y1, y2, m1, m2, d1, d2 = year[left], year[right], month[left], month[right], day[left], day[right]
        either_uncertain = np.zeros(len(left), dtype=bool)
        if self.uncertain_column:
            uncertain = codes.flagged(self.uncertain_column, self.uncertain_value)
            either_uncertain = uncertain[left] | uncertain[right]
        same_year, same_day = y1 == y2, (m1 == m2) & (d1 == d2)
        levels = _pending((y1 >= 0) & (y2 >= 0))
        _assign(levels, ~either_uncertain & same_year & same_day, 0)
        _assign(levels, either_uncertain & same_year, 1)
        _assign(levels, ~either_uncertain & same_year & (m1 == d2) & (d1 == m2), 2)
        _assign(levels, (np.abs(y1 - y2) == self.era_offset_years) & (either_uncertain | same_day), 3)
        _assign(levels, ~either_uncertain & (same_year.astype(np.int8) + (m1 == m2) + (d1 == d2) == 2), 4)
        return _finish(levels, 5)


@dataclass(frozen=True)
class IdentifierComparison(Comparison):
    """An identifier: exact, one character different, two adjacent characters transposed, different."""

    column: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "levels", ("exact", "one_digit_differs", "transposed", "different"))

    def encode(self, codes: RecordCodes) -> None:
        codes.codes(self.column)
        codes.characters((self.column,))

    def compare(self, codes: RecordCodes, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        own = codes.codes(self.column)
        a, b = own[left], own[right]
        levels = _pending((a >= 0) & (b >= 0))
        _assign(levels, a == b, 0)
        pending = np.flatnonzero(levels == _PENDING)
        characters = codes.characters((self.column,))
        x, y = characters[a[pending]], characters[b[pending]]
        differs = x != y
        count = differs.sum(axis=1)
        first = differs.argmax(axis=1)
        second = np.minimum(first + 1, characters.shape[1] - 1)
        rows = np.arange(len(pending))
        transposed = ((count == 2) & differs[rows, second] & (x[rows, first] == y[rows, second])
                      & (x[rows, second] == y[rows, first]))
        levels[pending[count == 1]] = 1
        levels[pending[transposed]] = 2
        return _finish(levels, 3)

    def value_codes(self, codes: RecordCodes) -> np.ndarray:
        return codes.codes(self.column)


def _character_matrix(values: np.ndarray) -> np.ndarray:
    """One row per distinct identifier: its characters as bytes, right-padded with NUL to the longest."""
    text = [str(value).encode() for value in values]
    width = max((len(t) for t in text), default=1)
    return np.frombuffer(b"".join(t.ljust(width, b"\0") for t in text), dtype=np.uint8).reshape(len(text), width)


@dataclass(frozen=True)
class HierarchyComparison(Comparison):
    """Agreement at the most specific of several levels (house, subdistrict, district, province).

    A level agrees when every one of its columns is present and equal on both sides. When no level agrees the pair
    disagrees if at least one level could be checked, and is missing otherwise.

    Attributes:
        hierarchy: (level name, its columns) pairs, most specific first.
    """

    hierarchy: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "levels", (*(name for name, _ in self.hierarchy), "different"))

    def encode(self, codes: RecordCodes) -> None:
        for _, columns in self.hierarchy:
            for column in columns:
                codes.codes(column)

    def compare(self, codes: RecordCodes, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        evaluable, equal = [], []
        for _, columns in self.hierarchy:
            per_column = [(codes.codes(column)[left], codes.codes(column)[right]) for column in columns]
            evaluable.append(np.logical_and.reduce([(a >= 0) & (b >= 0) for a, b in per_column]))
            equal.append(np.logical_and.reduce([a == b for a, b in per_column]))
        levels = _pending(np.logical_or.reduce(evaluable))
        for level, (can, same) in enumerate(zip(evaluable, equal, strict=True)):
            _assign(levels, can & same, level)
        return _finish(levels, len(self.hierarchy))
