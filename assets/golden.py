"""Golden assets: persons, the row accounting, and the publish to the golden database."""

import dagster as dg
import pandas as pd

from assets.registries import SOURCES
from assets.resources import GoldenDatabase, TermtemSettings
from matching.households import assign_households
from matching.survivorship import build_golden_persons
from quality.quarantine import account_rows
from termtem.golden_store import RunSummary, publish_golden


@dg.asset(group_name="golden", kinds={"pandas"},
          description="One row per person: the surviving value of each attribute and the household.")
def golden_persons(context: dg.AssetExecutionContext, settings: TermtemSettings,
                   person_clusters: pd.DataFrame) -> pd.DataFrame:
    trust = settings.trust_ranks()
    persons = build_golden_persons(person_clusters, trust)
    households = assign_households(person_clusters, trust)
    persons["golden_household_id"] = persons["golden_person_id"].map(households)
    context.add_output_metadata({"persons": len(persons),
                                 "with_valid_citizen_id": int(persons["citizen_id"].notna().sum())})
    return persons


@dg.asset(group_name="quality", kinds={"pandas"},
          ins={source: dg.AssetIn(f"raw_{source}") for source in SOURCES},
          description="Per source: rows in, rows linked, rows quarantined; balanced when nothing was lost.")
def row_accounting(context: dg.AssetExecutionContext, person_clusters: pd.DataFrame,
                   quarantined_records: pd.DataFrame, **raw: pd.DataFrame) -> pd.DataFrame:
    table = account_rows({source: len(frame) for source, frame in raw.items()},
                         person_clusters["source"], quarantined_records["source"])
    context.add_output_metadata({"accounting": dg.MetadataValue.md(table.to_markdown(index=False)),
                                 "balanced": bool(table["balanced"].all())})
    return table


@dg.asset_check(asset=row_accounting, blocking=True,
                description="Every source row is either linked or quarantined, exactly once.")
def every_row_accounted_for(row_accounting: pd.DataFrame) -> dg.AssetCheckResult:
    unbalanced = row_accounting[~row_accounting["balanced"]]
    return dg.AssetCheckResult(passed=unbalanced.empty,
                               metadata={"unbalanced_sources": unbalanced["source"].tolist()})


@dg.asset(group_name="golden", kinds={"sqlalchemy"},
          description="The golden tables published to the golden database in one transaction.")
def golden_tables(context: dg.AssetExecutionContext, settings: TermtemSettings, database: GoldenDatabase,
                  golden_persons: pd.DataFrame, golden_households: pd.DataFrame, person_clusters: pd.DataFrame,
                  missed_children: pd.DataFrame, quarantined_records: pd.DataFrame,
                  row_accounting: pd.DataFrame) -> dg.MaterializeResult:
    summary = RunSummary(
        run_id=context.run.run_id, as_of_date=settings.as_of(),
        rows_in=int(row_accounting["rows_in"].sum()), rows_quarantined=len(quarantined_records),
        persons=len(golden_persons), households=len(golden_households), missed_children=len(missed_children))
    publish_golden(database.engine(), {
        "golden_person": golden_persons, "golden_household": golden_households,
        "person_xref": person_clusters, "missed_child": missed_children, "quarantine": quarantined_records,
    }, summary)
    return dg.MaterializeResult(metadata={key: value for key, value in summary.__dict__.items()
                                          if key not in {"run_id", "as_of_date"}})
