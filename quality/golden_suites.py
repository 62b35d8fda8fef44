"""Expectation suites of the golden frames, which must hold exactly before anything is published.

great-expectations validates one frame at a time, so each rule that spans two frames (a cross-reference row
whose person does not exist, a household whose member count disagrees with its members) is first made a column
of a *view*: the frame outer-joined with the facts the other frame gives about each key. The suite then checks
that column like any other, and the data docs show which rule broke and on how many rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from matching.citizen_id import is_valid_citizen_id, parse_citizen_ids
from matching.households import TRIAGE_ORDER

if TYPE_CHECKING:
    import great_expectations as gx


def _with_counts(frame: pd.DataFrame, key: str, counted: pd.Series, count_name: str, found_name: str) -> pd.DataFrame:
    """``frame`` outer-joined on ``key`` with ``counted`` (rows per key elsewhere); keys only elsewhere get
    ``found_name`` False, keys found nowhere else a count of 0."""
    counts = counted.value_counts().rename(count_name).rename_axis(key).reset_index()
    view = frame.merge(counts, on=key, how="outer", indicator=True)
    view[found_name] = view.pop("_merge") != "right_only"
    view[count_name] = view[count_name].fillna(0).astype("int64")
    return view


def _distinct_per_key(keys: pd.Series, values: pd.Series, counted: np.ndarray) -> np.ndarray:
    """For each row, how many distinct non-null ``values`` the rows with its key have where ``counted`` is True
    (0 for a null key).

    Why: a ``groupby(...).nunique()`` then ``map`` on text keys hashes every string three times; here each column
    is factorised once and the distinct (key, value) pairs are counted on integer codes, which at 350,000 records
    is about a fifth of the time, with the same counts.
    """
    key_codes, key_uniques = pd.factorize(keys)
    value_codes, value_uniques = pd.factorize(values)
    kept = counted & (key_codes >= 0) & (value_codes >= 0)
    pairs = np.unique(key_codes[kept].astype(np.int64) * max(len(value_uniques), 1) + value_codes[kept])
    per_key = np.bincount(pairs // max(len(value_uniques), 1), minlength=len(key_uniques))
    return np.where(key_codes >= 0, per_key[np.maximum(key_codes, 0)], 0).astype("int64")


def xref_view(person_clusters: pd.DataFrame) -> pd.DataFrame:
    """The cross-reference (one row per linked record) with the number of valid citizen IDs in its person."""
    valid = person_clusters["citizen_id_valid"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    view = person_clusters[["source", "source_row", "record_id", "golden_person_id", "link_score"]].copy()
    view["valid_citizen_ids_in_person"] = _distinct_per_key(person_clusters["golden_person_id"],
                                                            person_clusters["citizen_id"], valid)
    return view


def _check_digits_ok(citizen_ids: pd.Series) -> np.ndarray:
    """:func:`is_valid_citizen_id` of each ID as an object array (None where the ID is missing).

    Why: golden IDs are almost all 13 ASCII digits, whose check digits :func:`parse_citizen_ids` computes together
    in numpy (its clean path is exactly ``is_valid_citizen_id``); any other value still goes through
    ``is_valid_citizen_id`` one at a time, so every answer is the same as calling it on each row.
    """
    values = citizen_ids.to_numpy(dtype=object)
    checked = np.empty(len(values), dtype=object)
    present = ~pd.isna(values)
    clean = present & np.fromiter((isinstance(value, str) and len(value) == 13 and value.isascii()
                                   and value.isdigit() for value in values), dtype=bool, count=len(values))
    if clean.any():
        checked[clean] = parse_citizen_ids(values[clean])[1].tolist()
    for position in np.flatnonzero(present & ~clean):
        checked[position] = is_valid_citizen_id(values[position])
    return checked


def persons_view(golden_persons: pd.DataFrame, person_clusters: pd.DataFrame) -> pd.DataFrame:
    """Golden persons and every person ID the cross-reference uses, with its records and whether it exists."""
    persons = golden_persons[["golden_person_id", "golden_household_id", "citizen_id", "record_count"]]
    view = _with_counts(persons, "golden_person_id", person_clusters["golden_person_id"], "xref_records",
                        "in_golden_person")
    view["citizen_id_checksum_ok"] = _check_digits_ok(view["citizen_id"])
    return view


def households_view(golden_households: pd.DataFrame, golden_persons: pd.DataFrame) -> pd.DataFrame:
    """Golden households and every household ID a person names, with its members and whether it exists."""
    households = golden_households[["golden_household_id", "member_count", "triage", "poverty_list"]]
    return _with_counts(households, "golden_household_id", golden_persons["golden_household_id"],
                        "members_found", "in_golden_household")


def missed_children_view(missed_children: pd.DataFrame, golden_persons: pd.DataFrame,
                         rule_ages: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """Flags with whether the person exists, lives in the flag's household, and is of the rule's ages."""
    household_of = golden_persons.set_index("golden_person_id")["golden_household_id"]
    view = missed_children[["golden_person_id", "golden_household_id", "rule", "triage", "age"]].copy()
    view["person_found"] = view["golden_person_id"].isin(household_of.index)
    view["household_matches_person"] = view["golden_household_id"].eq(view["golden_person_id"].map(household_of))
    bounds = view["rule"].map(rule_ages)
    view["age_in_rule_range"] = [isinstance(ages, tuple) and ages[0] <= age <= ages[1]
                                 for ages, age in zip(bounds, view["age"], strict=True)]
    return view


def _suite(name: str, expectations: Iterable[Any]) -> gx.ExpectationSuite:
    import great_expectations as gx

    return gx.ExpectationSuite(name=name, expectations=list(expectations))


def _holds(column: str, description: str) -> Any:
    import great_expectations.expectations as gxe

    return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=[True], description=description)


def xref_suite() -> gx.ExpectationSuite:
    """Rules of ``person_clusters``, published as ``person_xref``."""
    import great_expectations.expectations as gxe

    return _suite("golden_person_xref", [
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["source", "source_row"],
                                            description="Each source row is cross-referenced once"),
        gxe.ExpectColumnValuesToBeUnique(column="record_id", description="Each record ID is used once"),
        gxe.ExpectColumnValuesToNotBeNull(column="golden_person_id", description="Every record has a person"),
        gxe.ExpectColumnValuesToBeBetween(column="valid_citizen_ids_in_person", min_value=0, max_value=1,
                                          description="No person holds two different valid citizen IDs"),
        gxe.ExpectColumnValuesToBeBetween(column="link_score", min_value=0, max_value=1,
                                          description="Link scores are probabilities"),
    ])


def persons_suite() -> gx.ExpectationSuite:
    """Rules of ``golden_persons`` against the cross-reference."""
    import great_expectations.expectations as gxe

    return _suite("golden_person", [
        gxe.ExpectColumnValuesToBeUnique(column="golden_person_id", description="Golden person IDs are unique"),
        gxe.ExpectColumnValuesToNotBeNull(column="golden_person_id", description="Every person has an ID"),
        _holds("in_golden_person", "Every cross-reference row points to an existing person"),
        gxe.ExpectColumnValuesToBeBetween(column="xref_records", min_value=1,
                                          description="No person without a source record"),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="record_count", column_B="xref_records",
                                            description="Each person's record count is its cross-reference rows"),
        gxe.ExpectColumnValuesToNotBeNull(column="golden_household_id", description="Every person has a household"),
        _holds("citizen_id_checksum_ok", "A golden citizen ID always passes the check digit"),
    ])


def households_suite() -> gx.ExpectationSuite:
    """Rules of ``golden_households`` against the persons' household IDs."""
    import great_expectations.expectations as gxe

    return _suite("golden_household", [
        gxe.ExpectColumnValuesToBeUnique(column="golden_household_id",
                                         description="Golden household IDs are unique"),
        _holds("in_golden_household", "Every person's household exists"),
        gxe.ExpectColumnValuesToBeBetween(column="members_found", min_value=1,
                                          description="No household without members"),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="member_count", column_B="members_found",
                                            description="Each household's member count is its members"),
        gxe.ExpectColumnValuesToBeInSet(column="triage", value_set=list(TRIAGE_ORDER),
                                        description="Triage is green, yellow or red"),
    ])


def missed_children_suite(rules: Iterable[str]) -> gx.ExpectationSuite:
    """Rules of ``missed_children`` against the persons and the configured flag rules."""
    import great_expectations.expectations as gxe

    return _suite("golden_missed_child", [
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["golden_person_id", "rule"],
                                            description="A rule flags a child once"),
        _holds("person_found", "Every flag is about an existing person"),
        _holds("household_matches_person", "Every flag names the person's own household"),
        gxe.ExpectColumnValuesToBeInSet(column="rule", value_set=sorted(rules),
                                        description="Every flag comes from a configured rule"),
        gxe.ExpectColumnValuesToBeInSet(column="triage", value_set=list(TRIAGE_ORDER),
                                        description="Triage is green, yellow or red"),
        _holds("age_in_rule_range", "Every flagged child is of the rule's ages"),
    ])
