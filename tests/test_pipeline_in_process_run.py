"""The whole graph run in this process without output capture (``pipelines.in_process_run``), as benchmarks run it."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipelines.definitions import defs
from pipelines.in_process_run import in_process_job, whole_run


def test_the_in_process_job_holds_every_asset_and_check_of_the_code_location() -> None:
    job = in_process_job()
    full = defs.resolve_job_def("termtem_full_run")
    assert job.executor_def is dg.in_process_executor
    assert job.asset_layer.selected_asset_keys == full.asset_layer.selected_asset_keys
    assert job.asset_layer.asset_graph.asset_check_keys == full.asset_layer.asset_graph.asset_check_keys


def test_a_whole_run_succeeds_and_loads_asset_values_through_the_io_manager(generated_sample: Path,
                                                                            tmp_path: Path) -> None:
    with dg.DagsterInstance.ephemeral(tempdir=str(tmp_path)) as instance, whole_run(
            instance, {"settings": {"data_dir": str(generated_sample)},
                       "database": {"url": f"sqlite:///{tmp_path / 'golden.sqlite'}"}}) as result:
        assert result.success
        persons = result.asset_value("golden_persons")
        published = {event.asset_key.to_user_string(): event.materialization.metadata
                     for event in result.get_asset_materialization_events()}
        assert len(persons) == published["golden_persons"]["persons"].value > 0
        assert published["golden_tables"]["persons"].value == len(persons)
        accounting = result.output_for_node("row_accounting")
        assert len(accounting) > 0 and accounting["balanced"].all()
        membership = result.output_for_node("household_resolution", "household_membership")
        assert membership["golden_person_id"].tolist() == sorted(persons["golden_person_id"])
        assert all(evaluation.passed for evaluation in result.get_asset_check_evaluations())
