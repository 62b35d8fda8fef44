"""Shared by the benchmarks: generated samples under ``data/bench/`` and a timed whole-graph materialisation."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from termtem.settings import PROJECT_ROOT

BENCH_DATA = PROJECT_ROOT / "data" / "bench"


def generated_sample(people: int, seed: int) -> tuple[Path, float | None]:
    """The sample for this size and seed, generated on first use; also the seconds generating took (None if reused)."""
    from termtem.synth import generate_registries

    folder = BENCH_DATA / f"people-{people}-seed-{seed}"
    if (folder / "manifest.json").is_file():
        return folder, None
    started = time.perf_counter()
    generate_registries(folder, people=people, seed=seed)
    return folder, time.perf_counter() - started


@contextmanager
def materialised(folder: Path) -> Iterator[tuple[dg.ExecuteInProcessResult, float]]:
    """Materialise every asset and check on a sample into a scratch SQLite database; yield the result and seconds.

    Asset values are read through the result while the context is open (the scratch folder goes with it).
    """
    from assets.resources import GoldenDatabase, TermtemSettings
    from pipelines.definitions import all_assets, all_checks

    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        result = dg.materialize(
            [*all_assets, *all_checks],
            resources={"settings": TermtemSettings(data_dir=str(folder)),
                       "database": GoldenDatabase(url=f"sqlite:///{scratch}/golden.sqlite")},
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
        )
        yield result, time.perf_counter() - started
