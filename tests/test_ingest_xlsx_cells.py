"""The plain-sheet reader gives openpyxl's values for a plain table and declines everything else."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook

from termtem.synth.xlsx import write_xlsx
from termtem.xlsx_cells import read_plain_sheet


def _openpyxl_values(path: Path, sheet: str | None) -> list[list[object]]:
    workbook = load_workbook(path, read_only=True, data_only=False)
    rows = workbook[sheet].iter_rows(values_only=True) if sheet else workbook.worksheets[0].iter_rows(values_only=True)
    return _trimmed([list(row) for row in rows])


def _trimmed(rows: list[list[object]]) -> list[list[object]]:
    """Rows without trailing empty cells and without wholly empty rows: what ingest keeps of either reader."""
    kept = []
    for row in rows:
        while row and row[-1] is None:
            row = row[:-1]
        if row:
            kept.append(row)
    return kept


def test_a_plain_table_reads_as_openpyxl_reads_it(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "รายชื่อเด็ก"
    sheet.append(["ลำดับ", "ชื่อ", "เลข", "ทศนิยม", "จริงเท็จ", "ว่าง"])
    sheet.append([1, "  สมชาย  ใจดี ", 1101700203451, 2.5, True, None])
    sheet.append([2.0, "", -7, 1e-7, False, "x"])
    sheet.append([None, None, None, None, None, None])
    sheet.append([3, "ก & <ข> \"ค\"", None, 0.1, None, "ท้าย"])
    sheet["H7"] = "far right"
    book.save(tmp_path / "plain.xlsx")
    fast = read_plain_sheet(tmp_path / "plain.xlsx", "รายชื่อเด็ก")
    assert fast is not None
    assert _trimmed(fast) == _openpyxl_values(tmp_path / "plain.xlsx", "รายชื่อเด็ก")


def test_the_generators_inline_strings_read_as_openpyxl_reads_them(tmp_path: Path) -> None:
    frame = pd.DataFrame({"ชื่อ": ["สมชาย", " ", "", "ก&ข"], "เลข": ["0012", "1.0", "=SUM(A1)", ""]})
    write_xlsx(frame, tmp_path / "generated.xlsx", "แผ่น")
    fast = read_plain_sheet(tmp_path / "generated.xlsx", "แผ่น")
    openpyxl = _openpyxl_values(tmp_path / "generated.xlsx", "แผ่น")
    assert fast is not None and _trimmed(fast) == openpyxl
    assert ["สมชาย", "0012"] in openpyxl


def test_formulas_dates_and_unknown_sheets_are_left_to_openpyxl(tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "a"
    book.active.append(["x", "=SUM(1,2)"])
    book.save(tmp_path / "formula.xlsx")
    assert read_plain_sheet(tmp_path / "formula.xlsx", "a") is None
    assert read_plain_sheet(tmp_path / "formula.xlsx", "no such sheet") is None
    dated = Workbook()
    dated.active.append(["x", dt.datetime(2017, 3, 12)])
    dated.save(tmp_path / "dated.xlsx")
    assert read_plain_sheet(tmp_path / "dated.xlsx", None) is None
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    assert read_plain_sheet(tmp_path / "broken.xlsx", None) is None
