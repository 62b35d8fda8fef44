"""Ingest and normalisation assets: one pair per source registry, built from ``config/pipeline.yaml``."""

from pathlib import Path

import dagster as dg
import pandas as pd

from assets.resources import TermtemSettings
from matching.normalise import normalise_records
from quality.quarantine import quarantine_reasons
from termtem.ingest import read_registry
from termtem.settings import load_pipeline_settings, load_quality_settings


def build_registry_assets(source: str) -> list[dg.AssetsDefinition]:
    """The ``raw_<source>`` and ``normalised_<source>`` assets of one registry."""

    @dg.asset(name=f"raw_{source}", group_name="ingest", kinds={"pandas"},
              description=f"Every row of the {source} export, mapped to the canonical schema as text.")
    def raw_registry(context: dg.AssetExecutionContext, settings: TermtemSettings) -> pd.DataFrame:
        config = settings.source(source)
        limits = load_quality_settings(Path(settings.config_dir)).ingest
        frame = read_registry(config, Path(settings.data_dir), limits=limits)
        context.add_output_metadata({"rows": len(frame), "file": config.file, "label": config.label,
                                     "read_problems": dg.MetadataValue.json(
                                         frame["read_problem"].value_counts().to_dict())})
        return frame

    @dg.asset(name=f"normalised_{source}", group_name="normalise", kinds={"pandas"},
              ins={"raw": dg.AssetIn(f"raw_{source}")},
              description=f"The {source} rows cleaned and typed, each with its quarantine reason or none.")
    def normalised_registry(context: dg.AssetExecutionContext, settings: TermtemSettings,
                            raw: pd.DataFrame) -> pd.DataFrame:
        normalised = normalise_records(raw, settings.as_of())
        normalised["quarantine_reason"] = quarantine_reasons(raw, normalised).to_numpy()
        context.add_output_metadata({
            "rows": len(normalised),
            "quarantined": int(normalised["quarantine_reason"].notna().sum()),
            "valid_citizen_id_share": float(normalised["citizen_id_valid"].mean()) if len(normalised) else 0.0,
            "resolved_subdistrict_share": float(normalised["subdistrict_code"].notna().mean())
            if len(normalised) else 0.0,
        })
        return normalised

    return [raw_registry, normalised_registry]


#: Source names in configuration order; read once when the code location loads.
SOURCES: tuple[str, ...] = load_pipeline_settings().sources

registry_assets: list[dg.AssetsDefinition] = [
    asset for source in SOURCES for asset in build_registry_assets(source)
]
