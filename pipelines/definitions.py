"""The termtem code location: every asset, check, job and resource, for ``dagster dev`` and the CLI."""

import dagster as dg

from assets import golden, households, linkage, observability, provinces, records
from assets.checks import quality_checks
from assets.province_normalisation import normalisation_assets
from assets.registries import registry_assets
from assets.registry_checks import registry_checks
from assets.resources import TermtemSettings, golden_database
from pipelines.jobs import full_run_job
from pipelines.schedules import schedules
from pipelines.sensors import sensors

#: Everything the pipeline materialises, in graph order.
all_assets = [*registry_assets, *normalisation_assets,
              *dg.load_assets_from_modules([records, provinces, linkage, households, golden, observability])]
all_checks = [*dg.load_asset_checks_from_modules([golden, observability]), *registry_checks, *quality_checks]


def default_resources() -> dict[str, dg.ConfigurableResource]:
    """Resources for a run: the settings and the golden database (``TERMTEM_DB_URL`` or embedded SQLite)."""
    return {"settings": TermtemSettings(), "database": golden_database()}


defs = dg.Definitions(
    assets=all_assets,
    asset_checks=all_checks,
    jobs=[full_run_job],
    schedules=schedules,
    sensors=sensors,
    resources=default_resources(),
)
