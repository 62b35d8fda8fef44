"""The synthetic registry generator: reproducible files that fit their mappings, and truthful ground truth."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from termtem.settings import (
    DEFAULT_CONFIG_DIR,
    SettingsError,
    SourceConfig,
    load_generator_rates,
    load_pipeline_settings,
    load_source_configs,
)
from termtem.synth import GenerationReport, generate_registries

PEOPLE, SEED = 3000, 11


def _valid_citizen_id(text: str) -> bool:
    """The published checksum, written independently of the generator."""
    if len(text) != 13 or not text.isascii() or not text.isdigit():
        return False
    total = sum(int(text[i]) * (13 - i) for i in range(12))
    return (11 - total % 11) % 10 == int(text[12])


def read_export(folder: Path, config: SourceConfig) -> pd.DataFrame:
    """Read an export the way ingest does: every value as text, blanks as ''."""
    path = folder / config.file
    if config.format == "csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=config.encoding)
    if config.format == "excel":
        return pd.read_excel(path, dtype=str, keep_default_na=False, sheet_name=config.sheet or 0)
    return pd.read_parquet(path)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationReport]:
    folder = tmp_path_factory.mktemp("synth")
    return folder, generate_registries(folder, people=PEOPLE, seed=SEED)


def test_same_seed_gives_identical_files_and_another_seed_other_files(tmp_path: Path) -> None:
    first, again, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_registries(first, people=1000, seed=5)
    generate_registries(again, people=1000, seed=5)
    generate_registries(other, people=1000, seed=6)
    names = sorted(path.name for path in first.iterdir())
    assert names == sorted(path.name for path in again.iterdir())
    assert len(names) == len(load_source_configs()) + 3
    for name in names:
        assert (first / name).read_bytes() == (again / name).read_bytes(), name
        if name != "manifest.json":
            assert (first / name).read_bytes() != (other / name).read_bytes(), name


def test_every_file_has_exactly_the_mapped_columns(sample: tuple[Path, GenerationReport]) -> None:
    folder, report = sample
    configs = load_source_configs()
    assert [config.name for config in configs] == list(load_pipeline_settings().sources)
    assert list(report.rows_per_source) == [config.name for config in configs]
    for config in configs:
        frame = read_export(folder, config)
        assert list(frame.columns) == list(config.columns.values()), config.name
        assert len(frame) == report.rows_per_source[config.name] > 0
        assert all(frame[column].map(type).eq(str).all() for column in frame.columns), config.name


def test_source_and_generator_yaml_validate() -> None:
    rates = load_generator_rates()
    assert rates.for_source("civil_registration").typo == pytest.approx(rates.corruption.typo * 0.1)
    assert rates.for_source("social_cases").id_missing > rates.corruption.id_missing
    assert {config.trust for config in load_source_configs() if config.name == "civil_registration"} == {1}


@pytest.mark.parametrize(("section", "source", "value", "message"), [
    ("overrides", "social_cases", {"typoo": 0.1}, "unknown corruption"),
    ("overrides", "social_cases", {"typo": 1.5}, "less than or equal to 1"),
    ("scale", "civil_registration", 30, "after overrides and scale"),
    ("scale", "no_such_agency", 0.5, "unknown source"),
])
def test_generator_yaml_mistakes_name_the_file(tmp_path: Path, section: str, source: str, value: object,
                                               message: str) -> None:
    config = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config)
    data = yaml.safe_load((config / "generator.yaml").read_text(encoding="utf-8"))
    data[section][source] = value
    (config / "generator.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SettingsError, match=message):
        load_generator_rates(config)


def test_truth_records_number_every_source_row(sample: tuple[Path, GenerationReport]) -> None:
    folder, report = sample
    truth = pd.read_parquet(folder / "truth_records.parquet")
    people = pd.read_parquet(folder / "truth_people.parquet")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert list(truth.columns) == ["source", "source_row", "person_id", "household_id", "corruptions"]
    for source, rows in report.rows_per_source.items():
        numbers = truth.loc[truth["source"] == source, "source_row"]
        assert numbers.tolist() == list(range(1, rows + 1)), source
    assert manifest["files"]["truth_records.parquet"] == len(truth)
    assert set(truth["person_id"]) <= set(people["person_id"])
    assert (manifest["seed"], manifest["people"], manifest["as_of"]) == (SEED, PEOPLE, "2026-06-30")
    assert len(people) == PEOPLE and people["person_id"].is_unique
    civil = truth[truth["source"] == "civil_registration"]
    assert civil["person_id"].tolist() == people["person_id"].tolist()
    households = people.set_index("person_id")["household_id"]
    assert truth["household_id"].tolist() == households.loc[truth["person_id"]].tolist()


def test_true_citizen_ids_are_unique_valid_and_mostly_thai(sample: tuple[Path, GenerationReport]) -> None:
    people = pd.read_parquet(sample[0] / "truth_people.parquet")
    assert people["citizen_id"].is_unique
    assert people["citizen_id"].map(_valid_citizen_id).all()
    first = people["citizen_id"].str[0]
    assert first.isin(list("1234567")).mean() > 0.95
    children = people[people["role"] == "child"]
    assert 0.005 < (children["citizen_id"].str[0] == "0").mean() < 0.08
    assert first.isin(["6", "7"]).any()


def test_exported_ids_are_true_and_valid_unless_corrupted(sample: tuple[Path, GenerationReport]) -> None:
    folder, _ = sample
    truth = pd.read_parquet(folder / "truth_records.parquet")
    true_id = pd.read_parquet(folder / "truth_people.parquet").set_index("person_id")["citizen_id"]
    id_corruptions = {"id_missing", "id_mistyped", "g_code", "thai_digits"}
    for config in load_source_configs():
        frame = read_export(folder, config)
        rows = truth[truth["source"] == config.name].reset_index(drop=True)
        tags = rows["corruptions"].str.split(";").map(set)
        clean = ~tags.map(id_corruptions.intersection).astype(bool)
        written = frame[config.columns["citizen_id"]]
        assert written[clean].map(_valid_citizen_id).all(), config.name
        assert (written[clean].to_numpy() == true_id.loc[rows["person_id"][clean]].to_numpy()).all()
        missing = tags.map(lambda names: "id_missing" in names)
        assert (written[missing] == "").all()
        mistyped = tags.map(lambda names: "id_mistyped" in names)
        assert (written[mistyped].to_numpy() != true_id.loc[rows["person_id"][mistyped]].to_numpy()).all()
        g_code = tags.map(lambda names: "g_code" in names)
        assert written[g_code].str.fullmatch(r"G\d{12}").all()
        assert true_id.loc[rows["person_id"][g_code]].str[0].isin(["0", "6", "7"]).all()


def test_each_agency_holds_the_right_ages(sample: tuple[Path, GenerationReport]) -> None:
    folder, _ = sample
    truth = pd.read_parquet(folder / "truth_records.parquet")
    people = pd.read_parquet(folder / "truth_people.parquet").set_index("person_id")
    born = pd.to_datetime(people["birth_date"])
    as_of = dt.date(2026, 6, 30)
    age = as_of.year - born.dt.year - ((born.dt.month * 100 + born.dt.day) > as_of.month * 100 + as_of.day)
    children = age[people["role"] == "child"]
    assert children.between(0, 17).all()
    assert children.value_counts(normalize=True).reindex(range(18)).min() > 0.03  # every age band populated
    for config in load_source_configs():
        if config.age_range:
            ages = age.loc[truth.loc[truth["source"] == config.name, "person_id"]]
            assert ages.between(*config.age_range).all(), config.name


def test_civil_registration_links_children_to_parents_in_the_household(
        sample: tuple[Path, GenerationReport]) -> None:
    folder, _ = sample
    config = next(config for config in load_source_configs() if config.name == "civil_registration")
    civil = read_export(folder, config)
    people = pd.read_parquet(folder / "truth_people.parquet")
    by_id = people.set_index("citizen_id")
    mothers = civil[config.columns["mother_citizen_id"]]
    known = mothers[mothers != ""]
    assert len(known) > PEOPLE * 0.3
    assert (by_id.loc[known, "sex"] == "F").all()
    assert (by_id.loc[known, "household_id"].to_numpy() == people.loc[known.index, "household_id"]).all()


def test_population_size_and_seed_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="between"):
        generate_registries(tmp_path, people=999)
    with pytest.raises(ValueError, match="between"):
        generate_registries(tmp_path, people=1_000_001)
    with pytest.raises(ValueError, match="seed"):
        generate_registries(tmp_path, people=1000, seed=-1)
