"""One sensor per agency: a full run when a new export lands in the drop folder, once per checksum."""

import time

import dagster as dg

from assets.provinces import all_provinces_tags
from assets.registries import SOURCES
from pipelines.jobs import OPERATIONS, drop_folder_run_config, full_run_job
from termtem.drop_folder import DropCursor, check_drop
from termtem.settings import OperationsSettings, load_source_config


def drop_sensor(source: str, operations: OperationsSettings = OPERATIONS) -> dg.SensorDefinition:
    """The sensor watching one agency's export file in the drop folder.

    The run key is the source and checksum, so even a lost cursor cannot start the same export twice: Dagster
    skips a run request whose key it has already launched for this sensor.
    """
    drop = operations.drop
    export = drop.resolved_folder() / load_source_config(source).file
    run_config = drop_folder_run_config(operations)

    @dg.sensor(name=f"{source}_drop", job=full_run_job, minimum_interval_seconds=drop.poll_seconds,
               default_status=dg.DefaultSensorStatus.RUNNING if drop.running_by_default
               else dg.DefaultSensorStatus.STOPPED,
               description=f"Starts the full run when a new {export.name} (by SHA-256) lands in {export.parent}.")
    def watch_drop_folder(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        check = check_drop(export, DropCursor.parse(context.cursor), remember=drop.remembered_checksums,
                           settle_seconds=drop.settle_seconds, now=time.time())
        cursor = check.cursor.dump()
        if not check.is_new:
            return dg.SensorResult(skip_reason=check.reason, cursor=cursor)
        request = dg.RunRequest(run_key=f"{source}:{check.sha256}", run_config=run_config,
                                tags={"termtem/trigger": "drop", "termtem/source": source,
                                      "termtem/export_sha256": str(check.sha256), **all_provinces_tags()})
        return dg.SensorResult(run_requests=[request], cursor=cursor)

    return watch_drop_folder


#: A sensor for every agency that delivers a file (a ``format: sql`` source is read from its database instead).
sensors: list[dg.SensorDefinition] = [drop_sensor(source) for source in SOURCES
                                      if load_source_config(source).format != "sql"]
