"""The whole graph run step after step in this process, without keeping every asset's value in memory.

``dg.materialize`` (``execute_in_process``) captures every step's output in the result until the run ends, so a
run holds the raw exports, the normalised frames and every golden frame at once: at 1M people that capture is most
of the run's peak memory. This job runs the same assets and checks with the in-process executor through
``dg.execute_job``: each value lives in the IO manager's storage and in memory only while a step uses it, and
``result.asset_value`` still loads any asset while the run's context is open.
"""

from __future__ import annotations

import ctypes
import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import dagster as dg

#: Name of the in-process job.
IN_PROCESS_JOB = "termtem_in_process_run"


#: Resident size above which a step's end pays for a full garbage collection (about 0.3 s once GE is imported).
COLLECT_ABOVE_BYTES = 1 << 30


def _resident_bytes() -> int:
    """This process's resident set size, from ``/proc`` (0 where there is none)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


@dg.success_hook(name="release_memory")
def release_memory(context: dg.HookContext) -> None:
    """After each step of a large run, return what its frames used to the system.

    Why: the steps run one after another in one process, and freed memory stays with the process (the C heap
    keeps freed pages for reuse), so without this the resident size ratchets up to the largest step's and then
    adds the next one's fragments. Garbage is collected, then glibc hands its free heap pages back (elsewhere
    only the collection happens). A small run skips it: a full collection costs about 0.3 s a step, which would
    double the time of the bundled sample's run.
    """
    if _resident_bytes() < COLLECT_ABOVE_BYTES:
        return
    gc.collect()
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def freeze_loaded_modules() -> None:
    """Exempt everything imported so far (the code location, great-expectations) from later garbage collections.

    Why: those ~390k objects live as long as the process, yet every full collection of :func:`release_memory`
    walks them again (0.25 s of CPU a step, about 11 s of a 1M-person run). ``gc.freeze`` moves them to a
    generation the collector skips; reference counting still frees them, and nothing a step allocates is frozen
    because this runs before the first step.
    """
    import great_expectations  # noqa: F401  (the run's checks import it anyway; freeze it with the rest)

    import pipelines.definitions  # noqa: F401

    gc.collect()
    gc.freeze()


def in_process_definitions() -> dg.Definitions:
    """The code location's assets, checks and resources, with one in-process job over all of them."""
    from pipelines.definitions import all_assets, all_checks, default_resources

    job = dg.define_asset_job(IN_PROCESS_JOB, selection=dg.AssetSelection.all(),
                              executor_def=dg.in_process_executor, hooks={release_memory})
    return dg.Definitions(assets=all_assets, asset_checks=all_checks, jobs=[job], resources=default_resources())


def in_process_job() -> dg.JobDefinition:
    """Every asset and check as one in-process job (a reconstructable target: built again by name)."""
    return in_process_definitions().resolve_job_def(IN_PROCESS_JOB)


class WholeRunResult:
    """A finished whole run: Dagster's result (every attribute passes through), plus ``asset_value``.

    Why: ``execute_job``'s result has no ``asset_value``, and its ``output_for_node`` looks for an op's output where
    the IO manager stored an asset; with these two, callers of this and of ``materialize`` read values the same way.
    """

    def __init__(self, result: dg.ExecuteJobResult, instance: dg.DagsterInstance) -> None:
        self.result = result
        self._loader = in_process_definitions()
        self._instance = instance

    def asset_value(self, asset_key: dg.AssetKey | str) -> object:
        """The asset's stored value, loaded through its IO manager."""
        return self._loader.load_asset_value(asset_key, instance=self._instance)

    def output_for_node(self, node_str: str, output_name: str = "result") -> object:
        """The stored value of the asset that a node's output materialises (as ``materialize``'s result gives)."""
        for assets_def in self._loader.assets or ():
            if isinstance(assets_def, dg.AssetsDefinition) and assets_def.node_def.name == node_str:
                return self.asset_value(assets_def.keys_by_output_name[output_name])
        raise KeyError(f"no asset is materialised by node {node_str!r}")

    def __getattr__(self, name: str) -> object:
        return getattr(self.result, name)


@contextmanager
def whole_run(instance: dg.DagsterInstance, resource_config: dict[str, dict], log_level: str = "ERROR",
              raise_on_error: bool = True, tags: dict[str, str] | None = None) -> Iterator[WholeRunResult]:
    """Run every asset and check once; yield the result (asset values load through it while the context is open).

    Args:
        instance: Where the run, its events and (for the default IO manager) its asset values are stored.
        resource_config: Config per resource key, e.g. ``{"settings": {"data_dir": ...}, "database": {"url": ...}}``.
        log_level: Console log level of the run.
        raise_on_error: Raise the first step error (else the result says the run failed).
        tags: Run tags (e.g. the province partition range of a full run).
    """
    run_config = {"resources": {key: {"config": config} for key, config in resource_config.items()},
                  "loggers": {"console": {"config": {"log_level": log_level}}}}
    freeze_loaded_modules()
    with dg.execute_job(dg.reconstructable(in_process_job), instance, run_config=run_config, tags=tags,
                        raise_on_error=raise_on_error) as result:
        yield WholeRunResult(result, instance)
