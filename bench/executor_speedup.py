"""Speed-up of the multiprocess executor over in-process execution for the full run, on this machine's cores.

Each mode runs ``termtem_full_run`` end to end on the same generated sample, ``--repeat`` times, against a fresh
Dagster instance and golden SQLite database; the script prints each time and the ratio of the medians. Usage::

    python -m bench.executor_speedup --people 100000 --repeat 1

The in-process mode is what ``termtem run`` does; the multiprocess mode is what ``dagster dev`` and the schedule and
sensors launch (``executor.max_concurrent`` in ``config/operations.yaml``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg

from assets.provinces import all_provinces_tags
from bench.whole_graph import generated_sample
from termtem.settings import DB_URL_ENV, load_operations_settings

MODES = ("in_process", "multiprocess")


def full_run_job() -> dg.JobDefinition:
    """The code location's full-run job, rebuilt by name in every step process (a reconstructable target)."""
    from pipelines.definitions import defs

    return defs.resolve_job_def("termtem_full_run")


def _run(folder: Path, mode: str) -> float:
    """Seconds for one full run in ``mode`` (``in_process`` or ``multiprocess``) with its own instance and database."""
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        os.environ[DB_URL_ENV] = f"sqlite:///{scratch}/golden.sqlite"
        run_config = {"resources": {"settings": {"config": {"data_dir": str(folder)}}},
                      "loggers": {"console": {"config": {"log_level": "ERROR"}}}}
        with dg.DagsterInstance.local_temp(tempdir=scratch) as instance:
            started = time.perf_counter()
            if mode == "in_process":
                result = full_run_job().execute_in_process(run_config=run_config, instance=instance,
                                                           tags=all_provinces_tags())
                success = result.success
            else:
                with dg.execute_job(dg.reconstructable(full_run_job), instance, run_config=run_config,
                                    tags=all_provinces_tags()) as result:
                    success = result.success
            seconds = time.perf_counter() - started
    if not success:
        raise RuntimeError(f"the {mode} run failed")
    return seconds


def main(argv: list[str] | None = None) -> int:
    """Time both modes and print the medians and the speed-up."""
    parser = argparse.ArgumentParser(prog="python -m bench.executor_speedup", description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--modes", nargs="+", choices=MODES, default=MODES)
    args = parser.parse_args(argv)
    folder, _ = generated_sample(args.people, args.seed)
    workers = load_operations_settings().executor.max_concurrent
    print(f"{args.people:,} people, {os.cpu_count()} cores, multiprocess max_concurrent={workers}")
    medians = {}
    for mode in args.modes:
        times = [_run(folder, mode) for _ in range(args.repeat)]
        medians[mode] = statistics.median(times)
        print(f"  {mode:<13} median {medians[mode]:8.1f} s   runs: {', '.join(f'{t:.1f}' for t in times)}")
    if len(medians) == len(MODES):
        print(f"  speed-up      x{medians['in_process'] / medians['multiprocess']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
