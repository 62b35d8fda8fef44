"""Every kind of input ingest meets: the formats and encodings it reads, and each bad input with its exact error
or quarantine reason. Nothing is dropped, guessed or evaluated."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from termtem.ingest import IngestError, read_registry
from termtem.settings import IngestLimits, SourceConfig

LIMITS = IngestLimits(max_field_chars=4000, max_undecodable_share=0.01)
COLUMNS = {"record_key": "เลขที่", "citizen_id": "เลขประจำตัวประชาชน", "given_name": "ชื่อ", "family_name": "นามสกุล",
           "birth_date": "วันเกิด"}
HEADER = list(COLUMNS.values())
ROWS = [["1", "1101700203451", "สมชาย", "ใจดี", "12/03/2560"],
        ["2", "", "ด.ญ.สมหญิง", "รักไทย", "1 ม.ค. 61"]]


def _config(file: str = "export.csv", fmt: str = "csv", encoding: str = "utf-8", sheet: str | None = None,
            columns: dict[str, str] | None = None) -> SourceConfig:
    return SourceConfig(name="tiny", label="Tiny", file=file, format=fmt, encoding=encoding, sheet=sheet, trust=1,
                        columns=columns or COLUMNS)


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> str:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows([header, *rows])
    return text.getvalue()


def _read(folder: Path, data: bytes | str, encoding: str = "utf-8") -> pd.DataFrame:
    """Write ``data`` (text as UTF-8) as the export and read it with the declared ``encoding``."""
    (folder / "export.csv").write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return read_registry(_config(encoding=encoding), folder, limits=LIMITS)


def _values(frame: pd.DataFrame) -> list[list[str | None]]:
    return frame[list(COLUMNS)].to_numpy(dtype=object).tolist()


# --- formats and encodings read as text, row for row -----------------------------------------------------------

@pytest.mark.parametrize(("written", "declared"), [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("cp874", "cp874"), ("tis-620", "tis-620"), ("cp874", "windows-874"),
    ("utf-8", "auto"), ("utf-8-sig", "auto"), ("cp874", "auto"),
])
def test_csv_in_every_thai_encoding_reads_the_same_text(tmp_path: Path, written: str, declared: str) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(_csv(ROWS).encode(written))
    frame = read_registry(_config(encoding=declared), tmp_path, limits=LIMITS)
    assert _values(frame) == [[cell or None for cell in row] for row in ROWS]
    assert frame["source_row"].tolist() == [1, 2]
    assert frame["read_problem"].isna().all()


def test_excel_cells_are_read_as_written_and_a_formula_is_never_evaluated(tmp_path: Path) -> None:
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.title = "รายชื่อ"
    sheet.append(HEADER)
    sheet.append([1, 1101700203451, "สมชาย", "=SUM(1,2)", dt.datetime(2017, 3, 12)])
    sheet.append([2.0, None, "@SUM(A1)", "ใจดี", "12/03/2560"])
    book.save(tmp_path / "export.xlsx")
    frame = read_registry(_config("export.xlsx", "excel", sheet="รายชื่อ"), tmp_path, limits=LIMITS)
    assert _values(frame) == [["1", "1101700203451", "สมชาย", "=SUM(1,2)", "2017-03-12"],
                              ["2", None, "@SUM(A1)", "ใจดี", "12/03/2560"]]


def test_excel_without_the_configured_sheet_names_the_sheets_found(tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "Sheet1"
    book.active.append(HEADER)
    book.save(tmp_path / "export.xlsx")
    with pytest.raises(IngestError) as error:
        read_registry(_config("export.xlsx", "excel", sheet="รายชื่อ"), tmp_path, limits=LIMITS)
    assert str(error.value) == (f"source 'tiny': {tmp_path / 'export.xlsx'} has no sheet 'รายชื่อ'; sheets found: "
                                f"['Sheet1']; mapping: config/sources/tiny.yaml")


def test_parquet_typed_columns_become_text(tmp_path: Path) -> None:
    pq.write_table(pa.table({"เลขที่": pa.array([1, 2]), "เลขประจำตัวประชาชน": ["1101700203451", None],
                             "ชื่อ": ["สมชาย", "สมหญิง"], "นามสกุล": ["ใจดี", " "], "วันเกิด": ["20170312", ""]}),
                   tmp_path / "export.parquet")
    frame = read_registry(_config("export.parquet", "parquet"), tmp_path, limits=LIMITS)
    assert _values(frame) == [["1", "1101700203451", "สมชาย", "ใจดี", "20170312"],
                              ["2", None, "สมหญิง", None, None]]


def test_sql_source_keeps_sql_looking_values_verbatim(database_url: str, tmp_path: Path) -> None:
    attack = "Robert'); DROP TABLE registry_export;--"
    engine = sa.create_engine(database_url)
    pd.DataFrame([["1", "1101700203451", attack, "' OR '1'='1", "12/03/2560"]], columns=HEADER).to_sql(
        "registry_export", engine, index=False)
    frame = read_registry(_config("registry_export", "sql"), tmp_path, engine, limits=LIMITS)
    assert _values(frame) == [["1", "1101700203451", attack, "' OR '1'='1", "12/03/2560"]]
    assert sa.inspect(engine).has_table("registry_export")
    engine.dispose()


# --- a wrongly declared encoding is refused, never read as mojibake --------------------------------------------

def test_windows_874_declared_utf8_is_refused_with_the_encoding_it_looks_like(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as error:
        _read(tmp_path, _csv(ROWS).encode("cp874"))
    assert str(error.value) == (f"source 'tiny': {tmp_path / 'export.csv'} is not valid utf-8: the header and 2 of 2 "
                                f"rows have bytes utf-8 cannot decode; it decodes as cp874: set encoding: cp874 in "
                                f"config/sources/tiny.yaml")


@pytest.mark.parametrize(("written", "evidence"), [("utf-8", "decodes as UTF-8"),
                                                   ("utf-8-sig", "starts with a UTF-8 byte-order mark")])
def test_utf8_declared_windows_874_is_refused_instead_of_garbled(tmp_path: Path, written: str, evidence: str) -> None:
    with pytest.raises(IngestError) as error:
        _read(tmp_path, _csv(ROWS).encode(written), encoding="cp874")
    assert str(error.value) == (f"source 'tiny': {tmp_path / 'export.csv'} is declared cp874 in "
                                f"config/sources/tiny.yaml but is UTF-8 (it {evidence}); "
                                "read as cp874 every Thai letter would be garbled: set encoding: utf-8")


def test_utf16_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as error:
        _read(tmp_path, _csv(ROWS).encode("utf-16"))
    assert str(error.value) == (f"source 'tiny': {tmp_path / 'export.csv'} is UTF-16 text; export it as UTF-8 or "
                                f"Windows-874 (cp874)")


def test_an_encoding_that_garbles_thai_cannot_be_configured() -> None:
    with pytest.raises(ValueError, match="encoding 'latin-1' is not one Thai registry exports use"):
        _config(encoding="latin-1")


# --- the file does not fit its mapping: one error naming file, column and mapping ------------------------------

def test_missing_columns_are_named_in_one_error(tmp_path: Path) -> None:
    header = ["เลขที่", "ชื่อ", "วันเกิด"]
    with pytest.raises(IngestError) as error:
        _read(tmp_path, _csv([["1", "สมชาย", "12/03/2560"]], header))
    assert str(error.value) == (f"source 'tiny': {tmp_path / 'export.csv'} has no column 'เลขประจำตัวประชาชน' "
                                f"(mapped to citizen_id), 'นามสกุล' (mapped to family_name); columns found: "
                                f"{header}; mapping: config/sources/tiny.yaml")


def test_a_renamed_column_is_named_with_its_likely_new_name(tmp_path: Path) -> None:
    header = ["เลขที่", "เลขประจำตัวประชาชน", "ชื่อ", "นามสกุลเด็ก", "วันเกิด"]
    with pytest.raises(IngestError) as error:
        _read(tmp_path, _csv([ROWS[0]], header))
    assert str(error.value) == (f"source 'tiny': {tmp_path / 'export.csv'} has no column 'นามสกุล' (mapped to "
                                f"family_name; did you mean 'นามสกุลเด็ก'?); columns found: {header}; mapping: "
                                f"config/sources/tiny.yaml")


def test_a_duplicated_mapped_header_is_refused(tmp_path: Path) -> None:
    header = [*HEADER, "ชื่อ"]
    with pytest.raises(IngestError) as error:
        _read(tmp_path, _csv([[*ROWS[0], "อื่น"]], header))
    assert str(error.value) == (f"source 'tiny': {tmp_path / 'export.csv'}: duplicated header: 'ชื่อ' (mapped to "
                                f"given_name) is in columns [3, 6]; cannot tell which one is meant; rename the "
                                f"columns in the export or the mapping config/sources/tiny.yaml")


def test_a_duplicated_unmapped_header_is_harmless(tmp_path: Path) -> None:
    frame = _read(tmp_path, _csv([[*ROWS[0], "ก", "ข"]], [*HEADER, "หมายเหตุ", "หมายเหตุ"]))
    assert _values(frame) == [ROWS[0]]


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n"])
def test_an_empty_file_is_refused(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(IngestError) as error:
        _read(tmp_path, content)
    assert str(error.value) == (f"source 'tiny': {tmp_path / 'export.csv'} is empty: it has no header row, so the "
                                f"mapping config/sources/tiny.yaml cannot be checked")


def test_an_empty_workbook_or_parquet_file_is_refused(tmp_path: Path) -> None:
    Workbook().save(tmp_path / "export.xlsx")
    pq.write_table(pa.table({}), tmp_path / "export.parquet")
    for file, fmt, found in (("export.xlsx", "excel", "no header row"), ("export.parquet", "parquet", "no columns")):
        with pytest.raises(IngestError) as error:
            read_registry(_config(file, fmt), tmp_path, limits=LIMITS)
        assert str(error.value) == (f"source 'tiny': {tmp_path / file} is empty: it has {found}, so the mapping "
                                    f"config/sources/tiny.yaml cannot be checked")


def test_a_missing_parquet_column_is_named_like_a_csv_one(tmp_path: Path) -> None:
    pq.write_table(pa.table({"เลขที่": ["1"], "เลขประจำตัวประชาชน": ["1101700203451"], "ชื่อ": ["สมชาย"],
                             "วันเกิด": ["12/03/2560"]}), tmp_path / "export.parquet")
    with pytest.raises(IngestError) as error:
        read_registry(_config("export.parquet", "parquet"), tmp_path, limits=LIMITS)
    assert str(error.value) == (f"source 'tiny': {tmp_path / 'export.parquet'} has no column 'นามสกุล' (mapped to "
                                f"family_name); columns found: ['เลขที่', 'เลขประจำตัวประชาชน', 'ชื่อ', 'วันเกิด']; "
                                f"mapping: config/sources/tiny.yaml")


def test_a_header_without_rows_is_zero_rows(tmp_path: Path) -> None:
    frame = _read(tmp_path, _csv([]))
    assert len(frame) == 0
    assert list(frame.columns[:2]) == ["source", "source_row"]


# --- rows that cannot be mapped are kept whole, with their reason ----------------------------------------------

def test_rows_of_the_wrong_shape_are_kept_whole_for_the_quarantine(tmp_path: Path) -> None:
    text = _csv([ROWS[0], ["2", "3101700203452", "สมหญิง"], [*ROWS[1], "เกิน"]])
    frame = _read(tmp_path, text)
    assert frame["read_problem"].tolist() == [None, "wrong_shape", "wrong_shape"]
    assert json.loads(frame.loc[1, "raw_cells"]) == {"เลขที่": "2", "เลขประจำตัวประชาชน": "3101700203452",
                                                    "ชื่อ": "สมหญิง"}
    assert json.loads(frame.loc[2, "raw_cells"]) == dict(zip([*HEADER, "column 6"], [*ROWS[1], "เกิน"], strict=True))
    assert frame.loc[1:, list(COLUMNS)].isna().all().all()
    assert frame["source_row"].tolist() == [1, 2, 3]


def test_a_one_megabyte_field_quarantines_its_row_and_keeps_the_value(tmp_path: Path) -> None:
    huge = "ก" * 1_000_000
    frame = _read(tmp_path, _csv([ROWS[0], ["2", "", huge, "ใจดี", ""]]))
    assert frame["read_problem"].tolist() == [None, "oversized_field"]
    assert json.loads(frame.loc[1, "raw_cells"])["ชื่อ"] == huge
    assert frame.loc[1, "given_name"] is None


def test_an_undecodable_row_is_quarantined_with_its_bytes_escaped(tmp_path: Path) -> None:
    rows = [[str(i), "", f"ชื่อ{i}", "สกุล", ""] for i in range(1, 200)]
    data = _csv(rows).encode("utf-8").replace("ชื่อ7,".encode(), "ชื่อ".encode() + b"\xff7,", 1)
    frame = _read(tmp_path, data)
    assert frame.loc[frame["read_problem"].notna(), "source_row"].tolist() == [7]
    assert frame.loc[6, "read_problem"] == "undecodable_text"
    assert json.loads(frame.loc[6, "raw_cells"])["ชื่อ"] == "ชื่อ\\xff7"


def test_a_nul_character_is_quarantined_not_passed_to_the_database(tmp_path: Path) -> None:
    frame = _read(tmp_path, _csv([ROWS[0], ["2", "", "สม\x00หญิง", "รักไทย", ""]]))
    assert frame["read_problem"].tolist() == [None, "undecodable_text"]
    assert json.loads(frame.loc[1, "raw_cells"])["ชื่อ"] == "สม\\x00หญิง"


# --- values that look like code stay text ----------------------------------------------------------------------

INJECTIONS = ["=cmd|' /C calc'!A0", "+66812345678", "-2+3", "@SUM(A1:A9)", "=HYPERLINK(\"http://x\",\"ok\")",
              "Robert'); DROP TABLE golden_person;--", "1 OR 1=1; --"]


def test_formula_and_sql_strings_are_kept_verbatim_and_exports_neutralise_formulas(tmp_path: Path) -> None:
    from termtem.golden_store import neutralise_formulas

    frame = _read(tmp_path, _csv([[str(i), "", value, "ใจดี", ""] for i, value in enumerate(INJECTIONS, 1)]))
    assert frame["given_name"].tolist() == INJECTIONS
    exported = neutralise_formulas(frame[["given_name"]])["given_name"].tolist()
    assert exported == ["'" + value if value[0] in "=+-@" else value for value in INJECTIONS]
