"""Great-expectations suites as Dagster asset checks.

Each registry's normalised frame gets its suite as a warning: a registry that drifts from its thresholds is
shown, not stopped. The golden frames' suites are blocking: when one fails, ``golden_tables`` does not run and the
golden database keeps the previous release. Every check writes its result into the run's data-docs site
(``data_docs_dir`` in ``config/quality.yaml``) and links it from the check's metadata.
"""

from pathlib import Path

import dagster as dg
import pandas as pd

from assets.resources import TermtemSettings
from quality.golden_suites import (
    households_suite,
    households_view,
    missed_children_suite,
    missed_children_view,
    persons_suite,
    persons_view,
    xref_suite,
    xref_view,
)
from quality.validation import DataDocsSite, SuiteOutcome, validate_frame
from termtem.settings import load_quality_settings


def data_docs_site(context: dg.AssetCheckExecutionContext, settings: TermtemSettings) -> DataDocsSite:
    quality = load_quality_settings(Path(settings.config_dir))
    return DataDocsSite(root=quality.data_docs_dir, run_id=context.run.run_id, keep_runs=quality.keep_runs)


def suite_check_result(outcome: SuiteOutcome, severity: dg.AssetCheckSeverity) -> dg.AssetCheckResult:
    """The suite's outcome as a check result: a table of every expectation, the failures and the docs page."""
    rows = ["| | expectation | column | found |", "| --- | --- | --- | --- |"]
    rows += [f"| {'✅' if item.success else '❌'} | {item.description} | {item.column or ''} | {item.observed} |"
             for item in outcome.outcomes]
    metadata: dict[str, dg.RawMetadataValue] = {
        "suite": outcome.suite,
        "expectations": len(outcome.outcomes),
        "failed": len(outcome.failures),
        "failed_expectations": dg.MetadataValue.json([item.description for item in outcome.failures]),
        "results": dg.MetadataValue.md("\n".join(rows)),
    }
    if outcome.docs_page is not None:
        metadata["data_docs"] = dg.MetadataValue.path(str(outcome.docs_page))
    return dg.AssetCheckResult(passed=outcome.success, severity=severity, metadata=metadata)


@dg.asset_check(asset="person_clusters", name="golden_expectations", blocking=True,
                description="Each source row cross-referenced once, to one person; no person with two valid "
                            "citizen IDs. Blocks the publish.")
def person_xref_expectations(context: dg.AssetCheckExecutionContext, settings: TermtemSettings,
                             person_clusters: pd.DataFrame) -> dg.AssetCheckResult:
    outcome = validate_frame(xref_view(person_clusters), xref_suite(), site=data_docs_site(context, settings))
    return suite_check_result(outcome, dg.AssetCheckSeverity.ERROR)


@dg.asset_check(asset="golden_persons", name="golden_expectations", blocking=True,
                additional_ins={"person_clusters": dg.AssetIn("person_clusters")},
                description="Unique golden person IDs; every cross-reference row points to an existing person; "
                            "no person without a source record. Blocks the publish.")
def golden_person_expectations(context: dg.AssetCheckExecutionContext, settings: TermtemSettings,
                               golden_persons: pd.DataFrame, person_clusters: pd.DataFrame) -> dg.AssetCheckResult:
    outcome = validate_frame(persons_view(golden_persons, person_clusters), persons_suite(),
                             site=data_docs_site(context, settings))
    return suite_check_result(outcome, dg.AssetCheckSeverity.ERROR)


@dg.asset_check(asset="golden_households", name="golden_expectations", blocking=True,
                additional_ins={"golden_persons": dg.AssetIn("golden_persons")},
                description="Unique household IDs; every person's household exists and counts them as a member. "
                            "Blocks the publish.")
def golden_household_expectations(context: dg.AssetCheckExecutionContext, settings: TermtemSettings,
                                  golden_households: pd.DataFrame,
                                  golden_persons: pd.DataFrame) -> dg.AssetCheckResult:
    outcome = validate_frame(households_view(golden_households, golden_persons), households_suite(),
                             site=data_docs_site(context, settings))
    return suite_check_result(outcome, dg.AssetCheckSeverity.ERROR)


@dg.asset_check(asset="missed_children", name="golden_expectations", blocking=True,
                additional_ins={"golden_persons": dg.AssetIn("golden_persons")},
                description="Every flag is about an existing person in their own household, once per rule, from "
                            "a configured rule and within its ages. Blocks the publish.")
def missed_child_expectations(context: dg.AssetCheckExecutionContext, settings: TermtemSettings,
                              missed_children: pd.DataFrame, golden_persons: pd.DataFrame) -> dg.AssetCheckResult:
    rules = {rule.name: (rule.min_age, rule.max_age) for rule in settings.pipeline().missed_children}
    outcome = validate_frame(missed_children_view(missed_children, golden_persons, rules),
                             missed_children_suite(rules), site=data_docs_site(context, settings))
    return suite_check_result(outcome, dg.AssetCheckSeverity.ERROR)


#: The blocking golden-frame checks (each registry's check is in :mod:`assets.registry_checks`).
quality_checks: list[dg.AssetChecksDefinition] = [
    person_xref_expectations, golden_person_expectations, golden_household_expectations, missed_child_expectations,
]
