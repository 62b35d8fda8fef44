"""Linkage assets: linkable records → candidate pairs → scored links → person clusters."""

import dagster as dg
import pandas as pd

from assets.registries import SOURCES
from matching.blocking import BASELINE_PASSES, block_pairs
from matching.clustering import cluster_records, golden_ids
from matching.scoring import score_pairs_by_rules
from quality.quarantine import quarantine_rows


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


@dg.asset(group_name="link", kinds={"pandas"},
          description="Pairs of records worth comparing, from the union of the blocking passes.")
def candidate_pairs(context: dg.AssetExecutionContext, linkable_records: pd.DataFrame) -> pd.DataFrame:
    pairs, report = block_pairs(linkable_records, BASELINE_PASSES)
    context.add_output_metadata({
        "pairs": report.total_pairs,
        "pairs_per_pass": dg.MetadataValue.json(report.pairs_per_pass),
        "skipped_oversized_blocks": dg.MetadataValue.json(report.skipped_blocks),
        "reduction_ratio": report.reduction_ratio,
    })
    return pairs


@dg.asset(group_name="link", kinds={"pandas"},
          description="Every candidate pair with its score, the rule that decided it and the decision.")
def scored_links(context: dg.AssetExecutionContext, linkable_records: pd.DataFrame,
                 candidate_pairs: pd.DataFrame) -> pd.DataFrame:
    scored = score_pairs_by_rules(linkable_records, candidate_pairs)
    context.add_output_metadata({
        "pairs": len(scored),
        "by_decision": dg.MetadataValue.json(scored["decision"].value_counts().to_dict()),
        "by_rule": dg.MetadataValue.json(scored["rule"].value_counts().to_dict()),
    })
    return scored


@dg.asset(group_name="link", kinds={"pandas"},
          description="Each linkable record with its golden person ID and the strongest link that joined it.")
def person_clusters(context: dg.AssetExecutionContext, linkable_records: pd.DataFrame,
                    scored_links: pd.DataFrame) -> pd.DataFrame:
    links = scored_links[scored_links["decision"] == "link"]
    labels, refused = cluster_records(linkable_records, links)
    clustered = linkable_records.copy()
    clustered["golden_person_id"] = golden_ids(clustered["record_id"], labels, "P")
    ends = pd.concat([links[["left", "rule", "score"]].rename(columns={"left": "record"}),
                      links[["right", "rule", "score"]].rename(columns={"right": "record"})])
    strongest = ends.sort_values("score", ascending=False, kind="stable").drop_duplicates("record")
    strongest = strongest.set_index("record")
    clustered["link_rule"] = strongest["rule"].reindex(clustered.index).to_numpy()
    clustered["link_score"] = strongest["score"].reindex(clustered.index).to_numpy()
    persons = clustered["golden_person_id"].nunique()
    context.add_output_metadata({"records": len(clustered), "persons": persons,
                                 "links_refused_by_citizen_id": refused})
    return clustered
