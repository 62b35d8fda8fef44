"""End-to-end scale benchmark: generate N people, run the whole pipeline, print time per stage and peak memory.

Each size runs in a child process so its peak resident memory is its own. Usage::

    python -m bench.scale --people 10000 100000

Generated samples are kept under ``data/bench/`` and reused, so a second run measures only the pipeline.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from termtem.settings import PROJECT_ROOT

BENCH_DATA = PROJECT_ROOT / "data" / "bench"


def _sample(people: int, seed: int) -> tuple[Path, float | None]:
    folder = BENCH_DATA / f"people-{people}-seed-{seed}"
    if (folder / "manifest.json").is_file():
        return folder, None
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "termtem.cli", "generate", "--people", str(people), "--seed", str(seed),
                    "--out", str(folder)], check=True, stdout=subprocess.DEVNULL)
    return folder, time.perf_counter() - started


def _measure(folder: Path) -> dict:
    """Run the pipeline in this process and return step timings (s), total time (s) and peak RSS (MiB)."""
    import dagster as dg

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
        total = time.perf_counter() - started
    steps = {event.step_key: event.event_specific_data.duration_ms / 1000
             for event in result.all_events if event.is_step_success}
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"success": result.success, "total_seconds": total, "steps": steps, "peak_mib": peak_mib}


def _print(people: int, generated: float | None, figures: dict) -> None:
    made = f"generated in {generated:.1f} s" if generated is not None else "sample reused"
    print(f"\n== {people:,} people ({made}) ==")
    ranked = sorted(figures["steps"].items(), key=lambda item: -item[1])
    for step, seconds in ranked:
        print(f"  {step:<32} {seconds:>8.2f} s")
    print(f"  {'end to end':<32} {figures['total_seconds']:>8.2f} s")
    print(f"  {'peak memory':<32} {figures['peak_mib']:>8.0f} MiB")
    print(f"  {'people per second':<32} {people / figures['total_seconds']:>8,.0f}")


def main(argv: list[str] | None = None) -> int:
    """Measure each requested size and print the figures, then the growth between consecutive sizes."""
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[10_000], help="sizes to run (default: 10000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_measure(Path(args.worker))))
        return 0
    totals: list[tuple[int, float]] = []
    for people in args.people:
        folder, generated = _sample(people, args.seed)
        child = subprocess.run([sys.executable, "-m", "bench.scale", "--worker", str(folder)], check=True,
                               capture_output=True, text=True)
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        _print(people, generated, figures)
        totals.append((people, figures["total_seconds"]))
    for (small, small_s), (large, large_s) in itertools.pairwise(totals):
        print(f"\ngrowth {small:,} -> {large:,} people: x{large / small:.0f} people, x{large_s / small_s:.1f} time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
