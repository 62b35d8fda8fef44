"""Rebuild the generator-made halves of the development sets: ``python -m tests.data.build_devsets``.

Cases are rows of a fixed generated sample (3,000 people, seed 11) as :func:`termtem.ingest.read_registry` reads
them, labelled with the generator's ground truth, never with termtem's own output:

* ``names_generated.csv``: rows whose name the generator did not respell, mistype, change or swap, so the true
  title, given and family name are what normalisation must recover from the written fields;
* ``romanise_reference.csv``: every Thai word of the name sets as PyThaiNLP's own
  ``romanize(word, engine="thai2rom_onnx")`` writes it (needs onnxruntime, which termtem itself does not), so
  that CI can check :mod:`matching.romanise` against PyThaiNLP without it;
* ``addresses_generated.csv``: rows holding the household's current address (not a stale one), labelled with its
  true subdistrict code; and the same addresses with one keyboard slip in the subdistrict name
  (``termtem.synth.corruptions.typo``), which must resolve to the true code or stay unresolved, never to another.

Names come from PyThaiNLP's corpora (CC-BY-SA-4.0) and places from geothai; see ``README.md`` here.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
PEOPLE, SEED = 3000, 11
NAME_FIELDS = ("title", "given_name", "family_name", "full_name", "sex")
ADDRESS_FIELDS = ("address_text", "house_no", "moo", "subdistrict", "district", "province", "postcode")
#: The generator records Miss in full; termtem's canonical title is the abbreviation.
CANONICAL_TITLE = {"นางสาว": "น.ส."}
NAME_ERRORS = ("phonetic", "typo", "name_changed", "name_swap")
PER_SOURCE = 60


def _rows(folder: Path) -> pd.DataFrame:
    """Every source row in canonical columns, joined to its true person."""
    from termtem.ingest import read_registry
    from termtem.settings import load_source_configs

    raw = pd.concat([read_registry(config, folder) for config in load_source_configs()], ignore_index=True)
    truth = pd.read_parquet(folder / "truth_records.parquet")
    people = pd.read_parquet(folder / "truth_people.parquet")
    return raw.merge(truth, on=["source", "source_row"]).merge(people, on="person_id", suffixes=("", "_true"))


def _pick(rows: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Up to :data:`PER_SOURCE` rows per source, drawn at random."""
    return pd.concat([group.iloc[np.sort(rng.permutation(len(group))[:PER_SOURCE])]
                      for _, group in rows.groupby("source", sort=True)])


def _write(path: Path, header: list[str], records: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([["" if value is None or value is pd.NA else value for value in r] for r in records])


def name_cases(rows: pd.DataFrame, rng: np.random.Generator) -> list[list[object]]:
    named = rows[rows[["given_name", "full_name"]].notna().any(axis=1) & rows["read_problem"].isna()
                 & ~rows["corruptions"].str.contains("|".join(NAME_ERRORS))]
    cases = []
    for row in _pick(named, rng).itertuples():
        written = [getattr(row, field) for field in NAME_FIELDS]
        titled = pd.notna(row.title) or "title_prefix" in row.corruptions or row.source == "school_enrolment"
        title = CANONICAL_TITLE.get(row.title_true, row.title_true) if titled else None
        sex = row.sex_true if titled or pd.notna(row.sex) else None
        cases.append(["generator", row.source, *written, title, row.given_name_true, row.family_name_true, sex])
    return cases


def address_cases(rows: pd.DataFrame, rng: np.random.Generator) -> list[list[object]]:
    import geothai

    from termtem.synth.corruptions import typo

    current = rows[rows[["address_text", "subdistrict"]].notna().any(axis=1) & rows["read_problem"].isna()
                   & ~rows["corruptions"].str.contains("stale_address")]
    cases = []
    for row in _pick(current, rng).itertuples():
        cases.append(["generator", row.source, *(getattr(row, f) for f in ADDRESS_FIELDS), row.subdistrict_code,
                      "no"])
    texts = current[current["address_text"].notna()]
    for row in texts.iloc[np.sort(rng.permutation(len(texts))[:PER_SOURCE])].itertuples():
        name = geothai.subdistrict(row.subdistrict_code).name_th
        if name not in row.address_text or len(name) < 3:
            continue
        misspelt = typo(name, rng.random(3))
        cases.append(["generator+typo", row.source, row.address_text.replace(name, misspelt, 1),
                      *([None] * 6), row.subdistrict_code, "yes"])
    return cases


def romanise_reference() -> list[list[str]]:
    """PyThaiNLP's romanisation of every Thai word in the name sets (run after they are written)."""
    import re

    from pythainlp.transliterate import romanize

    words: set[str] = set()
    for path in sorted(HERE.glob("names_*.csv")):
        for row in csv.DictReader(path.open(encoding="utf-8")):
            for field in ("expected_given", "expected_family"):
                words.update(re.findall("[\u0e01-\u0e4e]+", row[field]))
    return [[word, romanize(word, engine="thai2rom_onnx")] for word in sorted(words)]


def main() -> None:
    from termtem.synth import generate_registries

    rng = np.random.default_rng(SEED)
    with tempfile.TemporaryDirectory() as scratch:
        generate_registries(Path(scratch), people=PEOPLE, seed=SEED)
        rows = _rows(Path(scratch))
    _write(HERE / "names_generated.csv",
           ["origin", "rule", *NAME_FIELDS, "expected_title", "expected_given", "expected_family", "expected_sex"],
           name_cases(rows, rng))
    _write(HERE / "addresses_generated.csv",
           ["origin", "rule", *ADDRESS_FIELDS, "expected_subdistrict_code", "may_be_unresolved"],
           address_cases(rows, rng))
    _write(HERE / "romanise_reference.csv", ["word", "thai2rom_onnx"], romanise_reference())


if __name__ == "__main__":
    main()
