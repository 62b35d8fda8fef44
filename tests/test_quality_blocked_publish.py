"""A published release accounts for every source row, and a failing golden-table check stops the publish: the
previous release stays current and untouched.

The pipeline runs twice into one golden database. The first run reads the generated sample with unusable rows
appended to each CSV export (as ``python -m bench.accounting --spoil-rows`` does). The second run gets a
deliberately broken input: the survivorship configuration no longer requires a valid citizen ID, and the most
trusted registry has a typo in a citizen ID, so a golden person would carry an ID whose check digit is wrong.
The blocking check on ``golden_persons`` must fail, ``golden_tables`` must not run, and the first release must
stay exactly as it was.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import yaml

from assets.registries import SOURCES
from assets.resources import GoldenDatabase, TermtemSettings
from bench.accounting import spoil_sample
from matching.citizen_id import is_valid_citizen_id
from pipelines.definitions import all_assets, all_checks
from termtem.golden_store import engine_for, list_releases, read_release
from termtem.settings import DEFAULT_CONFIG_DIR

pytestmark = pytest.mark.slow

GOLDEN_TABLES = ["golden_person", "golden_household", "person_xref", "missed_child", "quarantine", "release_source"]
#: Unusable rows appended to each CSV export: one of each kind the quarantine takes.
UNUSABLE_ROWS = 4


def _materialise(config_dir: Path, data_dir: Path, url: str) -> dg.ExecuteInProcessResult:
    return dg.materialize([*all_assets, *all_checks], raise_on_error=False,
                          resources={"settings": TermtemSettings(config_dir=str(config_dir), data_dir=str(data_dir)),
                                     "database": GoldenDatabase(url=url)})


def _config_copy(folder: Path) -> Path:
    """The project's configuration in ``folder/config``, so the run's data docs go to ``folder/data``."""
    return Path(shutil.copytree(DEFAULT_CONFIG_DIR, folder / "config"))


def _allow_invalid_citizen_ids(config_dir: Path) -> None:
    path = config_dir / "survivorship.yaml"
    survivorship = yaml.safe_load(path.read_text(encoding="utf-8"))
    for rule in survivorship["rules"]:
        rule.pop("require_valid_citizen_id", None)
    path.write_text(yaml.safe_dump(survivorship, allow_unicode=True), encoding="utf-8")


def _mistype_first_citizen_id(data_dir: Path) -> str:
    """Change the check digit of the first civil-registration citizen ID; return the mistyped ID."""
    path = data_dir / "civil_registration.csv"
    header, first, rest = path.read_text(encoding="utf-8").split("\n", 2)
    assert header.startswith("เลขประจำตัวประชาชน,")
    valid, others = first.split(",", 1)
    mistyped = valid[:12] + str((int(valid[12]) + 1) % 10)
    path.write_text("\n".join([header, f"{mistyped},{others}", rest]), encoding="utf-8")
    return mistyped


def _evaluation(result: dg.ExecuteInProcessResult, asset: str, check: str) -> dg.AssetCheckEvaluation:
    (found,) = [evaluation for evaluation in result.get_asset_check_evaluations()
                if evaluation.asset_key == dg.AssetKey(asset) and evaluation.check_name == check]
    return found


def _materialised(result: dg.ExecuteInProcessResult) -> set[str]:
    return {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}


@pytest.fixture(scope="module")
def first_run(generated_sample: Path, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[str, Path, dict[str, int], dg.ExecuteInProcessResult]:
    """The golden database after a run on the sample with unusable rows: URL, that sample, rows added, the run."""
    folder = tmp_path_factory.mktemp("first")
    url = f"sqlite:///{folder / 'golden.sqlite'}"
    sample = folder / "sample"
    added = spoil_sample(generated_sample, sample, UNUSABLE_ROWS)
    return url, sample, added, _materialise(_config_copy(folder), sample, url)


def test_the_release_accounts_for_every_row_and_keeps_unusable_ones_in_the_quarantine(
        first_run: tuple[str, Path, dict[str, int], dg.ExecuteInProcessResult]) -> None:
    url, sample, added, first = first_run
    assert first.success
    assert _evaluation(first, "row_accounting", "every_row_accounted_for").passed
    # Every suite's result is a page of the run's own data-docs site, linked from the check.
    site = sample.parent / "data" / "quality_docs" / first.run_id
    pages = {(evaluation.asset_key.to_user_string(), Path(evaluation.metadata["data_docs"].value))
             for evaluation in first.get_asset_check_evaluations()
             if evaluation.check_name in {"registry_expectations", "golden_expectations"}}
    assert len(pages) == len(SOURCES) + 4  # one suite per registry, four golden suites
    assert all(page.is_file() and page.is_relative_to(site) for _, page in pages)
    assert (site / "index.html").is_file()
    engine = engine_for(url)
    _, tables = read_release(engine, ["quarantine", "release_source"])
    engine.dispose()
    quarantine = tables["quarantine"]
    reasons = quarantine.groupby("source")["reason"].agg(lambda reasons: sorted(reasons)).to_dict()
    assert reasons == {source: ["no_identifying_field", "oversized_field", "unparseable_identifiers", "wrong_shape"]
                       for source in added}
    accounting = tables["release_source"].set_index("source")
    assert (accounting["rows_in"] == accounting["rows_linked"] + accounting["rows_quarantined"]).all()
    assert accounting.loc[list(added), "rows_quarantined"].tolist() == [UNUSABLE_ROWS] * len(added)


def test_a_failing_golden_check_blocks_the_publish_and_keeps_the_previous_release(
        first_run: tuple[str, Path, dict[str, int], dg.ExecuteInProcessResult], tmp_path: Path) -> None:
    url, sample, _, first = first_run
    engine = engine_for(url)
    assert "golden_tables" in _materialised(first)
    release, before = read_release(engine, GOLDEN_TABLES)
    assert release["run_id"] == first.run_id

    broken_config = _config_copy(tmp_path / "second")
    _allow_invalid_citizen_ids(broken_config)
    broken_data = Path(shutil.copytree(sample, tmp_path / "broken_sample"))
    mistyped = _mistype_first_citizen_id(broken_data)
    assert not is_valid_citizen_id(mistyped)
    second = _materialise(broken_config, broken_data, url)

    failed = _evaluation(second, "golden_persons", "golden_expectations")
    assert not failed.passed
    assert failed.severity == dg.AssetCheckSeverity.ERROR
    assert failed.metadata["failed_expectations"].value == ["A golden citizen ID always passes the check digit"]
    assert "golden_persons" in _materialised(second)
    assert "golden_tables" not in _materialised(second)
    assert not second.success

    releases = list_releases(engine)
    assert releases["run_id"].tolist() == [first.run_id]
    after_release, after = read_release(engine, GOLDEN_TABLES)
    assert after_release == release
    for table in GOLDEN_TABLES:
        pd.testing.assert_frame_equal(after[table], before[table], obj=table)
    engine.dispose()

    # The failure is documented in the second run's own data-docs site, without the offending value.
    site = tmp_path / "second" / "data" / "quality_docs" / second.run_id
    page = Path(failed.metadata["data_docs"].value)
    assert page.is_relative_to(site)
    assert (site / "index.html").is_file()
    html = page.read_text(encoding="utf-8")
    assert "A golden citizen ID always passes the check digit" in html
    assert mistyped not in html
