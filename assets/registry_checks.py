"""Each registry's normalised rows against its great-expectations suite: a warning, not a stop."""

from pathlib import Path

import dagster as dg
import pandas as pd

from assets.checks import data_docs_site, suite_check_result
from assets.registries import SOURCES
from assets.resources import TermtemSettings
from quality.registry_suite import registry_suite
from quality.validation import validate_frame
from termtem.settings import load_quality_settings


def _registry_check(source: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=f"normalised_{source}", name="registry_expectations", blocking=False,
                    description=f"The {source} registry meets its expectation suite (columns, types, codes, "
                                "dates, valid-ID, blank, duplicate and quarantine shares); a warning only.")
    def registry_expectations(context: dg.AssetCheckExecutionContext, settings: TermtemSettings,
                              normalised: pd.DataFrame) -> dg.AssetCheckResult:
        config = settings.source(source)
        thresholds = load_quality_settings(Path(settings.config_dir)).for_source(source)
        suite = registry_suite(source, thresholds, settings.as_of(), config.age_range)
        return suite_check_result(validate_frame(normalised, suite, site=data_docs_site(context, settings)),
                             dg.AssetCheckSeverity.WARN)

    return registry_expectations


#: One check per registry, in configuration order.
registry_checks: list[dg.AssetChecksDefinition] = [_registry_check(source) for source in SOURCES]
