"""Pure-function tests: comparison levels, term-frequency adjustment, golden-ID history, linkage evaluation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matching.comparison import MISSING, DateComparison, IdentifierComparison, NameComparison, RecordCodes
from matching.evaluation import completeness_per_pass, pairwise_link_scores
from matching.golden_ids import CREATED, KEPT, MERGED, SPLIT, assign_golden_ids
from matching.term_frequency import adjustment_weights, value_frequencies


def _levels(comparison: DateComparison | IdentifierComparison | NameComparison, frame: pd.DataFrame) -> list[str]:
    """Level name of record 0 against each other record."""
    others = np.arange(1, len(frame))
    levels = comparison.compare(RecordCodes(frame), np.zeros(len(others), dtype=np.int64), others)
    return [comparison.levels[level] if level != MISSING else "missing" for level in levels]


def test_birth_dates_tolerate_day_month_swaps_era_slips_and_uncertain_days() -> None:
    # Second precision: a Buddhist-Era year left unconverted (2558) is beyond the nanosecond range.
    dates = np.array(["2015-03-07", "2015-03-07", "2015-07-03", "2558-03-07", "2015-03-08", "NaT",
                      "2015-01-01", "2012-11-20"], dtype="datetime64[s]")
    flags = ["ok"] * 6 + ["day_uncertain", "ok"]
    frame = pd.DataFrame({"birth_date": dates, "birth_date_flag": flags})
    comparison = DateComparison("birth_date", column="birth_date", uncertain_column="birth_date_flag")
    assert _levels(comparison, frame) == ["exact", "day_month_swapped", "era_slip", "one_part_differs", "missing",
                                          "year_of_uncertain_day", "different"]


def test_citizen_ids_one_digit_off_or_transposed_are_near_misses() -> None:
    frame = pd.DataFrame({"citizen_id": ["1101700203451", "1101700203451", "1101700203459", "1101700204351",
                                         None, "3100600454621"]})
    assert _levels(IdentifierComparison("citizen_id", column="citizen_id"), frame) == [
        "exact", "one_digit_differs", "transposed", "missing", "different"]


def test_names_meet_across_scripts_through_their_romanised_forms() -> None:
    # Romanised forms as normalisation writes them: Thai by thai2rom, Latin only lower-cased.
    frame = pd.DataFrame({
        "given_name": ["สมชาย", "somchai", "สมโชค", "somchay", "ใจดี", None],
        "given_rom": ["somchai", "somchai", "somchok", "somchay", "chaidi", None],
        "family_name": ["ใจดี", "jaidee", "ใจดี", "ใจดี", "สมชาย", "ใจดี"],
    })
    comparison = NameComparison("given_name", column="given_name", romanised_column="given_rom",
                                swap_column="family_name", similarity=(0.92, 0.85))
    assert comparison.levels == ("exact", "romanised", "swapped", "jaro_winkler_0.92", "jaro_winkler_0.85",
                                 "different")
    assert _levels(comparison, frame) == ["romanised", "jaro_winkler_0.85", "jaro_winkler_0.92", "swapped",
                                          "missing"]


def test_agreeing_on_a_rare_name_weighs_more_than_on_a_common_one() -> None:
    codes = np.array([0] * 90 + [1] * 9 + [2] + [-1] * 5)  # a common, a middling and a rare name; 5 missing
    frequencies, random_agreement = value_frequencies(codes)
    assert np.isnan(frequencies[-1]) and random_agreement == (0.9 ** 2 + 0.09 ** 2 + 0.01 ** 2)
    common, middling, rare = adjustment_weights(frequencies[[0, 90, 99]], np.ones(3, dtype=bool), random_agreement)
    assert common < 0 < middling < rare
    assert adjustment_weights(frequencies[[99]], np.zeros(1, dtype=bool), random_agreement).tolist() == [0.0]


def _records(*rows: tuple[str, int]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["source", "source_row"])
    return frame.assign(record_id=frame["source"] + ":" + frame["source_row"].astype(str))


def test_golden_ids_record_merges_and_splits_and_never_reuse_an_id() -> None:
    records = _records(("a", 1), ("a", 2), ("b", 1), ("b", 2), ("c", 1))
    first, history = assign_golden_ids(records, np.array([0, 0, 0, 1, 2]), None)
    assert history["event"].tolist() == [CREATED] * 3
    previous = records[["source", "source_row"]].assign(golden_person_id=first)
    # The three-record person splits (a:1 and a:2 stay together), and b:2 and c:1 turn out to be one person.
    later, history = assign_golden_ids(records, np.array([0, 0, 5, 7, 7]), previous)
    assert later[0] == later[1] == first[0]
    assert later[2] not in set(first)
    assert later[3] == later[4] and later[3] in {first[3], first[4]}
    events = dict(zip(history["golden_person_id"], zip(history["event"], history["related_person_id"],
                                                        strict=True), strict=True))
    assert events[later[0]] == (KEPT, None) and events[later[2]] == (SPLIT, first[0])
    gone = ({first[3], first[4]} - {later[3]}).pop()
    assert events[later[3]] == (KEPT, None) and events[gone] == (MERGED, later[3])


def test_link_scores_and_completeness_count_true_pairs() -> None:
    truth = pd.Series(["p", "p", "p", "q", "r"])  # three true pairs, all among the p records
    left, right = np.array([0, 0, 3]), np.array([1, 2, 4])
    scores = pairwise_link_scores(left, right, truth)
    assert (scores.precision, scores.recall, scores.links, scores.true_pairs) == (2 / 3, 2 / 3, 3, 3)
    pairs = pd.DataFrame({"left": left, "right": right, "passes": ["id,name", "name", "id"]})
    assert completeness_per_pass(pairs, truth) == {"id": 1 / 3, "name": 2 / 3, "all": 2 / 3}
