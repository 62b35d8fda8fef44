"""Household resolution settings (``config/households.yaml``): evidence order and tie-breaks."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from termtem.settings.base import DEFAULT_CONFIG_DIR, SettingsError, StrictModel, parse_settings_file
from termtem.settings.sources import load_pipeline_settings


class HouseholdEvidence(StrictModel):
    """One kind of evidence of where a person lives now (see ``config/households.yaml``).

    Attributes:
        kind: ``house_code``, ``address``, ``mother``, ``guardian``, ``father`` or ``household_ref``.
        sources: Registries whose records count for this entry; ``None`` means any.
    """

    kind: Literal["house_code", "address", "mother", "guardian", "father", "household_ref"]
    sources: tuple[str, ...] | None = None


class HouseholdSettings(StrictModel):
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
    settings = parse_settings_file(HouseholdSettings, path)
    assert isinstance(settings, HouseholdSettings)
    known = set(load_pipeline_settings(config_dir).sources)
    for entry in settings.evidence:
        unknown = set(entry.sources or ()) - known
        if unknown:
            raise SettingsError(f"{path}: evidence {entry.kind!r} names unknown source(s) {sorted(unknown)}")
    return settings
