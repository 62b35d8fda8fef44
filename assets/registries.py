"""Ingest assets: one ``raw_<source>`` per source registry, built from ``config/pipeline.yaml``.

Normalisation is per province partition (:mod:`assets.province_normalisation`): reading an export is not.
"""

from pathlib import Path

import dagster as dg
import pandas as pd

from assets.resources import TermtemSettings
from termtem.ingest import read_registry
from termtem.settings import load_pipeline_settings, load_quality_settings


def build_raw_registry(source: str) -> dg.AssetsDefinition:
    """The ``raw_<source>`` asset of one registry."""

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

    return raw_registry


#: Source names in configuration order; read once when the code location loads.
SOURCES: tuple[str, ...] = load_pipeline_settings().sources

registry_assets: list[dg.AssetsDefinition] = [build_raw_registry(source) for source in SOURCES]
