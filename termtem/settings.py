"""Typed settings: the one place where ``config/`` files and environment variables are read.

Everything else receives these objects, so a misspelt key fails here with the file name, not deep in a run.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from matching.canonical import CANONICAL_FIELDS

#: The repository root: ``config/`` and the default data and database locations hang off it.
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG_DIR = PROJECT_ROOT / "config"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data" / "sample"
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "termtem.sqlite"


class SettingsError(ValueError):
    """A configuration file is missing or does not fit its schema."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceConfig(_Strict):
    """How one agency's registry export maps onto the canonical schema.

    Attributes:
        name: Short machine name, used as the asset key and in lineage columns.
        label: Human name shown in the UI and reports.
        file: File name relative to the data directory (or a table name for ``format: sql``).
        format: How to read the file.
        encoding: Text encoding of CSV exports; Thai government exports are often ``cp874``.
        sheet: Excel sheet name, when not the first.
        trust: Survivorship rank: 1 is the most trusted source for golden attributes.
        columns: Canonical field name -> column name in the export.
        age_range: Ages (inclusive, in years at the as-of date) the registry is meant to cover, if limited.
    """

    name: str
    label: str
    file: str
    format: Literal["csv", "excel", "parquet", "sql"]
    encoding: str = "utf-8"
    sheet: str | None = None
    trust: int = Field(ge=1)
    columns: dict[str, str]
    age_range: tuple[int, int] | None = None

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, columns: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(columns) - set(CANONICAL_FIELDS))
        if unknown:
            raise ValueError(f"unknown canonical field(s) {unknown}; known: {sorted(CANONICAL_FIELDS)}")
        return columns


class MissedChildRule(_Strict):
    """A rule that flags a child who should be in a registry and is not.

    Attributes:
        name: Machine name of the rule.
        min_age: Youngest age in whole years at the as-of date (inclusive).
        max_age: Oldest age in whole years at the as-of date (inclusive).
        expected_in: Sources any one of which should hold the child.
        when_household: Optional household condition: ``red_or_yellow_triage`` or ``poverty_list``.
        require_true: Optional normalised boolean field (e.g. ``child_grant``) that the record found in
            ``expected_in`` must have True; a record with it False or unknown still leaves the child flagged.
        triage: Triage level the flag carries.
        reason_en: Plain-English reason shown to stewards.
        reason_th: Plain-Thai reason shown to stewards.
    """

    name: str
    min_age: int = Field(ge=0)
    max_age: int = Field(ge=0)
    expected_in: tuple[str, ...]
    when_household: Literal["red_or_yellow_triage", "poverty_list"] | None = None
    require_true: str | None = None
    triage: Literal["red", "yellow", "green"]
    reason_en: str
    reason_th: str


class PipelineSettings(_Strict):
    """Run-wide settings from ``config/pipeline.yaml``.

    Attributes:
        as_of_date: Default reference date for ages and flags (a run may override it; never the wall clock).
        sources: Source registries to ingest, by file stem under ``config/sources/``.
        poverty_list_sources: Sources whose presence puts a person's household on the poverty list.
        missed_children: Flag rules.
    """

    as_of_date: dt.date
    sources: tuple[str, ...]
    poverty_list_sources: tuple[str, ...] = ()
    missed_children: tuple[MissedChildRule, ...]


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        raise SettingsError(f"configuration file not found: {path}")
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: expected a mapping at the top level")
    return data


def _parse(model: type[BaseModel], path: Path) -> BaseModel:
    try:
        return model.model_validate(_read_yaml(path))
    except ValidationError as error:
        raise SettingsError(f"{path}: {error}") from error


@lru_cache(maxsize=8)
def load_pipeline_settings(config_dir: Path = DEFAULT_CONFIG_DIR) -> PipelineSettings:
    """Read ``pipeline.yaml`` and check every rule names a configured source."""
    settings = _parse(PipelineSettings, config_dir / "pipeline.yaml")
    assert isinstance(settings, PipelineSettings)
    for rule in settings.missed_children:
        missing = set(rule.expected_in) - set(settings.sources)
        if missing:
            raise SettingsError(f"{config_dir / 'pipeline.yaml'}: rule {rule.name!r} names unknown source(s) "
                                f"{sorted(missing)}")
    return settings


@lru_cache(maxsize=64)
def load_source_config(name: str, config_dir: Path = DEFAULT_CONFIG_DIR) -> SourceConfig:
    """Read ``config/sources/<name>.yaml``."""
    config = _parse(SourceConfig, config_dir / "sources" / f"{name}.yaml")
    assert isinstance(config, SourceConfig)
    if config.name != name:
        raise SettingsError(f"{config_dir / 'sources' / (name + '.yaml')}: name {config.name!r} does not "
                            f"match the file name")
    return config


def load_source_configs(config_dir: Path = DEFAULT_CONFIG_DIR) -> tuple[SourceConfig, ...]:
    """Every source named in ``pipeline.yaml``, in that order."""
    return tuple(load_source_config(name, config_dir) for name in load_pipeline_settings(config_dir).sources)
