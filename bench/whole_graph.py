"""Shared by the benchmarks: generated samples under ``data/bench/`` and a timed whole-graph run."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import dagster as dg

from pipelines.in_process_run import WholeRunResult, whole_run
from termtem.settings import PROJECT_ROOT

BENCH_DATA = PROJECT_ROOT / "data" / "bench"


def generated_sample(people: int, seed: int) -> tuple[Path, float | None]:
    """The sample for this size and seed, generated on first use; also the seconds generating took (None if reused).

    A cached sample is reused only when it holds every configured source (a source added since is generated anew).
    """
    from termtem.settings import load_source_configs
    from termtem.synth import generate_registries

    folder = BENCH_DATA / f"people-{people}-seed-{seed}"
    sources = load_source_configs()
    if (folder / "manifest.json").is_file() and all((folder / source.file).is_file() for source in sources):
        return folder, None
    started = time.perf_counter()
    generate_registries(folder, people=people, seed=seed)
    return folder, time.perf_counter() - started


@contextmanager
def materialised(folder: Path, instance: dg.DagsterInstance | None = None,
                 ) -> Iterator[tuple[WholeRunResult, float]]:
    """Run every asset and check on a sample into a scratch SQLite database; yield the result and seconds.

    The run is :func:`pipelines.in_process_run.whole_run` (in this process, values kept only while a step uses
    them). Asset values are read through the result while the context is open (the scratch folder goes with it).
    ``instance`` (left open) lets a caller read the run's event log (step start and end times) afterwards.
    """
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as closing:
        run_instance = instance or closing.enter_context(dg.DagsterInstance.ephemeral(tempdir=scratch))
        started = time.perf_counter()
        with whole_run(run_instance, {"settings": {"data_dir": str(folder)},
                                      "database": {"url": f"sqlite:///{scratch}/golden.sqlite"}}) as result:
            yield result, time.perf_counter() - started
