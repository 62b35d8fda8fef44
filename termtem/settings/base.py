"""Where settings live and how a file becomes a typed object: paths, environment variables, strict models."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

#: The repository root: ``config/`` and the default data and database locations hang off it.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
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


def require_known(names: Iterable[str], known: Iterable[str], what: str) -> None:
    """Refuse names outside ``known`` with both lists in the message, so a misspelt key is easy to fix."""
    known = sorted(known)
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ValueError(f"unknown {what}(s) {unknown}; known: {known}")


class StrictModel(BaseModel):
    """Base of every settings model: an unknown (misspelt) key is an error, and settings never change once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def read_yaml(path: Path) -> dict:
    """A YAML configuration file's top-level mapping, or a ``SettingsError`` naming the file."""
    if not path.is_file():
        raise SettingsError(f"configuration file not found: {path}")
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: expected a mapping at the top level")
    return data


def parse_settings_file(model: type[BaseModel], path: Path) -> BaseModel:
    """``path`` read into ``model``; a schema violation becomes a ``SettingsError`` that names the file."""
    try:
        return model.model_validate(read_yaml(path))
    except ValidationError as error:
        raise SettingsError(f"{path}: {error}") from error
