"""Materialise the whole asset graph on a generated sample and check it against the ground truth."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import sqlalchemy as sa

from assets.resources import GoldenDatabase, TermtemSettings
from matching.evaluation import pairwise_cluster_scores
from pipelines.definitions import all_assets, all_checks, defs

# What the Fellegi-Sunter matcher (config/linkage.yaml) measured on the conftest sample (seed 7, 2,000 people).
# A change to the generator, normalisation or matcher moves these on purpose: re-measure and update them in the
# same commit, saying why. (The exact-rule baseline measured 2,022 persons, recall 0.9778.) The seventh registry,
# family_assessment, added 2 persons split off by their own rows (one typo with swapped names, one mistyped ID):
# 2,002 persons and recall 0.9974 before it.
TRUE_PERSONS_WITH_RECORDS = 2000
MEASURED_PERSONS = 2004
MEASURED_PRECISION = 1.0
MEASURED_RECALL = 0.9944


def _materialise(sample: Path, url: str) -> dg.ExecuteInProcessResult:
    return dg.materialize([*all_assets, *all_checks],
                          resources={"settings": TermtemSettings(data_dir=str(sample)),
                                     "database": GoldenDatabase(url=url)})


def _table(url: str, name: str) -> pd.DataFrame:
    """The current release's rows of a golden table, through the stable ``current_<name>`` view."""
    with sa.create_engine(url).connect() as connection:
        return pd.read_sql_table(f"current_{name}", connection)


@pytest.fixture(scope="module")
def published(generated_sample: Path,
              tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dg.ExecuteInProcessResult]:
    url = f"sqlite:///{tmp_path_factory.mktemp('golden') / 'golden.sqlite'}"
    return url, _materialise(generated_sample, url)


def test_definitions_load() -> None:
    assert defs.resolve_job_def("termtem_full_run") is not None


def test_the_whole_graph_runs_and_every_check_passes(published: tuple[str, dg.ExecuteInProcessResult]) -> None:
    _, result = published
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert evaluations and all(evaluation.passed for evaluation in evaluations)


def test_every_source_row_is_cross_referenced_or_quarantined_exactly_once(
        published: tuple[str, dg.ExecuteInProcessResult], generated_sample: Path) -> None:
    url, _ = published
    truth = pd.read_parquet(generated_sample / "truth_records.parquet")
    xref = _table(url, "person_xref")
    quarantined = _table(url, "quarantine")
    seen = pd.concat([xref[["source", "source_row"]], quarantined[["source", "source_row"]]])
    assert not seen.duplicated().any()
    expected = truth[["source", "source_row"]].sort_values(["source", "source_row"], ignore_index=True)
    assert seen.sort_values(["source", "source_row"], ignore_index=True).equals(expected.astype(seen.dtypes))


def test_matcher_accuracy_is_what_it_measured(
        published: tuple[str, dg.ExecuteInProcessResult], generated_sample: Path) -> None:
    url, _ = published
    truth = pd.read_parquet(generated_sample / "truth_records.parquet")
    xref = _table(url, "person_xref").merge(truth, on=["source", "source_row"], validate="one_to_one")
    scores = pairwise_cluster_scores(xref["golden_person_id"], xref["person_id"])
    persons = _table(url, "golden_person")
    assert len(persons) == scores.predicted_clusters == MEASURED_PERSONS
    assert scores.true_clusters == TRUE_PERSONS_WITH_RECORDS
    assert round(scores.precision, 4) == MEASURED_PRECISION
    assert round(scores.recall, 4) == MEASURED_RECALL


def test_a_rerun_gives_identical_golden_rows(published: tuple[str, dg.ExecuteInProcessResult],
                                             generated_sample: Path, tmp_path: Path) -> None:
    url, _ = published
    again = f"sqlite:///{tmp_path / 'again.sqlite'}"
    assert _materialise(generated_sample, again).success
    for table in ("golden_person", "golden_household", "person_xref", "missed_child"):
        assert _table(url, table).equals(_table(again, table)), table


def test_the_first_release_records_every_person_id_as_created(
        published: tuple[str, dg.ExecuteInProcessResult]) -> None:
    url, _ = published
    history = _table(url, "id_history")
    persons = _table(url, "golden_person")
    assert set(history["event"]) == {"created"}
    assert sorted(history["golden_person_id"]) == sorted(persons["golden_person_id"])
