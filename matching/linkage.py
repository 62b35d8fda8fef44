"""Person linkage in one call: blocking, scoring and constrained clustering, for benchmarks and tests.

The pipeline runs these steps as separate assets (``candidate_pairs``, ``scored_links``, ``person_clustering``)
so each is inspectable in Dagster; :func:`link_records` runs the very same functions in the same order on a record
frame, which is what the accuracy benchmark (FEBRL and the generator) and the linkage tests need.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from matching.blocking import BlockingPass, BlockingReport, block_pairs
from matching.clustering import ClusterLimits, ClusterReport, cluster_records
from matching.comparison import Comparison
from matching.scoring import (
    LINK,
    STEWARD_CANNOT_LINK,
    EmParameters,
    ScoringReport,
    SupervisedParameters,
    Thresholds,
    score_links,
)
from matching.steward import StewardPairs

#: No steward decisions.
NO_STEWARD = StewardPairs(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, bool), 0)


class _Blocking(Protocol):
    max_block_size: int


class LinkageConfig(Protocol):
    """What linkage reads from its settings (see ``termtem.settings.LinkageSettings``)."""

    blocking: _Blocking
    expectation_maximisation: EmParameters
    thresholds: Thresholds
    clusters: ClusterLimits
    supervised: SupervisedParameters

    def blocking_passes(self) -> tuple[BlockingPass, ...]: ...

    def built_comparisons(self) -> tuple[Comparison, ...]: ...


@dataclass(frozen=True)
class LinkageRun:
    """What one linkage run produced.

    Attributes:
        candidates: Candidate pairs scored (``left``, ``right``, ``passes``).
        blocking: The blocking report (before ``keep_pairs`` filtered the pairs).
        scored: ``scored_links`` (:data:`matching.scoring.SCORED_LINK_COLUMNS` and ``w_<field>``).
        scoring: The scoring report (model, weights, steward figures).
        labels: Person label of each record (the smallest position in its person).
        clustering: The clustering report.
    """

    candidates: pd.DataFrame
    blocking: BlockingReport
    scored: pd.DataFrame
    scoring: ScoringReport
    labels: np.ndarray
    clustering: ClusterReport


def link_records(records: pd.DataFrame, settings: LinkageConfig, *, steward: StewardPairs = NO_STEWARD,
                 citizen_ids: np.ndarray | None = None,
                 keep_pairs: Callable[[pd.DataFrame], np.ndarray] | None = None) -> LinkageRun:
    """Block, score and cluster records into persons.

    Args:
        records: Records indexed 0..n-1 with ``record_id`` and every column the settings name.
        settings: Blocking passes, comparisons, EM, thresholds, cluster limits and supervised settings.
        steward: Steward verdicts in force.
        citizen_ids: Valid citizen ID per record (None where not valid), or None when records carry none.
        keep_pairs: Optional filter of the candidate pairs, a boolean per pair (e.g. only pairs across two files
            when linking them).
    """
    pairs, blocking = block_pairs(records, settings.blocking_passes(), settings.blocking.max_block_size)
    if keep_pairs is not None:
        pairs = pairs[keep_pairs(pairs)].reset_index(drop=True)
    return score_and_cluster(records, pairs, blocking, settings, steward=steward, citizen_ids=citizen_ids)


def score_and_cluster(records: pd.DataFrame, pairs: pd.DataFrame, blocking: BlockingReport, settings: LinkageConfig,
                      *, steward: StewardPairs, citizen_ids: np.ndarray | None,
                      levels: np.ndarray | None = None) -> LinkageRun:
    """Score the candidate pairs (levels computed here unless given) and cluster the records into persons.

    The part of :func:`link_records` after blocking, shared with the province-partitioned run
    (:func:`matching.provinces.link_records_by_province`), which brings its own pairs and levels.
    """
    scored, scoring = score_links(records, pairs, settings.built_comparisons(),
                                  em=settings.expectation_maximisation, thresholds=settings.thresholds,
                                  supervised=settings.supervised, steward=steward, citizen_ids=citizen_ids,
                                  levels=levels)
    links = scored[scored["decision"] == LINK]
    cannot = scored[scored["rule"] == STEWARD_CANNOT_LINK]
    labels, clustering = cluster_records(len(records), links["left"].to_numpy(), links["right"].to_numpy(),
                                         links["score"].to_numpy(), citizen_ids,
                                         (cannot["left"].to_numpy(), cannot["right"].to_numpy()), settings.clusters)
    return LinkageRun(pairs, blocking, scored, scoring, labels, clustering)
