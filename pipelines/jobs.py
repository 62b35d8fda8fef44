"""Jobs: the full pipeline, from raw registries to the published golden tables."""

import dagster as dg

full_run_job = dg.define_asset_job(
    name="termtem_full_run",
    selection=dg.AssetSelection.all(),
    description="Ingest every registry, normalise, link persons and households, flag missed children and "
                "publish the golden tables.",
)
