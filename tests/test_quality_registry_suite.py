"""The registry suite, run through great-expectations without Dagster on a generated registry after ingest and
normalisation: the registry as generated passes, and each kind of drift fails exactly the expectation that
guards it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from matching.normalise import normalise_records
from quality.quarantine import quarantine_reasons
from quality.registry_suite import registry_suite
from quality.validation import validate_frame
from termtem.ingest import read_registry
from termtem.settings import load_pipeline_settings, load_quality_settings, load_source_config

AS_OF = load_pipeline_settings().as_of_date


@pytest.fixture(scope="module")
def normalised(generated_sample: Path) -> dict[str, pd.DataFrame]:
    """The civil registration and school enrolment of the generated sample, as ``normalised_<source>``."""
    frames = {}
    for source in ("civil_registration", "school_enrolment"):
        raw = read_registry(load_source_config(source), generated_sample)
        frame = normalise_records(raw, AS_OF)
        frame["quarantine_reason"] = quarantine_reasons(raw, frame).to_numpy()
        frames[source] = frame
    return frames


def _failures(source: str, frame: pd.DataFrame) -> set[str]:
    suite = registry_suite(source, load_quality_settings().for_source(source), AS_OF,
                           load_source_config(source).age_range)
    return {failure.description for failure in validate_frame(frame, suite).failures}


def _some(frame: pd.DataFrame, share: float) -> pd.Index:
    """The first ``share`` of the rows."""
    return frame.index[:max(1, int(len(frame) * share))]


def _duplicated_row(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame, frame.iloc[[0]]], ignore_index=True)


def _birth_after_as_of(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[0, "birth_date"] = pd.Timestamp(AS_OF + dt.timedelta(days=1))
    return frame


def _unknown_sex_code(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[0, "sex"] = "X"
    return frame


def _bad_check_digits(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[_some(frame, 0.05), "citizen_id_valid"] = False
    return frame


def _blank_given_names(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[_some(frame, 0.01), "given_name"] = None
    return frame


def _many_quarantined(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[_some(frame, 0.02), "quarantine_reason"] = "no_identifying_field"
    return frame


def _text_row_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    frame["source_row"] = frame["source_row"].astype(str)
    return frame


def _malformed_house_code(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[0, "house_code"] = "8333894863"
    return frame


def test_the_generated_registries_pass_their_suites(normalised: dict[str, pd.DataFrame]) -> None:
    for source, frame in normalised.items():
        assert _failures(source, frame.copy()) == set(), source


@pytest.mark.parametrize(("drift", "failed"), [
    # Civil registration has no record key of its own (a blank key is not a duplicate).
    (_duplicated_row, {"One row per source row: the lineage key is unique",
                       "At most 0.0% of rows with a citizen_id share it with another row"}),
    (_birth_after_as_of, {f"birth_date lies between 1900 and the as-of date {AS_OF}"}),
    (_unknown_sex_code, {"sex is one of the known codes"}),
    (_bad_check_digits, {"At least 99% of rows have a citizen ID whose check digit is right"}),
    (_blank_given_names, {"At most 0.1% of rows lack given_name"}),
    (_many_quarantined, {"At most 1.0% of rows are quarantined"}),
    (_text_row_numbers, {"source_row is int64"}),
    (_malformed_house_code, {r"house_code has the shape ^\d{11}$"}),
])
def test_each_drift_of_civil_registration_fails_its_expectation(
        normalised: dict[str, pd.DataFrame], drift: Callable[[pd.DataFrame], pd.DataFrame], failed: set[str]) -> None:
    assert _failures("civil_registration", drift(normalised["civil_registration"].copy())) == failed


def test_a_missing_canonical_column_fails_the_column_set(normalised: dict[str, pd.DataFrame]) -> None:
    failures = _failures("civil_registration", normalised["civil_registration"].drop(columns="sex"))
    assert "The mapping and normalisation gave every canonical column" in failures
    assert "sex is one of the known codes" in failures


def test_school_enrolment_of_adults_fails_the_age_range(normalised: dict[str, pd.DataFrame]) -> None:
    frame = normalised["school_enrolment"].copy()
    frame.loc[_some(frame, 0.05), "birth_date"] = pd.Timestamp(AS_OF.replace(year=AS_OF.year - 30))
    assert _failures("school_enrolment", frame) == {
        f"At least 98% of birth dates give an age of 3-17 at {AS_OF}, the ages the registry covers"}
