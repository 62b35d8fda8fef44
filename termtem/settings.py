"""Typed settings: the one place where ``config/`` files and environment variables are read.

Everything else receives these objects, so a misspelt key fails here with the file name, not deep in a run.
"""

from __future__ import annotations

import datetime as dt
import os
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
DEFAULT_DB_URL = f"sqlite:///{DEFAULT_DB_PATH}"

#: Environment variable holding the golden database's SQLAlchemy URL (it may carry a password).
DB_URL_ENV = "TERMTEM_DB_URL"


def configured_database_url() -> str | None:
    """The golden database URL from the environment, or ``None`` to use the embedded SQLite default.

    Dagster resources receive the variable as an ``EnvVar`` (so the UI never shows the value); the command
    line, which has no Dagster instance, asks here.
    """
    return os.environ.get(DB_URL_ENV) or None


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


class CorruptionRates(_Strict):
    """Chance that a row of a secondary agency's export carries each kind of error.

    Each rate applies to the rows where the error can occur at all (a day/month swap needs a day of 12 or
    less, a stale address a household that moved, a G-code a learner with a 0-, 6- or 7-ID), so the ground
    truth can check the observed share against it.
    """

    duplicate: float = Field(ge=0, le=1)
    g_code: float = Field(ge=0, le=1)
    id_missing: float = Field(ge=0, le=1)
    id_mistyped: float = Field(ge=0, le=1)
    name_changed: float = Field(ge=0, le=1)
    phonetic: float = Field(ge=0, le=1)
    typo: float = Field(ge=0, le=1)
    name_swap: float = Field(ge=0, le=1)
    title_prefix: float = Field(ge=0, le=1)
    birth_date_missing: float = Field(ge=0, le=1)
    day_unknown: float = Field(ge=0, le=1)
    day_month_swap: float = Field(ge=0, le=1)
    era_swap: float = Field(ge=0, le=1)
    stale_address: float = Field(ge=0, le=1)
    address_abbreviated: float = Field(ge=0, le=1)
    address_reordered: float = Field(ge=0, le=1)
    thai_digits: float = Field(ge=0, le=1)


class PopulationShares(_Strict):
    """Shares of households (or of their members) with a given trait in the true synthetic population."""

    moved: float = Field(ge=0, le=1)
    migrant: float = Field(ge=0, le=1)
    stateless: float = Field(ge=0, le=1)
    stateless_migrant_children: float = Field(ge=0, le=1)
    mother_keeps_family_name: float = Field(ge=0, le=1)
    triaged: float = Field(ge=0, le=1)
    triage_colours: dict[Literal["green", "yellow", "red"], float]
    poverty: float = Field(ge=0, le=1)
    poverty_if_triaged: float = Field(ge=0, le=1)


class AgencyCoverage(_Strict):
    """Share of the people an agency is meant to hold that it actually holds."""

    school_enrolment: float = Field(ge=0, le=1)
    kindergarten: float = Field(ge=0, le=1)
    child_development: float = Field(ge=0, le=1)
    health_centre: float = Field(ge=0, le=1)
    social_cases: float = Field(ge=0, le=1)
    social_cases_whole_family: float = Field(ge=0, le=1)
    child_grant: float = Field(ge=0, le=1)
    child_grant_take_up: float = Field(ge=0, le=1)


class GeneratorRates(_Strict):
    """Settings of the synthetic registry generator, from ``config/generator.yaml``.

    Attributes:
        population: Traits of the true population.
        coverage: How completely each agency holds its people.
        corruption: Error rates for the secondary agencies' rows.
        overrides: Per-source rates that replace ``corruption`` entries.
        scale: Per-source factor on every rate (civil registration is far cleaner than the rest).
    """

    population: PopulationShares
    coverage: AgencyCoverage
    corruption: CorruptionRates
    overrides: dict[str, dict[str, float]] = {}
    scale: dict[str, float] = {}

    @field_validator("overrides")
    @classmethod
    def _known_corruptions(cls, overrides: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for source, rates in overrides.items():
            unknown = sorted(set(rates) - set(CorruptionRates.model_fields))
            if unknown:
                raise ValueError(f"overrides.{source}: unknown corruption(s) {unknown}")
        return overrides

    def for_source(self, source: str) -> CorruptionRates:
        """The corruption rates one source's rows get: overrides applied, then the source's scale."""
        merged = self.corruption.model_dump() | self.overrides.get(source, {})
        factor = self.scale.get(source, 1.0)
        return CorruptionRates.model_validate({name: rate * factor for name, rate in merged.items()})


@lru_cache(maxsize=8)
def load_generator_rates(config_dir: Path = DEFAULT_CONFIG_DIR) -> GeneratorRates:
    """Read ``generator.yaml``; check overrides and scales name configured sources and give rates in 0-1."""
    path = config_dir / "generator.yaml"
    rates = _parse(GeneratorRates, path)
    assert isinstance(rates, GeneratorRates)
    named = set(rates.overrides) | set(rates.scale)
    unknown = named - set(load_pipeline_settings(config_dir).sources)
    if unknown:
        raise SettingsError(f"{path}: unknown source(s) {sorted(unknown)}")
    for source in sorted(named):
        try:
            rates.for_source(source)
        except ValidationError as error:
            raise SettingsError(f"{path}: rates for {source!r} after overrides and scale: {error}") from error
    return rates
