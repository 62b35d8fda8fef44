"""The golden store on SQLite and on the real PostgreSQL: versioned releases, reads, steward decisions."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
import sqlalchemy as sa

from termtem.golden_store import (
    Release,
    ReleaseError,
    current_person_xref,
    current_release,
    engine_for,
    list_releases,
    prune_releases,
    publish_release,
    read_release,
    record_steward_decision,
    steward_decisions,
    withdraw_release,
)
from termtem.golden_store.read import STEWARD_DECISION_COLUMNS
from termtem.golden_store.sample import sample_release
from termtem.golden_store.schema import RELEASE_TABLES, data_columns, golden_person


@pytest.fixture(scope="module")
def small() -> Release:
    return sample_release(60, seed=3, run_id="run-1")


@pytest.fixture(scope="module")
def smaller() -> Release:
    return sample_release(25, seed=4, run_id="run-2")


def _with_none(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), None)


def _scalar(engine: sa.Engine, sql: str) -> object:
    with engine.connect() as connection:
        return connection.execute(sa.text(sql)).scalar_one()


def test_nothing_published_reads_as_empty(database_url: str) -> None:
    engine = engine_for(database_url)
    assert current_release(engine) is None
    assert current_person_xref(engine) is None
    assert read_release(engine, ["golden_person"]) is None
    assert list_releases(engine).empty
    decisions = steward_decisions(engine)
    assert decisions.empty and tuple(decisions.columns) == STEWARD_DECISION_COLUMNS


def test_a_new_release_becomes_current_and_earlier_ones_stay_queryable(database_url: str, small: Release,
                                                                       smaller: Release) -> None:
    engine = engine_for(database_url)
    publish_release(engine, small)
    publish_release(engine, smaller)
    current = current_release(engine)
    assert current is not None and current["run_id"] == "run-2" and current["persons"] == 25
    assert _scalar(engine, "SELECT count(*) FROM current_golden_person") == 25
    assert _scalar(engine, "SELECT count(*) FROM golden_person") == 60 + 25
    found = read_release(engine, ["golden_person", "person_xref"], run_id="run-1")
    assert found is not None
    release, frames = found
    assert release["release_seq"] == 1 and len(frames["golden_person"]) == 60
    assert len(frames["person_xref"]) == len(small.frames["person_xref"])
    assert list_releases(engine)["run_id"].tolist() == ["run-2", "run-1"]


def test_published_rows_read_back_exactly(database_url: str, small: Release) -> None:
    engine = engine_for(database_url)
    publish_release(engine, small)
    _, frames = read_release(engine, ["golden_person", "golden_household"])
    expected = small.frames["golden_person"].sort_values("golden_person_id", ignore_index=True)
    stored = frames["golden_person"].assign(birth_date=pd.to_datetime(frames["golden_person"]["birth_date"]))
    pd.testing.assert_frame_equal(_with_none(stored), _with_none(expected[data_columns(golden_person)]),
                                  check_dtype=False)
    households = frames["golden_household"]
    assert households["poverty_list"].map(type).eq(bool).all()
    assert households["poverty_list"].sum() == small.frames["golden_household"]["poverty_list"].sum()


def test_the_same_inputs_give_identical_rows_in_every_table(database_url: str, small: Release) -> None:
    engine = engine_for(database_url)
    publish_release(engine, small)
    publish_release(engine, dataclasses.replace(small, run_id="run-again"))
    names = [table.name for table in RELEASE_TABLES]
    _, first = read_release(engine, names, run_id="run-1")
    _, again = read_release(engine, names, run_id="run-again")
    for name in names:
        pd.testing.assert_frame_equal(first[name], again[name], obj=name)
    assert len(first["linked_pair"]) and first["linked_pair"]["field_weights"].str.startswith("{").all()


def test_current_person_xref_reads_the_current_release(database_url: str, small: Release,
                                                       smaller: Release) -> None:
    engine = engine_for(database_url)
    publish_release(engine, small)
    publish_release(engine, smaller)
    xref = current_person_xref(engine)
    assert xref is not None and list(xref.columns) == ["source", "source_row", "golden_person_id"]
    expected = smaller.frames["person_xref"].sort_values(["source", "source_row"], ignore_index=True)
    assert xref["golden_person_id"].tolist() == expected["golden_person_id"].tolist()


def test_a_run_is_published_once(database_url: str, small: Release) -> None:
    engine = engine_for(database_url)
    publish_release(engine, small)
    with pytest.raises(ReleaseError, match="already published"):
        publish_release(engine, small)
    assert _scalar(engine, "SELECT count(*) FROM golden_person") == 60


def test_an_incomplete_or_malformed_release_is_refused_with_the_reason(database_url: str, small: Release) -> None:
    engine = engine_for(database_url)
    incomplete = {name: frame for name, frame in small.frames.items() if name != "person_xref"}
    with pytest.raises(ReleaseError, match=r"missing tables \['person_xref'\]"):
        publish_release(engine, dataclasses.replace(small, frames=incomplete))
    persons = small.frames["golden_person"].assign(birth_date="not a date")
    with pytest.raises(ValueError, match=r"golden_person\.birth_date"):
        publish_release(engine, dataclasses.replace(small, frames={**small.frames, "golden_person": persons}))
    assert current_release(engine) is None


def test_withdrawing_the_current_release_falls_back_to_the_previous_one(database_url: str, small: Release,
                                                                        smaller: Release) -> None:
    engine = engine_for(database_url)
    publish_release(engine, small)
    publish_release(engine, smaller)
    withdraw_release(engine, "run-2", reason="wrong as-of date")
    assert current_release(engine)["run_id"] == "run-1"
    assert _scalar(engine, "SELECT count(*) FROM current_golden_person") == 60
    with pytest.raises(ReleaseError, match="withdrawn"):
        withdraw_release(engine, "run-2", reason="again")


def test_pruning_deletes_old_rows_and_keeps_their_metadata(database_url: str, small: Release,
                                                           smaller: Release) -> None:
    engine = engine_for(database_url)
    publish_release(engine, small)
    publish_release(engine, smaller)
    assert prune_releases(engine, keep=1) == ["run-1"]
    assert _scalar(engine, "SELECT count(*) FROM golden_person") == 25
    assert list_releases(engine).set_index("run_id")["status"].to_dict() == {"run-2": "published", "run-1": "pruned"}
    with pytest.raises(ValueError, match="pruned"):
        read_release(engine, ["golden_person"], run_id="run-1")


def test_steward_decisions_are_appended_and_read_back(database_url: str) -> None:
    engine = engine_for(database_url)
    record_steward_decision(engine, left_record_id="school_enrolment:4", right_record_id="civil_registration:9",
                            decision="same", steward="somchai", note="same mother and house", score_seen=0.62)
    record_steward_decision(engine, left_record_id="school_enrolment:5", right_record_id="health_centre:1",
                            decision="different", steward="malee", model_version="fs-2026-06")
    decisions = steward_decisions(engine)
    assert tuple(decisions.columns) == STEWARD_DECISION_COLUMNS
    assert decisions["decision"].tolist() == ["same", "different"]
    assert decisions.loc[0, "score_seen"] == pytest.approx(0.62)
    with pytest.raises(ValueError, match="decision must be one of"):
        record_steward_decision(engine, left_record_id="a:1", right_record_id="b:1", decision="maybe",
                                steward="somchai")
    with pytest.raises(ValueError, match="name the steward"):
        record_steward_decision(engine, left_record_id="a:1", right_record_id="b:1", decision="same", steward=" ")


def test_the_open_review_view_drops_pairs_a_steward_decided(database_url: str, small: Release) -> None:
    engine = engine_for(database_url)
    publish_release(engine, small)
    queue = small.frames["review_queue"]
    assert len(queue) >= 1
    first = queue.iloc[0]
    record_steward_decision(engine, left_record_id=first["right_record_id"], right_record_id=first["left_record_id"],
                            decision="different", steward="malee")
    assert _scalar(engine, "SELECT count(*) FROM current_open_review") == len(queue) - 1
