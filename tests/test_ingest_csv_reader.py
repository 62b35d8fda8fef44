"""The fast CSV reader (pyarrow) reads exactly what the ``csv`` module reads, or hands the file back to it.

Ingest parses a cleanly decoded CSV with pyarrow and falls back to the ``csv`` module for what pyarrow cannot
keep (rows of another width, over-long rows, files it rejects). These tests hold the two to the same result on
awkward text: quotes in and around fields, doubled quotes, line breaks of every kind inside and between rows,
blank lines, spaces, Thai text and NUL.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from termtem.export_table import parse_csv_with_arrow
from termtem.ingest import read_registry
from termtem.settings import IngestLimits, SourceConfig

LIMITS = IngestLimits(max_field_chars=4000, max_undecodable_share=0.01)


def _csv_module_rows(text: str) -> list[list[str]]:
    return list(filter(None, csv.reader(io.StringIO(text, newline=""))))


def _arrow_rows(text: str) -> list[list[str]] | None:
    export = parse_csv_with_arrow(text, text.encode("utf-8"), "utf-8")
    if export is None:
        return None
    cells = [[column.cell(row) for column in export.columns] for row in range(len(export.problem))]
    return [export.header, *cells]


_PIECES = st.sampled_from(['a', 'ก', 'ำ', ' ', ',', '"', '""', '\n', '\r\n', '\r', '\x00', '1', '\u00a0'])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=40).map("".join))
@example('a,b\n"x\ny",z\n')
@example('a,b\n"x""y",z\n\n\n1,2')
@example('a,b\n"x"y,z\n')
@example('a,b\nx"y,z\r\n')
@example('a,b\r\n1,2,3\r\n')
def test_pyarrow_reads_what_the_csv_module_reads_or_declines(text: str) -> None:
    arrow = _arrow_rows(text)
    if arrow is not None:
        expected = _csv_module_rows(text)
        header = [cell.strip().strip("\ufeff\u200b\u200c\u200d").strip() for cell in expected[0]]
        assert arrow == [header, *expected[1:]]


def test_a_large_clean_export_is_read_by_pyarrow_and_shares_one_string_per_distinct_cell(tmp_path: Path) -> None:
    rows = [[str(i), "ชาย" if i % 2 else "หญิง", f"สมชาย {i % 7}", ""] for i in range(5000)]
    text = io.StringIO()
    csv.writer(text).writerows([["no", "sex", "name", "blank"], *rows])
    (tmp_path / "export.csv").write_text(text.getvalue(), encoding="utf-8")
    assert parse_csv_with_arrow(text.getvalue(), text.getvalue().encode("utf-8"), "utf-8") is not None
    config = SourceConfig(name="big", label="Big", file="export.csv", format="csv", encoding="utf-8", trust=1,
                          columns={"record_key": "no", "sex": "sex", "given_name": "name", "nickname": "blank"})
    frame = read_registry(config, tmp_path, limits=LIMITS)
    assert frame["record_key"].tolist() == [row[0] for row in rows]
    assert frame["sex"].tolist() == [row[1] for row in rows]
    assert frame["nickname"].isna().all()
    assert len({id(value) for value in frame["given_name"]}) == 7
    assert frame["source_row"].to_numpy().tolist() == list(np.arange(1, 5001))


def test_a_row_of_another_width_sends_the_file_to_the_csv_module_which_quarantines_only_that_row(
        tmp_path: Path) -> None:
    text = "no,name\n1,สมชาย\n2,สมหญิง,extra\n3,สมศรี\n"
    assert parse_csv_with_arrow(text, text.encode("utf-8"), "utf-8") is None
    (tmp_path / "export.csv").write_text(text, encoding="utf-8")
    config = SourceConfig(name="odd", label="Odd", file="export.csv", format="csv", encoding="utf-8", trust=1,
                          columns={"record_key": "no", "given_name": "name"})
    frame = read_registry(config, tmp_path, limits=LIMITS)
    assert frame["read_problem"].tolist() == [None, "wrong_shape", None]
    assert frame["given_name"].tolist() == ["สมชาย", None, "สมศรี"]
