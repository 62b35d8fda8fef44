"""Normalisation, measured on generated registries: address resolution, phonetic keys and throughput.

Usage::

    python -m bench.normalise                      # quality on 20,000 people, speed on 1,000,000 records
    python -m bench.normalise --records 200000     # a quicker speed run

Prints, from a generated sample with ground truth (``termtem generate`` at the default corruption rates):

* **addresses**: the share of rows holding the household's current address (stale addresses of movers are
  left out: the truth has no code for them) resolved to the true subdistrict code, and the shares left
  unresolved and resolved to a wrong code;
* **name order**: the share of rows whose given and family name the generator swapped that normalisation
  put back, and how many other rows it swapped by mistake;
* **phonetic keys**: for every row whose given or family name the generator respelt (``phonetic``) or
  mistyped (``typo``), the share of (written, true) name pairs of that same person whose key agrees, for
  PyThaiNLP's lk82, udom83 and metasound and termtem's :func:`matching.names.phonetic_key`; and, as the price
  of a coarse key, the share of pairs of two different people's family names that agree;
* **throughput**: ``normalise_records`` on ``--records`` rows drawn at random from all seven registries of a
  ``--speed-people`` sample, in a fresh process (model and gazetteer loading included), against the 60 s
  target for a million records; and on ``bench.messy_rows`` (every row distinct, the worst case). CPU time is
  printed beside wall time because other work on a shared machine inflates the wall time.

Samples live under ``data/bench/people-<N>-seed-<S>`` (shared with ``bench.scale``) and are generated once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from termtem.settings import PROJECT_ROOT

BENCH_DATA = PROJECT_ROOT / "data" / "bench"
TARGET_SECONDS_PER_MILLION = 60.0


def sample(people: int, seed: int) -> Path:
    """The folder of a generated sample, generating it on first use."""
    folder = BENCH_DATA / f"people-{people}-seed-{seed}"
    if not (folder / "manifest.json").is_file():
        from termtem.synth import generate_registries

        generate_registries(folder, people=people, seed=seed)
    return folder


def registry_rows(folder: Path) -> pd.DataFrame:
    """Every row of the sample's registries in canonical columns, as the pipeline's ingest reads them."""
    from termtem.ingest import read_registry
    from termtem.settings import load_source_configs

    frames = [read_registry(config, folder) for config in load_source_configs()]
    return pd.concat(frames, ignore_index=True).drop(columns=["read_problem", "raw_cells"])


def _as_of(folder: Path) -> dt.date:
    """The as-of date the sample was generated for."""
    return dt.date.fromisoformat(json.loads((folder / "manifest.json").read_text())["as_of"])


def labelled_rows(folder: Path) -> pd.DataFrame:
    """The normalised rows of a sample joined to their truth (columns of the truth suffixed ``_true``)."""
    from matching.normalise import normalise_records

    raw = registry_rows(folder)
    out = normalise_records(raw, _as_of(folder))
    truth = pd.read_parquet(folder / "truth_records.parquet")
    people = pd.read_parquet(folder / "truth_people.parquet")
    out["has_address"] = raw[["address_text", "subdistrict"]].notna().any(axis=1).to_numpy()
    return (out.merge(truth, on=["source", "source_row"])
            .merge(people, on="person_id", suffixes=("", "_true")))


def address_figures(rows: pd.DataFrame) -> dict[str, float]:
    """Shares of current-address rows resolved to the true, no or a wrong subdistrict code."""
    current = rows[rows["has_address"] & ~rows["corruptions"].str.contains("stale_address")]
    found = current["subdistrict_code"]
    right = (found == current["subdistrict_code_true"]).mean()
    unresolved = found.isna().mean()
    return {"rows": len(current), "correct": right, "unresolved": unresolved, "wrong": 1 - right - unresolved}


def swap_figures(rows: pd.DataFrame) -> dict[str, float]:
    """Rows whose names the generator swapped that came out in the true order; other rows swapped by mistake."""
    swapped = rows["corruptions"].str.contains("name_swap")
    true_order = (rows["given_name"] == rows["given_name_true"]) & (rows["family_name"] == rows["family_name_true"])
    crossed = ((rows["given_name"] == rows["family_name_true"]) & (rows["family_name"] == rows["given_name_true"])
               & (rows["given_name_true"] != rows["family_name_true"]))
    return {"swapped": int(swapped.sum()), "put_back": float(true_order[swapped].mean()),
            "wrongly_swapped": int((crossed & ~swapped).sum()), "others": int((~swapped).sum())}


def engines() -> dict[str, Callable[[str], str]]:
    """Key functions compared: PyThaiNLP's engines on the cleaned name, and termtem's key."""
    from pythainlp.soundex import soundex

    from matching.names import phonetic_key

    def engine(name: str) -> Callable[[str], str]:
        return lambda text: soundex(text.replace(" ", ""), engine=name) if text else ""

    return {"lk82": engine("lk82"), "udom83": engine("udom83"), "metasound": engine("metasound"),
            "termtem phonetic_key": phonetic_key}


def name_pairs(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Same-person (written, true) name pairs per corruption, and different-person family-name pairs."""
    pairs = {}
    for corruption in ("phonetic", "typo"):
        hit = rows[rows["corruptions"].str.contains(corruption) & ~rows["corruptions"].str.contains("name_swap")]
        found = []
        for part in ("given", "family"):
            written, true = hit[f"{part}_name"], hit[f"{part}_name_true"]
            changed = written.notna() & (written != true)
            found.append(pd.DataFrame({"written": written[changed], "true": true[changed]}))
        pairs[f"same person, {corruption}"] = pd.concat(found, ignore_index=True).drop_duplicates()
    family = rows["family_name_true"].drop_duplicates().to_numpy()
    rng = np.random.default_rng(0)
    a, b = family[rng.integers(0, len(family), 20_000)], family[rng.integers(0, len(family), 20_000)]
    pairs["different people"] = pd.DataFrame({"written": a[a != b], "true": b[a != b]})
    return pairs


def key_figures(pairs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Share of pairs whose keys agree: one row per key function, one column per kind of pair."""
    table = {}
    for name, key in engines().items():
        cache: dict[str, str] = {}

        def keyed(text: str, key: Callable[[str], str] = key, cache: dict[str, str] = cache) -> str:
            if text not in cache:
                cache[text] = key(text)
            return cache[text]

        table[name] = {kind: float(np.mean([keyed(w) == keyed(t) != "" for w, t in zip(p["written"], p["true"],
                                                                                       strict=True)]))
                       for kind, p in pairs.items()}
    return pd.DataFrame(table).T


def _speed(folder: Path, records: int, messy: bool) -> dict[str, float]:
    """Time ``normalise_records`` in this (fresh) process on ``records`` rows of the sample, or messy rows."""
    from matching.normalise import normalise_records

    if messy:
        from bench.messy_rows import messy_rows

        canonical = messy_rows(records, seed=1)
    else:
        everything = registry_rows(folder)
        chosen = np.sort(np.random.default_rng(0).permutation(len(everything))[:records])
        canonical = everything.iloc[chosen].reset_index(drop=True)
    started, cpu_started = time.perf_counter(), time.process_time()
    out = normalise_records(canonical, _as_of(folder))
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    distinct = pd.concat([out["given_name"], out["family_name"]]).nunique()
    return {"records": len(out), "seconds": seconds, "cpu_seconds": cpu_seconds, "distinct_names": distinct}


def _speed_in_child(folder: Path, records: int, messy: bool) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.normalise", "--speed-worker", str(folder), "--records", str(records)]
    child = subprocess.run(command + ["--messy"] * messy, check=True, capture_output=True, text=True)
    return json.loads(child.stdout.strip().splitlines()[-1])


def _print_speed(label: str, figures: dict[str, float]) -> None:
    per_second = figures["records"] / figures["seconds"]
    million, million_cpu = (1_000_000 * figures[k] / figures["records"] for k in ("seconds", "cpu_seconds"))
    verdict = "meets" if million <= TARGET_SECONDS_PER_MILLION else "misses"
    print(f"  {label:<28} {figures['records']:>9,} records in {figures['seconds']:6.1f} s wall, "
          f"{figures['cpu_seconds']:6.1f} s CPU = {per_second:>7,.0f}/s ({figures['distinct_names']:,} distinct "
          f"names)\n  {'':<28} per 1,000,000 records: {million:6.1f} s wall ({verdict} the "
          f"{TARGET_SECONDS_PER_MILLION:.0f} s target), {million_cpu:6.1f} s CPU")


def main(argv: list[str] | None = None) -> int:
    """Print the address, phonetic-key and throughput figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.normalise", description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000, help="sample for the quality figures")
    parser.add_argument("--speed-people", type=int, default=1_000_000, help="sample the speed rows come from")
    parser.add_argument("--records", type=int, default=1_000_000, help="rows to time (0 skips the speed runs)")
    parser.add_argument("--messy-records", type=int, default=20_000, help="messy rows to time (0 skips)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--speed-worker", help=argparse.SUPPRESS)
    parser.add_argument("--messy", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.speed_worker:
        print(json.dumps(_speed(Path(args.speed_worker), args.records, args.messy)))
        return 0

    folder = sample(args.people, args.seed)
    rows = labelled_rows(folder)
    print(f"== {args.people:,} people, seed {args.seed}: {len(rows):,} registry rows ==")
    addresses = address_figures(rows)
    print(f"\naddresses ({addresses['rows']:,} rows with the current address): true subdistrict code "
          f"{addresses['correct']:.2%} (target 98%), unresolved {addresses['unresolved']:.2%}, "
          f"wrong code {addresses['wrong']:.2%}")
    swaps = swap_figures(rows)
    print(f"\nname order: {swaps['put_back']:.1%} of {swaps['swapped']:,} rows with given and family name swapped "
          f"put back; {swaps['wrongly_swapped']:,} of {swaps['others']:,} other rows swapped by mistake")
    pairs = name_pairs(rows)
    print("\nshare of name pairs whose phonetic key agrees (" +
          ", ".join(f"{kind}: {len(p):,} pairs" for kind, p in pairs.items()) + ")")
    print(key_figures(pairs).to_string(float_format=lambda share: f"{share:.4f}"))
    if args.records or args.messy_records:
        print("\nthroughput of normalise_records (fresh process, loading included)")
    if args.records:
        _print_speed(f"{args.speed_people:,}-people sample", _speed_in_child(sample(args.speed_people, args.seed),
                                                                             args.records, messy=False))
    if args.messy_records:
        _print_speed("messy rows (all distinct)", _speed_in_child(folder, args.messy_records, messy=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
