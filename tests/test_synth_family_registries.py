"""The family registries of the generator: the family assessment's triage and the social cases' open/closed status."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from matching.case_status import status_is_open
from matching.dates import parse_date
from termtem.settings import load_generator_rates, load_source_configs
from termtem.synth import generate_registries

PEOPLE, SEED, AS_OF = 10_000, 3, dt.date(2026, 6, 30)
#: How the family log-book writes the colours, stated independently of the generator.
WRITTEN_COLOURS = {"สีแดง": "red", "สีเหลือง": "yellow", "สีเขียว": "green"}


def _rows(folder: Path, source: str) -> pd.DataFrame:
    """A source's export with canonical column names, joined to each row's true person and household."""
    config = next(config for config in load_source_configs() if config.name == source)
    frame = pd.read_csv(folder / config.file, dtype=str, keep_default_na=False, encoding=config.encoding)
    frame = frame.rename(columns={column: field for field, column in config.columns.items()})
    truth = pd.read_parquet(folder / "truth_records.parquet")
    truth = truth[truth["source"] == source].reset_index(drop=True)
    people = pd.read_parquet(folder / "truth_people.parquet").set_index("person_id")
    return frame.assign(person_id=truth["person_id"], household_id=truth["household_id"],
                        role=people.loc[truth["person_id"], "role"].to_numpy(),
                        true_triage=people.loc[truth["person_id"], "triage"].to_numpy(object))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("family")
    generate_registries(out, people=PEOPLE, seed=SEED, as_of=AS_OF)
    return out


def test_the_family_assessment_holds_assessed_families_with_their_own_colour(folder: Path) -> None:
    rows = _rows(folder, "family_assessment")
    people = pd.read_parquet(folder / "truth_people.parquet")
    assessed = people.loc[people["triage"].notna(), "household_id"].unique()
    assert rows["true_triage"].notna().all()  # only assessed (triaged) families are in the log-book
    assert rows["triage"].map(WRITTEN_COLOURS).tolist() == rows["true_triage"].tolist()
    heads = rows.loc[rows["role"] == "head", "household_id"]
    coverage = load_generator_rates().coverage
    assert heads.nunique() / len(assessed) == pytest.approx(coverage.family_assessment, abs=0.05)
    members = people[people["household_id"].isin(heads) & (people["role"] != "head")]
    listed = members["person_id"].isin(rows["person_id"]).mean()
    assert listed == pytest.approx(coverage.family_assessment_members, abs=0.06)
    one_number = rows.groupby("household_id")["household_ref"].nunique()
    assert (one_number == 1).all() and rows.groupby("household_ref")["household_id"].nunique().eq(1).all()


def test_a_case_is_open_or_closed_for_the_whole_family(folder: Path) -> None:
    rows = _rows(folder, "social_cases")
    rows["open"] = rows["case_status"].map(status_is_open)
    assert rows["open"].notna().all()  # every status word the volunteers write is understood
    per_family = rows.groupby("household_id")["open"].nunique()
    assert (per_family == 1).all()
    closed_share = 1 - rows.groupby("household_id")["open"].first().mean()
    assert closed_share == pytest.approx(load_generator_rates().coverage.social_cases_closed, abs=0.08)
    assert rows["case_status"].nunique() >= 5  # volunteers spell the status in several ways


def test_a_closed_case_is_dated_between_the_last_visit_and_the_as_of_date(folder: Path) -> None:
    rows = _rows(folder, "social_cases")
    is_open = rows["case_status"].map(status_is_open).astype(bool)
    dated = rows["case_closed_on"] != ""
    assert not (dated & is_open).any()  # an open case has no closing date
    assert 0.7 < dated[~is_open].mean() < 0.97  # most, not all, closed cases carry their date
    closed_on = rows.loc[dated, "case_closed_on"].map(lambda text: parse_date(text, AS_OF)[0])
    visited = rows.loc[dated, "recorded_on"].map(lambda text: parse_date(text, AS_OF)[0])
    assert closed_on.notna().all() and (closed_on >= visited).all() and (closed_on <= AS_OF).all()
    assert rows[dated].groupby("household_id")["case_closed_on"].nunique().eq(1).all()  # the family's one date
