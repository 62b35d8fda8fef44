"""Run health metadata and the drift alert: a source that suddenly links less is flagged against the last run."""

from __future__ import annotations

import dagster as dg
import pandas as pd
import pytest

from assets.observability import linkage_drift, linkage_health
from assets.resources import TermtemSettings
from matching.missed_children import MISSED, PENDING_REVIEW
from quality.linkage_health import find_drift, source_link_rates

SOURCES = ("civil_registration", "school_enrolment")


def _clusters(school_linked: int) -> pd.DataFrame:
    """Ten people in civil registration; ten school records, of which ``school_linked`` belong to them."""
    civil = pd.DataFrame({"source": "civil_registration", "golden_person_id": [f"P{i}" for i in range(10)]})
    school = pd.DataFrame({"source": "school_enrolment",
                           "golden_person_id": [f"P{i}" if i < school_linked else f"S{i}" for i in range(10)]})
    return pd.concat([civil, school], ignore_index=True)


def test_link_rate_is_the_share_of_records_whose_person_is_in_another_registry() -> None:
    rates = source_link_rates(_clusters(school_linked=4))
    assert rates.to_dict() == {"civil_registration": 0.4, "school_enrolment": 0.4}


def test_drift_names_the_source_whose_rate_fell_beyond_the_allowed_share() -> None:
    previous = {"link_rate_civil_registration": 0.8, "link_rate_school_enrolment": 0.8, "review_queue": 10}
    current = {"link_rate_civil_registration": 0.7, "link_rate_school_enrolment": 0.4, "review_queue": 15}
    alerts = find_drift(current, previous, max_link_rate_drop=0.25, max_review_queue_growth=1.0)
    assert len(alerts) == 1 and alerts[0].startswith("school_enrolment: link rate fell 50%")
    grown = find_drift({**current, "review_queue": 25}, previous, max_link_rate_drop=0.6,
                       max_review_queue_growth=1.0)
    assert grown == ["review queue grew from 10 to 25 pairs, more than 100%"]


def _upstream(school_linked: int) -> list[dg.AssetsDefinition]:
    """Stand-ins for the pipeline's assets with the same keys and columns, small enough to reason about."""
    clusters = _clusters(school_linked)

    @dg.asset(name="person_clusters")
    def person_clusters() -> pd.DataFrame:
        return clusters

    @dg.asset(name="row_accounting")
    def row_accounting() -> pd.DataFrame:
        return pd.DataFrame({"source": SOURCES, "rows_in": [10, 12], "rows_linked": [10, 10],
                             "rows_quarantined": [0, 2], "balanced": [True, True]})

    @dg.asset(name="scored_links")
    def scored_links() -> pd.DataFrame:
        return pd.DataFrame({"decision": ["link"] * school_linked + ["review", "review", "non_link"]})

    @dg.asset(name="missed_children")
    def missed_children() -> pd.DataFrame:
        return pd.DataFrame({"status": [MISSED, MISSED, PENDING_REVIEW]})

    return [person_clusters, row_accounting, scored_links, missed_children]


@pytest.fixture
def instance() -> dg.DagsterInstance:
    return dg.DagsterInstance.ephemeral()


def _run(instance: dg.DagsterInstance, school_linked: int) -> dg.ExecuteInProcessResult:
    return dg.materialize([*_upstream(school_linked), linkage_health, linkage_drift], instance=instance,
                          resources={"settings": TermtemSettings()})


def test_run_figures_are_asset_metadata(instance: dg.DagsterInstance) -> None:
    result = _run(instance, school_linked=8)
    [materialization] = result.asset_materializations_for_node("linkage_health")
    figures = {key: value.value for key, value in materialization.metadata.items()}
    assert figures["rows_in"] == 22 and figures["rows_quarantined"] == 2
    assert figures["pairs"] == 11 and figures["links"] == 8 and figures["review_queue"] == 2
    assert figures["missed_children"] == 2 and figures["missed_children_flags"] == 3
    assert figures["link_rate_school_enrolment"] == pytest.approx(0.8)
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed and evaluation.metadata["compared_with"].value == "no previous run"


def test_a_source_that_suddenly_links_less_fails_the_drift_check(instance: dg.DagsterInstance) -> None:
    first = _run(instance, school_linked=8)
    steady = _run(instance, school_linked=7)             # 8 → 7 of 10: a 12.5% fall, within the 25% allowed
    dropped = _run(instance, school_linked=3)            # 7 → 3 of 10: a 57% fall
    assert steady.get_asset_check_evaluations()[0].passed
    [evaluation] = dropped.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.metadata["compared_with_run"].value == steady.run_id != first.run_id
    assert any(alert.startswith("school_enrolment: link rate fell 57%")
               for alert in evaluation.metadata["alerts"].value)
    assert dropped.success                               # a warning: the run itself goes on
