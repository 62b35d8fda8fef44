"""The run-wide pipeline settings (``config/pipeline.yaml``) and each agency's export mapping
(``config/sources/*.yaml``).
"""

from __future__ import annotations

import codecs
import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from matching.canonical import CANONICAL_FIELDS
from termtem.settings.base import DEFAULT_CONFIG_DIR, SettingsError, StrictModel, parse_settings_file, require_known

#: Encodings Thai registry exports come in (Python codec names); ``auto`` means UTF-8 or Windows-874 by the bytes.
SOURCE_ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "cp874", "tis-620", "iso8859-11", "auto")


class SourceConfig(StrictModel):
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
        require_known(columns, CANONICAL_FIELDS, "canonical field")
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


class MissedChildRule(StrictModel):
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


class PipelineSettings(StrictModel):
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


@lru_cache(maxsize=8)
def load_pipeline_settings(config_dir: Path = DEFAULT_CONFIG_DIR) -> PipelineSettings:
    """Read ``pipeline.yaml`` and check every rule names a configured source."""
    settings = parse_settings_file(PipelineSettings, config_dir / "pipeline.yaml")
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
    config = parse_settings_file(SourceConfig, config_dir / "sources" / f"{name}.yaml")
    assert isinstance(config, SourceConfig)
    if config.name != name:
        raise SettingsError(f"{config_dir / 'sources' / (name + '.yaml')}: name {config.name!r} does not "
                            f"match the file name")
    return config


def load_source_configs(config_dir: Path = DEFAULT_CONFIG_DIR) -> tuple[SourceConfig, ...]:
    """Every source named in ``pipeline.yaml``, in that order."""
    return tuple(load_source_config(name, config_dir) for name in load_pipeline_settings(config_dir).sources)
