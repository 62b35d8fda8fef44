"""Production: Dagster's own storage in PostgreSQL (deploy/dagster.yaml), the cluster executor, the drop folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from pipelines.definitions import defs
from pipelines.jobs import drop_folder_run_config
from termtem.settings import DROP_FOLDER_ENV, EXECUTOR_ENV, PROJECT_ROOT, SettingsError, configured_executor
from tests.conftest import POSTGRES_URL


@pytest.fixture
def dagster_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh PostgreSQL database for Dagster's storage, named to the deploy file through its environment."""
    name = f"dagster_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(POSTGRES_URL)
    for variable, value in {"DAGSTER_PG_HOST": url.host, "DAGSTER_PG_PORT": str(url.port), "DAGSTER_PG_DB": name,
                            "DAGSTER_PG_USER": url.username, "DAGSTER_PG_PASSWORD": "unused-with-trust-auth"}.items():
        monkeypatch.setenv(variable, value)
    try:
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_the_production_instance_keeps_runs_and_sensor_cursors_in_postgresql(dagster_database: str,
                                                                             tmp_path: Path) -> None:
    shutil.copy(PROJECT_ROOT / "deploy" / "dagster.yaml", tmp_path / "dagster.yaml")

    @dg.asset
    def probe() -> int:
        return 1

    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        result = dg.materialize([probe], instance=instance)
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    engine = sa.create_engine(sa.make_url(POSTGRES_URL).set(database=dagster_database))
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT run_id FROM runs")).scalars().all()
        events = connection.execute(sa.text("SELECT count(*) FROM event_logs WHERE run_id = :run"),
                                    {"run": result.run_id}).scalar_one()
    engine.dispose()
    assert stored == [result.run_id] and events > 0


def _executor_in_a_fresh_process(environment: dict[str, str]) -> str:
    """The full run's executor as a code location started with this environment would build it."""
    script = ("from pipelines.definitions import defs\n"
              "print(defs.resolve_job_def('termtem_full_run').executor_def.name)\n")
    loaded = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            env={**os.environ, **environment}, timeout=300, check=True)
    return loaded.stdout.strip().splitlines()[-1]


def test_the_cluster_runs_each_step_as_a_kubernetes_job_and_a_laptop_in_local_processes() -> None:
    assert _executor_in_a_fresh_process({EXECUTOR_ENV: "k8s_job"}) == "k8s"
    assert defs.resolve_job_def("termtem_full_run").executor_def.name == "multiprocess"


def test_an_unknown_executor_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EXECUTOR_ENV, "home_made")
    with pytest.raises(SettingsError, match="home_made"):
        configured_executor()


def test_a_deployment_moves_the_drop_folder_with_an_environment_variable(monkeypatch: pytest.MonkeyPatch,
                                                                        tmp_path: Path) -> None:
    monkeypatch.setenv(DROP_FOLDER_ENV, str(tmp_path))
    assert drop_folder_run_config()["resources"]["settings"]["config"]["data_dir"] == str(tmp_path)
