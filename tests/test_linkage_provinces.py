"""Province partitions: the partitioned linkage (library and asset graph) equals the national run on a sample with
many movers (same candidate pairs, scores and persons), and re-running one province re-uses the others' results."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from assets.provinces import PROVINCES
from assets.resources import GoldenDatabase, TermtemSettings
from matching.blocking import BlockingPass
from matching.clustering import valid_citizen_ids
from matching.evaluation import true_persons
from matching.linkage import LinkageRun, link_records
from matching.provinces import (
    UNKNOWN_PROVINCE,
    cross_province_pairs,
    link_records_by_province,
    national_blocks,
    province_keys,
    record_provinces,
    split_levels,
)
from matching.scoring import LINK
from matching.steward import DIFFERENT, SAME, steward_pairs
from pipelines.definitions import all_assets
from termtem.settings import BlockingPassSettings, LinkageSettings, load_linkage_settings
from tests.conftest import all_provinces_run, materialisations_per_partition

#: The province re-run alone (Bangkok, the largest partition).
RERUN_PROVINCE = "10"
#: The linkage part of the graph, from the registries to the persons.
LINKAGE = dg.AssetSelection.assets("person_clusters", "person_id_history").upstream()


@pytest.fixture(scope="module")
def movers_records(movers_sample: Path) -> pd.DataFrame:
    """Linkable records, as the pipeline builds them, of the movers' sample, with each record's true person."""
    result = dg.materialize(all_assets, selection=dg.AssetSelection.assets("linkable_records").upstream(),
                            resources={"settings": TermtemSettings(data_dir=str(movers_sample)),
                                       "database": GoldenDatabase(url=f"sqlite:///{movers_sample}/golden.sqlite")})
    records = result.asset_value("linkable_records")
    return records.assign(person_id=true_persons(records, pd.read_parquet(movers_sample / "truth_records.parquet")))


@pytest.fixture(scope="module")
def settings() -> LinkageSettings:
    return load_linkage_settings()


def _assert_same_linkage(national: LinkageRun, partitioned: LinkageRun) -> None:
    """Same pairs with the same passes, bit-identical scores and decisions, and the same persons."""
    columns = ["left", "right", "passes"]
    pd.testing.assert_frame_equal(national.candidates[columns].astype({"passes": str}),
                                  partitioned.candidates[columns].astype({"passes": str}))
    assert national.blocking == partitioned.blocking
    pd.testing.assert_frame_equal(national.scored.astype({"passes": str}), partitioned.scored.astype({"passes": str}))
    np.testing.assert_array_equal(national.labels, partitioned.labels)
    assert national.clustering == partitioned.clustering


def _cross_province(records: pd.DataFrame, left: pd.Series, right: pd.Series) -> np.ndarray:
    provinces = record_provinces(records)
    return provinces[left.to_numpy()] != provinces[right.to_numpy()]


def test_the_partitioned_run_gives_the_national_pairs_scores_and_persons(movers_records: pd.DataFrame,
                                                                        settings: LinkageSettings) -> None:
    citizen_ids = valid_citizen_ids(movers_records)
    national = link_records(movers_records, settings, citizen_ids=citizen_ids)
    partitioned = link_records_by_province(movers_records, settings, citizen_ids=citizen_ids)
    _assert_same_linkage(national, partitioned)
    links = partitioned.scored[partitioned.scored["decision"] == LINK]
    crossing = _cross_province(movers_records, links["left"], links["right"])
    assert crossing.sum() >= 50, "movers should give many links between two provinces"
    person = movers_records["person_id"].to_numpy(object)
    true_crossing = person[links["left"][crossing]] == person[links["right"][crossing]]
    assert true_crossing.mean() > 0.95, "the links across provinces are the movers' own records"


def test_a_block_too_large_nationally_is_skipped_in_every_province(movers_records: pd.DataFrame,
                                                                  settings: LinkageSettings) -> None:
    """A pass on the given name alone has blocks over ``max_block_size`` nationally yet small in each province."""
    given = BlockingPassSettings(name="given", keys=("given_key",))
    limit = 20
    narrow = settings.model_copy(update={"blocking": settings.blocking.model_copy(
        update={"max_block_size": limit, "passes": (*settings.blocking.passes, given)})})
    provinces = record_provinces(movers_records)
    keyed = pd.DataFrame({"block": _raw_block_ids(movers_records, BlockingPass("given", ("given_key",))),
                          "province": provinces})
    keyed = keyed[keyed["block"] >= 0]
    national_size = keyed.groupby("block").size()
    largest_in_a_province = keyed.groupby(["block", "province"]).size().groupby(level="block").max()
    split_only_in_provinces = (national_size > limit) & (largest_in_a_province <= limit)
    assert split_only_in_provinces.sum() >= 5, "the sample should have blocks small in every province only"
    citizen_ids = valid_citizen_ids(movers_records)
    _assert_same_linkage(link_records(movers_records, narrow, citizen_ids=citizen_ids),
                         link_records_by_province(movers_records, narrow, citizen_ids=citizen_ids))


def _raw_block_ids(records: pd.DataFrame, blocking_pass: BlockingPass) -> np.ndarray:
    """National block ids of one pass, oversized blocks kept (a huge ``max_block_size`` drops none)."""
    return national_blocks(records, (blocking_pass,), max_block_size=len(records)).block_ids[0]


def test_steward_decisions_across_provinces_give_the_same_result(movers_records: pd.DataFrame,
                                                                 settings: LinkageSettings) -> None:
    """Decided pairs that blocking never proposed are compared in the global pass, as in the national run."""
    rng = np.random.default_rng(3)
    left = rng.choice(len(movers_records), 300, replace=False)
    right = (left + 1 + rng.integers(0, 50, len(left))) % len(movers_records)
    left, right = np.minimum(left, right), np.maximum(left, right)
    record_ids = movers_records["record_id"].to_numpy(object)
    verdicts = np.where(rng.random(len(left)) < 0.5, SAME, DIFFERENT)
    decisions = pd.DataFrame({"left_record_id": record_ids[left], "right_record_id": record_ids[right],
                              "decision": verdicts, "decided_at": pd.Timestamp("2026-07-01"),
                              "decision_id": np.arange(len(left)).astype(str)})
    steward = steward_pairs(decisions, movers_records["record_id"])
    citizen_ids = valid_citizen_ids(movers_records)
    _assert_same_linkage(link_records(movers_records, settings, steward=steward, citizen_ids=citizen_ids),
                         link_records_by_province(movers_records, settings, steward=steward,
                                                  citizen_ids=citizen_ids))


def test_the_global_pass_keeps_only_pairs_across_partitions() -> None:
    records = pd.DataFrame({"province_code": ["10", "10", "50", None, "99", "50"],
                            "family_key": ["a", "a", "a", "a", "b", "b"]})
    blocks = national_blocks(records, (BlockingPass("family", ("family_key",)),), max_block_size=10)
    assert blocks.provinces.tolist() == ["10", "10", "50", UNKNOWN_PROVINCE, UNKNOWN_PROVINCE, "50"]
    pairs = cross_province_pairs(blocks, (BlockingPass("family", ("family_key",)),), max_block_size=10)
    assert list(zip(pairs["left"], pairs["right"], strict=True)) == [(0, 2), (0, 3), (1, 2), (1, 3), (2, 3), (4, 5)]


def test_there_is_a_partition_per_province_and_one_for_the_unknown() -> None:
    keys = province_keys()
    assert len(keys) == 78 and keys[-1] == UNKNOWN_PROVINCE and "10" in keys and len(set(keys)) == 78


@pytest.fixture(scope="module")
def full_run(lasting_instance: dg.DagsterInstance, movers_resources: dict) -> dg.ExecuteInProcessResult:
    """Every province in one run, as the CLI and the schedule run them."""
    return all_provinces_run(LINKAGE, lasting_instance, movers_resources)


def _same_grouping(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two labellings split the records into the same groups (labels may differ)."""
    pairs = set(zip(pd.factorize(a)[0], pd.factorize(b)[0], strict=True))
    return len(pairs) == len(set(a)) == len(set(b))


def test_the_partitioned_graph_gives_the_national_pairs_scores_and_persons(full_run: dg.ExecuteInProcessResult,
                                                                          ) -> None:
    records = full_run.asset_value("linkable_records")
    settings = load_linkage_settings()
    national = link_records(records, settings, citizen_ids=valid_citizen_ids(records))
    pairs, _ = split_levels(full_run.asset_value("candidate_pairs"), settings.built_comparisons())
    pd.testing.assert_frame_equal(pairs.astype({"passes": str}),
                                  national.candidates.astype({"passes": str}))
    pd.testing.assert_frame_equal(full_run.asset_value("scored_links").astype({"passes": str}),
                                  national.scored.astype({"passes": str}))
    persons = full_run.asset_value("person_clusters")["golden_person_id"].to_numpy()
    assert _same_grouping(persons, national.labels)
    assert full_run.asset_materializations_for_node("cross_province_candidate_pairs")[-1].metadata["pairs"].value > 100
    partitions = {m.partition for m in full_run.asset_materializations_for_node("province_candidate_pairs")}
    assert partitions == set(PROVINCES.get_partition_keys())


def test_re_running_one_province_re_uses_the_other_provinces(full_run: dg.ExecuteInProcessResult,
                                                             lasting_instance: dg.DagsterInstance,
                                                             movers_resources: dict) -> None:
    folder = Path(lasting_instance.storage_directory()) / "provinces" / "province_candidate_pairs"
    before = {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}
    events_before = materialisations_per_partition(lasting_instance, "province_candidate_pairs")
    (folder / f"{RERUN_PROVINCE}.pkl").unlink()  # only a re-run of this province can bring it back
    downstream = dg.AssetSelection.assets("province_candidate_pairs").downstream() & LINKAGE
    rerun = dg.materialize(all_assets, selection=downstream, instance=lasting_instance, resources=movers_resources,
                           partition_key=RERUN_PROVINCE)
    assert rerun.success
    after = {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}
    assert after.keys() == before.keys()
    assert {name for name in after if after[name] != before[name]} == {f"{RERUN_PROVINCE}.pkl"}
    new_events = materialisations_per_partition(lasting_instance, "province_candidate_pairs") - events_before
    assert new_events == Counter({RERUN_PROVINCE: 1})
    assert materialisations_per_partition(lasting_instance, "province_records") == Counter({None: 1})
    assert not rerun.asset_materializations_for_node("linkable_records")
    pd.testing.assert_frame_equal(rerun.asset_value("scored_links"), full_run.asset_value("scored_links"))
    pd.testing.assert_frame_equal(rerun.asset_value("person_clusters"), full_run.asset_value("person_clusters"))


def test_pairs_built_on_other_records_are_refused(full_run: dg.ExecuteInProcessResult,
                                                  lasting_instance: dg.DagsterInstance, movers_resources: dict) -> None:
    """A province whose stored pairs predate the current ``province_records`` stops the union, naming it."""
    stale = Path(lasting_instance.storage_directory()) / "provinces" / "province_candidate_pairs" / "50.pkl"
    stored = pd.read_pickle(stale)
    pd.to_pickle({**stored, "fingerprint": "from-older-records"}, stale)
    try:
        result = dg.materialize(all_assets, selection=["candidate_pairs"], instance=lasting_instance,
                                resources=movers_resources, raise_on_error=False)
    finally:
        pd.to_pickle(stored, stale)
    assert not result.success
    [failure] = [event for event in result.all_events if event.is_step_failure]
    assert "re-materialise those partitions: ['50']" in failure.step_failure_data.error.cause.message
