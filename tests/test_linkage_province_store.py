"""The stored national codes of province partitions compare exactly as the records do, and the faster helpers of
the link stage (strongest link per record, true persons) give what their plain pandas versions give."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matching.blocking import BlockingPass
from matching.clustering import strongest_links
from matching.comparison import RecordCodes
from matching.evaluation import true_persons
from matching.province_store import StoredRecords, store_records
from matching.provinces import encoded_records, national_blocks, province_keys
from matching.scoring import compare_levels
from termtem.settings import load_linkage_settings

GIVEN = ["สมชาย", "สมชาย", "Somchai", "มานี", None, "มานี", "ปิติ", "ชูใจ", "สมศรี", "มานะ"]
FAMILY = ["ใจดี", "ใจดี", "Jaidee", "รักไทย", "มีสุข", "รักไทย", "ใจดี", None, "มานี", "ศรีสุข"]


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    """Ten records over three provinces and the unknown partition, with every column the comparisons read."""
    rng = np.random.default_rng(5)
    n = len(GIVEN)
    citizen = ["1101700203451", "1101700203451", "1101700203459", None, "3100600454621", "3100600454612",
               "1101700204351", None, "5100600454621", "1101700203451"]
    frame = pd.DataFrame({
        "record_id": [f"r{i}" for i in range(n)], "citizen_id": citizen,
        "given_name": GIVEN, "family_name": FAMILY, "nickname": ["a", "a", None, "b", "b", "c", None, "a", "d", "e"],
        "given_key": [None if g is None else g[:2] for g in GIVEN],
        "family_key": [None if f is None else f[:2] for f in FAMILY],
        "given_rom": ["somchai", "somchai", "somchai", "mani", None, "mani", "piti", "chuchai", "somsri", "mana"],
        "family_rom": ["jaidee", "jaidee", "jaidee", "rakthai", "misuk", "rakthai", "jaidi", None, "mani", "srisuk"],
        "birth_date": pd.to_datetime(["2015-03-07", "2015-03-07", "2015-07-03", None, "2016-01-01", "2016-01-01",
                                      "2014-02-02", "2015-03-08", "2013-05-05", "2015-03-07"]),
        "birth_date_flag": ["ok", "ok", "ok", "ok", "day_uncertain", "ok", "ok", "ok", "ok", "ok"],
        "sex": rng.choice(["M", "F"], n),
        "province_code": ["10", "10", "50", "10", "50", None, "90", "10", "90", "50"],
    })
    frame["district_code"] = frame["province_code"].where(frame["province_code"].isna(), frame["province_code"] + "01")
    frame["subdistrict_code"] = frame["district_code"] + "01"
    frame["house_code"] = [None, None, "h1", "h2", "h2", None, None, None, "h3", None]
    frame["moo"], frame["house_no"] = "1", ["5", "5", "7", "9", "9", "9", "1", "5", "2", "5"]
    for parent in ("mother_citizen_id", "father_citizen_id", "guardian_citizen_id"):
        frame[parent] = rng.choice(np.array(["3100600454621", None], dtype=object), n)
    return frame


def test_a_provinces_stored_codes_give_the_levels_its_records_give(records: pd.DataFrame, tmp_path: Path) -> None:
    settings = load_linkage_settings()
    comparisons = settings.built_comparisons()
    passes = (BlockingPass("family", ("family_key",)),)
    blocks = national_blocks(records, passes, max_block_size=50)
    manifest = store_records(tmp_path, blocks, encoded_records(records, comparisons))
    stored = StoredRecords(tmp_path, {**manifest, "skipped_blocks": blocks.skipped_blocks})
    for province in province_keys():
        positions, block_ids, codes = stored.province(province)
        np.testing.assert_array_equal(positions, np.flatnonzero(blocks.provinces == province))
        np.testing.assert_array_equal(block_ids[0], blocks.block_ids[0][positions])
        left, right = np.triu_indices(len(positions), k=1)
        expected = compare_levels(RecordCodes(records.iloc[positions].reset_index(drop=True)), left, right,
                                  comparisons)
        np.testing.assert_array_equal(compare_levels(codes, left, right, comparisons), expected)
    everyone = np.arange(len(records))
    left, right = np.triu_indices(len(records), k=1)
    np.testing.assert_array_equal(compare_levels(stored.codes_at(everyone), left, right, comparisons),
                                  compare_levels(RecordCodes(records), left, right, comparisons))
    national = stored.national_blocks()
    np.testing.assert_array_equal(national.provinces, blocks.provinces)
    np.testing.assert_array_equal(national.block_ids[0], blocks.block_ids[0])


def test_taken_rows_compare_as_the_same_rows_of_the_records(records: pd.DataFrame) -> None:
    comparisons = load_linkage_settings().built_comparisons()
    rows = np.array([9, 0, 5, 2, 1])
    left, right = np.triu_indices(len(rows), k=1)
    taken = encoded_records(records, comparisons).take(rows)
    np.testing.assert_array_equal(compare_levels(taken, left, right, comparisons),
                                  compare_levels(RecordCodes(records.iloc[rows].reset_index(drop=True)), left, right,
                                                 comparisons))


def test_the_strongest_link_of_each_record_is_its_best_score_first_listed_on_ties() -> None:
    labels = np.array([0, 0, 0, 3, 3, 5, 6])
    links = pd.DataFrame({"left": [0, 0, 3, 1, 5], "right": [1, 2, 4, 2, 6],
                          "rule": ["model", "steward_must_link", "model", "model", "model"],
                          "score": [0.97, 0.99, 0.96, 0.99, 0.98]})
    rule, score = strongest_links(labels, links)
    # Record 2 ties at 0.99 as the right end of two links: the first listed (link 1) wins. 5-6 were split apart.
    assert rule.tolist()[:5] == ["steward_must_link", "model", "steward_must_link", "model", "model"]
    assert score.tolist()[:5] == [0.99, 0.99, 0.99, 0.96, 0.96]
    assert all(pd.isna(rule[5:])) and np.isnan(score[5:]).all()


def test_true_persons_is_a_left_join_that_refuses_duplicate_keys() -> None:
    records = pd.DataFrame({"source": ["a", "b", "a", "c"], "source_row": [1, 1, 2, 1]})
    truth = pd.DataFrame({"source": ["b", "a", "a"], "source_row": [1, 2, 1], "person_id": ["P2", "P3", "P1"]})
    persons = true_persons(records, truth)
    assert persons.name == "person_id" and persons.tolist()[:3] == ["P1", "P2", "P3"] and pd.isna(persons[3])
    with pytest.raises(pd.errors.MergeError):
        true_persons(records, pd.concat([truth, truth.iloc[[0]]]))
