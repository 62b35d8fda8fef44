"""Agency errors: each happens at its configured rate, does what its name says, and nothing else changes."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from termtem.settings import load_generator_rates, load_source_configs
from termtem.synth import generate_registries
from termtem.synth.corruptions import mistype_id, phonetic, thai_digits, typo
from termtem.synth.ids import check_digits
from termtem.synth.names import TITLE_FORMS
from tests.test_synth_generator import read_export

PEOPLE, SEED = 5000, 3

#: Corruptions that change the given or family name field.
NAME_CORRUPTIONS = {"name_changed", "phonetic", "typo", "name_swap", "title_prefix", "thai_digits"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synth_rates")
    generate_registries(folder, people=PEOPLE, seed=SEED)
    return folder


def _tolerance(rate: float, eligible: int) -> float:
    """Four binomial standard errors plus half a percentage point: a fixed seed never fails it by chance."""
    return 4 * math.sqrt(rate * (1 - rate) / eligible) + 0.005


def test_each_corruption_happens_at_its_configured_rate(sample: Path) -> None:
    manifest = json.loads((sample / "manifest.json").read_text(encoding="utf-8"))
    truth = pd.read_parquet(sample / "truth_records.parquet")
    rates = load_generator_rates()
    checked = 0
    for source, counts in manifest["corruptions"].items():
        tags = truth.loc[truth["source"] == source, "corruptions"].str.split(";").explode()
        configured = rates.for_source(source)
        for name, count in counts.items():
            assert (tags == name).sum() == count["applied"], (source, name)
            if count["eligible"] < 50:
                continue
            rate = getattr(configured, name)
            observed = count["applied"] / count["eligible"]
            assert abs(observed - rate) <= _tolerance(rate, count["eligible"]), (source, name, observed, rate)
            checked += 1
    assert checked > 60


def test_civil_registration_is_far_cleaner_than_the_other_agencies(sample: Path) -> None:
    truth = pd.read_parquet(sample / "truth_records.parquet")
    dirty = truth["corruptions"].ne("").groupby(truth["source"]).mean()
    assert dirty["civil_registration"] < 0.02
    assert (dirty.drop("civil_registration") > 0.2).all()


def test_corruptions_fall_only_where_they_can(sample: Path) -> None:
    truth = pd.read_parquet(sample / "truth_records.parquet")
    people = pd.read_parquet(sample / "truth_people.parquet").set_index("person_id")
    tagged = truth.assign(tag=truth["corruptions"].str.split(";")).explode("tag")
    person = people.loc[tagged["person_id"]].reset_index()
    stale = tagged["tag"].eq("stale_address").to_numpy()
    assert person.loc[stale, "moved"].all()
    swapped = tagged["tag"].eq("day_month_swap").to_numpy()
    born = pd.to_datetime(person.loc[swapped, "birth_date"])
    assert ((born.dt.day <= 12) & (born.dt.day != born.dt.month)).all()
    assert set(tagged.loc[tagged["tag"].eq("g_code"), "source"]) == {"school_enrolment"}
    assert set(tagged.loc[tagged["tag"].eq("day_unknown"), "source"]) == {"health_centre"}


def test_rows_without_name_errors_carry_the_true_names(sample: Path) -> None:
    truth = pd.read_parquet(sample / "truth_records.parquet")
    people = pd.read_parquet(sample / "truth_people.parquet").set_index("person_id")
    forms = sorted((form for forms in TITLE_FORMS.values() for form in forms), key=len, reverse=True)
    glued_title = f"^(?:{'|'.join(map(re.escape, forms))})"
    for config in load_source_configs():
        if "given_name" not in config.columns:
            continue
        frame = read_export(sample, config)
        rows = truth[truth["source"] == config.name].reset_index(drop=True)
        clean = ~rows["corruptions"].str.split(";").map(NAME_CORRUPTIONS.intersection).astype(bool)
        given = frame[config.columns["given_name"]][clean]
        if config.name == "school_enrolment":  # the school always glues the title to the given name
            given = given.str.replace(glued_title, "", regex=True)
        expected = people.loc[rows["person_id"][clean]]
        assert (given.to_numpy() == expected["given_name"].to_numpy()).all(), config.name
        family = frame[config.columns["family_name"]][clean].to_numpy()
        assert (family == expected["family_name"].to_numpy()).all(), config.name


def test_without_corruption_every_row_is_clean(tmp_path: Path) -> None:
    rates = load_generator_rates()
    zero = rates.corruption.model_copy(update=dict.fromkeys(type(rates.corruption).model_fields, 0.0))
    generate_registries(tmp_path, people=1000, seed=1, rates=rates.model_copy(update={"corruption": zero,
                                                                                       "overrides": {}}))
    truth = pd.read_parquet(tmp_path / "truth_records.parquet")
    assert (truth["corruptions"] == "").all()
    assert not truth.duplicated(["source", "person_id"]).any()


def test_thai_digits_and_era_swaps_are_visible(sample: Path) -> None:
    truth = pd.read_parquet(sample / "truth_records.parquet")
    config = next(config for config in load_source_configs() if config.name == "child_grant")
    frame = read_export(sample, config)
    rows = truth[truth["source"] == "child_grant"].reset_index(drop=True)
    thai = rows["corruptions"].str.contains("thai_digits").to_numpy()
    written = frame[config.columns["birth_date"]] + frame[config.columns["citizen_id"]]
    assert written[thai].str.contains("[๐-๙]").all()
    assert not written[~thai].str.contains("[๐-๙]").any()
    era = rows["corruptions"].str.contains("era_swap").to_numpy()
    arabic = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
    year = frame[config.columns["birth_date"]].str[-4:].str.translate(arabic)
    assert (year[era].astype(int) < 2400).all() and (year[~era & (year != "")].astype(int) > 2400).all()


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_check_digit_matches_the_published_formula(first12: int) -> None:
    digits = f"{first12:012d}"
    expected = (11 - sum(int(digits[i]) * (13 - i) for i in range(12)) % 11) % 10
    assert check_digits(np.array([first12], dtype=np.int64))[0] == expected


@given(st.text(alphabet="0123456789", min_size=13, max_size=13).filter(lambda text: len(set(text)) > 1),
       st.lists(st.floats(min_value=0, max_value=0.999), min_size=3, max_size=3))
def test_a_mistyped_id_differs_by_one_digit_or_one_adjacent_swap(citizen_id: str, draws: list[float]) -> None:
    typed = mistype_id(citizen_id, np.array(draws))
    differ = [i for i in range(13) if typed[i] != citizen_id[i]]
    assert len(differ) == 1 or (len(differ) == 2 and differ[1] == differ[0] + 1
                                and typed[differ[0]] == citizen_id[differ[1]])


@given(st.sampled_from(["สมชาย", "ศรีสุข", "ทรัพย์", "ณัฐพล", "กนกพร", "อิ่ม", "ภู"]),
       st.lists(st.floats(min_value=0, max_value=0.999), min_size=3, max_size=3))
def test_typos_and_respellings_change_the_name(name: str, draws: list[float]) -> None:
    assert typo(name, np.array(draws)) != name
    assert phonetic(name, np.array(draws)) != name


def test_known_respellings_and_thai_digits() -> None:
    assert phonetic("ศรีสุข", np.array([0.0, 0.0])) == "สีสุข"
    assert phonetic("ทรัพย์", np.array([0.0, 0.0])) == "ซัพย์"
    assert thai_digits("12/3") == "๑๒/๓"
