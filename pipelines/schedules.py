"""The daily full run, on the cron and time zone of ``config/operations.yaml``."""

import dagster as dg

from assets.provinces import all_provinces_tags
from pipelines.jobs import OPERATIONS, drop_folder_run_config, full_run_job


def daily_full_run_schedule() -> dg.ScheduleDefinition:
    """Every day, the full run over whatever the agencies last dropped, after their nightly exports.

    Each run request carries the whole province range (a schedule's own ``tags`` may not hold Dagster's tags).
    """
    schedule = OPERATIONS.schedule

    def full_run_request(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        return dg.RunRequest(run_config=drop_folder_run_config(),
                             tags={"termtem/trigger": "schedule", **all_provinces_tags()})

    return dg.ScheduleDefinition(
        name="termtem_daily_full_run",
        job=full_run_job,
        cron_schedule=schedule.cron,
        execution_timezone=schedule.timezone,
        execution_fn=full_run_request,
        default_status=dg.DefaultScheduleStatus.RUNNING if schedule.running_by_default
        else dg.DefaultScheduleStatus.STOPPED,
        description=f"Full run every day at '{schedule.cron}' ({schedule.timezone}), reading the drop folder.",
    )


schedules: list[dg.ScheduleDefinition] = [daily_full_run_schedule()]
