"""Write agency exports, ground truth and the manifest, byte for byte the same for the same seed.

Column names, file name, format and encoding come from ``config/sources/<name>.yaml``, so the files always fit
the mapping ingest reads them with.
"""

from __future__ import annotations

import csv as stdlib_csv
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pyarrow import csv

from termtem.settings import SourceConfig
from termtem.synth.export import Export
from termtem.synth.population import Population
from termtem.synth.xlsx import write_xlsx


def _frame(export: Export, config: SourceConfig) -> pd.DataFrame:
    """The export with the agency's column names, in the mapping's order."""
    if set(export.values) != set(config.columns):
        raise ValueError(f"config/sources/{config.name}.yaml maps {sorted(config.columns)} but the generator "
                         f"writes {sorted(export.values)} for this source")
    return pd.DataFrame({column: export.values[field] for field, column in config.columns.items()})


def _text_table(frame: pd.DataFrame) -> pa.Table:
    return pa.table({column: pa.array(frame[column].to_numpy(dtype=object), type=pa.string())
                     for column in frame.columns})


def _write_csv(frame: pd.DataFrame, path: Path, encoding: str) -> None:
    """Write text columns through Arrow's CSV writer (pandas' is several times slower on a million rows).

    Values are left unquoted, as most agency exports are; if one ever holds a comma, quote or line break,
    every value is quoted instead. The header is written by the standard library, which quotes only if needed.
    """
    header = io.StringIO()
    stdlib_csv.writer(header, lineterminator="\n").writerow(frame.columns)
    table, body = _text_table(frame), io.BytesIO()
    try:
        csv.write_csv(table, body, csv.WriteOptions(include_header=False, quoting_style="none"))
    except pa.ArrowInvalid:
        body = io.BytesIO()
        csv.write_csv(table, body, csv.WriteOptions(include_header=False, quoting_style="needed"))
    data = header.getvalue().encode("utf-8") + body.getvalue()
    if encoding.lower().replace("_", "-") not in {"utf-8", "utf8"}:
        data = data.decode("utf-8").encode(encoding)
    path.write_bytes(data)


def write_export(export: Export, config: SourceConfig, out_dir: Path) -> Path:
    """Write one agency's file in its configured format and encoding; every value is text."""
    frame = _frame(export, config)
    path = out_dir / config.file
    if config.format == "csv":
        _write_csv(frame, path, config.encoding)
    elif config.format == "excel":
        write_xlsx(frame, path, config.sheet or "Sheet1")
    elif config.format == "parquet":
        pq.write_table(_text_table(frame), path)
    else:
        raise ValueError(f"source {config.name!r}: the generator cannot write format {config.format!r}")
    return path


def truth_records(export: Export, population: Population) -> pd.DataFrame:
    """One row per row of an export: which true person and household it is about, and what was done to it."""
    people, households = population.people, population.households
    person = export.person
    return pd.DataFrame({
        "source": export.source, "source_row": np.arange(1, len(person) + 1, dtype=np.int64),
        "person_id": people["person_id"].to_numpy()[person],
        "household_id": households["household_id"].to_numpy()[people["household"].to_numpy()[person]],
        "corruptions": export.corruptions})


def truth_people(population: Population) -> pd.DataFrame:
    """Every true person with their real identity, current address and household facts."""
    people, households, places = population.people, population.households, population.places
    house = people["household"].to_numpy()
    place = households["place"].to_numpy()[house]
    roles = np.array(["head", "spouse", "child", "grandparent"], dtype=object)
    return pd.DataFrame({
        "person_id": people["person_id"], "household_id": households["household_id"].to_numpy()[house],
        "citizen_id": people["citizen_id"], "title": people["title"], "given_name": people["given"],
        "family_name": people["family"], "nickname": people["nickname"],
        "sex": np.where(people["male"], "M", "F"), "birth_date": people["birth"],
        "role": roles[people["role"].to_numpy()], "subdistrict_code": places.code[place],
        "district_code": places.district_code[place], "province_code": places.province_code[place],
        "house_code": households["house_code"].to_numpy()[house],
        "moved": households["moved"].to_numpy()[house],
        "triage": pd.Series(households["triage"].to_numpy()[house], dtype="string"),
        "poverty": households["poverty"].to_numpy()[house]})


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write a truth table as plain Arrow types (no pandas metadata); timestamps become dates."""
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    for index, column in enumerate(table.schema):
        if pa.types.is_timestamp(column.type):
            table = table.set_column(index, column.name, table[column.name].cast(pa.date32()))
    pq.write_table(table, path)


def write_manifest(path: Path, manifest: dict) -> None:
    """Write the run description as readable UTF-8 JSON."""
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
