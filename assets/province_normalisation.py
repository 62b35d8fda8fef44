"""Normalisation per province partition: raw rows routed to provinces, then normalised and stored per province.

``province_raw_records`` gives every raw row of every registry a province (:mod:`matching.province_routing`) and
stores each province's rows, of all registries together, in a file of its own with a fingerprint of its bytes in
a manifest. ``province_normalised_records`` is partitioned by province (77 codes and ``unknown``, as linkage is):
it normalises only its province's file (a run over a range normalises its provinces' files together, in
batches), sets each row's quarantine reason and stores the result per province and registry.
``normalised_<source>`` gathers one registry's rows from every province back into the registry's own row order,
so everything downstream (the registry checks, ``linkable_records``, ``quarantined_records``) sees the frame it
saw when one step normalised the whole registry. Normalisation is per row, so which province normalises a row
never changes its values (``tests/test_normalise_provinces.py`` proves the frames equal).

A backfill normalises one province per run; re-running one province rewrites only its files, and the gathers
read the others' files as they are. A province's files record what they were built on (its raw file's fingerprint
and the as-of date); a gather refuses files built on anything else, naming the provinces to re-run.

Files live under the instance's storage directory, beside the province files of linkage (:mod:`assets.provinces`).
"""

import hashlib
import json
import pickle
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd

from assets.provinces import PROVINCES, province_folder, run_provinces
from assets.registries import SOURCES
from assets.resources import TermtemSettings
from matching.normalise import normalise_records
from matching.province_routing import METHODS, route_provinces
from matching.provinces import UNKNOWN_PROVINCE
from quality.quarantine import quarantine_reasons

#: Column a routed or normalised row carries with its position in its registry's export (0, 1, …).
RAW_POSITION = "raw_position"
#: What ``province_raw_records`` wrote with its files: each province's fingerprint, each registry's row count.
MANIFEST = "manifest.json"
ROUTED = "province_raw_records"
#: Most rows one normalisation call takes (the largest registry-wide call before the split, at 1M people).
BATCH_ROWS = 1_000_000
NORMALISED = "province_normalised_records"


def _fingerprint(data: bytes) -> str:
    """A short digest of a stored file's bytes.

    Equal digests mean equal rows; equal rows routed again may still give other bytes, which asks for a needless
    re-run but never hides a change.
    """
    return hashlib.sha256(data).hexdigest()[:16]


@dg.asset(group_name="normalise", kinds={"pandas"},
          ins={f"raw_{source}": dg.AssetIn(f"raw_{source}") for source in SOURCES},
          description="Every raw row of every registry routed to its province (from its province field, address "
                      "text, postcode or house code), stored per province so that a province normalises alone.")
def province_raw_records(context: dg.AssetExecutionContext, **raw: pd.DataFrame) -> dg.MaterializeResult:
    folder = province_folder(context, ROUTED)
    folder.mkdir(parents=True, exist_ok=True)
    positions: dict[str, dict[str, np.ndarray]] = {}
    routed_by = dict.fromkeys(METHODS, 0)
    for source in SOURCES:
        routing = route_provinces(raw[f"raw_{source}"])
        positions[source] = pd.Series(np.arange(len(routing.provinces))).groupby(routing.provinces).indices
        for method, count in pd.Series(routing.methods).value_counts().items():
            routed_by[method] += int(count)
    empty = raw[f"raw_{SOURCES[0]}"].iloc[:0].assign(**{RAW_POSITION: np.arange(0)})
    fingerprints, counts = {}, {}
    for province in PROVINCES.get_partition_keys():
        parts = [raw[f"raw_{source}"].iloc[routed].assign(**{RAW_POSITION: routed})
                 for source in SOURCES if len(routed := positions[source].get(province, ())) > 0]
        rows = pd.concat(parts, ignore_index=True) if parts else empty
        data = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
        (folder / f"{province}.pkl").write_bytes(data)
        fingerprints[province], counts[province] = _fingerprint(data), len(rows)
    rows_per_source = {source: len(raw[f"raw_{source}"]) for source in SOURCES}
    (folder / MANIFEST).write_text(json.dumps({"fingerprints": fingerprints, "rows": rows_per_source}))
    return dg.MaterializeResult(metadata={
        "rows": sum(counts.values()), "fingerprint": _fingerprint(json.dumps(fingerprints).encode()),
        "routed_by": dg.MetadataValue.json(routed_by),
        "rows_per_province": dg.MetadataValue.json(counts)})


def _routed_manifest(context: dg.AssetExecutionContext) -> dict:
    return json.loads((province_folder(context, ROUTED) / MANIFEST).read_text())


def _built_on(manifest: dict, province: str, settings: TermtemSettings) -> dict[str, str]:
    """What a province's normalised files must have been built on to be current: its raw file and the as-of date."""
    return {"raw": manifest["fingerprints"][province], "as_of": settings.as_of().isoformat()}


def _normalise(raw: pd.DataFrame, settings: TermtemSettings) -> pd.DataFrame:
    """One province's routed rows normalised, with their quarantine reasons and registry positions."""
    normalised = normalise_records(raw, settings.as_of())
    normalised["quarantine_reason"] = quarantine_reasons(raw, normalised).to_numpy()
    normalised[RAW_POSITION] = raw[RAW_POSITION].to_numpy()
    return normalised


def _summary(province: str, normalised: pd.DataFrame) -> dict:
    """What an engineer checks of one province: rows, quarantined, resolved shares, rows routed elsewhere."""
    rows = len(normalised)
    resolved = normalised["province_code"].fillna(UNKNOWN_PROVINCE)
    return {"rows": rows, "quarantined": int(normalised["quarantine_reason"].notna().sum()),
            "valid_citizen_id_share": round(float(normalised["citizen_id_valid"].mean()), 4) if rows else 0.0,
            "resolved_subdistrict_share": round(float(normalised["subdistrict_code"].notna().mean()), 4)
            if rows else 0.0,
            "resolved_to_another_province": int((resolved != province).sum()),
            "by_source": {source: int(count) for source, count in normalised["source"].value_counts().items()}}


def _batches(folder: Path, provinces: list[str]) -> Iterator[dict[str, pd.DataFrame]]:
    """The routed rows of the provinces, a few provinces at a time, up to :data:`BATCH_ROWS` rows a batch."""
    batch: dict[str, pd.DataFrame] = {}
    for province in provinces:
        rows = pd.read_pickle(folder / f"{province}.pkl")
        if batch and sum(map(len, batch.values())) + len(rows) > BATCH_ROWS:
            yield batch
            batch = {}
        batch[province] = rows
    if batch:
        yield batch


@dg.asset(group_name="normalise", kinds={"pandas"}, partitions_def=PROVINCES, deps=[province_raw_records],
          description="One province's rows of every registry cleaned and typed, each with its quarantine reason.")
def province_normalised_records(context: dg.AssetExecutionContext,
                                settings: TermtemSettings) -> dg.MaterializeResult:
    """Normalise the run's provinces together, in batches, and store each province's rows per registry.

    Why together: normalisation costs per distinct value (name, date, address), and names and dates repeat across
    provinces and registries; one call per province redid them in every province (the stage took 53.8 s of CPU
    instead of 35.3 s at 200,000 people). Values are per row, so a row normalised in a batch equals the row
    normalised alone.
    """
    source_folder, target = province_folder(context, ROUTED), province_folder(context, NORMALISED)
    manifest = _routed_manifest(context)
    summaries = {}
    for batch in _batches(source_folder, run_provinces(context)):
        normalised = _normalise(pd.concat(batch.values(), ignore_index=True), settings)
        starts = np.cumsum([0, *(len(rows) for rows in batch.values())])
        for province, start, end in zip(batch, starts[:-1], starts[1:], strict=True):
            rows = normalised.iloc[start:end]
            _store(target / province, rows, _built_on(manifest, province, settings))
            summaries[province] = _summary(province, rows)
    totals = {key: sum(summary[key] for summary in summaries.values())
              for key in ("rows", "quarantined", "resolved_to_another_province")}
    return dg.MaterializeResult(metadata={**totals, "provinces": len(summaries),
                                          "per_province": dg.MetadataValue.json(summaries)})


def _store(folder: Path, normalised: pd.DataFrame, built_on: dict[str, str]) -> None:
    """One province's normalised rows, a file per registry (empty for a registry with no rows there)."""
    folder.mkdir(parents=True, exist_ok=True)
    by_source = dict(tuple(normalised.groupby("source", sort=False)))
    for source in SOURCES:
        pd.to_pickle({"built_on": built_on, "rows": by_source.get(source, normalised.iloc[:0])},
                     folder / f"{source}.pkl")


def stored_registry_rows(context: dg.AssetExecutionContext, settings: TermtemSettings, source: str) -> pd.DataFrame:
    """One registry's normalised rows from every province, in the registry's row order, checked to be current.

    Raises:
        RuntimeError: Some provinces' files were built on other raw rows or another as-of date (re-run those
            partitions), or the provinces together do not hold every row of the registry exactly once.
    """
    folder, manifest = province_folder(context, NORMALISED), _routed_manifest(context)
    stored = {province: pd.read_pickle(folder / province / f"{source}.pkl")
              for province in PROVINCES.get_partition_keys()}
    stale = sorted(province for province, part in stored.items()
                   if part["built_on"] != _built_on(manifest, province, settings))
    if stale:
        raise RuntimeError(f"province_normalised_records of {len(stale)} province(s) were built on other raw rows "
                           f"or another as-of date than the current province_raw_records; re-materialise those "
                           f"partitions: {stale}")
    parts = [part["rows"] for part in stored.values()]
    rows = pd.concat([part for part in parts if len(part)] or parts[:1])
    order = np.argsort(rows[RAW_POSITION].to_numpy(), kind="stable")
    if not np.array_equal(rows[RAW_POSITION].to_numpy()[order], np.arange(manifest["rows"][source])):
        raise RuntimeError(f"the provinces' normalised rows of {source} do not cover its export exactly once; "
                           "re-materialise province_raw_records and every province_normalised_records partition")
    return rows.iloc[order].drop(columns=RAW_POSITION).set_axis(pd.RangeIndex(len(order)))


def build_normalised_registry(source: str) -> dg.AssetsDefinition:
    """The ``normalised_<source>`` asset: one registry's normalised rows gathered from every province."""

    @dg.asset(name=f"normalised_{source}", group_name="normalise", kinds={"pandas"},
              deps=[dg.AssetDep(NORMALISED, partition_mapping=dg.AllPartitionMapping())],
              description=f"The {source} rows cleaned and typed, each with its quarantine reason or none, gathered "
                          "from every province in the export's row order.")
    def normalised_registry(context: dg.AssetExecutionContext, settings: TermtemSettings) -> pd.DataFrame:
        normalised = stored_registry_rows(context, settings, source)
        context.add_output_metadata({
            "rows": len(normalised),
            "quarantined": int(normalised["quarantine_reason"].notna().sum()),
            "valid_citizen_id_share": float(normalised["citizen_id_valid"].mean()) if len(normalised) else 0.0,
            "resolved_subdistrict_share": float(normalised["subdistrict_code"].notna().mean())
            if len(normalised) else 0.0,
        })
        return normalised

    return normalised_registry


#: Routing, the province partitions of normalisation, and one gathered ``normalised_<source>`` per registry.
normalisation_assets: list[dg.AssetsDefinition] = [
    province_raw_records, province_normalised_records, *(build_normalised_registry(source) for source in SOURCES)]
