"""The synthetic registry generator's rates (``config/generator.yaml``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator

from termtem.settings.base import DEFAULT_CONFIG_DIR, SettingsError, StrictModel, parse_settings_file
from termtem.settings.sources import load_pipeline_settings


class CorruptionRates(StrictModel):
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


class PopulationShares(StrictModel):
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


class AgencyCoverage(StrictModel):
    """Share of the people an agency is meant to hold that it actually holds."""

    school_enrolment: float = Field(ge=0, le=1)
    kindergarten: float = Field(ge=0, le=1)
    child_development: float = Field(ge=0, le=1)
    health_centre: float = Field(ge=0, le=1)
    social_cases: float = Field(ge=0, le=1)
    social_cases_whole_family: float = Field(ge=0, le=1)
    child_grant: float = Field(ge=0, le=1)
    child_grant_take_up: float = Field(ge=0, le=1)
    social_cases_closed: float = Field(default=0.0, ge=0, le=1)
    family_assessment: float = Field(default=1.0, ge=0, le=1)
    family_assessment_members: float = Field(default=1.0, ge=0, le=1)


class GeneratorRates(StrictModel):
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
    overrides: dict[str, dict[str, float]] = Field(default_factory=dict)
    scale: dict[str, float] = Field(default_factory=dict)

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
    rates = parse_settings_file(GeneratorRates, path)
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
