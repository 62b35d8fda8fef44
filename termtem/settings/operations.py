"""Operations settings (``config/operations.yaml``): schedule, drop folder, retries, executor, drift alert."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field

from termtem.settings.base import DEFAULT_CONFIG_DIR, PROJECT_ROOT, SettingsError, StrictModel, parse_settings_file


class ScheduleSettings(StrictModel):
    """When the daily full run starts (``schedule`` in ``config/operations.yaml``)."""

    cron: str
    timezone: str
    running_by_default: bool = False


#: Environment variable overriding the drop folder of ``config/operations.yaml`` (a mounted volume in a cluster).
DROP_FOLDER_ENV = "TERMTEM_DROP_FOLDER"


class DropSettings(StrictModel):
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


class RetrySettings(StrictModel):
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


class ExecutorSettings(StrictModel):
    """How many steps of one run execute at once: on the local machine's cores, and as jobs in a cluster."""

    max_concurrent: int = Field(ge=1)
    k8s_max_concurrent: int = Field(ge=1)


class DriftSettings(StrictModel):
    """Run-to-run changes that raise the linkage drift alert.

    Attributes:
        max_link_rate_drop: Largest allowed fall of a source's link rate, as a share of the previous run's rate.
        max_review_queue_growth: Largest allowed growth of the review queue, as a share of the previous size.
    """

    max_link_rate_drop: float = Field(gt=0, le=1)
    max_review_queue_growth: float = Field(gt=0)


class OperationsSettings(StrictModel):
    """Schedules, sensors, retries, local parallelism and drift alerts, from ``config/operations.yaml``."""

    schedule: ScheduleSettings
    drop: DropSettings
    retry: RetrySettings
    executor: ExecutorSettings
    drift: DriftSettings


@lru_cache(maxsize=8)
def load_operations_settings(config_dir: Path = DEFAULT_CONFIG_DIR) -> OperationsSettings:
    """Read ``operations.yaml``."""
    settings = parse_settings_file(OperationsSettings, config_dir / "operations.yaml")
    assert isinstance(settings, OperationsSettings)
    return settings
