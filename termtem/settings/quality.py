"""Data-quality gates (``config/quality.yaml``): per-source expectations and ingest limits."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator

from matching.canonical import NORMALISED_COLUMNS
from termtem.settings.base import DEFAULT_CONFIG_DIR, SettingsError, StrictModel, parse_settings_file, require_known
from termtem.settings.sources import load_pipeline_settings


class SourceQuality(StrictModel):
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
    max_null_share: dict[str, float] = Field(default_factory=dict)

    @field_validator("max_null_share")
    @classmethod
    def _known_columns(cls, shares: dict[str, float]) -> dict[str, float]:
        require_known(shares, NORMALISED_COLUMNS, "normalised column")
        outside = sorted(column for column, share in shares.items() if not 0 <= share <= 1)
        if outside:
            raise ValueError(f"null shares must be between 0 and 1: {outside}")
        return shares


class IngestLimits(StrictModel):
    """What ingest accepts in a row before it quarantines it or refuses the file.

    Attributes:
        max_field_chars: A longer cell quarantines its row (``oversized_field``): no registry value is that long.
        max_undecodable_share: Share of rows with bytes invalid in the declared encoding above which the
            encoding, not the rows, is wrong and the file is refused with a clear error.
    """

    max_field_chars: int = Field(ge=1)
    max_undecodable_share: float = Field(ge=0, le=1)


class QualitySettings(StrictModel):
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
    sources: dict[str, SourceQuality] = Field(default_factory=dict)

    def for_source(self, source: str) -> SourceQuality:
        """The thresholds of one source: the defaults with the source's own entries on top."""
        own = self.sources.get(source)
        return self.defaults.model_copy(update=own.model_dump(exclude_unset=True)) if own else self.defaults


@lru_cache(maxsize=8)
def load_quality_settings(config_dir: Path = DEFAULT_CONFIG_DIR) -> QualitySettings:
    """Read ``quality.yaml``; check it names configured sources and anchor ``data_docs_dir``."""
    path = config_dir / "quality.yaml"
    settings = parse_settings_file(QualitySettings, path)
    assert isinstance(settings, QualitySettings)
    unknown = set(settings.sources) - set(load_pipeline_settings(config_dir).sources)
    if unknown:
        raise SettingsError(f"{path}: unknown source(s) {sorted(unknown)}")
    docs = settings.data_docs_dir
    return settings.model_copy(update={"data_docs_dir": docs if docs.is_absolute()
                                       else config_dir.resolve().parent / docs})
