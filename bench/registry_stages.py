"""Time the per-registry stages outside Dagster: ingest, normalisation and the registry expectation suite.

These are the three steps each registry goes through before linkage; timing them one source at a time, in one
process, shows which source and which step cost what without the rest of the graph. Usage::

    python -m bench.registry_stages --people 200000 [--repeat 3] [--source civil_registration]

Samples come from :func:`bench.whole_graph.generated_sample` (``data/bench/``). Printed seconds are medians of
``--repeat`` runs, wall clock and, because other work on a shared machine inflates the wall clock, CPU seconds of
this process (all its threads); peak memory is the process's peak resident set.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.whole_graph import generated_sample


def _timed(step: Callable[[], Any]) -> tuple[Any, tuple[float, float]]:
    """The step's value and its (wall, CPU) seconds."""
    started, cpu = time.perf_counter(), time.process_time()
    value = step()
    return value, (time.perf_counter() - started, time.process_time() - cpu)


def _one_source(source: str, folder: Any) -> dict[str, Any]:
    """(wall, CPU) seconds of each stage for one source, and its row count."""
    from matching.normalise import normalise_records
    from quality.quarantine import quarantine_reasons
    from quality.registry_suite import registry_suite
    from quality.validation import validate_frame
    from termtem.ingest import read_registry
    from termtem.settings import load_pipeline_settings, load_quality_settings, load_source_config

    config, as_of = load_source_config(source), load_pipeline_settings().as_of_date
    quality = load_quality_settings()
    raw, ingest = _timed(lambda: read_registry(config, folder, limits=quality.ingest))

    def normalise() -> Any:
        frame = normalise_records(raw, as_of)
        frame["quarantine_reason"] = quarantine_reasons(raw, frame).to_numpy()
        return frame

    normalised, normalising = _timed(normalise)
    suite = registry_suite(source, quality.for_source(source), as_of, config.age_range)
    outcome, checking = _timed(lambda: validate_frame(normalised, suite))
    if not outcome.success:
        print(f"  note: {source} suite failed: {[item.description for item in outcome.failures]}", file=sys.stderr)
    return {"rows": len(raw), "ingest": ingest, "normalise": normalising, "checks": checking}


def main(argv: list[str] | None = None) -> int:
    """Print per-source, per-stage median seconds and the peak memory."""
    parser = argparse.ArgumentParser(prog="python -m bench.registry_stages", description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--source", nargs="*", help="sources to time (default: all of config/pipeline.yaml)")
    args = parser.parse_args(argv)
    from termtem.settings import load_pipeline_settings

    folder, _ = generated_sample(args.people, args.seed)
    sources = args.source or load_pipeline_settings().sources
    totals = {stage: [0.0, 0.0] for stage in ("ingest", "normalise", "checks")}
    print(f"{'source':<22} {'rows':>9}   wall / CPU s: {'ingest':>13} {'normalise':>13} {'checks':>13}")
    for source in sources:
        runs = [_one_source(source, folder) for _ in range(args.repeat)]
        shown = []
        for stage, total in totals.items():
            wall, cpu = (statistics.median(run[stage][k] for run in runs) for k in (0, 1))
            total[0] += wall
            total[1] += cpu
            shown.append(f"{wall:>6.2f}/{cpu:<6.2f}")
        print(f"{source:<22} {runs[0]['rows']:>9,} {'':>14} {' '.join(shown)}")
    print(f"{'all':<22} {'':>9} {'':>14} {' '.join(f'{wall:>6.2f}/{cpu:<6.2f}' for wall, cpu in totals.values())}")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
