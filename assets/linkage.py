"""Linkage assets: candidate pairs → scored links → person clusters and their ID history."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd

from assets.provinces import (
    province_records,
    read_manifest,
    stored_province_pairs,
    stored_record_keys,
    stored_records,
)
from assets.resources import GoldenDatabase, TermtemSettings
from matching.clustering import cluster_records, strongest_links, valid_citizen_ids
from matching.evaluation import completeness_per_pass, true_persons
from matching.fellegi_sunter import LevelWeights
from matching.golden_ids import assign_golden_ids
from matching.provinces import combine_pairs, combined_blocking_report, split_levels
from matching.scoring import LINK, STEWARD_CANNOT_LINK, score_links
from matching.steward import steward_pairs
from termtem.golden_store import current_person_xref, steward_decisions
from termtem.settings import LinkageSettings, load_linkage_settings

#: Ground truth a generated sample ships beside its registries (``termtem generate``); real exports have none.
TRUTH_RECORDS_FILE = "truth_records.parquet"


def _linkage(settings: TermtemSettings) -> LinkageSettings:
    return load_linkage_settings(Path(settings.config_dir))


@dg.asset(group_name="link", kinds={"pandas"},
          deps=[province_records,
                dg.AssetDep("province_candidate_pairs", partition_mapping=dg.AllPartitionMapping())],
          description="Pairs of records worth comparing: the union of the blocking passes in config/linkage.yaml, "
                      "gathered from every province and the pass across provinces, with their comparison levels.")
def candidate_pairs(context: dg.AssetExecutionContext, settings: TermtemSettings,
                    cross_province_candidate_pairs: pd.DataFrame) -> pd.DataFrame:
    linkage = _linkage(settings)
    manifest = read_manifest(context)
    pairs = combine_pairs([*stored_province_pairs(context), cross_province_candidate_pairs])
    report = combined_blocking_report(pairs, linkage.blocking_passes(), manifest["skipped_blocks"],
                                      manifest["records"])
    context.add_output_metadata({
        "pairs": report.total_pairs,
        "cross_province_pairs": len(cross_province_candidate_pairs),
        "pairs_per_pass": dg.MetadataValue.json(report.pairs_per_pass),
        "skipped_oversized_blocks": dg.MetadataValue.json(report.skipped_blocks),
        "reduction_ratio": report.reduction_ratio,
        **_completeness_metadata(context, Path(settings.data_dir), pairs),
    })
    return pairs


def _completeness_metadata(context: dg.AssetExecutionContext, data_dir: Path, pairs: pd.DataFrame) -> dict:
    """Pairs-completeness per pass and in all, when the data is a generated sample that ships its ground truth."""
    truth_file = data_dir / TRUTH_RECORDS_FILE
    if not truth_file.is_file():
        return {}
    truth = true_persons(stored_record_keys(context), pd.read_parquet(truth_file))
    completeness = completeness_per_pass(pairs, truth)
    return {"pairs_completeness": completeness.pop("all"),
            "pairs_completeness_per_pass": dg.MetadataValue.json(completeness)}


def _weights_table(weights: LevelWeights) -> str:
    """The model's partial weight of every field and level, as a Markdown table for the asset's metadata."""
    lines = ["| field | level | weight (log2) |", "| --- | --- | --- |"]
    for name, levels, values in zip(weights.fields, weights.levels, weights.weights, strict=True):
        lines += [f"| {name} | {level} | {value:+.2f} |" for level, value in zip(levels, values, strict=True)]
    return "\n".join(lines)


@dg.asset(group_name="link", kinds={"pandas"}, deps=[province_records],
          description="Every candidate pair with its match weight, per-field partial weights, match probability, "
                      "decision (link / review / non_link) and the rule that decided it.")
def scored_links(context: dg.AssetExecutionContext, settings: TermtemSettings, database: GoldenDatabase,
                 candidate_pairs: pd.DataFrame) -> pd.DataFrame:
    linkage = _linkage(settings)
    comparisons = linkage.built_comparisons()
    # What province_records stored of the records (their keys, and the national codes of the comparisons): loading
    # every column of every record and factorising the names again would cost more than scoring.
    records, stored = stored_record_keys(context), stored_records(context)
    steward = steward_pairs(steward_decisions(database.engine()), records["record_id"])
    pairs, levels = split_levels(candidate_pairs, comparisons)
    scored, report = score_links(
        records, pairs, comparisons, em=linkage.expectation_maximisation,
        thresholds=linkage.thresholds, supervised=linkage.supervised, steward=steward,
        citizen_ids=valid_citizen_ids(records), levels=levels, codes=stored.codes_at(np.arange(len(records))))
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
    decided = scored_links[["left", "right", "rule", "score"]]  # only what clustering reads, not every column
    links = decided[scored_links["decision"].to_numpy() == LINK]
    cannot = decided[scored_links["rule"].to_numpy() == STEWARD_CANNOT_LINK]
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
