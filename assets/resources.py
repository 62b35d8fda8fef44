"""Typed Dagster resources: where settings and data live, and which database receives the golden tables."""

import datetime as dt
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from termtem.golden_store import engine_for
from termtem.settings import (
    DB_URL_ENV,
    DEFAULT_CONFIG_DIR,
    DEFAULT_DATA_DIR,
    DEFAULT_DB_URL,
    PSEUDONYM_KEY_ENV,
    PipelineSettings,
    PublishSettings,
    SourceConfig,
    SurvivorshipSettings,
    configured_database_url,
    load_pipeline_settings,
    load_publish_settings,
    load_source_config,
    load_survivorship,
    pseudonym_key_is_set,
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

    def survivorship(self) -> SurvivorshipSettings:
        """The parsed ``survivorship.yaml``."""
        return load_survivorship(Path(self.config_dir))

    def publish(self) -> PublishSettings:
        """The parsed ``publish.yaml``."""
        return load_publish_settings(Path(self.config_dir))

    def as_of(self) -> dt.date:
        """The run's reference date: the resource's own value, else the configured default."""
        return dt.date.fromisoformat(self.as_of_date) if self.as_of_date else self.pipeline().as_of_date


class GoldenDatabase(dg.ConfigurableResource):
    """The database that receives the golden tables (SQLAlchemy URL; SQLite file by default).

    Attributes:
        url: SQLAlchemy URL of the golden database.
        pseudonym_key: Secret for the pseudonymised analytics tables; pass it as ``EnvVar`` only (see
            :func:`golden_database`), empty when unset.
    """

    url: str = DEFAULT_DB_URL
    pseudonym_key: str = ""

    def engine(self) -> sa.Engine:
        """A new engine for the URL."""
        return engine_for(self.url)


def golden_database(url: str | None = None) -> GoldenDatabase:
    """The golden database resource with its secrets taken from the environment as ``EnvVar``s.

    Args:
        url: An explicit URL (the command line's ``--db-url``); else ``TERMTEM_DB_URL``, else embedded SQLite.
    """
    if url is not None:
        location = url
    elif configured_database_url():
        location = dg.EnvVar(DB_URL_ENV)
    else:
        location = DEFAULT_DB_URL
    if pseudonym_key_is_set():
        return GoldenDatabase(url=location, pseudonym_key=dg.EnvVar(PSEUDONYM_KEY_ENV))
    return GoldenDatabase(url=location)
