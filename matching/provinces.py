"""Province partitions of person linkage: blocking and comparison per province, one national pass across them.

A record's partition is its resolved province (``province_code`` after normalisation, one of the 77 codes) or
:data:`UNKNOWN_PROVINCE`. The resolved code is chosen over a key readable before normalisation (a house code's
first two digits, the raw province text) because most registries carry no house code and raw province text needs
the gazetteer to be read at all; normalisation is per record and already runs per registry in parallel, so
partitioning after it costs nothing. The key's accuracy never matters for the result, only for how evenly the work
spreads: a pair whose two records fall in different partitions (a family that moved, an address typed wrong) is
found by the national pass :func:`cross_province_pairs`.

Exactness with ``max_block_size``: a block is judged by its *national* size. :func:`national_blocks` computes every
record's block per pass from the key columns of all records (cheap integer factorisation) and drops the blocks
that are oversized nationally; a province then pairs only inside the surviving blocks. So a common name that is
skipped nationally is skipped in every province too, and the union of the province pairs and the cross-province
pairs is exactly :func:`matching.blocking.block_pairs` of all records, with the same ``passes`` per pair.

Positions stay those of the national record frame (``linkable_records``): a province works on its rows indexed by
their national positions and returns pairs in national positions. Comparison levels depend on a pair's two values
only, so a province computes the levels of its pairs on its own rows; term frequencies, the Fellegi–Sunter EM fit,
the decisions and clustering are global (:func:`matching.linkage.score_and_cluster`). The rows a province compares
are views of one national encoding (:func:`encoded_records`, stored by :mod:`matching.province_store`): the strings
are factorised once for the country rather than once per province, and the levels are the same either way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

import geothai
import numpy as np
import pandas as pd

from matching.blocking import BlockingPass, BlockingReport, pass_block_ids, union_pass_pairs
from matching.comparison import Comparison, RecordCodes
from matching.linkage import NO_STEWARD, LinkageConfig, LinkageRun, score_and_cluster
from matching.scoring import compare_levels
from matching.steward import StewardPairs

#: Partition of records whose province could not be resolved.
UNKNOWN_PROVINCE = "unknown"
#: Prefix of the comparison-level columns a province's pairs carry (``level_<comparison>``).
LEVEL_PREFIX = "level_"


@cache
def province_keys() -> tuple[str, ...]:
    """Every partition key: the 77 province codes of the gazetteer (sorted), then :data:`UNKNOWN_PROVINCE`."""
    return (*sorted(province.code for province in geothai.provinces()), UNKNOWN_PROVINCE)


def record_provinces(records: pd.DataFrame) -> np.ndarray:
    """The partition key of every record: its resolved ``province_code``, else :data:`UNKNOWN_PROVINCE`."""
    codes = records["province_code"]
    return np.where(codes.isin(province_keys()[:-1]), codes.astype(object), UNKNOWN_PROVINCE).astype(object)


@dataclass(frozen=True)
class NationalBlocks:
    """Every record's partition and national block per pass, with nationally oversized blocks dropped (``-1``).

    Attributes:
        provinces: Partition key per record (:func:`record_provinces`).
        block_ids: Per pass, the block of each record; ``-1`` for no key or a block over ``max_block_size``.
        skipped_blocks: Per pass, how many blocks were oversized nationally.
    """

    provinces: np.ndarray
    block_ids: list[np.ndarray]
    skipped_blocks: dict[str, int]


def national_blocks(records: pd.DataFrame, passes: tuple[BlockingPass, ...], max_block_size: int,
                    codes: RecordCodes | None = None) -> NationalBlocks:
    """Block every record nationally and drop the blocks too large to pair (the global half of blocking).

    ``codes``: the records' comparison codes (:func:`encoded_records`), whose text columns blocking re-uses.
    """
    block_ids, skipped = [], {}
    for blocking_pass, ids in zip(passes, pass_block_ids(records, passes, codes), strict=True):
        keyed = ids >= 0
        _, inverse, sizes = np.unique(ids[keyed], return_inverse=True, return_counts=True)
        oversized = np.zeros(len(ids), dtype=bool)
        oversized[keyed] = sizes[inverse] > max_block_size
        block_ids.append(np.where(oversized, -1, ids))
        skipped[blocking_pass.name] = int((sizes > max_block_size).sum())
    return NationalBlocks(record_provinces(records), block_ids, skipped)


def province_pairs(positions: np.ndarray, block_ids: list[np.ndarray], codes: RecordCodes,
                   passes: tuple[BlockingPass, ...], max_block_size: int,
                   comparisons: tuple[Comparison, ...]) -> pd.DataFrame:
    """The candidate pairs inside one province with their comparison levels, in national positions.

    Args:
        positions: National positions of the province's records, ascending.
        block_ids: Per pass, the national block of each of those records (from :class:`NationalBlocks`).
        codes: The comparisons' views of those records, in the same order.
        passes: The blocking passes, in the order of ``block_ids``.
        max_block_size: As configured; no block is over it any more, since oversized ones were dropped nationally.
        comparisons: The configured comparisons.
    """
    pairs, _ = union_pass_pairs(block_ids, passes, max_block_size, len(positions))
    return with_levels(codes, positions, pairs.assign(left=positions[pairs["left"].to_numpy()],
                                                      right=positions[pairs["right"].to_numpy()]), comparisons)


def cross_province_pairs(blocks: NationalBlocks, passes: tuple[BlockingPass, ...],
                         max_block_size: int) -> pd.DataFrame:
    """The candidate pairs whose two records lie in different partitions (the global pass), national positions.

    Only blocks spanning two or more partitions are paired, so the cost follows the movers, not the country.
    """
    partition = pd.factorize(blocks.provinces)[0]
    spanning_ids = []
    for ids in blocks.block_ids:
        keyed = ids >= 0
        _, inverse = np.unique(ids[keyed], return_inverse=True)
        lowest = np.full(inverse.max(initial=-1) + 1, np.iinfo(np.int64).max)
        highest = np.full(len(lowest), -1)
        np.minimum.at(lowest, inverse, partition[keyed])
        np.maximum.at(highest, inverse, partition[keyed])
        spanning = np.full(len(ids), -1, dtype=np.int64)
        spanning[keyed] = np.where(lowest[inverse] != highest[inverse], ids[keyed], -1)
        spanning_ids.append(spanning)
    pairs, _ = union_pass_pairs(spanning_ids, passes, max_block_size, len(partition))
    crossing = partition[pairs["left"].to_numpy()] != partition[pairs["right"].to_numpy()]
    return pairs[crossing].reset_index(drop=True)


def paired_positions(pairs: pd.DataFrame) -> np.ndarray:
    """The national positions of the records in any of ``pairs``, ascending (the rows their levels need)."""
    return np.unique(np.concatenate([pairs["left"].to_numpy(), pairs["right"].to_numpy()]))


def with_levels(codes: RecordCodes, positions: np.ndarray, pairs: pd.DataFrame,
                comparisons: tuple[Comparison, ...]) -> pd.DataFrame:
    """The pairs with their comparison levels as ``level_<comparison>`` columns.

    Args:
        codes: The comparisons' views of the records at ``positions`` (row ``i`` is the record at
            ``positions[i]``).
        positions: National positions, ascending, holding both records of every pair.
        pairs: Pairs in national positions.
        comparisons: The configured comparisons.
    """
    local = positions.searchsorted
    levels = compare_levels(codes, local(pairs["left"].to_numpy()), local(pairs["right"].to_numpy()), comparisons)
    names = [LEVEL_PREFIX + c.name for c in comparisons]
    return pd.concat([pairs, pd.DataFrame(levels, columns=names, index=pairs.index)], axis=1)


def encoded_records(records: pd.DataFrame, comparisons: tuple[Comparison, ...]) -> RecordCodes:
    """Every view and table the comparisons read, computed once on all records (national codes)."""
    codes = RecordCodes(records)
    for comparison in comparisons:
        comparison.encode(codes)
    return codes


def combine_pairs(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Union the provinces' and the cross-province pairs (disjoint sets) into national order, levels kept."""
    passes = pd.api.types.union_categoricals([part["passes"] for part in parts], ignore_order=True)
    combined = pd.concat([part.drop(columns="passes") for part in parts], ignore_index=True).assign(passes=passes)
    return combined.sort_values(["left", "right"], ignore_index=True)


def split_levels(pairs: pd.DataFrame, comparisons: tuple[Comparison, ...]) -> tuple[pd.DataFrame, np.ndarray]:
    """The pairs (``left``, ``right``, ``passes``) and their ``level_<comparison>`` columns as a matrix."""
    level_columns = [LEVEL_PREFIX + c.name for c in comparisons]
    return pairs[["left", "right", "passes"]], pairs[level_columns].to_numpy(np.int8)


def combined_blocking_report(pairs: pd.DataFrame, passes: tuple[BlockingPass, ...], skipped_blocks: dict[str, int],
                             records: int) -> BlockingReport:
    """The blocking report of the combined pairs: what :func:`matching.blocking.block_pairs` reports nationally."""
    per_combination = pairs["passes"].value_counts()
    per_pass = {p.name: int(sum(count for combination, count in per_combination.items()
                                if p.name in str(combination).split(","))) for p in passes}
    return BlockingReport(per_pass, skipped_blocks, len(pairs), records)


def blocks_fingerprint(record_ids: pd.Series, blocks: NationalBlocks) -> str:
    """A digest of the record order and blocks that a province's pairs were built on.

    Positions are national, so pairs built from one ``linkable_records`` are meaningless against another; the
    global step refuses to combine provinces whose fingerprints differ from the current one.
    """
    digest = hashlib.sha256(pd.util.hash_pandas_object(record_ids, index=False).to_numpy().tobytes())
    for ids in blocks.block_ids:
        digest.update(ids.tobytes())
    return digest.hexdigest()[:16]


def link_records_by_province(records: pd.DataFrame, settings: LinkageConfig, *, steward: StewardPairs = NO_STEWARD,
                             citizen_ids: np.ndarray | None = None) -> LinkageRun:
    """:func:`matching.linkage.link_records` split as the partitioned pipeline splits it, in one process.

    The records are encoded nationally once; blocking and comparison run per province on that province's views;
    the cross-province pass, the model fit, scoring and clustering run on all records. The result equals
    ``link_records`` on the same records.
    """
    passes, limit = settings.blocking_passes(), settings.blocking.max_block_size
    comparisons = settings.built_comparisons()
    codes = encoded_records(records, comparisons)
    blocks = national_blocks(records, passes, limit, codes)
    parts = []
    for province in province_keys():
        positions = np.flatnonzero(blocks.provinces == province)
        parts.append(province_pairs(positions, [ids[positions] for ids in blocks.block_ids], codes.take(positions),
                                    passes, limit, comparisons))
    crossing = cross_province_pairs(blocks, passes, limit)
    rows = paired_positions(crossing)
    parts.append(with_levels(codes.take(rows), rows, crossing, comparisons))
    pairs, levels = split_levels(combine_pairs(parts), comparisons)
    report = combined_blocking_report(pairs, passes, blocks.skipped_blocks, len(records))
    return score_and_cluster(records, pairs, report, settings, steward=steward, citizen_ids=citizen_ids,
                             levels=levels)
