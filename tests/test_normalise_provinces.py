"""Normalisation per province partition: the gathered registries equal normalising each registry whole, on a sample
with many movers; a partition range at a time gives the same; re-running one province re-uses the others' files;
a province built on other raw rows is refused by name."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from assets.province_normalisation import NORMALISED, ROUTED
from assets.provinces import PARTITION_RANGE_END_TAG, PARTITION_RANGE_START_TAG, PROVINCES
from assets.registries import SOURCES
from matching.normalise import normalise_records
from matching.province_routing import route_provinces
from matching.provinces import UNKNOWN_PROVINCE
from pipelines.definitions import all_assets
from quality.quarantine import quarantine_reasons
from tests.conftest import all_provinces_run, materialisations_per_partition

#: The province re-run alone (Bangkok, the largest partition).
RERUN_PROVINCE = "10"
NORMALISED_REGISTRIES = [f"normalised_{source}" for source in SOURCES]
#: Normalisation and what reads it, up to the records linkage works on.
RECORDS = dg.AssetSelection.assets("linkable_records", "quarantined_records").upstream()


@pytest.fixture(scope="module")
def full_run(lasting_instance: dg.DagsterInstance, movers_resources: dict) -> dg.ExecuteInProcessResult:
    """Every province in one run, as the CLI and the schedule run them."""
    return all_provinces_run(RECORDS, lasting_instance, movers_resources)


def _whole_registry(raw: pd.DataFrame, movers_resources: dict) -> pd.DataFrame:
    """A registry normalised in one step, as ``normalised_<source>`` was built before it was split by province."""
    normalised = normalise_records(raw, movers_resources["settings"].as_of())
    normalised["quarantine_reason"] = quarantine_reasons(raw, normalised).to_numpy()
    return normalised


def test_the_provinces_give_each_registry_as_normalising_it_whole(full_run: dg.ExecuteInProcessResult,
                                                                  movers_resources: dict) -> None:
    routed_by = full_run.asset_materializations_for_node(ROUTED)[-1].metadata["routed_by"].value
    assert routed_by["address_text"] > 0 and routed_by["province"] > 0
    for source in SOURCES:
        raw = full_run.asset_value(f"raw_{source}")
        pd.testing.assert_frame_equal(full_run.asset_value(f"normalised_{source}"),
                                      _whole_registry(raw, movers_resources))
    rows_per_province = full_run.asset_materializations_for_node(ROUTED)[-1].metadata["rows_per_province"].value
    assert sum(rows > 0 for rows in rows_per_province.values()) >= 3, "rows should lie in several provinces"
    partitions = {m.partition for m in full_run.asset_materializations_for_node(NORMALISED)}
    assert partitions == set(PROVINCES.get_partition_keys())


def test_a_province_reports_its_rows_quarantine_and_resolution(full_run: dg.ExecuteInProcessResult) -> None:
    metadata = full_run.asset_materializations_for_node(NORMALISED)[-1].metadata
    per_province = metadata["per_province"].value
    assert set(per_province) == set(PROVINCES.get_partition_keys())
    rows = sum(len(full_run.asset_value(f"raw_{source}")) for source in SOURCES)
    assert metadata["rows"].value == sum(p["rows"] for p in per_province.values()) == rows
    bangkok = per_province[RERUN_PROVINCE]
    assert bangkok["rows"] == sum(bangkok["by_source"].values()) > 0
    assert 0.5 < bangkok["resolved_subdistrict_share"] <= 1
    assert metadata["resolved_to_another_province"].value < 0.05 * rows, "routing should mostly agree"


def test_partition_ranges_run_apart_give_the_same_records(full_run: dg.ExecuteInProcessResult, movers_resources: dict,
                                                          tmp_path: Path) -> None:
    """Two runs of half the provinces each, then the gathers, equal the run of all provinces at once."""
    keys = PROVINCES.get_partition_keys()
    with dg.DagsterInstance.local_temp(tempdir=str(tmp_path)) as apart:
        first = dg.materialize(all_assets, selection=[ROUTED, *(f"raw_{s}" for s in SOURCES)], instance=apart,
                               resources=movers_resources)
        assert first.success
        for start, end in ((keys[0], keys[38]), (keys[39], keys[-1])):
            assert dg.materialize(all_assets, selection=[NORMALISED], instance=apart, resources=movers_resources,
                                  tags={PARTITION_RANGE_START_TAG: start, PARTITION_RANGE_END_TAG: end}).success
        gathered = dg.materialize(all_assets, selection=[*NORMALISED_REGISTRIES, "linkable_records",
                                                         "quarantined_records"], instance=apart,
                                  resources=movers_resources)
        assert gathered.success
        for asset in (*NORMALISED_REGISTRIES, "linkable_records", "quarantined_records"):
            pd.testing.assert_frame_equal(gathered.asset_value(asset), full_run.asset_value(asset))
        assert materialisations_per_partition(apart, NORMALISED) == Counter(dict.fromkeys(keys, 1))


def test_re_running_one_province_re_uses_the_other_provinces(full_run: dg.ExecuteInProcessResult,
                                                             lasting_instance: dg.DagsterInstance,
                                                             movers_resources: dict) -> None:
    folder = Path(lasting_instance.storage_directory()) / "provinces" / NORMALISED
    before = {path.relative_to(folder): path.stat().st_mtime_ns for path in folder.rglob("*.pkl")}
    routed_before = materialisations_per_partition(lasting_instance, ROUTED)
    events_before = materialisations_per_partition(lasting_instance, NORMALISED)
    for path in (folder / RERUN_PROVINCE).iterdir():
        path.unlink()  # only a re-run of this province can bring them back
    rerun = dg.materialize(all_assets, selection=[NORMALISED], instance=lasting_instance, resources=movers_resources,
                           partition_key=RERUN_PROVINCE)
    assert rerun.success
    after = {path.relative_to(folder): path.stat().st_mtime_ns for path in folder.rglob("*.pkl")}
    assert after.keys() == before.keys()
    assert {path for path in after if after[path] != before[path]} == {
        Path(RERUN_PROVINCE) / f"{source}.pkl" for source in SOURCES}
    assert materialisations_per_partition(lasting_instance, NORMALISED) - events_before == Counter({RERUN_PROVINCE: 1})
    assert materialisations_per_partition(lasting_instance, ROUTED) == routed_before
    gathered = dg.materialize(all_assets, selection=[*NORMALISED_REGISTRIES, "linkable_records"],
                              instance=lasting_instance, resources=movers_resources)
    assert gathered.success
    pd.testing.assert_frame_equal(gathered.asset_value("linkable_records"), full_run.asset_value("linkable_records"))


def test_a_province_built_on_other_raw_rows_is_refused(full_run: dg.ExecuteInProcessResult,
                                                       lasting_instance: dg.DagsterInstance,
                                                       movers_resources: dict) -> None:
    stale = Path(lasting_instance.storage_directory()) / "provinces" / NORMALISED / "50" / f"{SOURCES[0]}.pkl"
    stored = pd.read_pickle(stale)
    pd.to_pickle({**stored, "built_on": {**stored["built_on"], "raw": "from-older-rows"}}, stale)
    try:
        result = dg.materialize(all_assets, selection=[f"normalised_{SOURCES[0]}"], instance=lasting_instance,
                                resources=movers_resources, raise_on_error=False)
    finally:
        pd.to_pickle(stored, stale)
    assert not result.success
    [failure] = [event for event in result.all_events if event.is_step_failure]
    assert "re-materialise those partitions: ['50']" in failure.step_failure_data.error.cause.message


def test_rows_are_routed_by_the_first_clue_that_names_one_province() -> None:
    raw = pd.DataFrame({
        "province": ["จ.สตูล", "กทม.", None, None, None, None, "ไม่รู้", None],
        "address_text": [None, "ต.ควนโดน อ.ควนโดน จ.สตูล", "๙๖ ม.๖ ต.หัวตะพาน อ.วิเศษชัยชาญ จังหวัดอ่างทอง",
                         "99 ม.4 บางพลีใหญ่ 10540", None, None, None, "ที่ไหนสักแห่ง"],
        "postcode": [None, None, None, None, "๙๑๑๖๐", None, None, None],
        "house_code": [None, None, None, None, None, "25534290506", None, "99999999999"],
    })
    routing = route_provinces(raw)
    assert routing.provinces.tolist() == ["91", "10", "15", "11", "91", "25", UNKNOWN_PROVINCE, UNKNOWN_PROVINCE]
    assert routing.methods.tolist() == ["province", "province", "address_text", "postcode", "postcode",
                                        "house_code", UNKNOWN_PROVINCE, UNKNOWN_PROVINCE]
    assert np.array_equal(route_provinces(raw.iloc[:0]).provinces, np.array([], dtype=object))
