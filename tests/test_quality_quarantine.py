"""The quarantine keeps every unusable row with its source, row number, raw values and reason, and the row
accounting shows a source that lost or doubled a row."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from matching.normalise import normalise_records
from quality.quarantine import account_rows, quarantine_reasons, quarantine_rows
from termtem.ingest import read_registry
from termtem.settings import IngestLimits, SourceConfig, load_pipeline_settings

COLUMNS = {"record_key": "เลขที่", "citizen_id": "เลขประจำตัวประชาชน", "given_name": "ชื่อ", "family_name": "นามสกุล",
           "birth_date": "วันเกิด"}
EXPORT = "\n".join([
    ",".join(COLUMNS.values()),
    "1,1101700203451,สมชาย,ใจดี,12/03/2560",  # usable
    "2,,,,12/03/2560",  # no identifying field at all
    "3,-,-,-,",  # placeholders only
    "4,???,ด.ช.,...,",  # a title and punctuation are not a name
    "5,G123456789012,,,",  # a G-code alone identifies a child without a citizen ID
    "6,1,2",  # too few cells: which value is which is unknown
    "7,abc,นาย,,",
]) + "\n"


@pytest.fixture(scope="module")
def quarantined(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.Series, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("export")
    (folder / "export.csv").write_text(EXPORT, encoding="utf-8")
    config = SourceConfig(name="tiny", label="Tiny", file="export.csv", format="csv", encoding="utf-8", trust=1,
                          columns=COLUMNS)
    raw = read_registry(config, folder, limits=IngestLimits(max_field_chars=4000, max_undecodable_share=0.5))
    reasons = quarantine_reasons(raw, normalise_records(raw, load_pipeline_settings().as_of_date))
    return reasons, quarantine_rows(raw, reasons)


def test_each_unusable_row_gets_its_reason(quarantined: tuple[pd.Series, pd.DataFrame]) -> None:
    reasons, _ = quarantined
    assert reasons.where(reasons.notna(), None).tolist() == [
        None, "no_identifying_field", "unparseable_identifiers", "unparseable_identifiers", None, "wrong_shape",
        "unparseable_identifiers"]


def test_quarantined_rows_keep_source_row_number_and_raw_values(quarantined: tuple[pd.Series, pd.DataFrame]) -> None:
    _, rows = quarantined
    assert rows[["source", "source_row", "reason"]].values.tolist() == [
        ["tiny", 2, "no_identifying_field"], ["tiny", 3, "unparseable_identifiers"],
        ["tiny", 4, "unparseable_identifiers"], ["tiny", 6, "wrong_shape"], ["tiny", 7, "unparseable_identifiers"]]
    raw_values = [json.loads(values) for values in rows["raw_values"]]
    assert raw_values[0] == {"record_key": "2", "birth_date": "12/03/2560"}
    assert raw_values[2] == {"record_key": "4", "citizen_id": "???", "given_name": "ด.ช.", "family_name": "..."}
    # A row ingest could not map keeps its cells under the export's own column names.
    assert raw_values[3] == {"เลขที่": "6", "เลขประจำตัวประชาชน": "1", "ชื่อ": "2"}


def test_balanced_accounting_when_every_row_is_linked_or_quarantined() -> None:
    table = account_rows({"civil_registration": 3, "social_cases": 2},
                         linked=pd.Series(["civil_registration"] * 3 + ["social_cases"]),
                         quarantined=pd.Series(["social_cases"]))
    assert table.to_dict("records") == [
        {"source": "civil_registration", "rows_in": 3, "rows_linked": 3, "rows_quarantined": 0, "balanced": True},
        {"source": "social_cases", "rows_in": 2, "rows_linked": 1, "rows_quarantined": 1, "balanced": True}]


@pytest.mark.parametrize(("linked", "quarantined"), [
    (["civil_registration", "social_cases"], []),  # a social_cases row vanished
    (["civil_registration", "social_cases"], ["social_cases", "social_cases"]),  # one was linked and quarantined
])
def test_a_lost_or_doubled_row_unbalances_its_source(linked: list[str], quarantined: list[str]) -> None:
    table = account_rows({"civil_registration": 1, "social_cases": 2}, pd.Series(linked, dtype=object),
                         pd.Series(quarantined, dtype=object))
    assert table.set_index("source")["balanced"].to_dict() == {"civil_registration": True, "social_cases": False}


def test_the_accounting_names_a_source_without_rows() -> None:
    table = account_rows({"child_grant": 0}, pd.Series([], dtype=object), pd.Series([], dtype=object))
    assert table.to_dict("records") == [{"source": "child_grant", "rows_in": 0, "rows_linked": 0,
                                         "rows_quarantined": 0, "balanced": True}]
