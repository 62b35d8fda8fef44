"""Synthetic releases for the golden-store tests and the publish benchmark: realistic shape, no real person.

Names come from PyThaiNLP's corpora, citizen IDs carry the real check digit and areas are real geothai codes
(all through :mod:`termtem.synth`), and every array is drawn at once, so a million persons build in seconds.
The frames have the columns the pipeline's assets produce and go through :func:`release_frames`, so a
benchmark of the publish measures the same reshaping and loading a real run does.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from matching.survivorship import PROVENANCE_PREFIX, SURVIVING_ATTRIBUTES
from termtem.golden_store.frames import release_frames
from termtem.golden_store.publish import Release
from termtem.synth.ids import citizen_ids, house_codes
from termtem.synth.names import family_names, given_names
from termtem.synth.places import choose_places

SOURCES: tuple[str, ...] = ("civil_registration", "school_enrolment", "child_development", "health_centre",
                            "social_cases", "child_grant")
FIELDS: tuple[str, ...] = ("citizen_id", "given_name", "family_name", "birth_date", "address")
RULES: tuple[tuple[str, str], ...] = (("no_health_record", "yellow"), ("out_of_school", "red"),
                                      ("triage_family_no_case", "red"))


def _records(person_count: int, rng: np.random.Generator) -> pd.DataFrame:
    """Source records: 1 + Poisson(1.5) per person, each in a source, numbered per source like file rows."""
    per_person = 1 + rng.poisson(1.5, person_count)
    person = np.repeat(np.arange(person_count), per_person)
    source = np.asarray(SOURCES, dtype=object)[rng.integers(0, len(SOURCES), len(person))]
    records = pd.DataFrame({"person": person, "source": source})
    records["source_row"] = records.groupby("source").cumcount() + 1
    records["record_id"] = records["source"] + ":" + records["source_row"].astype(str)
    records["first"] = ~records["person"].duplicated()
    return records


def _pairs(records: pd.DataFrame, review_share: float, rng: np.random.Generator) -> pd.DataFrame:
    """Linked pairs between consecutive records of a person, and review pairs between neighbouring persons."""
    same = np.flatnonzero(records["person"].to_numpy()[1:] == records["person"].to_numpy()[:-1])
    firsts = np.flatnonzero(records["first"].to_numpy())
    doubtful = firsts[:-1][rng.random(len(firsts) - 1) < review_share]
    following = firsts[np.searchsorted(firsts, doubtful) + 1]
    left = np.concatenate([same, doubtful])
    right = np.concatenate([same + 1, following])
    pairs = pd.DataFrame({"left": left, "right": right,
                          "decision": ["link"] * len(same) + ["review"] * len(doubtful),
                          "score": np.concatenate([rng.uniform(0.9, 1.0, len(same)),
                                                   rng.uniform(0.4, 0.7, len(doubtful))]),
                          "rule": "model", "passes": "citizen_id,name_birth_year"})
    for field in FIELDS:
        pairs[f"w_{field}"] = rng.normal(2.0, 3.0, len(pairs)).round(4)
    pairs["match_weight"] = pairs[[f"w_{field}" for field in FIELDS]].sum(axis=1) - 10
    return pairs


def sample_release(person_count: int, *, seed: int = 0, run_id: str = "sample",
                   as_of: dt.date = dt.date(2026, 6, 30)) -> Release:
    """A release of ``person_count`` synthetic persons, in about three per household."""
    rng = np.random.default_rng(seed)
    household_count = max(1, person_count // 3)
    places = choose_places(household_count, rng)
    place = rng.choice(len(places.code), household_count, p=places.weight)
    province = places.province_code[place]
    households = pd.DataFrame({
        "golden_household_id": [f"H{index:012x}" for index in range(household_count)],
        "house_code": house_codes(province.astype(np.int64), rng), "province_code": province,
        "district_code": places.district_code[place], "subdistrict_code": places.code[place],
        "triage": np.asarray([None, "green", "yellow", "red"], dtype=object)[rng.integers(0, 4, household_count)],
        "poverty_list": rng.random(household_count) < 0.2})
    household = np.sort(rng.integers(0, household_count, person_count))
    households["member_count"] = np.bincount(household, minlength=household_count)
    male = rng.random(person_count) < 0.5
    birth = pd.Timestamp(as_of) - pd.to_timedelta(rng.integers(0, 40 * 365, person_count), unit="D")
    persons = pd.DataFrame({
        "golden_person_id": [f"P{index:012x}" for index in range(person_count)],
        "given_name": given_names(male, rng), "family_name": family_names(person_count, rng),
        "sex": np.where(male, "M", "F"), "birth_date": birth, "birth_date_flag": "ok",
        "citizen_id": citizen_ids(rng.integers(1, 6, person_count), province[household].astype(np.int64), rng),
        "citizen_id_kind": "thai", "golden_household_id": households["golden_household_id"].to_numpy()[household],
        **{column: households[column].to_numpy()[household]
           for column in ("house_code", "province_code", "district_code", "subdistrict_code")}})
    records = _records(person_count, rng)
    clusters = pd.DataFrame({
        "source": records["source"], "source_row": records["source_row"], "record_id": records["record_id"],
        "record_key": None, "golden_person_id": persons["golden_person_id"].to_numpy()[records["person"]],
        "link_rule": "model", "link_score": rng.uniform(0.9, 1.0, len(records))})
    first_record = records.loc[records["first"], "record_id"].to_numpy()
    for attribute in SURVIVING_ATTRIBUTES:
        persons[PROVENANCE_PREFIX + attribute] = first_record
    persons["record_count"] = np.bincount(records["person"], minlength=person_count)
    persons["sources"] = records.groupby("person")["source"].agg(lambda names: ",".join(sorted(set(names))))
    flagged = np.flatnonzero(rng.random(person_count) < 0.1)
    rule = rng.integers(0, len(RULES), len(flagged))
    missed = pd.DataFrame({
        "golden_person_id": persons["golden_person_id"].to_numpy()[flagged],
        "golden_household_id": persons["golden_household_id"].to_numpy()[flagged],
        "rule": [RULES[index][0] for index in rule], "status": "missed",
        "triage": [RULES[index][1] for index in rule], "household_triage": None,
        "age": rng.integers(0, 18, len(flagged)), "searched_sources": "school_enrolment", "near_misses": "[]",
        "reason_en": "Child of school age with no school enrolment.",
        "reason_th": "เด็กวัยเรียน ไม่พบข้อมูลการลงทะเบียนเรียน",
        **{code: persons[code].to_numpy()[flagged] for code in ("province_code", "district_code", "subdistrict_code")}})
    quarantined = pd.DataFrame({"source": "school_enrolment",
                                "source_row": np.arange(person_count // 100) + 1_000_000_000,
                                "reason": "no_identifying_field", "raw_values": '{"house_no": "12/3"}'})
    linked = records["source"].value_counts()
    accounting = pd.DataFrame({"source": list(SOURCES), "rows_linked": [int(linked.get(name, 0)) for name in SOURCES]})
    accounting["rows_quarantined"] = np.where(accounting["source"] == "school_enrolment", len(quarantined), 0)
    accounting["rows_in"] = accounting["rows_linked"] + accounting["rows_quarantined"]
    frames = release_frames(persons=persons, households=households, clusters=clusters,
                            scored=_pairs(records, 0.02, rng), missed=missed, quarantined=quarantined,
                            accounting=accounting, files={},
                            id_history=pd.DataFrame({"golden_person_id": persons["golden_person_id"], "event": "kept",
                                                     "related_person_id": None, "records": persons["record_count"]}))
    return Release(run_id=run_id, as_of_date=as_of, frames=frames, code_version="sample")
