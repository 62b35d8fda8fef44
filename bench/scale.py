"""End-to-end scale benchmark: generate N people, run the whole pipeline, print time per stage and peak memory.

Each size runs in a child process so its peak resident memory is its own; the steps with the highest resident
memory while they ran are printed too (:mod:`bench.step_memory`), which is where to look when the peak grows.
The run is :func:`pipelines.in_process_run.whole_run`: every step in this process, no output capture. Usage::

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
from pathlib import Path

import dagster as dg

from bench.step_memory import sampled_rss, step_memory
from bench.whole_graph import generated_sample, materialised

#: Steps of person linkage, always printed.
LINKAGE_STEPS = ("linkable_records", "province_records", "province_candidate_pairs", "cross_province_candidate_pairs",
                 "candidate_pairs", "scored_links", "person_clustering")


def _metadata(result: object, asset: str, entry: str) -> object:
    """A metadata value of an asset's last materialisation in ``result``."""
    events = [event for event in result.get_asset_materialization_events()  # type: ignore[attr-defined]
              if event.asset_key.to_user_string() == asset]
    return events[-1].materialization.metadata[entry].value


def _measure(folder: Path) -> dict:
    """Run the pipeline in this process: step and stage timings (s), total (s), peak RSS (MiB), linkage counts."""
    from pipelines.definitions import all_assets

    instance = dg.DagsterInstance.ephemeral()
    with sampled_rss() as samples, materialised(folder, instance) as (result, total):
        counts = {"linkable records": _metadata(result, "linkable_records", "records"),
                  "candidate pairs": _metadata(result, "candidate_pairs", "pairs"),
                  "links": _metadata(result, "scored_links", "by_decision").get("link", 0),
                  "review pairs": _metadata(result, "scored_links", "by_decision").get("review", 0),
                  "persons": _metadata(result, "person_clusters", "persons")}
        steps = {event.step_key: event.event_specific_data.duration_ms / 1000
                 for event in result.all_events if event.is_step_success}
        memory = step_memory(instance, result.run_id, samples)
    group_of_step = {asset.node_def.name: next(iter(asset.group_names_by_key.values())) for asset in all_assets}
    stages: dict[str, float] = {}
    for step, seconds in steps.items():
        stage = group_of_step.get(step, "checks")
        stages[stage] = stages.get(stage, 0.0) + seconds
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"success": result.success, "total_seconds": total, "steps": steps, "stages": stages,
            "peak_mib": peak_mib, "counts": counts, "step_memory": memory}


def _print(people: int, generated: float | None, figures: dict) -> None:
    made = f"generated in {generated:.1f} s" if generated is not None else "sample reused"
    print(f"\n== {people:,} people ({made}, run {'succeeded' if figures['success'] else 'FAILED'}) ==")
    for name, count in figures["counts"].items():
        print(f"  {name:<46} {count:>8,}")
    print("  time per stage (sum of its steps; steps overlap little on 2 cores):")
    for stage, seconds in sorted(figures["stages"].items(), key=lambda item: -item[1]):
        print(f"    {stage:<44} {seconds:>8.2f} s")
    ranked = sorted(figures["steps"].items(), key=lambda item: -item[1])
    shown = ranked[:8] + [(step, seconds) for step, seconds in ranked[8:] if step in LINKAGE_STEPS]
    print("  slowest steps, and every linkage step:")
    for step, seconds in shown:
        print(f"    {step:<44} {seconds:>8.2f} s")
    print(f"  {'end to end':<46} {figures['total_seconds']:>8.2f} s")
    print(f"  {'peak memory':<46} {figures['peak_mib']:>8.0f} MiB")
    print("  steps with the highest resident memory (peak while running, and at its start):")
    by_peak = sorted(figures["step_memory"].items(), key=lambda item: -item[1]["peak_mib"])
    for step, memory in by_peak[:8]:
        print(f"    {step:<44} {memory['peak_mib']:>8.0f} MiB  (from {memory['start_mib']:,.0f})")
    print(f"  {'people per second':<46} {people / figures['total_seconds']:>8,.0f}")


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
    totals: list[tuple[int, float, int]] = []
    for people in args.people:
        folder, generated = generated_sample(people, args.seed)
        child = subprocess.run([sys.executable, "-m", "bench.scale", "--worker", str(folder)], check=True,
                               stdout=subprocess.PIPE, text=True)
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        _print(people, generated, figures)
        totals.append((people, figures["total_seconds"], figures["counts"]["candidate pairs"]))
    for (small, small_s, small_pairs), (large, large_s, large_pairs) in itertools.pairwise(totals):
        print(f"\ngrowth {small:,} -> {large:,} people: x{large / small:.0f} people, x{large_s / small_s:.1f} time, "
              f"x{large_pairs / small_pairs:.1f} candidate pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
