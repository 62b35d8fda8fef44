"""Person linkage settings (``config/linkage.yaml``): blocking, comparisons, model, thresholds, clusters."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from matching.blocking import BlockingPass
from matching.comparison import (
    Comparison,
    DateComparison,
    ExactComparison,
    HierarchyComparison,
    IdentifierComparison,
    NameComparison,
)
from termtem.settings.base import DEFAULT_CONFIG_DIR, StrictModel, parse_settings_file


class BlockingPassSettings(StrictModel):
    """One blocking pass: records agreeing on every key form a block (``column`` or ``column:transform``)."""

    name: str
    keys: tuple[str, ...] = Field(min_length=1)


class BlockingSettings(StrictModel):
    """Blocking passes (their pairs are unioned) and the largest block whose pairs are generated."""

    max_block_size: int = Field(ge=2)
    passes: tuple[BlockingPassSettings, ...] = Field(min_length=1, max_length=63)


class _ComparisonSettings(StrictModel):
    name: str
    term_frequency: bool = False


class ExactComparisonSettings(_ComparisonSettings):
    """Equal / different; with several columns, "shares any value" (parents' IDs)."""

    kind: Literal["exact"]
    columns: tuple[str, ...] = Field(min_length=1)

    def build(self) -> Comparison:
        """The comparison this entry describes."""
        return ExactComparison(self.name, columns=self.columns, term_frequency=self.term_frequency)


class NameComparisonSettings(_ComparisonSettings):
    """Exact / phonetic key / romanised form / swapped with another name field / Jaro–Winkler bands / different."""

    kind: Literal["name"]
    column: str
    key_column: str | None = None
    romanised_column: str | None = None
    swap_column: str | None = None
    similarity: tuple[float, ...] = ()

    @field_validator("similarity")
    @classmethod
    def _descending(cls, bounds: tuple[float, ...]) -> tuple[float, ...]:
        if list(bounds) != sorted(bounds, reverse=True) or not all(0 < bound <= 1 for bound in bounds):
            raise ValueError(f"similarity bounds must be in (0, 1] and descending, got {bounds}")
        return bounds

    def build(self) -> Comparison:
        """The comparison this entry describes."""
        return NameComparison(self.name, column=self.column, key_column=self.key_column,
                              romanised_column=self.romanised_column, swap_column=self.swap_column,
                              similarity=self.similarity,
                              term_frequency=self.term_frequency)


class DateComparisonSettings(_ComparisonSettings):
    """Exact / year of an uncertain day / day-month swap / era slip / one part differs / different."""

    kind: Literal["date"]
    column: str
    uncertain_column: str | None = None
    uncertain_value: str = "day_uncertain"
    era_offset_years: int = 543

    def build(self) -> Comparison:
        """The comparison this entry describes."""
        return DateComparison(self.name, column=self.column, uncertain_column=self.uncertain_column,
                              uncertain_value=self.uncertain_value, era_offset_years=self.era_offset_years,
                              term_frequency=self.term_frequency)


class IdentifierComparisonSettings(_ComparisonSettings):
    """Exact / one digit differs / two adjacent digits transposed / different."""

    kind: Literal["identifier"]
    column: str

    def build(self) -> Comparison:
        """The comparison this entry describes."""
        return IdentifierComparison(self.name, column=self.column, term_frequency=self.term_frequency)


class HierarchyComparisonSettings(_ComparisonSettings):
    """Agreement at the most specific level whose columns all agree (house, subdistrict, district, province)."""

    kind: Literal["hierarchy"]
    levels: dict[str, tuple[str, ...]] = Field(min_length=1)

    def build(self) -> Comparison:
        """The comparison this entry describes."""
        return HierarchyComparison(self.name, hierarchy=tuple(self.levels.items()),
                                   term_frequency=self.term_frequency)


ComparisonSettings = Annotated[ExactComparisonSettings | NameComparisonSettings | DateComparisonSettings
                               | IdentifierComparisonSettings | HierarchyComparisonSettings,
                               Field(discriminator="kind")]


class ExpectationMaximisationSettings(StrictModel):
    """How the unsupervised Fellegi–Sunter model is fitted (see :func:`matching.fellegi_sunter.fit_em`)."""

    initial_match_share: float = Field(gt=0, lt=1)
    max_iterations: int = Field(ge=1)
    tolerance: float = Field(gt=0)
    smoothing: float = Field(gt=0)


class LinkThresholds(StrictModel):
    """Match probability at or above ``link`` links; at or above ``review`` goes to review; below is a non-link."""

    link: float = Field(gt=0, lt=1)
    review: float = Field(gt=0, lt=1)

    @model_validator(mode="after")
    def _ordered(self) -> LinkThresholds:
        if self.review > self.link:
            raise ValueError(f"review threshold {self.review} is above the link threshold {self.link}")
        return self


class ClusterLimits(StrictModel):
    """When a connected group of links is re-clustered rather than taken as one person.

    Attributes:
        max_size: Largest number of records one person may have.
        min_density: Smallest share of a group's record pairs (of 3+ records) that must be direct links.
    """

    max_size: int = Field(ge=2)
    min_density: float = Field(ge=0, le=1)


class SupervisedSettings(StrictModel):
    """When and how steward decisions train corrections to the Fellegi–Sunter weights."""

    min_decisions: int = Field(ge=1)
    min_per_class: int = Field(ge=1)
    l2_penalty: float = Field(gt=0)


class LinkageSettings(StrictModel):
    """Person linkage, from ``config/linkage.yaml``."""

    blocking: BlockingSettings
    comparisons: tuple[ComparisonSettings, ...] = Field(min_length=1)
    expectation_maximisation: ExpectationMaximisationSettings
    thresholds: LinkThresholds
    clusters: ClusterLimits
    supervised: SupervisedSettings

    @field_validator("comparisons")
    @classmethod
    def _unique_names(cls, comparisons: tuple[ComparisonSettings, ...]) -> tuple[ComparisonSettings, ...]:
        names = [comparison.name for comparison in comparisons]
        if len(set(names)) != len(names):
            raise ValueError(f"comparison names must be unique, got {names}")
        return comparisons

    def blocking_passes(self) -> tuple[BlockingPass, ...]:
        """The configured blocking passes."""
        return tuple(BlockingPass(p.name, p.keys) for p in self.blocking.passes)

    def built_comparisons(self) -> tuple[Comparison, ...]:
        """The configured comparisons, in order."""
        return tuple(comparison.build() for comparison in self.comparisons)


@lru_cache(maxsize=8)
def load_linkage_settings(config_dir: Path = DEFAULT_CONFIG_DIR, file: str = "linkage.yaml") -> LinkageSettings:
    """Read ``linkage.yaml`` (or another file of the same shape, such as the FEBRL benchmark's)."""
    settings = parse_settings_file(LinkageSettings, config_dir / file)
    assert isinstance(settings, LinkageSettings)
    return settings
