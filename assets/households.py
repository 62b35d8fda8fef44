"""Household and missed-children assets: who lives with whom, the flags raised on them and their summary."""

import base64
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pandas as pd

from assets.resources import GoldenDatabase, TermtemSettings
from matching.flag_evidence import add_flag_evidence
from matching.flag_summary import flags_chart_png, summarise_flags
from matching.households import build_golden_households, resolve_households
from matching.missed_children import MISSED, evaluate_missed_children
from termtem.golden_store import current_person_households
from termtem.settings import load_household_settings, load_linkage_settings


@dg.multi_asset(
    group_name="golden",
    outs={
        "household_membership": dg.AssetOut(
            kinds={"pandas"}, description="Each golden person's current household, with the evidence that "
                                          "placed them there and what was set aside."),
        "household_history": dg.AssetOut(
            kinds={"pandas"}, description="Every household each person was seen in, per source, with first and "
                                          "last seen dates; the current one flagged."),
        "household_id_history": dg.AssetOut(
            kinds={"pandas"}, description="What happened to each golden household ID since the previous "
                                          "release: created, kept, split, merged or retired."),
    },
)
def household_resolution(context: dg.AssetExecutionContext, settings: TermtemSettings, database: GoldenDatabase,
                         person_clusters: pd.DataFrame) -> Iterator[dg.Output]:
    policy = load_household_settings(Path(settings.config_dir))
    previous = current_person_households(database.engine())
    resolved = resolve_households(person_clusters, policy, settings.trust_ranks(), previous)
    membership = resolved.membership
    yield dg.Output(membership, "household_membership", metadata={
        "persons": len(membership), "households": int(membership["golden_household_id"].nunique()),
        "by_evidence": dg.MetadataValue.json(membership["evidence"].value_counts().to_dict()),
        "with_other_dwellings": int(membership["other_dwellings"].gt(0).sum()),
        "previous_release_read": previous is not None,
    })
    yield dg.Output(resolved.history, "household_history", metadata={
        "rows": len(resolved.history), "past_rows": int((~resolved.history["current"]).sum())})
    yield dg.Output(resolved.id_history, "household_id_history", metadata={
        "by_event": dg.MetadataValue.json(resolved.id_history["event"].value_counts().to_dict())})


@dg.asset(group_name="golden", kinds={"pandas"},
          description="One row per household with its address, size, worst triage and poverty-list status.")
def golden_households(context: dg.AssetExecutionContext, settings: TermtemSettings,
                      golden_persons: pd.DataFrame, person_clusters: pd.DataFrame,
                      household_membership: pd.DataFrame, household_id_history: pd.DataFrame) -> pd.DataFrame:
    households = build_golden_households(golden_persons, person_clusters, household_membership,
                                         household_id_history, settings.pipeline().poverty_list_sources)
    context.add_output_metadata({
        "households": len(households),
        "by_triage": dg.MetadataValue.json(households["triage"].value_counts().to_dict()),
        "on_poverty_list": int(households["poverty_list"].sum()),
    })
    return households


@dg.asset(group_name="flags", kinds={"pandas"},
          description="Children who should be in a registry and are not: rule, reason, triage, the registries "
                      "searched and the nearest unlinked records; 'pending_review' when a review pair would "
                      "clear the flag, 'id_conflict' when a pair kept apart only by conflicting citizen IDs would.")
def missed_children(context: dg.AssetExecutionContext, settings: TermtemSettings, golden_persons: pd.DataFrame,
                    golden_households: pd.DataFrame, household_membership: pd.DataFrame,
                    person_clusters: pd.DataFrame, scored_links: pd.DataFrame) -> pd.DataFrame:
    as_of, rules = settings.as_of(), settings.pipeline().missed_children
    households = household_membership.set_index("golden_person_id")["golden_household_id"]
    persons = golden_persons.assign(golden_household_id=golden_persons["golden_person_id"].map(households))
    flags = evaluate_missed_children(persons, person_clusters, golden_households, rules, as_of)
    config_dir = Path(settings.config_dir)
    flags = add_flag_evidence(flags, person_clusters, scored_links, rules,
                              load_household_settings(config_dir).near_miss_candidates,
                              load_linkage_settings(config_dir).thresholds.review)
    context.add_output_metadata({
        "as_of_date": as_of.isoformat(), "flags": len(flags),
        "missed": int((flags["status"] == MISSED).sum()),
        "by_rule": dg.MetadataValue.json(flags["rule"].value_counts().to_dict()),
        "by_status": dg.MetadataValue.json(flags["status"].value_counts().to_dict()),
    })
    return flags


@dg.asset(group_name="flags", kinds={"pandas"},
          description="Missed-children flags per district, rule and status, with the triage split and a chart.")
def missed_children_summary(context: dg.AssetExecutionContext, missed_children: pd.DataFrame) -> pd.DataFrame:
    summary = summarise_flags(missed_children)
    metadata: dict[str, object] = {"districts": int(summary["district_code"].nunique()),
                                   "table": dg.MetadataValue.md(summary.head(30).to_markdown(index=False))}
    if not summary.empty:
        chart = base64.b64encode(flags_chart_png(summary)).decode("ascii")
        metadata["chart"] = dg.MetadataValue.md(f"![flags per district and rule](data:image/png;base64,{chart})")
    context.add_output_metadata(metadata)
    return summary
