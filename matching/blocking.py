"""Blocking: cheap keys that gather records worth comparing, so we never score all n² pairs.

Each pass groups records on a key and yields every pair inside a group; the passes' pairs are unioned. Groups
larger than ``max_block_size`` are skipped and counted, since a key shared by thousands of records (a common name
with a missing birth date, say) carries no evidence and would explode the pair count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

PAIR_COLUMNS: tuple[str, ...] = ("left", "right")


@dataclass(frozen=True)
class BlockingPass:
    """One blocking pass: records agreeing on every column in ``columns`` (none missing) form a block."""

    name: str
    columns: tuple[str, ...]


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


def _pairs_for_pass(records: pd.DataFrame, blocking_pass: BlockingPass, max_block_size: int) -> tuple[
        pd.DataFrame, int]:
    keyed = records[list(blocking_pass.columns)].dropna()
    if keyed.empty:
        return pd.DataFrame({"left": [], "right": []}, dtype=np.int64), 0
    group_ids = keyed.groupby(list(blocking_pass.columns), sort=False).ngroup().to_numpy()
    sizes = np.bincount(group_ids)
    keep = sizes[group_ids] <= max_block_size
    skipped = int(((sizes > max_block_size)).sum())
    members = pd.DataFrame({"block": group_ids[keep], "record": keyed.index.to_numpy()[keep]})
    members = members[sizes[members["block"]] > 1]
    joined = members.merge(members, on="block", suffixes=("_l", "_r"))
    joined = joined[joined["record_l"] < joined["record_r"]]
    pairs = pd.DataFrame({"left": joined["record_l"].to_numpy(np.int64),
                          "right": joined["record_r"].to_numpy(np.int64)})
    return pairs, skipped


def block_pairs(records: pd.DataFrame, passes: tuple[BlockingPass, ...], max_block_size: int = 200) -> tuple[
        pd.DataFrame, BlockingReport]:
    """Union the candidate pairs of every pass.

    Args:
        records: Normalised records indexed 0..n-1 (the index is the record's position).
        passes: Blocking passes to run.
        max_block_size: Largest block whose pairs are generated.

    Returns:
        Unique pairs ``left < right`` (positions into ``records``) with a ``passes`` column naming every pass that
        proposed the pair, and a :class:`BlockingReport`.
    """
    frames = []
    per_pass: dict[str, int] = {}
    skipped: dict[str, int] = {}
    for blocking_pass in passes:
        pairs, skipped[blocking_pass.name] = _pairs_for_pass(records, blocking_pass, max_block_size)
        per_pass[blocking_pass.name] = len(pairs)
        frames.append(pairs.assign(passes=blocking_pass.name))
    combined = pd.concat(frames, ignore_index=True)
    merged = combined.groupby(["left", "right"], sort=True)["passes"].agg(",".join).reset_index()
    report = BlockingReport(per_pass, skipped, len(merged), len(records))
    return merged, report


#: The baseline matcher's passes: records sharing a citizen ID, or sharing cleaned name and birth date.
BASELINE_PASSES: tuple[BlockingPass, ...] = (
    BlockingPass("citizen_id", ("citizen_id",)),
    BlockingPass("name_birth_date", ("given_name", "family_name", "birth_date")),
)
