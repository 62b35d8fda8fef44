"""Row accounting at scale: on a generated sample, rows in = rows linked + rows quarantined for every source.

Runs the whole graph with its checks in this process (a scratch SQLite golden database), then prints the
accounting table, the quarantine by reason and whether every source balances. The sample is generated once and
kept under ``data/bench/`` (:mod:`bench.whole_graph`).

The generator writes no unusable rows, so ``--spoil-rows K`` first copies the sample and appends K unusable rows
to each CSV export, cycling through the kinds the quarantine takes (wrong shape, no identifying field, a 5,000
character cell, placeholders only); those rows must come out quarantined, not linked and not lost. Usage::

    python -m bench.accounting --people 100000 --spoil-rows 250
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import shutil
import sys
from pathlib import Path

import pandas as pd

from bench.whole_graph import generated_sample, materialised
from termtem.settings import load_pipeline_settings, load_source_config


def _unusable_rows(width: int) -> itertools.cycle:
    """Rows the quarantine must take, each in the shape of a ``width``-column export."""
    return itertools.cycle([["1", "2"], [""] * width, ["ก" * 5000] + ["-"] * (width - 1), ["-"] * width])


def spoil_sample(sample: Path, out: Path, rows_per_source: int) -> dict[str, int]:
    """Copy ``sample`` to ``out`` and end each CSV export with ``rows_per_source`` unusable rows.

    Returns:
        Source -> unusable rows appended (CSV sources only; Excel and Parquet exports are copied unchanged).
    """
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(sample, out)
    added = {}
    for source in load_pipeline_settings().sources:
        config = load_source_config(source)
        if config.format != "csv":
            continue
        path = out / config.file
        encoding = "utf-8" if config.encoding == "auto" else config.encoding
        with path.open(encoding=encoding, newline="") as export:
            width = len(next(csv.reader(export)))
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerows(
            itertools.islice(_unusable_rows(width), rows_per_source))
        with path.open("a", encoding=encoding, newline="") as export:
            export.write(text.getvalue())
        added[source] = rows_per_source
    return added


def _row_accounting(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, bool, float]:
    """Run the whole graph on ``folder``; return the row accounting, the quarantine, the accounting check's
    verdict and the seconds taken."""
    with materialised(folder) as (result, seconds):
        verdicts = [evaluation.passed for evaluation in result.get_asset_check_evaluations()
                    if evaluation.check_name == "every_row_accounted_for"]
        return (result.output_for_node("row_accounting"), result.output_for_node("quarantined_records"),
                verdicts == [True], seconds)


def main(argv: list[str] | None = None) -> int:
    """Print the accounting of one generated sample; exit 1 when a source does not balance."""
    parser = argparse.ArgumentParser(prog="python -m bench.accounting", description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000, help="people in the sample (default: 100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--spoil-rows", type=int, default=0, help="unusable rows appended to each CSV export")
    args = parser.parse_args(argv)
    folder, generated = generated_sample(args.people, args.seed)
    added: dict[str, int] = {}
    if args.spoil_rows:
        spoiled = folder.with_name(f"{folder.name}-spoiled-{args.spoil_rows}")
        added = spoil_sample(folder, spoiled, args.spoil_rows)
        folder = spoiled
    table, quarantine, check_passed, seconds = _row_accounting(folder)
    made = f"generated in {generated:.0f} s" if generated is not None else "sample reused"
    print(f"== {args.people:,} people, seed {args.seed} ({made}), unusable rows appended: {added or 'none'}; "
          f"whole graph {seconds:.0f} s ==")
    totals = table[["rows_in", "rows_linked", "rows_quarantined"]].sum()
    print(pd.concat([table, pd.DataFrame([{"source": "all sources", **totals,
                                           "balanced": bool(table["balanced"].all())}])]).to_string(index=False))
    if len(quarantine):
        print("\nquarantine by reason:")
        print(quarantine.groupby(["source", "reason"]).size().rename("rows").to_string())
    quarantined = table.set_index("source")["rows_quarantined"]
    appended_quarantined = all(quarantined[source] >= rows for source, rows in added.items())
    print(f"\nevery_row_accounted_for check passed: {check_passed}; every appended unusable row quarantined: "
          f"{appended_quarantined}")
    return 0 if check_passed and table["balanced"].all() and appended_quarantined else 1


if __name__ == "__main__":
    sys.exit(main())
