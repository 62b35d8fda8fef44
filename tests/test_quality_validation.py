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


def _coded_suite() -> gx.ExpectationSuite:
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx.ExpectationSuite(name="registry_coded", expectations=[
        gxe.ExpectColumnValuesToBeInSet(column="sex", value_set=["M", "F"], description="sex is a known code"),
        gxe.ExpectColumnValuesToMatchRegex(column="province_code", regex=r"^\d{2}$", description="province shape"),
        gxe.ExpectColumnValuesToBeNull(column="quarantine_reason", mostly=0.99, description="few quarantined"),
        gxe.ExpectColumnProportionOfNonNullValuesToBeBetween(column="sex", min_value=0.99,
                                                             description="few blank sexes"),
        gxe.ExpectColumnValuesToBeUnique(column="record_key", description="record keys are unique"),
        gxe.ExpectColumnValuesToBeOfType(column="given_name", type_="str", description="given_name is text"),
    ])


def _coded_frame(rows: int) -> pd.DataFrame:
    """Repetitive code columns with a few rows breaking each rule, plus columns the suite reads by type or
    uniqueness."""
    frame = pd.DataFrame({
        "sex": ["M", "F"] * (rows // 2), "province_code": ["10", "31"] * (rows // 2),
        "quarantine_reason": [None] * rows, "record_key": [f"K{row}" for row in range(rows)],
        "given_name": ["สมชาย"] * rows, "nickname": ["แดง", "ดำ"] * (rows // 2),
    })
    frame.loc[:2, "sex"] = "X"
    frame.loc[3:4, "sex"] = None
    frame.loc[5, "province_code"] = "๑๐"  # Thai digits: \d matches them, as before
    frame.loc[6:7, "province_code"] = "1O"
    frame.loc[8:10, "quarantine_reason"] = "wrong_shape"
    frame.loc[11, "record_key"] = "K12"
    frame.loc[12, "given_name"] = 7
    return frame


def test_repetitive_text_goes_over_as_categorical_and_a_failing_frame_fails_the_same_way(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Categorical columns change no count: every failure and observed value is what the rules give, and what the
    same suite gives on the frame handed over as plain object columns."""
    from quality import validation

    frame = _coded_frame(1000)
    batch = validation._batch(frame, _coded_suite())
    assert {column for column in batch if isinstance(batch[column].dtype, pd.CategoricalDtype)} == {
        "sex", "province_code", "quarantine_reason", "nickname"}  # record_key and given_name: uniqueness, type
    pd.testing.assert_frame_equal(batch.astype(object).where(batch.notna(), None), frame.where(frame.notna(), None),
                                  check_dtype=False)

    def observed(outcome: validation.SuiteOutcome) -> dict[str, tuple[bool, str]]:
        return {item.description: (item.success, item.observed) for item in outcome.outcomes}

    categorical = validate_frame(frame, _coded_suite())
    assert not categorical.success
    assert observed(categorical) == {
        "sex is a known code": (False, "3 of 998 checked rows unexpected"),
        "province shape": (False, "2 of 1,000 checked rows unexpected"),
        "few quarantined": (True, "3 of 1,000 checked rows unexpected"),
        "few blank sexes": (True, "0.998"),
        "record keys are unique": (False, "2 of 1,000 checked rows unexpected"),
        "given_name is text": (False, "1 of 1,000 checked rows unexpected"),
    }
    monkeypatch.setattr(validation, "_MAX_DISTINCT_SHARE", -1.0)  # nothing converted
    assert validation._batch(frame, _coded_suite()).dtypes.to_dict() == frame.dtypes.to_dict()
    assert observed(validate_frame(frame, _coded_suite())) == observed(categorical)


def test_a_table_expectation_that_may_read_every_column_keeps_every_column_as_it_is() -> None:
    import great_expectations.expectations as gxe

    from quality.validation import _batch

    suite = _coded_suite()
    suite.expectations.append(gxe.ExpectTableRowCountToEqualOtherTable(other_table_name="elsewhere"))
    frame = _coded_frame(100)
    assert _batch(frame, suite).dtypes.to_dict() == frame.dtypes.to_dict()
