"""The synthetic registry generator's rates (``config/generator.yaml``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator

from termtem.settings.base import DEFAULT_CONFIG_DIR, SettingsError, StrictModel, parse_settings_file
from termtem.settings.sources import load_pipeline_settings

#: A rate or share: a fraction of rows, people or households, 0-1.
Share = Annotated[float, Field(ge=0, le=1)]


class CorruptionRates(StrictModel):
    """Chance that a row of a secondary agency's export carries each kind of error.

    Each rate applies to the rows where the error can occur at all (a day/month swap needs a day of 12 or
    less, a stale address a household that moved, a G-code a learner with a 0-, 6- or 7-ID), so the ground
    truth can check the observed share against it.
    """

    duplicate: Share
    g_code: Share
    id_missing: Share
    id_mistyped: Share
    name_changed: Share
    phonetic: Share
    typo: Share
    name_swap: Share
    title_prefix: Share
    birth_date_missing: Share
    day_unknown: Share
    day_month_swap: Share
    era_swap: Share
    stale_address: Share
    address_abbreviated: Share
    address_reordered: Share
    thai_digits: Share


class PopulationShares(StrictModel):
    """Shares of households (or of their members) with a given trait in the true synthetic population."""

    moved: Share
    migrant: Share
    stateless: Share
    stateless_migrant_children: Share
    mother_keeps_family_name: Share
    triaged: Share
    triage_colours: dict[Literal["green", "yellow", "red"], float]
    poverty: Share
    poverty_if_triaged: Share


class AgencyCoverage(StrictModel):
    """Share of the people an agency is meant to hold that it actually holds."""

    school_enrolment: Share
    kindergarten: Share
    child_development: Share
    health_centre: Share
    social_cases: Share
    social_cases_whole_family: Share
    child_grant: Share
    child_grant_take_up: Share
    social_cases_closed: Share = 0.0
    family_assessment: Share = 1.0
    family_assessment_members: Share = 1.0


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
