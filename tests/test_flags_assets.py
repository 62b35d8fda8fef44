"""The flag assets as Dagster runs them: the run's as-of date, a pending review pair, and the summary's chart."""

from __future__ import annotations

import base64
import re

import dagster as dg
import pandas as pd

from assets.households import missed_children, missed_children_summary
from assets.resources import TermtemSettings
from matching.missed_children import MISSED, PENDING_REVIEW


def _upstream(decision: str) -> list[dg.AssetsDefinition]:
    """Stand-ins for the assets upstream of ``missed_children``: P1 born 1 Dec 2020 (6 on 1 Dec 2026) with only
    a civil record, and another golden person's school record that a pair with ``decision`` joins to P1's."""
    tables = {
        "golden_persons": pd.DataFrame({"golden_person_id": ["P1", "Q1"],
                                        "birth_date": pd.to_datetime(["2020-12-01", "2010-01-01"]),
                                        "province_code": "10", "district_code": "1001",
                                        "subdistrict_code": "100101"}),
        "golden_households": pd.DataFrame({"golden_household_id": ["H1", "H2"], "triage": [None, None],
                                           "poverty_list": [False, False]}),
        "household_membership": pd.DataFrame({"golden_person_id": ["P1", "Q1"],
                                              "golden_household_id": ["H1", "H2"]}),
        "person_clusters": pd.DataFrame({"golden_person_id": ["P1", "Q1"],
                                         "record_id": ["civil_registration:1", "school_enrolment:1"],
                                         "source": ["civil_registration", "school_enrolment"],
                                         "child_grant": [None, None], "case_open": [None, None]}),
        "scored_links": pd.DataFrame({"left": [0], "right": [1], "score": [0.7], "decision": [decision],
                                      "rule": ["model"]}),
    }

    def stand_in(name: str, table: pd.DataFrame) -> dg.AssetsDefinition:
        @dg.asset(name=name)
        def _table() -> pd.DataFrame:
            return table

        return _table

    return [stand_in(name, table) for name, table in tables.items()]


def _flags(as_of: str, decision: str = "review") -> tuple[pd.DataFrame, dict]:
    result = dg.materialize([*_upstream(decision), missed_children],
                            resources={"settings": TermtemSettings(as_of_date=as_of)})
    metadata = result.asset_materializations_for_node("missed_children")[-1].metadata
    return result.asset_value("missed_children"), metadata


def test_the_asset_counts_ages_at_the_runs_as_of_date() -> None:
    before, metadata = _flags("2026-11-30")
    assert metadata["as_of_date"].value == "2026-11-30"
    assert "out_of_school" not in set(before["rule"])  # P1 is still 5
    after, _ = _flags("2026-12-01", decision="non_link")
    flag = after.set_index(["golden_person_id", "rule"]).loc[("P1", "out_of_school")]
    assert (flag["age"], flag["status"]) == (6, MISSED)
    assert "school_enrolment:1" in flag["near_misses"]


def test_the_asset_marks_a_child_found_only_through_a_review_pair() -> None:
    flags, metadata = _flags("2026-12-01")
    flag = flags.set_index(["golden_person_id", "rule"]).loc[("P1", "out_of_school")]
    assert flag["status"] == PENDING_REVIEW
    assert metadata["by_status"].value.get(PENDING_REVIEW, 0) >= 1


def test_the_summary_asset_shows_its_chart_in_the_dagster_ui() -> None:
    flags = pd.DataFrame({"golden_person_id": ["P1", "P2", "P3"], "rule": ["out_of_school"] * 2 + ["no_health_record"],
                          "status": [MISSED] * 3, "triage": ["red", "red", "yellow"],
                          "province_code": ["10", "10", "50"], "district_code": ["1001", "1001", "5001"]})

    @dg.asset(name="missed_children")
    def stand_in() -> pd.DataFrame:
        return flags

    result = dg.materialize([stand_in, missed_children_summary])
    metadata = result.asset_materializations_for_node("missed_children_summary")[-1].metadata
    summary = result.asset_value("missed_children_summary")
    assert summary["flags"].sum() == 3 and metadata["districts"].value == 2
    chart = re.fullmatch(r"!\[[^\]]+\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", metadata["chart"].value)
    assert chart and base64.b64decode(chart.group(1)).startswith(b"\x89PNG")
    assert "Phra Nakhon (1001)" in metadata["table"].value
