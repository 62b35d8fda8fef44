"""Golden-table settings: survivorship (``config/survivorship.yaml``) and publishing (``config/publish.yaml``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from matching.survivorship import SURVIVING_ATTRIBUTES
from termtem.settings.base import DEFAULT_CONFIG_DIR, StrictModel, parse_settings_file


class SurvivorshipRule(StrictModel):
    """Which record supplies a group of golden-person attributes (see ``config/survivorship.yaml``).

    Attributes:
        attributes: Attributes that survive together from one record.
        criteria: Ordered criteria choosing that record among those with a value.
        require_valid_citizen_id: Only records whose citizen ID passes the check digit take part.
    """

    attributes: tuple[str, ...] = Field(min_length=1)
    criteria: tuple[Literal["trust", "recency", "completeness", "exact_birth_date"], ...] = Field(min_length=1)
    require_valid_citizen_id: bool = False


class SurvivorshipSettings(StrictModel):
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
    settings = parse_settings_file(SurvivorshipSettings, config_dir / "survivorship.yaml")
    assert isinstance(settings, SurvivorshipSettings)
    return settings


class PublishSettings(StrictModel):
    """How releases are published, from ``config/publish.yaml``.

    Attributes:
        pseudonymised_views: ``required`` (fail when the pseudonym key is not set), ``if_key_set`` or ``off``.
    """

    pseudonymised_views: Literal["required", "if_key_set", "off"] = "if_key_set"


@lru_cache(maxsize=8)
def load_publish_settings(config_dir: Path = DEFAULT_CONFIG_DIR) -> PublishSettings:
    """Read ``publish.yaml``."""
    settings = parse_settings_file(PublishSettings, config_dir / "publish.yaml")
    assert isinstance(settings, PublishSettings)
    return settings
