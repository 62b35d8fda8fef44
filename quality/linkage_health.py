"""Run-to-run health of the linkage: per-source link rates and the drifts that should alert a data engineer.

A registry whose export silently changes (a renamed column, IDs blanked, a new date format) still loads and still
produces persons; what gives it away is that its records stop linking to the other registries. These functions
measure that and compare it with the previous run. No Dagster here: ``assets/observability.py`` wires them.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

#: Metadata key prefix of a source's link rate (``link_rate_<source>``), a number Dagster plots run over run.
LINK_RATE_PREFIX = "link_rate_"
#: Metadata key of the number of pairs waiting for a steward's review.
REVIEW_QUEUE = "review_queue"


def source_link_rates(person_clusters: pd.DataFrame) -> pd.Series:
    """Per source, the share of its linked records whose person also has a record in another registry.

    Args:
        person_clusters: One row per linkable record with ``source`` and ``golden_person_id``.

    Returns:
        Link rate in [0, 1] per source, indexed by source name.
    """
    registries = person_clusters.groupby("golden_person_id")["source"].transform("nunique")
    return registries.gt(1).groupby(person_clusters["source"]).mean().astype(float)


def find_drift(current: Mapping[str, float], previous: Mapping[str, float], *, max_link_rate_drop: float,
               max_review_queue_growth: float) -> list[str]:
    """The alerts raised by this run's figures against the previous run's.

    Args:
        current: This run's figures: ``link_rate_<source>`` and ``review_queue``.
        previous: The previous run's figures, same keys; a key missing there is not compared.
        max_link_rate_drop: Largest allowed fall of a link rate, as a share of the previous rate.
        max_review_queue_growth: Largest allowed growth of the review queue, as a share of its previous size.

    Returns:
        One sentence per drift, naming the source and both figures; empty when nothing drifted.
    """
    alerts = []
    for key, rate in current.items():
        before = previous.get(key)
        if not key.startswith(LINK_RATE_PREFIX) or not before:
            continue
        drop = (before - rate) / before
        if drop > max_link_rate_drop:
            alerts.append(f"{key.removeprefix(LINK_RATE_PREFIX)}: link rate fell {drop:.0%} "
                          f"({before:.3f} → {rate:.3f}), more than the {max_link_rate_drop:.0%} allowed")
    queue, queue_before = current.get(REVIEW_QUEUE), previous.get(REVIEW_QUEUE)
    if queue is not None and queue_before and (queue - queue_before) / queue_before > max_review_queue_growth:
        alerts.append(f"review queue grew from {queue_before:.0f} to {queue:.0f} pairs, more than "
                      f"{max_review_queue_growth:.0%}")
    return alerts
