"""Jobs: the full pipeline, from raw registries to the published golden tables, and how its steps execute."""

import dagster as dg

from termtem.settings import OperationsSettings, RetrySettings, configured_executor, load_operations_settings

#: Schedules, sensors, retries and parallelism from ``config/operations.yaml``, read once when the code loads.
OPERATIONS: OperationsSettings = load_operations_settings()


def step_retry_policy(retry: RetrySettings) -> dg.RetryPolicy:
    """Retry a step that raised, with growing waits and jitter so parallel steps do not retry in lockstep."""
    backoff = dg.Backoff.EXPONENTIAL if retry.backoff == "exponential" else dg.Backoff.LINEAR
    return dg.RetryPolicy(max_retries=retry.max_retries, delay=retry.delay_seconds, backoff=backoff,
                          jitter=dg.Jitter.PLUS_MINUS)


def step_executor(operations: OperationsSettings) -> dg.ExecutorDefinition:
    """Local processes on this machine's cores or, with ``TERMTEM_EXECUTOR=k8s_job``, a Kubernetes job per step.

    ``dagster-k8s`` (the ``k8s`` extra) is imported only for the cluster, where its image installs it.
    """
    if configured_executor() == "k8s_job":
        from dagster_k8s import k8s_job_executor

        return k8s_job_executor.configured({"max_concurrent": operations.executor.k8s_max_concurrent})
    # Steps fork from a server that has imported the code location and great-expectations (seconds per import, which
    # every step process would otherwise pay again) once.
    return dg.multiprocess_executor.configured({
        "max_concurrent": operations.executor.max_concurrent,
        "start_method": {"forkserver": {"preload_modules": ["pipelines.definitions", "great_expectations"]}},
    })


def drop_folder_run_config(operations: OperationsSettings = OPERATIONS) -> dict:
    """Run config that makes a run read every registry from the agencies' drop folder."""
    folder = str(operations.drop.resolved_folder())
    return {"resources": {"settings": {"config": {"data_dir": folder}}}}


full_run_job = dg.define_asset_job(
    name="termtem_full_run",
    selection=dg.AssetSelection.all(),
    description="Ingest every registry, normalise, link persons and households, flag missed children and "
                "publish the golden tables.",
    executor_def=step_executor(OPERATIONS),
    op_retry_policy=step_retry_policy(OPERATIONS.retry),
)
