"""The drop-folder sensors and the daily schedule: a new export starts one run, once, whatever happens after."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
import pytest

from assets.provinces import PROVINCES, all_provinces_tags
from assets.registries import SOURCES
from pipelines.definitions import defs
from pipelines.jobs import OPERATIONS, drop_folder_run_config
from pipelines.sensors import drop_sensor
from termtem.drop_folder import DropCursor, check_drop, file_sha256
from termtem.settings import DropSettings, OperationsSettings, load_source_config

SOURCE = "school_enrolment"


@pytest.fixture
def drop_folder(tmp_path: Path) -> Path:
    return tmp_path / "drop"


@pytest.fixture
def operations(drop_folder: Path) -> OperationsSettings:
    return OPERATIONS.model_copy(update={"drop": DropSettings(folder=drop_folder, poll_seconds=60,
                                                              remembered_checksums=3, settle_seconds=30)})


@pytest.fixture
def sensor(operations: OperationsSettings) -> dg.SensorDefinition:
    return drop_sensor(SOURCE, operations)


def _land(folder: Path, content: str, *, age_seconds: float = 120) -> Path:
    """Write the agency's export into the drop folder as if its copy had finished ``age_seconds`` ago."""
    folder.mkdir(parents=True, exist_ok=True)
    export = folder / load_source_config(SOURCE).file
    export.write_text(content, encoding="utf-8")
    settled = time.time() - age_seconds
    os.utime(export, (settled, settled))
    return export


class Ticks:
    """Evaluates a sensor tick after tick, carrying its cursor as the daemon does."""

    def __init__(self, sensor: dg.SensorDefinition) -> None:
        self.sensor, self.cursor = sensor, None

    def __call__(self) -> list[dg.RunRequest]:
        result = self.sensor.evaluate_tick(dg.build_sensor_context(cursor=self.cursor, definitions=defs))
        self.cursor = result.cursor
        return list(result.run_requests or [])


def test_a_new_export_starts_one_run_and_only_once(sensor: dg.SensorDefinition, drop_folder: Path) -> None:
    tick = Ticks(sensor)
    assert tick() == []                                    # nothing dropped yet
    export = _land(drop_folder, "รุ่นแรก\n")
    first = tick()
    assert len(first) == 1
    assert first[0].run_key == f"{SOURCE}:{file_sha256(export)}"
    assert first[0].tags["termtem/export_sha256"] == file_sha256(export)
    assert tick() == []                                    # the same file on the next tick
    _land(drop_folder, "รุ่นแรก\n", age_seconds=60)       # the agency sends the same export again
    assert tick() == []


def test_changed_content_starts_a_run_and_an_earlier_content_does_not(sensor: dg.SensorDefinition,
                                                                       drop_folder: Path) -> None:
    tick = Ticks(sensor)
    _land(drop_folder, "v1\n")
    [first] = tick()
    export = _land(drop_folder, "v2\n")
    [second] = tick()
    assert second.tags["termtem/export_sha256"] == file_sha256(export) != first.tags["termtem/export_sha256"]
    _land(drop_folder, "v1\n")                             # back to the first export: already processed
    assert tick() == []


def test_a_file_still_being_copied_waits(sensor: dg.SensorDefinition, drop_folder: Path) -> None:
    tick = Ticks(sensor)
    _land(drop_folder, "half a fi", age_seconds=1)
    assert tick() == []
    _land(drop_folder, "half a file, now whole\n")
    assert len(tick()) == 1


def test_the_run_reads_the_drop_folder_and_its_config_fits_the_job(sensor: dg.SensorDefinition, drop_folder: Path,
                                                                   operations: OperationsSettings) -> None:
    _land(drop_folder, "v1\n")
    [request] = Ticks(sensor)()
    assert request.run_config == drop_folder_run_config(operations)
    job = defs.resolve_job_def("termtem_full_run")
    assert dg.validate_run_config(job, request.run_config)["resources"]["settings"]["config"]["data_dir"] \
        == str(drop_folder)


def test_the_cursor_forgets_the_oldest_checksums_first(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    cursor = DropCursor()
    for version in range(5):
        export.write_text(f"v{version}\n")
        os.utime(export, (0, 0 + version))
        cursor = check_drop(export, DropCursor.parse(cursor.dump()), remember=3, settle_seconds=0,
                            now=time.time()).cursor
    assert len(cursor.processed) == 3
    export.write_text("v0\n")
    assert check_drop(export, cursor, remember=3, settle_seconds=0, now=time.time()).is_new
    export.write_text("v4\n")
    assert not check_drop(export, cursor, remember=3, settle_seconds=0, now=time.time()).is_new


def test_every_file_agency_has_a_sensor_and_the_daily_schedule_runs_the_full_job() -> None:
    names = {sensor.name for sensor in defs.sensors}
    file_sources = [source for source in SOURCES if load_source_config(source).format != "sql"]
    assert names >= {f"{source}_drop" for source in file_sources}
    schedule = defs.resolve_schedule_def("termtem_daily_full_run")
    assert schedule.cron_schedule == OPERATIONS.schedule.cron
    assert schedule.execution_timezone == OPERATIONS.schedule.timezone
    assert schedule.job_name == "termtem_full_run"


def test_scheduled_and_dropped_runs_cover_every_province_partition(sensor: dg.SensorDefinition,
                                                                   drop_folder: Path) -> None:
    _land(drop_folder, "v1\n")
    [dropped] = Ticks(sensor)()
    schedule = defs.resolve_schedule_def("termtem_daily_full_run")
    [scheduled] = schedule.evaluate_tick(dg.build_schedule_context()).run_requests or []
    for request in (dropped, scheduled):
        assert request.tags.items() >= all_provinces_tags().items()
    assert scheduled.run_config == drop_folder_run_config()
    assert all_provinces_tags() == {"dagster/asset_partition_range_start": PROVINCES.get_partition_keys()[0],
                                    "dagster/asset_partition_range_end": "unknown"}
