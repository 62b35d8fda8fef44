"""Province partitions of linkage: national blocks, candidate pairs per province, and the pass across provinces.

``province_records`` blocks every record nationally (:mod:`matching.provinces`), computes the comparisons' views
once (national integer codes) and stores them with the blocks, rows grouped by province
(:mod:`matching.province_store`); ``province_candidate_pairs`` is partitioned by province (77 codes and
``unknown``), reads only its province's rows and stores its pairs with their comparison levels;
``cross_province_candidate_pairs`` pairs the records whose blocks span provinces (movers), reading the stored blocks
rather than blocking again. ``candidate_pairs`` (:mod:`assets.linkage`) unions them. A backfill runs one province
per run, in parallel; re-running one province rewrites only its file, and the global steps read the others' files
as they are.

A run that names no partition (``dagster.materialize`` without tags, as older callers do) covers every province;
the CLI, the schedule and the sensors tag their runs with the whole partition range (:func:`all_provinces_tags`)
so that each province's materialisation is recorded.

The files live under the Dagster instance's storage directory (``$DAGSTER_HOME/storage/provinces``), beside the
filesystem IO manager's outputs, so they share its volume in production (``docs/deployment.md``).
"""

import json
from pathlib import Path

import dagster as dg
import pandas as pd

from assets.resources import TermtemSettings
from matching.province_store import StoredRecords, store_records
from matching.provinces import (
    UNKNOWN_PROVINCE,
    blocks_fingerprint,
    cross_province_pairs,
    encoded_records,
    national_blocks,
    paired_positions,
    province_keys,
    province_pairs,
    with_levels,
)
from termtem.settings import LinkageSettings, load_linkage_settings

#: One partition per province code of the gazetteer, and ``unknown`` for records whose province is not resolved.
PROVINCES = dg.StaticPartitionsDefinition(list(province_keys()))
#: Dagster's run tags for a run over a range of partitions.
PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"
#: What ``province_records`` wrote with the files: fingerprint, skipped blocks, each province's rows, file names.
MANIFEST = "manifest.json"
#: The columns of ``linkable_records`` that scoring and the blocking report read, stored by ``province_records`` so
#: that those steps need not load every column of every record.
RECORD_KEYS = ("record_id", "source", "source_row", "citizen_id", "citizen_id_valid")
RECORD_KEYS_FILE = "record_keys.pkl"


def all_provinces_tags() -> dict[str, str]:
    """Run tags that make one run cover every province partition (the full run from the CLI, schedule, sensors)."""
    keys = PROVINCES.get_partition_keys()
    return {PARTITION_RANGE_START_TAG: keys[0], PARTITION_RANGE_END_TAG: keys[-1]}


def _linkage(settings: TermtemSettings) -> LinkageSettings:
    return load_linkage_settings(Path(settings.config_dir))


def province_folder(context: dg.AssetExecutionContext, asset: str) -> Path:
    """Where an asset's per-province files live in this Dagster instance's storage."""
    return Path(context.instance.storage_directory()) / "provinces" / asset


def run_provinces(context: dg.AssetExecutionContext) -> list[str]:
    """The provinces this run covers: its partition key or range, or every province when it names none."""
    if context.has_partition_key or context.has_partition_key_range:
        return list(context.partition_keys)
    return PROVINCES.get_partition_keys()


def read_manifest(context: dg.AssetExecutionContext) -> dict:
    """The manifest ``province_records`` wrote (fingerprint and skipped blocks of its current files)."""
    return json.loads((province_folder(context, "province_records") / MANIFEST).read_text())


def stored_records(context: dg.AssetExecutionContext) -> StoredRecords:
    """The blocks and comparison views ``province_records`` stored."""
    return StoredRecords(province_folder(context, "province_records"), read_manifest(context))


def stored_record_keys(context: dg.AssetExecutionContext) -> pd.DataFrame:
    """The :data:`RECORD_KEYS` columns of the records ``province_records`` stored, in national order."""
    return pd.read_pickle(province_folder(context, "province_records") / RECORD_KEYS_FILE)


@dg.asset(group_name="link", kinds={"pandas"},
          description="Every record's national blocks and comparison codes, stored by province so that a province "
                      "reads only its rows.")
def province_records(context: dg.AssetExecutionContext, settings: TermtemSettings,
                     linkable_records: pd.DataFrame) -> dg.MaterializeResult:
    linkage = _linkage(settings)
    codes = encoded_records(linkable_records, linkage.built_comparisons())
    blocks = national_blocks(linkable_records, linkage.blocking_passes(), linkage.blocking.max_block_size, codes)
    folder = province_folder(context, "province_records")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).unlink(missing_ok=True)  # no manifest while the files are half rewritten
    stored = store_records(folder, blocks, codes)
    linkable_records[list(RECORD_KEYS)].to_pickle(folder / RECORD_KEYS_FILE)
    counts = {province: end - start for province, (start, end) in stored["bounds"].items()}
    fingerprint = blocks_fingerprint(linkable_records["record_id"], blocks)
    (folder / MANIFEST).write_text(json.dumps({
        "fingerprint": fingerprint, "skipped_blocks": blocks.skipped_blocks,
        "records": len(linkable_records), **stored}))
    return dg.MaterializeResult(metadata={
        "records": len(linkable_records), "fingerprint": fingerprint,
        "unknown_province": counts[UNKNOWN_PROVINCE],
        "records_per_province": dg.MetadataValue.json(counts)})


@dg.asset(group_name="link", kinds={"pandas"}, partitions_def=PROVINCES, deps=[province_records],
          description="Candidate pairs inside one province, with their comparison levels, in national positions.")
def province_candidate_pairs(context: dg.AssetExecutionContext, settings: TermtemSettings) -> dg.MaterializeResult:
    linkage = _linkage(settings)
    passes, comparisons = linkage.blocking_passes(), linkage.built_comparisons()
    target = province_folder(context, "province_candidate_pairs")
    target.mkdir(parents=True, exist_ok=True)
    fingerprint = read_manifest(context)["fingerprint"]
    records = stored_records(context)
    pairs_per_province = {}
    for province in run_provinces(context):
        positions, block_ids, codes = records.province(province)
        pairs = province_pairs(positions, block_ids, codes, passes, linkage.blocking.max_block_size, comparisons)
        pd.to_pickle({"fingerprint": fingerprint, "pairs": pairs}, target / f"{province}.pkl")
        pairs_per_province[province] = len(pairs)
    return dg.MaterializeResult(metadata={"pairs": sum(pairs_per_province.values()), "fingerprint": fingerprint,
                                          "pairs_per_province": dg.MetadataValue.json(pairs_per_province)})


def stored_province_pairs(context: dg.AssetExecutionContext) -> list[pd.DataFrame]:
    """Every province's stored pairs, checked to be built on the current ``province_records``.

    Raises:
        RuntimeError: Some provinces' pairs were built on other records (re-run those partitions).
    """
    folder = province_folder(context, "province_candidate_pairs")
    fingerprint = read_manifest(context)["fingerprint"]
    stored = {province: pd.read_pickle(folder / f"{province}.pkl") for province in PROVINCES.get_partition_keys()}
    stale = sorted(province for province, part in stored.items() if part["fingerprint"] != fingerprint)
    if stale:
        raise RuntimeError(f"province_candidate_pairs of {len(stale)} province(s) were built on other records than "
                           f"the current province_records; re-materialise those partitions: {stale}")
    return [part["pairs"] for part in stored.values()]


@dg.asset(group_name="link", kinds={"pandas"}, deps=[province_records],
          description="Candidate pairs whose two records lie in different provinces (movers, mistyped addresses), "
                      "with their comparison levels.")
def cross_province_candidate_pairs(context: dg.AssetExecutionContext, settings: TermtemSettings) -> pd.DataFrame:
    linkage = _linkage(settings)
    records = stored_records(context)
    pairs = cross_province_pairs(records.national_blocks(), linkage.blocking_passes(),
                                 linkage.blocking.max_block_size)
    rows = paired_positions(pairs)
    context.add_output_metadata({"pairs": len(pairs)})
    return with_levels(records.codes_at(rows), rows, pairs, linkage.built_comparisons())
