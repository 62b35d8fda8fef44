"""The daily full run, on the cron and time zone of ``config/operations.yaml``."""

import dagster as dg

from pipelines.jobs import OPERATIONS, drop_folder_run_config, full_run_job


def daily_full_run_schedule() -> dg.ScheduleDefinition:
    """Every day, the full run over whatever the agencies last dropped, after their nightly exports."""
    schedule = OPERATIONS.schedule
    return dg.ScheduleDefinition(
        name="termtem_daily_full_run",
        job=full_run_job,
        cron_schedule=schedule.cron,
        execution_timezone=schedule.timezone,
        run_config=drop_folder_run_config(),
        tags={"termtem/trigger": "schedule"},
        default_status=dg.DefaultScheduleStatus.RUNNING if schedule.running_by_default
        else dg.DefaultScheduleStatus.STOPPED,
        description=f"Full run every day at '{schedule.cron}' ({schedule.timezone}), reading the drop folder.",
    )


schedules: list[dg.ScheduleDefinition] = [daily_full_run_schedule()]
