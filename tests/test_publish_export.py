"""``termtem export``: every table of a release to Parquet or CSV, formulas neutralised in CSV only."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from termtem.cli import main
from termtem.golden_store import Release, engine_for, neutralise_formulas, publish_release
from termtem.golden_store.sample import sample_release
from termtem.golden_store.schema import PSEUDONYMISED_TABLES, RELEASE_TABLES

FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-3+4", "@SUM(A1)", "\tcmd"]


@pytest.fixture(scope="module")
def release() -> Release:
    release = sample_release(80, seed=31, run_id="run-1")
    persons = release.frames["golden_person"].copy()
    persons.loc[: len(FORMULAS) - 1, "family_name"] = FORMULAS
    return dataclasses.replace(release, frames={**release.frames, "golden_person": persons})


def test_export_writes_every_table_of_the_current_release_to_parquet(database_url: str, release: Release,
                                                                     tmp_path: Path) -> None:
    engine = engine_for(database_url)
    publish_release(engine, sample_release(30, seed=32, run_id="run-0"))
    publish_release(engine, release)
    assert main(["export", "--db-url", database_url, "--out", str(tmp_path)]) == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run_id"] == "run-1" and manifest["format"] == "parquet"
    expected = [table.name for table in RELEASE_TABLES if table not in PSEUDONYMISED_TABLES]
    assert [entry["table"] for entry in manifest["files"].values()] == expected
    persons = pd.read_parquet(tmp_path / "golden_person.parquet")
    assert len(persons) == 80 and set(persons["run_id"]) == {"run-1"}
    assert set(FORMULAS) <= set(persons["family_name"])  # Parquet keeps values exactly
    assert persons["birth_date"].map(type).eq(dt.date).all()
    for name, entry in manifest["files"].items():
        assert len(pd.read_parquet(tmp_path / name)) == entry["rows"]


def test_csv_export_of_an_earlier_release_neutralises_spreadsheet_formulas(tmp_path: Path,
                                                                          release: Release) -> None:
    url = f"sqlite:///{tmp_path / 'golden.sqlite'}"
    engine = engine_for(url)
    publish_release(engine, release)
    publish_release(engine, sample_release(30, seed=33, run_id="run-2"))
    out = tmp_path / "csv"
    assert main(["export", "--db-url", url, "--out", str(out), "--format", "csv", "--run-id", "run-1"]) == 0
    raw = (out / "golden_person.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark, so spreadsheets read the Thai text as UTF-8
    persons = pd.read_csv(out / "golden_person.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(persons) == 80 and set(persons["run_id"]) == {"run-1"}
    assert set(persons["family_name"][:len(FORMULAS)]) == {"'" + formula for formula in FORMULAS}
    assert not persons.map(lambda cell: cell[:1] in {"=", "+", "-", "@", "\t", "\r"}).any().any()


def test_neutralise_formulas_touches_only_risky_text() -> None:
    frame = pd.DataFrame({"text": ["=1+1", "สมชาย", None, "-", "a=b"], "number": [-1.5, 2.0, None, 3.0, -4.0],
                          "day": [dt.date(2015, 1, 1)] * 5})
    safe = neutralise_formulas(frame)
    assert safe["text"].tolist() == ["'=1+1", "สมชาย", None, "'-", "a=b"]
    assert safe["number"].equals(frame["number"]) and safe["day"].equals(frame["day"])
    assert frame["text"][0] == "=1+1"  # the input is not changed


def test_export_says_clearly_when_there_is_nothing_to_export(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    assert main(["export", "--db-url", url, "--out", str(tmp_path / "out")]) == 2
    assert "nothing published yet" in capsys.readouterr().err
