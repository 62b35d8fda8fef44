"""The golden store on SQLite and on the real PostgreSQL: replace-in-one-transaction and the run summary."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from termtem.golden_store import RunSummary, engine_for, latest_run_summary, publish_golden


def _frames(persons: int) -> dict[str, pd.DataFrame]:
    ids = [f"P{i:012d}" for i in range(persons)]
    return {
        "golden_household": pd.DataFrame({"golden_household_id": ["H000000000001"], "house_code": ["10010001234"],
                                          "province_code": ["10"], "district_code": ["1001"],
                                          "subdistrict_code": ["100101"], "member_count": [persons],
                                          "triage": [None], "poverty_list": [False]}),
        "golden_person": pd.DataFrame({"golden_person_id": ids, "golden_household_id": "H000000000001",
                                       "given_name": "ก", "family_name": "ข", "sex": "F",
                                       "birth_date": pd.to_datetime(["2015-03-15"] * persons),
                                       "citizen_id": None, "house_code": None, "province_code": "10",
                                       "district_code": "1001", "subdistrict_code": "100101",
                                       "record_count": 1, "sources": "civil_registration"}),
        "person_xref": pd.DataFrame({"source": "civil_registration", "source_row": range(1, persons + 1),
                                     "record_key": None, "golden_person_id": ids, "link_rule": None,
                                     "link_score": None}),
        "missed_child": pd.DataFrame(columns=["golden_person_id", "rule", "golden_household_id", "triage", "age",
                                              "searched_sources", "reason_en", "reason_th", "province_code",
                                              "district_code", "subdistrict_code"]),
        "quarantine": pd.DataFrame({"source": ["school_enrolment"], "source_row": [7],
                                    "reason": ["no_identifying_field"], "raw_values": ["{}"]}),
    }


def _summary(run_id: str, persons: int) -> RunSummary:
    return RunSummary(run_id=run_id, as_of_date=dt.date(2026, 6, 30), rows_in=persons + 1, rows_quarantined=1,
                      persons=persons, households=1, missed_children=0)


def _count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_publish_replaces_every_table_and_records_runs(database_url: str) -> None:
    engine = engine_for(database_url)
    publish_golden(engine, _frames(3), _summary("run-1", 3))
    publish_golden(engine, _frames(2), _summary("run-2", 2))
    assert _count(engine, "golden_person") == 2
    assert _count(engine, "person_xref") == 2
    assert _count(engine, "run_summary") == 2
    latest = latest_run_summary(engine)
    assert latest is not None and latest["run_id"] == "run-2" and latest["persons"] == 2
    with engine.connect() as connection:
        birth = connection.execute(sa.text("SELECT birth_date FROM golden_person LIMIT 1")).scalar_one()
    assert str(birth) == "2015-03-15"


def test_a_failed_publish_leaves_the_previous_run_intact(database_url: str) -> None:
    engine = engine_for(database_url)
    publish_golden(engine, _frames(3), _summary("run-1", 3))
    broken = _frames(2)
    broken["person_xref"] = pd.concat([broken["person_xref"], broken["person_xref"]])  # duplicate primary keys
    with pytest.raises(sa.exc.IntegrityError):
        publish_golden(engine, broken, _summary("run-2", 2))
    assert _count(engine, "golden_person") == 3
    assert latest_run_summary(engine)["run_id"] == "run-1"


def test_summary_is_none_before_any_publish(database_url: str) -> None:
    assert latest_run_summary(engine_for(database_url)) is None


def test_current_person_xref_reads_the_published_links(database_url: str) -> None:
    from termtem.golden_store import current_person_xref

    engine = engine_for(database_url)
    assert current_person_xref(engine) is None
    publish_golden(engine, _frames(2), _summary("run-1", 2))
    xref = current_person_xref(engine)
    assert xref is not None
    assert xref.sort_values("source_row")["golden_person_id"].tolist() == ["P000000000000", "P000000000001"]
