"""Read the cell values of one plain .xlsx sheet straight from its XML, many times faster than openpyxl.

openpyxl builds an object per cell and, for a sheet without a ``<dimension>`` element, parses the whole sheet
twice: 13,000 rows of a generated child-development export took 12 s to read. Registry exports are mostly plain
tables of text and numbers, so this module streams the sheet XML once and gives the values openpyxl would give
(``openpyxl.load_workbook(read_only=True, data_only=False)``, then ``iter_rows(values_only=True)``) for such a
sheet: shared and inline strings as their text (phonetic runs left out), numbers as int or float, booleans.

It declines (returns ``None``) whatever it does not read the way openpyxl does, and ingest then uses openpyxl:
any formula (its text must be kept, and shared formulas need openpyxl's translation), a cell type other than
text, number and boolean, number formats that make a number a date or a time, the 1904 date system, or a file
it cannot parse.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_CELL, _ROW, _VALUE, _INLINE, _TEXT, _RUN = (f"{_MAIN}{tag}" for tag in ("c", "row", "v", "is", "t", "r"))
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s/>]")
_COLUMN = re.compile(r"[A-Z]{1,3}(?=[0-9])")
_DIGITS = "0123456789"


class _Declined(Exception):
    """The sheet holds something only openpyxl reads as ingest expects."""


def _text(element: ElementTree.Element) -> str:
    """An ``<si>`` or ``<is>`` string: its plain ``<t>`` then its rich-text runs' ``<t>``, as openpyxl joins them."""
    if len(element) == 1 and element[0].tag == _TEXT:  # the usual string: one plain <t>, no runs
        return element[0].text or ""
    plain = element.find(_TEXT)
    runs = [run.findtext(_TEXT) or "" for run in element.findall(_RUN)]
    return ((plain.text or "") if plain is not None else "") + "".join(runs)


@cache
def _column(letters: str) -> int:
    """The 1-based column number of a cell reference's letters (``"B"`` → 2)."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _column_of(reference: str) -> int:
    letters = reference.rstrip(_DIGITS)  # the usual "AB12", read without a regular expression
    if letters != reference and 0 < len(letters) <= 3 and letters.isascii() and letters.isalpha() and \
            letters.isupper():
        return _column(letters)
    letters = _COLUMN.match(reference)
    if letters is None:
        raise _Declined(reference)
    return _column(letters.group())


def _sheet_path(archive: zipfile.ZipFile, sheet: str | None) -> str:
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    properties = workbook.find(f"{_MAIN}workbookPr")
    if properties is not None and properties.get("date1904") in ("1", "true"):
        raise _Declined("1904 dates")
    sheets = workbook.findall(f"{_MAIN}sheets/{_MAIN}sheet")
    chosen = next((item for item in sheets if sheet is None or item.get("name") == sheet), None)
    if chosen is None:
        raise _Declined("no such sheet")
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(item.get("Target", "") for item in relations.iter(_PACKAGE_RELATIONSHIP)
                  if item.get("Id") == chosen.get(_RELATIONSHIP))
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    if "/worksheets/" not in f"/{path}":
        raise _Declined("not a worksheet")  # e.g. a chart sheet listed first: openpyxl skips it
    return path


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    table = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
    return [_text(item) for item in table.findall(f"{_MAIN}si")]


def _refuse_date_formats(archive: zipfile.ZipFile) -> None:
    """Decline when a cell style could turn a number into a date or time (openpyxl converts those)."""
    if "xl/styles.xml" not in archive.namelist():
        return
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    custom = {int(item.get("numFmtId", "0")): item.get("formatCode", "")
              for item in styles.iter(f"{_MAIN}numFmt")}
    cell_formats = styles.find(f"{_MAIN}cellXfs")
    for style in cell_formats if cell_formats is not None else ():
        number_format = int(style.get("numFmtId", "0"))
        if is_date_format(custom.get(number_format, BUILTIN_FORMATS.get(number_format, "General"))):
            raise _Declined("date format")


def _number(text: str) -> int | float:
    return float(text) if "." in text or "E" in text or "e" in text else int(text)


def _rows(sheet: bytes, shared: list[str]) -> list[list[object]]:
    rows: list[list[object]] = []
    row: list[object] = []
    column = 0
    for _, element in ElementTree.iterparse(io.BytesIO(sheet), events=("end",)):
        tag = element.tag
        if tag == _CELL:
            kind, reference = element.get("t", "n"), element.get("r")
            column = _column_of(reference) if reference else column + 1
            if kind == "inlineStr":
                inline = element.find(_INLINE)
                value: object = _text(inline) if inline is not None else None
            else:
                raw = element.findtext(_VALUE) or None
                if raw is None:
                    value = None
                elif kind == "n":
                    value = _number(raw)
                elif kind == "s":
                    value = shared[int(raw)]
                elif kind == "b":
                    value = bool(int(raw))
                else:
                    raise _Declined(kind)
            row.extend([None] * (column - len(row)))
            row[column - 1] = value
            element.clear()
        elif tag == _ROW:
            rows.append(row)
            row, column = [], 0
            element.clear()
    return rows


def read_plain_sheet(path: Path, sheet: str | None) -> list[list[object]] | None:
    """The values of every row of a plain sheet, or ``None`` when openpyxl must read it (see the module).

    Args:
        path: The .xlsx file.
        sheet: The sheet's name; the first sheet when ``None``.

    Returns:
        One list per ``<row>`` element, each value at its column's position (``None`` for a gap), as openpyxl's
        ``iter_rows(values_only=True)`` gives them apart from trailing ``None`` padding and wholly empty rows.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            xml = archive.read(_sheet_path(archive, sheet))
            if _FORMULA.search(xml):
                return None
            _refuse_date_formats(archive)
            return _rows(xml, _shared_strings(archive))
    except (_Declined, KeyError, IndexError, StopIteration, ValueError, ElementTree.ParseError, zipfile.BadZipFile):
        return None
