"""Linkage assets: linkable records → candidate pairs → scored links → person clusters and their ID history."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pandas as pd

from assets.provinces import read_manifest, stored_province_pairs
from assets.registries import SOURCES
from assets.resources import GoldenDatabase, TermtemSettings
from matching.clustering import cluster_records, strongest_links, valid_citizen_ids
from matching.evaluation import completeness_per_pass, true_persons
from matching.fellegi_sunter import LevelWeights
from matching.golden_ids import assign_golden_ids
from matching.provinces import combine_pairs, combined_blocking_report, split_levels
from matching.scoring import LINK, STEWARD_CANNOT_LINK, score_links
from matching.steward import steward_pairs
from quality.quarantine import quarantine_rows
from termtem.golden_store import current_person_xref, steward_decisions
from termtem.settings import LinkageSettings, load_linkage_settings

#: Ground truth a generated sample ships beside its registries (``termtem generate``); real exports have none.
TRUTH_RECORDS_FILE = "truth_records.parquet"


@dg.asset(group_name="link", kinds={"pandas"},
          ins={f"raw_{source}": dg.AssetIn(f"raw_{source}") for source in SOURCES}
          | {f"normalised_{source}": dg.AssetIn(f"normalised_{source}") for source in SOURCES},
          description="Rows no stage can use, with source, row number, raw values and a reason code.")
def quarantined_records(context: dg.AssetExecutionContext, **frames: pd.DataFrame) -> pd.DataFrame:
    parts = [quarantine_rows(frames[f"raw_{source}"], frames[f"normalised_{source}"]["quarantine_reason"])
             for source in SOURCES]
    quarantined = pd.concat(parts, ignore_index=True)
    context.add_output_metadata({"rows": len(quarantined),
                                 "by_reason": dg.MetadataValue.json(
                                     quarantined["reason"].value_counts().to_dict())})
    return quarantined


@dg.asset(group_name="link", kinds={"pandas"},
          ins={source: dg.AssetIn(f"normalised_{source}") for source in SOURCES},
          description="All usable normalised records of every registry, one position each.")
def linkable_records(context: dg.AssetExecutionContext, **normalised: pd.DataFrame) -> pd.DataFrame:
    usable = [frame[frame["quarantine_reason"].isna()].drop(columns="quarantine_reason")
              for frame in normalised.values()]
    records = pd.concat(usable, ignore_index=True)
    records["record_id"] = records["source"] + ":" + records["source_row"].astype(str)
    context.add_output_metadata({"records": len(records),
                                 "by_source": dg.MetadataValue.json(records["source"].value_counts().to_dict())})
    return records


def _linkage(settings: TermtemSettings) -> LinkageSettings:
    return load_linkage_settings(Path(settings.config_dir))


@dg.asset(group_name="link", kinds={"pandas"},
          deps=[dg.AssetDep("province_candidate_pairs", partition_mapping=dg.AllPartitionMapping())],
          description="Pairs of records worth comparing: the union of the blocking passes in config/linkage.yaml, "
                      "gathered from every province and the pass across provinces, with their comparison levels.")
def candidate_pairs(context: dg.AssetExecutionContext, settings: TermtemSettings, linkable_records: pd.DataFrame,
                    cross_province_candidate_pairs: pd.DataFrame) -> pd.DataFrame:
    linkage = _linkage(settings)
    pairs = combine_pairs([*stored_province_pairs(context), cross_province_candidate_pairs])
    report = combined_blocking_report(pairs, linkage.blocking_passes(), read_manifest(context)["skipped_blocks"],
                                      len(linkable_records))
    context.add_output_metadata({
        "pairs": report.total_pairs,
        "cross_province_pairs": len(cross_province_candidate_pairs),
        "pairs_per_pass": dg.MetadataValue.json(report.pairs_per_pass),
        "skipped_oversized_blocks": dg.MetadataValue.json(report.skipped_blocks),
        "reduction_ratio": report.reduction_ratio,
        **_completeness_metadata(Path(settings.data_dir), linkable_records, pairs),
    })
    return pairs


def _completeness_metadata(data_dir: Path, records: pd.DataFrame, pairs: pd.DataFrame) -> dict:
    """Pairs-completeness per pass and in all, when the data is a generated sample that ships its ground truth."""
    truth_file = data_dir / TRUTH_RECORDS_FILE
    if not truth_file.is_file():
        return {}
    truth = true_persons(records, pd.read_parquet(truth_file))
    completeness = completeness_per_pass(pairs, truth)
    return {"pairs_completeness": completeness.pop("all"),
            "pairs_completeness_per_pass": dg.MetadataValue.json(completeness)}


def _weights_table(weights: LevelWeights) -> str:
    """The model's partial weight of every field and level, as a Markdown table for the asset's metadata."""
    lines = ["| field | level | weight (log2) |", "| --- | --- | --- |"]
    for name, levels, values in zip(weights.fields, weights.levels, weights.weights, strict=True):
        lines += [f"| {name} | {level} | {value:+.2f} |" for level, value in zip(levels, values, strict=True)]
    return "\n".join(lines)


@dg.asset(group_name="link", kinds={"pandas"},
          description="Every candidate pair with its match weight, per-field partial weights, match probability, "
                      "decision (link / review / non_link) and the rule that decided it.")
def scored_links(context: dg.AssetExecutionContext, settings: TermtemSettings, database: GoldenDatabase,
                 linkable_records: pd.DataFrame, candidate_pairs: pd.DataFrame) -> pd.DataFrame:
    linkage = _linkage(settings)
    comparisons = linkage.built_comparisons()
    steward = steward_pairs(steward_decisions(database.engine()), linkable_records["record_id"])
    pairs, levels = split_levels(candidate_pairs, comparisons)
    scored, report = score_links(
        linkable_records, pairs, comparisons, em=linkage.expectation_maximisation,
        thresholds=linkage.thresholds, supervised=linkage.supervised, steward=steward,
        citizen_ids=valid_citizen_ids(linkable_records), levels=levels)
    weights = report.weights
    context.add_output_metadata({
        "pairs": len(scored),
        "by_decision": dg.MetadataValue.json(scored["decision"].value_counts().to_dict()),
        "by_rule": dg.MetadataValue.json(scored["rule"].value_counts().to_dict()),
        "model_version": weights.version,
        "prior_weight": weights.prior_weight,
        "match_share": report.unsupervised.match_share,
        "em_iterations": report.unsupervised.iterations,
        "weights": dg.MetadataValue.md(_weights_table(weights)),
        "steward_must_links": report.must_links,
        "steward_cannot_links": report.cannot_links,
        "steward_decisions_on_unknown_records": report.decisions_on_unknown_records,
        "supervised_training_pairs": report.supervised_pairs,
    })
    # The model that scored the pairs travels with them to the release (stewards' decisions record it).
    scored.attrs["model_version"] = weights.version
    return scored


@dg.multi_asset(
    group_name="link",
    outs={
        "person_clusters": dg.AssetOut(
            kinds={"pandas"}, description="Each linkable record with its golden person ID and the strongest link "
                                          "that joined it (rule and score)."),
        "person_id_history": dg.AssetOut(
            kinds={"pandas"}, description="What happened to each golden person ID since the previous release: "
                                          "created, kept, merged, split or retired."),
    },
)
def person_clustering(context: dg.AssetExecutionContext, settings: TermtemSettings, database: GoldenDatabase,
                      linkable_records: pd.DataFrame, scored_links: pd.DataFrame) -> Iterator[dg.Output]:
    links = scored_links[scored_links["decision"] == LINK]
    cannot = scored_links[scored_links["rule"] == STEWARD_CANNOT_LINK]
    labels, report = cluster_records(
        len(linkable_records), links["left"].to_numpy(), links["right"].to_numpy(), links["score"].to_numpy(),
        valid_citizen_ids(linkable_records), (cannot["left"].to_numpy(), cannot["right"].to_numpy()),
        _linkage(settings).clusters)
    previous = current_person_xref(database.engine())
    golden, history = assign_golden_ids(linkable_records, labels, previous)
    clustered = linkable_records.assign(golden_person_id=golden)
    clustered["link_rule"], clustered["link_score"] = strongest_links(labels, links)
    yield dg.Output(clustered, "person_clusters", metadata={
        "records": len(clustered), "persons": report.clusters,
        "groups_with_citizen_id_conflict": report.groups_with_citizen_id_conflict,
        "groups_with_cannot_link": report.groups_with_cannot_link,
        "oversized_groups": report.oversized_groups, "sparse_groups": report.sparse_groups,
        "refused_links": dg.MetadataValue.json(report.refused_links),
        "previous_release_read": previous is not None,
    })
    yield dg.Output(history, "person_id_history", metadata={
        "by_event": dg.MetadataValue.json(history["event"].value_counts().to_dict())})
