"""Typed Dagster resources: where settings and data live, and which database receives the golden tables."""

import datetime as dt
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from termtem.golden_store import engine_for
from termtem.settings import (
    DEFAULT_CONFIG_DIR,
    DEFAULT_DATA_DIR,
    DEFAULT_DB_URL,
    PipelineSettings,
    SourceConfig,
    load_pipeline_settings,
    load_source_config,
)


class TermtemSettings(dg.ConfigurableResource):
    """Where the configuration and the registry exports are, and the run's as-of date.

    Attributes:
        config_dir: Folder with ``pipeline.yaml`` and ``sources/``.
        data_dir: Folder with the registry export files.
        as_of_date: ISO date for ages and flags; empty means ``as_of_date`` in ``pipeline.yaml``.
    """

    config_dir: str = str(DEFAULT_CONFIG_DIR)
    data_dir: str = str(DEFAULT_DATA_DIR)
    as_of_date: str = ""

    def pipeline(self) -> PipelineSettings:
        """The parsed ``pipeline.yaml``."""
        return load_pipeline_settings(Path(self.config_dir))

    def source(self, name: str) -> SourceConfig:
        """The parsed mapping of one source."""
        return load_source_config(name, Path(self.config_dir))

    def trust_ranks(self) -> dict[str, int]:
        """Source name -> survivorship rank (1 = most trusted)."""
        return {name: self.source(name).trust for name in self.pipeline().sources}

    def as_of(self) -> dt.date:
        """The run's reference date: the resource's own value, else the configured default."""
        return dt.date.fromisoformat(self.as_of_date) if self.as_of_date else self.pipeline().as_of_date


class GoldenDatabase(dg.ConfigurableResource):
    """The database that receives the golden tables (SQLAlchemy URL; SQLite file by default)."""

    url: str = DEFAULT_DB_URL

    def engine(self) -> sa.Engine:
        """A new engine for the URL."""
        return engine_for(self.url)
