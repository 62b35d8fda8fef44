"""Blocking: cheap keys that gather records worth comparing, so we never score all n² pairs.

Each pass groups records on a key of one or more columns and yields every pair inside a group; the passes' pairs
are unioned and each pair remembers which passes proposed it. A key column may carry a transform after a colon
(``birth_date:year``). Groups larger than ``max_block_size`` are skipped and counted, since a key shared by
thousands of records (a common name with a missing birth date, say) carries no evidence and would explode the
pair count.

Everything is integer arithmetic on factorised codes: key columns are factorised once and shared by the passes,
pairs inside blocks are generated with ``np.repeat`` arithmetic, and pairs are unioned as ``left * n + right``
codes with a bit per pass, so a million people block in seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from matching.comparison import RecordCodes

#: Transforms a blocking key may apply to its column (``column:transform``).
KEY_TRANSFORMS: dict[str, Callable[[pd.Series], pd.Series]] = {
    "year": lambda column: pd.to_datetime(column).dt.year,
}


@dataclass(frozen=True)
class BlockingPass:
    """One blocking pass: records agreeing on every key (none missing) form a block.

    Attributes:
        name: Name reported per pair and in the blocking report.
        keys: Column names, each optionally with a transform from :data:`KEY_TRANSFORMS` (``birth_date:year``).
    """

    name: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class BlockingReport:
    """What a blocking run produced, per pass and in all."""

    pairs_per_pass: dict[str, int]
    skipped_blocks: dict[str, int]
    total_pairs: int
    records: int

    @property
    def reduction_ratio(self) -> float:
        """Share of all possible pairs that blocking spared us from comparing."""
        possible = self.records * (self.records - 1) / 2
        return 1.0 - self.total_pairs / possible if possible else 0.0


class _KeyCodes:
    """Factorised codes of key columns (``-1`` = missing), computed once per column and shared by passes.

    ``shared`` hands over codes already factorised elsewhere (the comparisons' codes of a text column, which are
    the same codes): a million strings need hashing only once.
    """

    def __init__(self, records: pd.DataFrame, shared: RecordCodes | None = None) -> None:
        self._records = records
        self._shared = shared
        self._codes: dict[str, tuple[np.ndarray, int]] = {}

    def codes(self, key: str) -> tuple[np.ndarray, int]:
        if key not in self._codes:
            column, _, transform = key.partition(":")
            if column not in self._records:
                raise KeyError(f"blocking key {key!r}: no column {column!r} in the records")
            if transform and transform not in KEY_TRANSFORMS:
                raise KeyError(f"blocking key {key!r}: unknown transform; known: {sorted(KEY_TRANSFORMS)}")
            values = self._records[column]
            if self._shared is not None and not transform and values.dtype == object:
                codes = self._shared.codes(column)
                self._codes[key] = (codes.astype(np.int64), int(codes.max(initial=-1)) + 1)
                return self._codes[key]
            values = KEY_TRANSFORMS[transform](values) if transform else values
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
            self._codes[key] = (codes.astype(np.int64), len(uniques))
        return self._codes[key]


def _block_ids(codes: _KeyCodes, keys: tuple[str, ...], records: int) -> np.ndarray:
    """One integer per record naming its block, ``-1`` where any key is missing."""
    combined = np.zeros(records, dtype=np.int64)
    missing = np.zeros(records, dtype=bool)
    for key in keys:
        key_codes, cardinality = codes.codes(key)
        missing |= key_codes < 0
        if cardinality and combined.max(initial=0) > np.iinfo(np.int64).max // (cardinality + 1):
            combined = pd.factorize(combined)[0].astype(np.int64)  # re-densify before the radix overflows
        combined = combined * (cardinality + 1) + key_codes + 1
    combined[missing] = -1
    return combined


def pairs_within_blocks(block_ids: np.ndarray, max_block_size: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Every pair of records sharing a block id (``-1`` = no block), smaller position first.

    Args:
        block_ids: Block of each record.
        max_block_size: Largest block whose pairs are generated.

    Returns:
        Left positions, right positions, and the number of blocks skipped as oversized.
    """
    keyed = np.flatnonzero(block_ids >= 0)
    order = keyed[np.argsort(block_ids[keyed], kind="stable")]
    sorted_ids = block_ids[order]
    starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]]) if len(order) else np.empty(0, int)
    sizes = np.diff(np.r_[starts, len(order)])
    skipped = int((sizes > max_block_size).sum())
    size_of = np.repeat(sizes, sizes)
    offset = np.arange(len(order)) - np.repeat(starts, sizes)
    later = np.where(size_of <= max_block_size, size_of - 1 - offset, 0)
    left_at = np.repeat(np.arange(len(order)), later)
    step = np.arange(len(left_at)) - np.repeat(np.cumsum(later) - later, later)
    first, second = order[left_at], order[left_at + 1 + step]
    return np.minimum(first, second), np.maximum(first, second), skipped


def pass_block_ids(records: pd.DataFrame, passes: tuple[BlockingPass, ...],
                   shared: RecordCodes | None = None) -> list[np.ndarray]:
    """The block of every record in every pass (``-1`` where a key is missing), key columns factorised once.

    ``shared``: codes of the same records whose text columns' codes are re-used rather than factorised again.
    """
    codes = _KeyCodes(records, shared)
    return [_block_ids(codes, blocking_pass.keys, len(records)) for blocking_pass in passes]


def block_pairs(records: pd.DataFrame, passes: tuple[BlockingPass, ...], max_block_size: int) -> tuple[
        pd.DataFrame, BlockingReport]:
    """Union the candidate pairs of every pass.

    Args:
        records: Normalised records indexed 0..n-1 (the index is the record's position).
        passes: Blocking passes to run (at most 63).
        max_block_size: Largest block whose pairs are generated.

    Returns:
        Unique pairs ``left < right`` (positions into ``records``) sorted by ``left`` then ``right``, with a
        categorical ``passes`` column naming every pass that proposed the pair (comma-joined, in pass order), and
        a :class:`BlockingReport`.
    """
    if len(passes) > 63:
        raise ValueError(f"at most 63 blocking passes, got {len(passes)}")
    return union_pass_pairs(pass_block_ids(records, passes), passes, max_block_size, len(records))


def union_pass_pairs(block_ids: list[np.ndarray], passes: tuple[BlockingPass, ...], max_block_size: int,
                     records: int) -> tuple[pd.DataFrame, BlockingReport]:
    """Union the pairs within the blocks of every pass, given each record's block per pass.

    Split from :func:`block_pairs` so that province partitions can block on national block ids
    (:mod:`matching.provinces`) and still give exactly the national pairs.

    Args:
        block_ids: Per pass, the block of each record (``-1`` = none).
        passes: The passes, in the order of ``block_ids`` (at most 63).
        max_block_size: Largest block whose pairs are generated.
        records: Number of records (the length of each ``block_ids`` array).

    Returns:
        As :func:`block_pairs`.
    """
    n = records
    pair_codes, pass_bits = [], []
    per_pass: dict[str, int] = {}
    skipped: dict[str, int] = {}
    for bit, (blocking_pass, ids) in enumerate(zip(passes, block_ids, strict=True)):
        left, right, skipped[blocking_pass.name] = pairs_within_blocks(ids, max_block_size)
        per_pass[blocking_pass.name] = len(left)
        pair_codes.append(left * n + right)
        pass_bits.append(np.full(len(left), 1 << bit, dtype=np.int64))
    all_codes = np.concatenate(pair_codes) if pair_codes else np.empty(0, np.int64)
    all_bits = np.concatenate(pass_bits) if pass_bits else np.empty(0, np.int64)
    order = np.argsort(all_codes, kind="stable")
    all_codes, all_bits = all_codes[order], all_bits[order]
    starts = np.flatnonzero(np.r_[True, all_codes[1:] != all_codes[:-1]]) if len(all_codes) else order[:0]
    unique_codes = all_codes[starts]
    masks = np.bitwise_or.reduceat(all_bits, starts) if len(starts) else all_bits
    mask_codes, mask_values = pd.factorize(masks)
    names = [",".join(p.name for bit, p in enumerate(passes) if mask >> bit & 1) for mask in mask_values]
    pairs = pd.DataFrame({
        "left": unique_codes // max(n, 1),
        "right": unique_codes % max(n, 1),
        "passes": pd.Categorical.from_codes(mask_codes, categories=pd.Index(names, dtype=object)),
    })
    return pairs, BlockingReport(per_pass, skipped, len(pairs), n)
