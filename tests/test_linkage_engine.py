"""The linkage engine on a generated sample: explanations add up, constraints hold, steward decisions train, IDs
stay stable on re-runs and under appended data."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from assets.resources import GoldenDatabase, TermtemSettings
from matching.clustering import cluster_records, valid_citizen_ids
from matching.comparison import MISSING, RecordCodes
from matching.evaluation import completeness_per_pass, pairwise_cluster_scores, true_persons
from matching.golden_ids import KEPT, assign_golden_ids
from matching.linkage import LinkageRun, link_records
from matching.scoring import (
    LINK,
    NON_LINK,
    STEWARD_CANNOT_LINK,
    WEIGHT_PREFIX,
    compare_levels,
    term_frequency_weights,
)
from matching.steward import DIFFERENT, SAME, steward_pairs
from pipelines.definitions import all_assets
from termtem.settings import BlockingPassSettings, LinkageSettings, load_linkage_settings


@pytest.fixture(scope="module")
def blocked(generated_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> dg.ExecuteInProcessResult:
    """The pipeline materialised on the sample up to ``candidate_pairs``."""
    return dg.materialize(all_assets, selection=dg.AssetSelection.assets("candidate_pairs").upstream(),
                          resources={"settings": TermtemSettings(data_dir=str(generated_sample)),
                                     "database": GoldenDatabase(url=f"sqlite:///{tmp_path_factory.mktemp('db')}"
                                                                    "/golden.sqlite")})


@pytest.fixture(scope="module")
def linkable(blocked: dg.ExecuteInProcessResult, generated_sample: Path) -> pd.DataFrame:
    """The sample's linkable records as the pipeline builds them, with each record's true ``person_id``."""
    records = blocked.asset_value("linkable_records")
    return records.assign(person_id=true_persons(records, pd.read_parquet(generated_sample / "truth_records.parquet")))


@pytest.fixture(scope="module")
def settings() -> LinkageSettings:
    return load_linkage_settings()


@pytest.fixture(scope="module")
def wide(settings: LinkageSettings) -> LinkageSettings:
    """The configured settings with two more blocking passes, pairing everyone sharing a house or family name."""
    families = (BlockingPassSettings(name="house", keys=("house_code",)),
                BlockingPassSettings(name="family", keys=("family_key",)))
    return settings.model_copy(update={
        "blocking": settings.blocking.model_copy(update={"passes": settings.blocking.passes + families})})


@pytest.fixture(scope="module")
def linked(linkable: pd.DataFrame, settings: LinkageSettings) -> LinkageRun:
    return link_records(linkable, settings, citizen_ids=valid_citizen_ids(linkable))


def _decisions(records: pd.DataFrame, left: np.ndarray, right: np.ndarray, verdicts: np.ndarray) -> pd.DataFrame:
    ids = records["record_id"].to_numpy(object)
    return pd.DataFrame({"left_record_id": ids[left], "right_record_id": ids[right], "decision": verdicts,
                         "decided_at": pd.Timestamp("2026-07-01"), "decision_id": np.arange(len(left)).astype(str)})


def _weights(scored: pd.DataFrame) -> pd.DataFrame:
    return scored[[c for c in scored.columns if c.startswith(WEIGHT_PREFIX)]]


def test_the_blocking_report_gives_pairs_completeness_against_the_truth(blocked: dg.ExecuteInProcessResult,
                                                                       linkable: pd.DataFrame) -> None:
    metadata = blocked.asset_materializations_for_node("candidate_pairs")[-1].metadata
    pairs = blocked.asset_value("candidate_pairs")
    per_pass = metadata["pairs_completeness_per_pass"].value
    assert set(per_pass) == set(metadata["pairs_per_pass"].value)
    assert metadata["pairs_completeness"].value == completeness_per_pass(pairs, linkable["person_id"])["all"]
    assert max(per_pass.values()) < metadata["pairs_completeness"].value
    assert metadata["pairs"].value == len(pairs) and 0.999 < metadata["reduction_ratio"].value < 1


def test_the_per_field_weights_of_every_pair_add_up_to_its_score(linked: LinkageRun) -> None:
    scored, prior = linked.scored, linked.scoring.weights.prior_weight
    assert _weights(scored).shape[1] == len(linked.scoring.weights.fields)
    np.testing.assert_allclose(prior + _weights(scored).sum(axis=1), scored["match_weight"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(scored["score"], 1 / (1 + np.exp2(-scored["match_weight"])), rtol=1e-12)


def test_a_missing_value_counts_as_neither_agreement_nor_disagreement(linkable: pd.DataFrame,
                                                                      linked: LinkageRun,
                                                                      settings: LinkageSettings) -> None:
    comparisons = settings.built_comparisons()
    field = [c.name for c in comparisons].index("birth_date")
    dated = linkable[linkable["birth_date"].notna()]
    original = dated.iloc[[0]]
    agreeing, missing, different = original.copy(), original.copy(), original.copy()
    missing["birth_date"] = pd.NaT
    different["birth_date"] = original["birth_date"] - pd.Timedelta(days=4000)
    records = pd.concat([original, agreeing, missing, different], ignore_index=True)
    codes, left = RecordCodes(records), np.array([0, 0, 0])
    gamma = compare_levels(codes, left, np.array([1, 2, 3]), comparisons)
    assert gamma[:, field].tolist() == [0, MISSING, len(comparisons[field].levels) - 1]
    partial = linked.scoring.weights.partial_weights(gamma) + term_frequency_weights(codes, left, gamma, comparisons)
    assert partial[1, field] == 0.0
    assert partial[0, field] > 0 > partial[2, field]
    others = np.arange(len(comparisons)) != field
    assert np.array_equal(partial[0, others], partial[1, others])


def test_the_engine_finds_the_people_of_the_sample(linkable: pd.DataFrame, linked: LinkageRun) -> None:
    scores = pairwise_cluster_scores(pd.Series(linked.labels), linkable["person_id"])
    assert scores.precision >= 0.99 and scores.recall >= 0.98


def test_constraints_hold_even_when_every_candidate_pair_is_a_link(linkable: pd.DataFrame, linked: LinkageRun,
                                                                   settings: LinkageSettings,
                                                                   wide: LinkageSettings) -> None:
    # Stewards forbid 40 of the model's own links between true matches. Blocking also pairs everyone sharing a
    # house or a family name, and clustering is handed every candidate pair as a link, so siblings' valid-ID
    # conflicts, the cannot-links and oversized chains all have to be cut by clustering itself.
    links = linked.scored[(linked.scored["decision"] == LINK) & (linked.scored["rule"] == "model")]
    forbidden = links.iloc[::max(len(links) // 40, 1)].head(40)
    left, right = forbidden["left"].to_numpy(), forbidden["right"].to_numpy()
    decisions = _decisions(linkable, left, right, np.full(len(forbidden), DIFFERENT))
    citizen_ids = valid_citizen_ids(linkable)
    run = link_records(linkable, wide, citizen_ids=citizen_ids, steward=steward_pairs(decisions, linkable["record_id"]))
    scored = run.scored
    assert (scored["rule"] == STEWARD_CANNOT_LINK).sum() == 40
    assert (scored.loc[scored["rule"] == "citizen_id_conflict", "decision"] == NON_LINK).all()
    assert len(scored) > 5 * len(linked.scored)
    labels, report = cluster_records(len(linkable), scored["left"].to_numpy(), scored["right"].to_numpy(),
                                     scored["score"].to_numpy(), citizen_ids, (left, right), settings.clusters)
    assert report.groups_with_citizen_id_conflict and report.groups_with_cannot_link and report.oversized_groups
    ids = pd.DataFrame({"person": labels, "id": citizen_ids}).dropna()
    assert ids.groupby("person")["id"].nunique().max() == 1
    assert not (labels[left] == labels[right]).any()
    assert np.bincount(labels).max() <= settings.clusters.max_size


def test_steward_decisions_train_a_correction_that_fits_them_better(linkable: pd.DataFrame,
                                                                    wide: LinkageSettings) -> None:
    # Stewards decide, by the truth, the 200 true matches and 200 non-matches the model scores worst.
    citizen_ids = valid_citizen_ids(linkable)
    unsupervised = link_records(linkable, wide, citizen_ids=citizen_ids)
    scored = unsupervised.scored[unsupervised.scored["rule"] == "model"]
    person = linkable["person_id"].to_numpy(object)
    same = person[scored["left"]] == person[scored["right"]]
    decided = pd.concat([scored[same].nsmallest(200, "match_weight"), scored[~same].nlargest(200, "match_weight")])
    verdict = person[decided["left"]] == person[decided["right"]]
    decisions = _decisions(linkable, decided["left"].to_numpy(), decided["right"].to_numpy(),
                           np.where(verdict, SAME, DIFFERENT))
    trained = link_records(linkable, wide, citizen_ids=citizen_ids,
                           steward=steward_pairs(decisions, linkable["record_id"]))
    assert trained.scoring.supervised_pairs == len(decided) == 400
    assert trained.scoring.weights.version.startswith("lr-")

    def log_loss(run: LinkageRun) -> float:
        score = run.scored.set_index(["left", "right"]).loc[list(zip(decided["left"], decided["right"],
                                                                     strict=True)), "score"].to_numpy()
        score = np.clip(score, 1e-12, 1 - 1e-12)
        return float(-np.mean(np.where(verdict, np.log(score), np.log1p(-score))))

    assert log_loss(trained) < log_loss(unsupervised)
    np.testing.assert_allclose(trained.scoring.weights.prior_weight + _weights(trained.scored).sum(axis=1),
                               trained.scored["match_weight"], atol=1e-9)


def _golden_ids(records: pd.DataFrame, settings: LinkageSettings, previous: pd.DataFrame | None = None) -> tuple[
        pd.DataFrame, pd.DataFrame]:
    """Link the records and name their persons; returns the (source, source_row, golden_person_id) map and history."""
    records = records.reset_index(drop=True)
    run = link_records(records, settings, citizen_ids=valid_citizen_ids(records))
    golden, history = assign_golden_ids(records, run.labels, previous)
    return records[["source", "source_row"]].assign(golden_person_id=golden), history


def test_a_rerun_on_the_same_data_gives_the_same_ids(linkable: pd.DataFrame, settings: LinkageSettings) -> None:
    first, _ = _golden_ids(linkable, settings)
    fresh, _ = _golden_ids(linkable, settings)
    assert fresh.equals(first)
    kept, history = _golden_ids(linkable, settings, previous=first)
    assert kept.equals(first)
    assert set(history["event"]) == {KEPT}


def test_after_appended_rows_each_person_keeps_the_id_its_records_had(linkable: pd.DataFrame,
                                                                       settings: LinkageSettings) -> None:
    # The first release saw the first 70% of each registry's rows; the rest arrive later.
    cut = linkable.groupby("source")["source_row"].transform(lambda rows: rows.quantile(0.7))
    earlier, _ = _golden_ids(linkable[linkable["source_row"] <= cut], settings)
    later, history = _golden_ids(linkable, settings, previous=earlier)
    joined = later.merge(earlier, on=["source", "source_row"], how="left", suffixes=("", "_before"))
    assert joined["golden_person_id_before"].notna().sum() == len(earlier)
    # Wherever most of a person's old records are in one new person, and that new person's old records are mostly
    # that old ID, the new person carries the old ID.
    seen = joined.dropna(subset=["golden_person_id_before"])
    pairs = seen.groupby(["golden_person_id", "golden_person_id_before"]).size()
    new_share = pairs / pairs.groupby(level=0).transform("sum")
    old_share = pairs / pairs.groupby(level=1).transform("sum")
    carried = pairs.index[(new_share > 0.5) & (old_share > 0.5)]
    assert len(carried) >= 0.95 * earlier["golden_person_id"].nunique()
    assert all(new == old for new, old in carried)
    # New people get new IDs, and every old ID is accounted for in the history.
    brand_new = joined.groupby("golden_person_id")["golden_person_id_before"].count() == 0
    assert brand_new.sum() > 0
    assert not set(brand_new.index[brand_new]) & set(earlier["golden_person_id"])
    assert set(earlier["golden_person_id"]) <= set(history["golden_person_id"])
