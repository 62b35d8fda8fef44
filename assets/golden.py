"""Golden assets: persons, the row accounting, and the publish of the run as a release of the golden database."""

from pathlib import Path

import dagster as dg
import pandas as pd

from assets.registries import SOURCES
from assets.resources import GoldenDatabase, TermtemSettings
from matching.survivorship import build_golden_persons
from quality.quarantine import account_rows
from termtem.golden_store import Release, publish_release, release_frames, resolve_pseudonym_key


@dg.asset(group_name="golden", kinds={"pandas"},
          description="One row per person: the surviving value of each attribute (config/survivorship.yaml), "
                      "the record that supplied it (from_<attribute>) and the household.")
def golden_persons(context: dg.AssetExecutionContext, settings: TermtemSettings,
                   person_clusters: pd.DataFrame, household_membership: pd.DataFrame) -> pd.DataFrame:
    persons = build_golden_persons(person_clusters, settings.survivorship().rules, settings.trust_ranks())
    household = household_membership.set_index("golden_person_id")["golden_household_id"]
    persons["golden_household_id"] = persons["golden_person_id"].map(household)
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


def _source_files(settings: TermtemSettings) -> dict[str, Path | str]:
    """Each source's export file (checksummed in the release) or, for a SQL source, its table name."""
    configs = {source: settings.source(source) for source in SOURCES}
    return {source: config.file if config.format == "sql" else Path(settings.data_dir) / config.file
            for source, config in configs.items()}


@dg.asset(group_name="golden", kinds={"sqlalchemy"},
          description="The run published as one release of the golden database: every table in one transaction, "
                      "then current in the current_* views; earlier releases stay queryable by run ID.")
def golden_tables(context: dg.AssetExecutionContext, settings: TermtemSettings, database: GoldenDatabase,
                  golden_persons: pd.DataFrame, golden_households: pd.DataFrame, person_clusters: pd.DataFrame,
                  scored_links: pd.DataFrame, missed_children: pd.DataFrame, quarantined_records: pd.DataFrame,
                  row_accounting: pd.DataFrame, person_id_history: pd.DataFrame) -> dg.MaterializeResult:
    key = resolve_pseudonym_key(settings.publish().pseudonymised_views, database.pseudonym_key)
    frames = release_frames(persons=golden_persons, households=golden_households, clusters=person_clusters,
                            scored=scored_links, missed=missed_children, quarantined=quarantined_records,
                            accounting=row_accounting, files=_source_files(settings),
                            id_history=person_id_history)
    rules = [rule.model_dump(mode="json") for rule in settings.survivorship().rules]
    release = Release(run_id=context.run.run_id, as_of_date=settings.as_of(), frames=frames, survivorship=rules,
                      model_version=scored_links.attrs.get("model_version"))
    published = publish_release(database.engine(), release, pseudonym_key=key)
    counted = ("release_seq", "rows_in", "rows_quarantined", "persons", "households", "missed_children")
    return dg.MaterializeResult(metadata={**{name: published[name] for name in counted},
                                          "code_version": published["code_version"],
                                          "model_version": published["model_version"] or "",
                                          "pseudonymised_tables": key is not None})
