"""Golden households and missed-children flags against the generator's ground truth.

Household pairwise precision, recall and F1 over source records, and per missed-children rule the precision and
recall of the ``missed`` flags (targets: household F1 >= 0.97, flags >= 0.95 / >= 0.95). The true flags are the
same configured rules applied to the true population at the run's own as-of date, with the household triage and
poverty list that some registry records (a family assessed in no registry cannot be seen by any linkage; how many
children that leaves out is printed as 'unrecorded'). Usage::

    python -m bench.household_accuracy --people 10000 --seed 1

:func:`household_and_flag_lines` is also printed by ``python -m bench.accuracy`` on its own materialisation.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import dagster as dg
import pandas as pd

from bench.whole_graph import generated_sample, materialised
from matching.evaluation_households import flag_scores, household_scores, true_flags, true_person_of
from termtem.settings import load_pipeline_settings

HOUSEHOLD_F1_TARGET, FLAG_PRECISION_TARGET, FLAG_RECALL_TARGET = 0.97, 0.95, 0.95


def _as_of(result: dg.ExecuteInProcessResult) -> dt.date:
    """The as-of date the run's flags were raised at (from the ``missed_children`` materialisation)."""
    event = result.asset_materializations_for_node("missed_children")[-1]
    return dt.date.fromisoformat(event.metadata["as_of_date"].value)


def _source_values(result: dg.ExecuteInProcessResult, sources: list[str], fields: set[str]) -> pd.DataFrame:
    """``source``, ``source_row`` and the rules' ``require_true`` fields of every row (quarantined ones too)."""
    frames = [result.asset_value(f"normalised_{source}") for source in sources]
    columns = ["source", "source_row", *sorted(fields)]
    return pd.concat([frame.reindex(columns=columns) for frame in frames], ignore_index=True)


def _mark(value: float, target: float) -> str:
    return "ok" if value >= target else "BELOW TARGET"


def household_and_flag_lines(result: dg.ExecuteInProcessResult, sample_dir: Path) -> list[str]:
    """Printable lines scoring a materialised whole graph's households and flags against the sample's truth.

    Args:
        result: A successful materialisation of every asset (``person_clusters``, ``household_membership``,
            ``missed_children`` and the ``normalised_<source>`` assets are read).
        sample_dir: The generated sample the run read, with ``truth_records.parquet`` and
            ``truth_people.parquet``.
    """
    truth_records = pd.read_parquet(sample_dir / "truth_records.parquet")
    truth_people = pd.read_parquet(sample_dir / "truth_people.parquet")
    records = result.asset_value("person_clusters")
    membership = result.asset_value("household_membership")
    flags = result.asset_value("missed_children")
    settings = load_pipeline_settings()
    rules, as_of = settings.missed_children, _as_of(result)
    fields = {rule.require_true for rule in rules if rule.require_true} | {"triage"}
    values = _source_values(result, list(settings.sources), fields)
    truth = true_flags(truth_people, truth_records, values, rules, as_of, settings.poverty_list_sources)
    scores = flag_scores(flags, truth, true_person_of(records, truth_records))
    unrecorded = true_flags(truth_people, truth_records, values, rules, as_of)  # with the true households
    keys = ["golden_person_id", "rule"]
    unrecorded = unrecorded[~pd.MultiIndex.from_frame(unrecorded[keys]).isin(pd.MultiIndex.from_frame(truth[keys]))]
    unrecorded = unrecorded["rule"].value_counts()
    lines = [f"households (as of {as_of}, {len(truth_people):,} true people in "
             f"{truth_people['household_id'].nunique():,} true households, "
             f"{membership['golden_household_id'].nunique():,} golden households)"]
    for label, one in (("every source record", False), ("one record per person", True)):
        pairs = household_scores(records, membership, truth_records, one_per_person=one)
        lines.append(f"  pairwise over {label:<22} P {pairs.precision:.4f}  R {pairs.recall:.4f}  "
                     f"F1 {pairs.f1:.4f}  (target >= {HOUSEHOLD_F1_TARGET}: {_mark(pairs.f1, HOUSEHOLD_F1_TARGET)})")
    lines.append(f"missed-children flags (status 'missed'; 'uncertain' = waiting on a link: pending_review or "
                 f"id_conflict; targets precision >= {FLAG_PRECISION_TARGET}, recall >= {FLAG_RECALL_TARGET})")
    lines.append("  (truth: the rules on the true population, with the household triage and poverty list some registry "
                 "records;")
    lines.append("   'unrecorded': truly missed children whose household triage or poverty no registry records)")
    lines.append(f"  {'rule':<24} {'true':>6} {'flagged':>8} {'precision':>10} {'recall':>8} {'uncertain':>10}"
                 f" {'of which truly missed':>22} {'unrecorded':>10}  verdict")
    for row in scores.itertuples(index=False):
        met = row.precision >= FLAG_PRECISION_TARGET and row.recall >= FLAG_RECALL_TARGET
        lines.append(f"  {row.rule:<24} {row.true_missed:>6} {row.flagged:>8} {row.precision:>10.4f} "
                     f"{row.recall:>8.4f} {row.uncertain:>10} {row.uncertain_truly_missed:>22} "
                     f"{unrecorded.get(row.rule, 0):>10}  "
                     f"{'ok' if met else 'BELOW TARGET'}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Generate (or reuse) a sample, materialise the whole graph on it into a scratch database, print the lines."""
    parser = argparse.ArgumentParser(prog="python -m bench.household_accuracy", description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=3000, help="people to generate (default: 3000)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    folder, _ = generated_sample(args.people, args.seed)
    with materialised(folder) as (result, _):
        print(f"sample {folder} ({args.people:,} people, seed {args.seed})")
        print("\n".join(household_and_flag_lines(result, folder)))
        return 0 if result.success else 1

if __name__ == "__main__":
    raise SystemExit(main())
