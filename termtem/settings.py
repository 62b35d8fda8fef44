"""Typed settings: the one place where ``config/`` files and environment variables are read.

Everything else receives these objects, so a misspelt key fails here with the file name, not deep in a run.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from matching.blocking import BlockingPass
from matching.canonical import CANONICAL_FIELDS, NORMALISED_COLUMNS
from matching.comparison import (
    Comparison,
    DateComparison,
    ExactComparison,
    HierarchyComparison,
    IdentifierComparison,
    NameComparison,
)
from matching.survivorship import SURVIVING_ATTRIBUTES

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


#: Environment variable holding the secret key of the pseudonymised analytics tables (HMAC-SHA256).
PSEUDONYM_KEY_ENV = "TERMTEM_PSEUDONYM_KEY"


def pseudonym_key_is_set() -> bool:
    """Whether the pseudonym key is in the environment; resources then read it as an ``EnvVar``."""
    return bool(os.environ.get(PSEUDONYM_KEY_ENV))


class SettingsError(ValueError):
    """A configuration file is missing or does not fit its schema."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: Encodings Thai registry exports come in (Python codec names); ``auto`` means UTF-8 or Windows-874 by the bytes.
SOURCE_ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "cp874", "tis-620", "iso8859-11", "auto")


class SourceConfig(_Strict):
    """How one agency's registry export maps onto the canonical schema.

    Attributes:
        name: Short machine name, used as the asset key and in lineage columns.
        label: Human name shown in the UI and reports.
        file: File name relative to the data directory (or a table name for ``format: sql``).
        format: How to read the file.
        encoding: Text encoding of CSV exports, one of :data:`SOURCE_ENCODINGS` (any spelling Python knows);
            Thai government exports are often ``cp874``. ``auto`` lets ingest tell UTF-8 from Windows-874.
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

    @field_validator("encoding")
    @classmethod
    def _thai_encoding(cls, encoding: str) -> str:
        # Any other codec (latin-1, cp1252…) decodes Thai bytes into mojibake without an error.
        spelled = encoding.lower().replace("_", "-")
        try:  # Python knows Windows-874 only as cp874
            name = spelled if spelled == "auto" else codecs.lookup(
                "cp874" if spelled == "windows-874" else spelled).name
        except LookupError:
            name = encoding
        if name not in SOURCE_ENCODINGS:
            raise ValueError(f"encoding {encoding!r} is not one Thai registry exports use; "
                             f"use one of {list(SOURCE_ENCODINGS)}")
        return name


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


class HouseholdEvidence(_Strict):
    """One kind of evidence of where a person lives now (see ``config/households.yaml``).

    Attributes:
        kind: ``house_code``, ``address``, ``mother``, ``guardian``, ``father`` or ``household_ref``.
        sources: Registries whose records count for this entry; ``None`` means any.
    """

    kind: Literal["house_code", "address", "mother", "guardian", "father", "household_ref"]
    sources: tuple[str, ...] | None = None


class HouseholdSettings(_Strict):
    """Household identity and missed-children evidence settings, from ``config/households.yaml``.

    Attributes:
        evidence: Evidence entries, strongest first; a person's current household comes from the first one
            any of their records provides.
        tie_break: Order of ``trust`` and ``recency`` among records giving the same entry.
        near_miss_candidates: Nearest unlinked records listed on each missed-children flag.
    """

    evidence: tuple[HouseholdEvidence, ...] = Field(min_length=1)
    tie_break: tuple[Literal["trust", "recency"], ...]
    near_miss_candidates: int = Field(ge=0, le=20)

    @field_validator("tie_break")
    @classmethod
    def _both_once(cls, tie_break: tuple[str, ...]) -> tuple[str, ...]:
        if sorted(tie_break) != ["recency", "trust"]:
            raise ValueError(f"tie_break must name trust and recency once each, in the order wanted, not "
                             f"{list(tie_break)}")
        return tie_break


@lru_cache(maxsize=8)
def load_household_settings(config_dir: Path = DEFAULT_CONFIG_DIR) -> HouseholdSettings:
    """Read ``households.yaml`` and check every evidence entry names configured sources."""
    path = config_dir / "households.yaml"
    settings = _parse(HouseholdSettings, path)
    assert isinstance(settings, HouseholdSettings)
    known = set(load_pipeline_settings(config_dir).sources)
    for entry in settings.evidence:
        unknown = set(entry.sources or ()) - known
        if unknown:
            raise SettingsError(f"{path}: evidence {entry.kind!r} names unknown source(s) {sorted(unknown)}")
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


class SourceQuality(_Strict):
    """Thresholds of one registry's expectation suite (``config/quality.yaml``); shares are of its rows, 0-1.

    A threshold left out is not checked: the defaults here constrain nothing.

    Attributes:
        min_rows: Fewest rows a complete export has; an empty or truncated export fails.
        max_quarantine_share: Most rows that may end in the quarantine.
        min_valid_citizen_id_share: Fewest rows whose citizen ID passes the check digit.
        max_duplicate_citizen_id_share: Most rows whose citizen ID is on another row of the same export.
        max_duplicate_record_key_share: Most rows whose agency record key is on another row.
        min_birth_date_in_age_range_share: Fewest rows, of those with a birth date, inside the registry's
            ``age_range`` at the as-of date.
        max_null_share: Normalised column -> most rows that may lack a value.
    """

    min_rows: int = Field(default=0, ge=0)
    max_quarantine_share: float = Field(default=1.0, ge=0, le=1)
    min_valid_citizen_id_share: float = Field(default=0.0, ge=0, le=1)
    max_duplicate_citizen_id_share: float = Field(default=1.0, ge=0, le=1)
    max_duplicate_record_key_share: float = Field(default=1.0, ge=0, le=1)
    min_birth_date_in_age_range_share: float = Field(default=0.0, ge=0, le=1)
    max_null_share: dict[str, float] = {}

    @field_validator("max_null_share")
    @classmethod
    def _known_columns(cls, shares: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(shares) - set(NORMALISED_COLUMNS))
        if unknown:
            raise ValueError(f"unknown normalised column(s) {unknown}; known: {sorted(NORMALISED_COLUMNS)}")
        outside = sorted(column for column, share in shares.items() if not 0 <= share <= 1)
        if outside:
            raise ValueError(f"null shares must be between 0 and 1: {outside}")
        return shares


class IngestLimits(_Strict):
    """What ingest accepts in a row before it quarantines it or refuses the file.

    Attributes:
        max_field_chars: A longer cell quarantines its row (``oversized_field``): no registry value is that long.
        max_undecodable_share: Share of rows with bytes invalid in the declared encoding above which the
            encoding, not the rows, is wrong and the file is refused with a clear error.
    """

    max_field_chars: int = Field(ge=1)
    max_undecodable_share: float = Field(ge=0, le=1)


class QualitySettings(_Strict):
    """Data-quality settings from ``config/quality.yaml``.

    Attributes:
        data_docs_dir: Folder receiving one great-expectations data-docs site per run (``<run id>/``); the
            loader makes a relative path absolute against the folder that holds ``config/``.
        keep_runs: Newest run sites kept in ``data_docs_dir``; older ones are removed.
        ingest: Row and file limits of ingest.
        defaults: Thresholds every registry suite gets.
        sources: Per-source thresholds that replace entries of ``defaults``.
    """

    data_docs_dir: Path
    keep_runs: int = Field(ge=1)
    ingest: IngestLimits
    defaults: SourceQuality
    sources: dict[str, SourceQuality] = {}

    def for_source(self, source: str) -> SourceQuality:
        """The thresholds of one source: the defaults with the source's own entries on top."""
        own = self.sources.get(source)
        return self.defaults.model_copy(update=own.model_dump(exclude_unset=True)) if own else self.defaults


@lru_cache(maxsize=8)
def load_quality_settings(config_dir: Path = DEFAULT_CONFIG_DIR) -> QualitySettings:
    """Read ``quality.yaml``; check it names configured sources and anchor ``data_docs_dir``."""
    path = config_dir / "quality.yaml"
    settings = _parse(QualitySettings, path)
    assert isinstance(settings, QualitySettings)
    unknown = set(settings.sources) - set(load_pipeline_settings(config_dir).sources)
    if unknown:
        raise SettingsError(f"{path}: unknown source(s) {sorted(unknown)}")
    docs = settings.data_docs_dir
    return settings.model_copy(update={"data_docs_dir": docs if docs.is_absolute()
                                       else config_dir.resolve().parent / docs})


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
    social_cases_closed: float = Field(default=0.0, ge=0, le=1)
    family_assessment: float = Field(default=1.0, ge=0, le=1)
    family_assessment_members: float = Field(default=1.0, ge=0, le=1)


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


class BlockingPassSettings(_Strict):
    """One blocking pass: records agreeing on every key form a block (``column`` or ``column:transform``)."""

    name: str
    keys: tuple[str, ...] = Field(min_length=1)


class BlockingSettings(_Strict):
    """Blocking passes (their pairs are unioned) and the largest block whose pairs are generated."""

    max_block_size: int = Field(ge=2)
    passes: tuple[BlockingPassSettings, ...] = Field(min_length=1, max_length=63)


class _ComparisonSettings(_Strict):
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


class ExpectationMaximisationSettings(_Strict):
    """How the unsupervised Fellegi–Sunter model is fitted (see :func:`matching.fellegi_sunter.fit_em`)."""

    initial_match_share: float = Field(gt=0, lt=1)
    max_iterations: int = Field(ge=1)
    tolerance: float = Field(gt=0)
    smoothing: float = Field(gt=0)


class LinkThresholds(_Strict):
    """Match probability at or above ``link`` links; at or above ``review`` goes to review; below is a non-link."""

    link: float = Field(gt=0, lt=1)
    review: float = Field(gt=0, lt=1)

    @model_validator(mode="after")
    def _ordered(self) -> LinkThresholds:
        if self.review > self.link:
            raise ValueError(f"review threshold {self.review} is above the link threshold {self.link}")
        return self


class ClusterLimits(_Strict):
    """When a connected group of links is re-clustered rather than taken as one person.

    Attributes:
        max_size: Largest number of records one person may have.
        min_density: Smallest share of a group's record pairs (of 3+ records) that must be direct links.
    """

    max_size: int = Field(ge=2)
    min_density: float = Field(ge=0, le=1)


class SupervisedSettings(_Strict):
    """When and how steward decisions train corrections to the Fellegi–Sunter weights."""

    min_decisions: int = Field(ge=1)
    min_per_class: int = Field(ge=1)
    l2_penalty: float = Field(gt=0)


class LinkageSettings(_Strict):
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
    settings = _parse(LinkageSettings, config_dir / file)
    assert isinstance(settings, LinkageSettings)
    return settings


class SurvivorshipRule(_Strict):
    """Which record supplies a group of golden-person attributes (see ``config/survivorship.yaml``).

    Attributes:
        attributes: Attributes that survive together from one record.
        criteria: Ordered criteria choosing that record among those with a value.
        require_valid_citizen_id: Only records whose citizen ID passes the check digit take part.
    """

    attributes: tuple[str, ...] = Field(min_length=1)
    criteria: tuple[Literal["trust", "recency", "completeness", "exact_birth_date"], ...] = Field(min_length=1)
    require_valid_citizen_id: bool = False


class SurvivorshipSettings(_Strict):
    """Survivorship rules, from ``config/survivorship.yaml``; every golden attribute named exactly once."""

    rules: tuple[SurvivorshipRule, ...]

    @field_validator("rules")
    @classmethod
    def _each_attribute_once(cls, rules: tuple[SurvivorshipRule, ...]) -> tuple[SurvivorshipRule, ...]:
        named = [attribute for rule in rules for attribute in rule.attributes]
        unknown = sorted(set(named) - set(SURVIVING_ATTRIBUTES))
        twice = sorted({attribute for attribute in named if named.count(attribute) > 1})
        missing = sorted(set(SURVIVING_ATTRIBUTES) - set(named))
        if unknown or twice or missing:
            raise ValueError(f"every attribute of {list(SURVIVING_ATTRIBUTES)} must be named exactly once; "
                             f"unknown {unknown}, named twice {twice}, missing {missing}")
        return rules


@lru_cache(maxsize=8)
def load_survivorship(config_dir: Path = DEFAULT_CONFIG_DIR) -> SurvivorshipSettings:
    """Read ``survivorship.yaml``."""
    settings = _parse(SurvivorshipSettings, config_dir / "survivorship.yaml")
    assert isinstance(settings, SurvivorshipSettings)
    return settings


class PublishSettings(_Strict):
    """How releases are published, from ``config/publish.yaml``.

    Attributes:
        pseudonymised_views: ``required`` (fail when the pseudonym key is not set), ``if_key_set`` or ``off``.
    """

    pseudonymised_views: Literal["required", "if_key_set", "off"] = "if_key_set"


@lru_cache(maxsize=8)
def load_publish_settings(config_dir: Path = DEFAULT_CONFIG_DIR) -> PublishSettings:
    """Read ``publish.yaml``."""
    settings = _parse(PublishSettings, config_dir / "publish.yaml")
    assert isinstance(settings, PublishSettings)
    return settings


class ScheduleSettings(_Strict):
    """When the daily full run starts (``schedule`` in ``config/operations.yaml``)."""

    cron: str
    timezone: str
    running_by_default: bool = False


#: Environment variable overriding the drop folder of ``config/operations.yaml`` (a mounted volume in a cluster).
DROP_FOLDER_ENV = "TERMTEM_DROP_FOLDER"


class DropSettings(_Strict):
    """The folder agencies drop their exports into, watched by one sensor per agency.

    Attributes:
        folder: Drop folder; relative paths are relative to the project root.
        poll_seconds: Minimum time between two looks at the folder.
        remembered_checksums: How many processed SHA-256 checksums each sensor keeps in its cursor.
        settle_seconds: A file changed more recently than this is still being copied and is looked at later.
        running_by_default: Whether the sensors start running when the code location loads.
    """

    folder: Path
    poll_seconds: int = Field(ge=5)
    remembered_checksums: int = Field(ge=1, le=1000)
    settle_seconds: float = Field(default=30, ge=0)
    running_by_default: bool = False

    def resolved_folder(self) -> Path:
        """The drop folder as an absolute path: ``TERMTEM_DROP_FOLDER`` when a deployment sets it."""
        folder = Path(os.environ.get(DROP_FOLDER_ENV) or self.folder)
        return folder if folder.is_absolute() else PROJECT_ROOT / folder


class RetrySettings(_Strict):
    """Retries of a failed step, with backoff (``retry`` in ``config/operations.yaml``)."""

    max_retries: int = Field(ge=0, le=10)
    delay_seconds: float = Field(ge=0)
    backoff: Literal["linear", "exponential"]


#: Environment variable choosing where a run's steps execute: ``multiprocess`` (default) or ``k8s_job``.
EXECUTOR_ENV = "TERMTEM_EXECUTOR"
STEP_EXECUTORS = ("multiprocess", "k8s_job")


def configured_executor() -> str:
    """Where the steps of a run execute: local processes, or one Kubernetes job per step in a cluster.

    The same code location runs on a laptop and in the cluster; only the deployment's environment differs
    (``deploy/helm/values.yaml`` sets ``k8s_job``).
    """
    executor = os.environ.get(EXECUTOR_ENV) or "multiprocess"
    if executor not in STEP_EXECUTORS:
        raise SettingsError(f"{EXECUTOR_ENV}={executor!r}: expected one of {list(STEP_EXECUTORS)}")
    return executor


class ExecutorSettings(_Strict):
    """How many steps of one run execute at once: on the local machine's cores, and as jobs in a cluster."""

    max_concurrent: int = Field(ge=1)
    k8s_max_concurrent: int = Field(ge=1)


class DriftSettings(_Strict):
    """Run-to-run changes that raise the linkage drift alert.

    Attributes:
        max_link_rate_drop: Largest allowed fall of a source's link rate, as a share of the previous run's rate.
        max_review_queue_growth: Largest allowed growth of the review queue, as a share of the previous size.
    """

    max_link_rate_drop: float = Field(gt=0, le=1)
    max_review_queue_growth: float = Field(gt=0)


class OperationsSettings(_Strict):
    """Schedules, sensors, retries, local parallelism and drift alerts, from ``config/operations.yaml``."""

    schedule: ScheduleSettings
    drop: DropSettings
    retry: RetrySettings
    executor: ExecutorSettings
    drift: DriftSettings


@lru_cache(maxsize=8)
def load_operations_settings(config_dir: Path = DEFAULT_CONFIG_DIR) -> OperationsSettings:
    """Read ``operations.yaml``."""
    settings = _parse(OperationsSettings, config_dir / "operations.yaml")
    assert isinstance(settings, OperationsSettings)
    return settings
