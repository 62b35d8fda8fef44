"""Household and missed-children assets: golden households and the flags raised on them."""

import dagster as dg
import pandas as pd

from assets.resources import TermtemSettings
from matching.households import build_golden_households
from matching.missed_children import evaluate_missed_children


@dg.asset(group_name="golden", kinds={"pandas"},
          description="One row per household with its area, size, worst triage and poverty-list status.")
def golden_households(context: dg.AssetExecutionContext, settings: TermtemSettings,
                      golden_persons: pd.DataFrame, person_clusters: pd.DataFrame) -> pd.DataFrame:
    households = build_golden_households(golden_persons, person_clusters,
                                         settings.pipeline().poverty_list_sources)
    context.add_output_metadata({
        "households": len(households),
        "by_triage": dg.MetadataValue.json(households["triage"].value_counts().to_dict()),
        "on_poverty_list": int(households["poverty_list"].sum()),
    })
    return households


@dg.asset(group_name="flags", kinds={"pandas"},
          description="Children who should be in a registry and are not, with rule, reason and triage.")
def missed_children(context: dg.AssetExecutionContext, settings: TermtemSettings, golden_persons: pd.DataFrame,
                    golden_households: pd.DataFrame, person_clusters: pd.DataFrame) -> pd.DataFrame:
    as_of = settings.as_of()
    flags = evaluate_missed_children(golden_persons, person_clusters, golden_households,
                                     settings.pipeline().missed_children, as_of)
    context.add_output_metadata({"as_of_date": as_of.isoformat(), "flags": len(flags),
                                 "by_rule": dg.MetadataValue.json(flags["rule"].value_counts().to_dict())})
    return flags
