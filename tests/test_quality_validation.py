"""Running a suite writes the run's data docs: one HTML site per run, one page per suite, old runs pruned, and
neither the outcome nor the site holds the values that broke an expectation (they are personal data)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from matching.citizen_id import compute_check_digit
from quality.validation import DataDocsSite, validate_frame

if TYPE_CHECKING:
    import great_expectations as gx

DUPLICATED_ID = "110170020345" + str(compute_check_digit("110170020345"))
OTHER_ID = "310170020345" + str(compute_check_digit("310170020345"))
FRAME = pd.DataFrame({"citizen_id": [DUPLICATED_ID, OTHER_ID, DUPLICATED_ID],
                      "given_name": ["สมชาย", "สมหญิง", "สมชาย"]})


def _suite(name: str) -> gx.ExpectationSuite:
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx.ExpectationSuite(name=name, expectations=[
        gxe.ExpectColumnValuesToBeUnique(column="citizen_id", description="Citizen IDs are unique"),
        gxe.ExpectColumnValuesToNotBeNull(column="given_name", description="Everyone has a given name"),
    ])


def _site_text(folder: Path) -> str:
    return "".join(path.read_text(encoding="utf-8", errors="replace") for path in folder.rglob("*")
                   if path.is_file() and path.suffix in {".html", ".json"})


def test_a_run_writes_one_site_with_a_page_per_suite_and_no_personal_values(tmp_path: Path) -> None:
    site = DataDocsSite(root=tmp_path, run_id=str(uuid.uuid4()), keep_runs=5)
    first = validate_frame(FRAME, _suite("registry_one"), site=site)
    second = validate_frame(FRAME, _suite("registry_two"), site=site)

    assert not first.success
    assert [(item.description, item.success, item.observed) for item in first.outcomes] == [
        ("Citizen IDs are unique", False, "2 of 3 checked rows unexpected"),
        ("Everyone has a given name", True, "0 of 3 checked rows unexpected")]
    for outcome in (first, second):
        assert outcome.docs_page is not None and outcome.docs_page.is_file()
        assert outcome.docs_page.is_relative_to(site.folder) and outcome.docs_page.suffix == ".html"
        assert "Citizen IDs are unique" in outcome.docs_page.read_text(encoding="utf-8")
    assert first.docs_page != second.docs_page
    index = (site.folder / "index.html").read_text(encoding="utf-8")
    assert "registry_one" in index and "registry_two" in index
    written = _site_text(site.folder)
    assert DUPLICATED_ID not in written and OTHER_ID not in written and "สมชาย" not in written


def test_without_a_site_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    outcome = validate_frame(FRAME.drop_duplicates("citizen_id"), _suite("registry_one"))
    assert outcome.success and outcome.docs_page is None
    assert list(tmp_path.iterdir()) == []


def test_only_the_newest_runs_keep_their_site(tmp_path: Path) -> None:
    runs = [str(uuid.uuid4()) for _ in range(3)]
    (tmp_path / "notes").mkdir()  # not a run folder: never pruned
    for run in runs:
        validate_frame(FRAME, _suite("registry_one"), site=DataDocsSite(root=tmp_path, run_id=run, keep_runs=2))
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([*runs[1:], "notes"])
