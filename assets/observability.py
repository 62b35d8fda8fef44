"""Run health as asset metadata, plotted run over run in the UI, and the check that alerts on a drift."""

from pathlib import Path

import dagster as dg
import pandas as pd

from assets.resources import TermtemSettings
from matching.missed_children import MISSED
from matching.scoring import LINK, REVIEW
from quality.linkage_health import LINK_RATE_PREFIX, REVIEW_QUEUE, find_drift, source_link_rates
from termtem.settings import load_operations_settings


@dg.asset(group_name="quality", kinds={"pandas"},
          description="Per source: rows in, quarantined, linked and the share linked to another registry; with "
                      "the run's pairs, links, review queue and missed children as numbers the UI plots per run.")
def linkage_health(context: dg.AssetExecutionContext, row_accounting: pd.DataFrame, person_clusters: pd.DataFrame,
                   scored_links: pd.DataFrame, missed_children: pd.DataFrame) -> pd.DataFrame:
    rates = source_link_rates(person_clusters)
    health = row_accounting[["source", "rows_in", "rows_quarantined", "rows_linked"]].assign(
        link_rate=lambda table: table["source"].map(rates).fillna(0.0))
    decisions = scored_links["decision"]
    context.add_output_metadata({
        "rows_in": int(health["rows_in"].sum()),
        "rows_quarantined": int(health["rows_quarantined"].sum()),
        "persons": int(person_clusters["golden_person_id"].nunique()),
        "pairs": len(scored_links),
        "links": int((decisions == LINK).sum()),
        REVIEW_QUEUE: int((decisions == REVIEW).sum()),
        "missed_children": int((missed_children["status"] == MISSED).sum()),
        "missed_children_flags": len(missed_children),
        **{f"{LINK_RATE_PREFIX}{row.source}": float(row.link_rate) for row in health.itertuples()},
        "table": dg.MetadataValue.md(health.to_markdown(index=False, floatfmt=".3f")),
    })
    return health


def _figures(record: dg.EventLogRecord) -> dict[str, float]:
    """The numeric metadata of one materialisation of ``linkage_health``."""
    materialization = record.asset_materialization
    assert materialization is not None
    return {key: float(entry.value) for key, entry in materialization.metadata.items()
            if isinstance(entry, dg.FloatMetadataValue | dg.IntMetadataValue) and entry.value is not None}


@dg.asset_check(asset=linkage_health, name="linkage_drift", blocking=False,
                description="Warns when a source's link rate falls, or the review queue grows, by more than "
                            "config/operations.yaml allows against the previous run.")
def linkage_drift(context: dg.AssetCheckExecutionContext, settings: TermtemSettings) -> dg.AssetCheckResult:
    drift = load_operations_settings(Path(settings.config_dir)).drift
    latest = context.instance.fetch_materializations(linkage_health.key, limit=2).records
    if len(latest) < 2:
        return dg.AssetCheckResult(passed=True, metadata={"compared_with": "no previous run"})
    current, previous = (_figures(record) for record in latest)
    alerts = find_drift(current, previous, max_link_rate_drop=drift.max_link_rate_drop,
                        max_review_queue_growth=drift.max_review_queue_growth)
    return dg.AssetCheckResult(passed=not alerts, severity=dg.AssetCheckSeverity.WARN, metadata={
        "compared_with_run": latest[1].run_id, "alerts": dg.MetadataValue.json(alerts)})
