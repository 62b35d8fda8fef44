"""The seven agencies: whom each holds, which errors it can make and how it writes each field.

Each builder returns an :class:`~termtem.synth.export.Export` keyed by canonical field; the writer renames the
fields to the agency's own column names from ``config/sources/<name>.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from termtem.settings import AgencyCoverage, CorruptionRates
from termtem.synth import export, ids, names
from termtem.synth.draft import (
    CORRUPTIONS,
    Draft,
    corrupt_address,
    corrupt_dates,
    corrupt_identity,
    corrupt_names,
    start_draft,
)
from termtem.synth.population import HEAD, Population

#: Corruptions every secondary agency can make; G-codes, 1 January birth dates and reordered free-text
#: addresses belong to particular agencies only.
_SECONDARY = frozenset(CORRUPTIONS) - {"g_code", "day_unknown", "address_reordered"}
_TRIAGE_TH = {"red": "แดง", "yellow": "เหลือง", "green": "เขียว"}
#: How volunteers write an open or a closed case; each row gets one of the words at random.
OPEN_CASE_WORDS = np.array(["เปิด", "เปิดกรณี", "ติดตาม", "อยู่ระหว่างติดตาม"], dtype=object)
CLOSED_CASE_WORDS = np.array(["ปิด", "ปิดกรณี", "ยุติ"], dtype=object)
_CLOSED_DATE_WRITTEN = 0.85  # closed cases whose closing date the volunteer filled in

Builder = Callable[[Population, CorruptionRates, AgencyCoverage, np.random.Generator], export.Export]


def _chosen(share: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rows of the people an agency holds, each with its own chance ``share``."""
    return np.flatnonzero(rng.random(len(share)) < share)


def _ages(population: Population, low: int, high: int, share: float) -> np.ndarray:
    """Chance per person of being held: ``share`` for ages ``low``-``high`` at the as-of date, else 0."""
    age = population.people["age"].to_numpy()
    return np.where((age >= low) & (age <= high), share, 0.0)


def _corrupt(draft: Draft, population: Population) -> Draft:
    """Apply every corruption step in the fixed order (each source's ``allowed`` set picks what happens)."""
    corrupt_identity(draft)
    corrupt_names(draft)
    corrupt_dates(draft)
    corrupt_address(draft, population)
    return draft


def _unique_keys(count: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """Random distinct record numbers: agencies' own keys carry no order a matcher could exploit."""
    return ids.zero_padded(ids.unique_numbers(np.zeros(count, dtype=np.int64), width, rng), width)


def _household_refs(household: np.ndarray, prefix: str, width: int, rng: np.random.Generator) -> np.ndarray:
    """The agency's own number for each row's household (one number per household)."""
    distinct, inverse = np.unique(household, return_inverse=True)
    return (prefix + _unique_keys(len(distinct), width, rng))[inverse]


def civil_registration(population: Population, rates: CorruptionRates, coverage: AgencyCoverage,
                       rng: np.random.Generator) -> export.Export:
    """Everyone, nearly clean: the reference for IDs, names and the current address."""
    draft = start_draft(population, "civil_registration", np.arange(len(population.people)), rates,
                        frozenset({"typo", "phonetic", "day_month_swap"}), rng)
    corrupt_names(draft)
    corrupt_dates(draft)
    cols, area = draft.cols, export.areas(draft, population)
    values = {"citizen_id": cols["citizen_id"], "title": cols["title"], "given_name": cols["given"],
              "family_name": cols["family"], "sex": np.where(cols["male"], "ช", "ญ"),
              "birth_date": export.birth(draft, "dd/mm/yyyy", buddhist=True),
              "house_code": cols["house_code"], "house_no": cols["house_no"], "moo": cols["moo"],
              "soi": cols["soi"], "road": cols["road"],
              "subdistrict": area["sub"], "district": area["dist"], "province": area["prov"],
              "postcode": area["postcode"], "mother_citizen_id": cols["mother_id"],
              "father_citizen_id": cols["father_id"]}
    return export.finish(draft, values, (), shuffle=False)


def school_enrolment(population: Population, rates: CorruptionRates, coverage: AgencyCoverage,
                     rng: np.random.Generator) -> export.Export:
    """Learners 6-17 and some kindergartners 3-5: title glued to the name, G-codes, free-text address."""
    share = np.maximum(_ages(population, 6, 17, coverage.school_enrolment),
                       _ages(population, 3, 5, coverage.kindergarten))
    allowed = (_SECONDARY | {"g_code", "address_reordered"}) - {"title_prefix"}
    draft = _corrupt(start_draft(population, "school_enrolment", _chosen(share, rng), rates, allowed, rng),
                     population)
    cols = draft.cols
    values = {"record_key": _unique_keys(len(draft), 7, rng), "citizen_id": cols["citizen_id"],
              "given_name": names.title_variants(cols["title"], rng.random(len(draft))) + cols["given"],
              "family_name": cols["family"], "birth_date": export.birth(draft, "yyyy-mm-dd", buddhist=True),
              "address_text": export.free_text(draft, population, postcode=True),
              "guardian_citizen_id": cols["guardian_id"]}
    return export.finish(draft, values, ("citizen_id", "birth_date", "address_text"))


def child_development(population: Population, rates: CorruptionRates, coverage: AgencyCoverage,
                      rng: np.random.Generator) -> export.Export:
    """Children 2-5 in a spreadsheet: full name in one cell, Thai month abbreviations, partial coverage."""
    person = _chosen(_ages(population, 2, 5, coverage.child_development), rng)
    draft = _corrupt(start_draft(population, "child_development", person, rates, _SECONDARY, rng), population)
    cols = draft.cols
    values = {"citizen_id": cols["citizen_id"],
              "full_name": cols["title_written"] + cols["given"] + " " + cols["family"],
              "nickname": cols["nickname"], "sex": np.where(cols["male"], "ชาย", "หญิง"),
              "birth_date": export.birth(draft, "d mon yyyy", buddhist=True),
              **export.structured(draft, population, postcode=False),
              "guardian_citizen_id": cols["guardian_id"]}
    return export.finish(draft, values, ("citizen_id", "birth_date", "house_no"), numbered=True)


def health_centre(population: Population, rates: CorruptionRates, coverage: AgencyCoverage,
                  rng: np.random.Generator) -> export.Export:
    """Children 0-5 seen for birth and vaccinations: Common-Era yyyymmdd dates, unknown days as 1 January."""
    person = _chosen(_ages(population, 0, 5, coverage.health_centre), rng)
    allowed = _SECONDARY | {"day_unknown"}
    draft = _corrupt(start_draft(population, "health_centre", person, rates, allowed, rng), population)
    cols = draft.cols
    born = population.people["birth"].to_numpy()[cols["person"]]
    since_birth = (np.datetime64(population.as_of, "D") - born).astype(np.int64)
    visited = export.recent(len(draft), population.as_of, np.minimum(since_birth, 730), rng)
    address = export.structured(draft, population, postcode=False)
    moo = pd.Series(address["moo"], dtype=object)
    address["moo"] = moo.str.zfill(2).where(moo != "", "").to_numpy(object)
    values = {"record_key": _unique_keys(len(draft), 7, rng), "citizen_id": cols["citizen_id"],
              "given_name": cols["title_written"] + cols["given"], "family_name": cols["family"],
              "sex": np.where(cols["male"], "1", "2"),
              "birth_date": export.birth(draft, "yyyymmdd", buddhist=False),
              **address, "mother_citizen_id": cols["mother_id"],
              "recorded_on": export.date_cells(visited, "yyyymmdd", buddhist=False)}
    return export.finish(draft, values, ("citizen_id", "birth_date", "house_no"))


def _case_status(closed: np.ndarray, closed_on: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Status word per row (each volunteer picks their own) and the family's closing date where it was written."""
    rows = len(closed)
    word = np.where(closed, CLOSED_CASE_WORDS[rng.integers(0, len(CLOSED_CASE_WORDS), rows)],
                    OPEN_CASE_WORDS[rng.integers(0, len(OPEN_CASE_WORDS), rows)])
    dated = closed & (rng.random(rows) < _CLOSED_DATE_WRITTEN)
    return word.astype(object), np.where(dated, export.date_cells(closed_on, "d/m/yyyy", buddhist=True), "")


def social_cases(population: Population, rates: CorruptionRates, coverage: AgencyCoverage,
                 rng: np.random.Generator) -> export.Export:
    """Volunteers' case notes on triaged families: the children, or the whole family in some households.

    A family's case is open (being followed up) or was closed: the status word and the closing date are the
    family's, written on each member's row.
    """
    people, households = population.people, population.households
    triaged = households["triage"].notna().to_numpy()
    whole = rng.random(len(households)) < coverage.social_cases_whole_family
    house = people["household"].to_numpy()
    eligible = triaged[house] & (whole[house] | (people["age"].to_numpy() < 18))
    person = _chosen(np.where(eligible, coverage.social_cases, 0.0), rng)
    allowed = _SECONDARY | {"address_reordered"}
    draft = _corrupt(start_draft(population, "social_cases", person, rates, allowed, rng), population)
    cols = draft.cols
    last_visit = export.recent(len(households), population.as_of, 730, rng)
    visited = last_visit[cols["household"]]
    triage = households["triage"].to_numpy()[cols["household"]]
    closed = rng.random(len(households)) < coverage.social_cases_closed
    since_visit = (np.datetime64(population.as_of, "D") - last_visit).astype(np.int64)
    closed_on = export.recent(len(households), population.as_of, since_visit, rng)  # after the last visit
    status, closed_on = _case_status(closed[cols["household"]], closed_on[cols["household"]], rng)
    values = {"record_key": "SC-" + _unique_keys(len(draft), 6, rng), "citizen_id": cols["citizen_id"],
              "given_name": cols["title_written"] + cols["given"], "family_name": cols["family"],
              "nickname": cols["nickname"],
              "birth_date": export.birth(draft, "d/m/yy", buddhist=True, swapped_layout="d/m/yyyy"),
              "address_text": export.free_text(draft, population, postcode=False),
              "household_ref": _household_refs(cols["household"], "FB", 8, rng),
              "triage": pd.Series(triage, dtype=object).map(_TRIAGE_TH).to_numpy(),
              "case_status": status, "case_closed_on": closed_on,
              "recorded_on": export.date_cells(visited, "d/m/yyyy", buddhist=True)}
    return export.finish(draft, values, ("citizen_id", "birth_date", "address_text"))


def family_assessment(population: Population, rates: CorruptionRates, coverage: AgencyCoverage,
                      rng: np.random.Generator) -> export.Export:
    """The family log-book: each assessed family's head and the members listed, with the 4-dimension triage.

    A family's triage colour is the result of this assessment, so every triaged household was assessed; the
    export misses the assessments not yet keyed in. Case notes repeat the colour only for the members with a case.
    """
    people, households = population.people, population.households
    keyed_in = households["triage"].notna().to_numpy() & (rng.random(len(households)) < coverage.family_assessment)
    house = people["household"].to_numpy()
    listed = np.where(people["role"].to_numpy() == HEAD, 1.0, coverage.family_assessment_members)
    person = _chosen(np.where(keyed_in[house], listed, 0.0), rng)
    draft = _corrupt(start_draft(population, "family_assessment", person, rates, _SECONDARY, rng), population)
    cols = draft.cols
    assessed = export.recent(len(households), population.as_of, 365, rng)[cols["household"]]
    triage = households["triage"].to_numpy()[cols["household"]]
    title = np.where(cols["title_written"] == "", cols["title"], "")  # a title written into the name
    values = {"record_key": "FA" + _unique_keys(len(draft), 8, rng), "citizen_id": cols["citizen_id"],
              "title": title, "given_name": cols["title_written"] + cols["given"], "family_name": cols["family"],
              "sex": np.where(cols["male"], "ชาย", "หญิง"),
              "birth_date": export.birth(draft, "dd/mm/yyyy", buddhist=True),
              "house_code": cols["house_code"], **export.structured(draft, population, postcode=True),
              "household_ref": _household_refs(cols["household"], "FL", 9, rng),
              "triage": "สี" + pd.Series(triage, dtype=object).map(_TRIAGE_TH).to_numpy(),
              "recorded_on": export.date_cells(assessed, "dd/mm/yyyy", buddhist=True)}
    return export.finish(draft, values, ("citizen_id", "birth_date", "house_no"))


def child_grant(population: Population, rates: CorruptionRates, coverage: AgencyCoverage,
                rng: np.random.Generator) -> export.Export:
    """The poverty roll: every member of a listed household, the grant flag for children under 6."""
    people, households = population.people, population.households
    poor = households["poverty"].to_numpy()[people["household"].to_numpy()]
    takes_grant = rng.random(len(people)) < coverage.child_grant_take_up
    person = _chosen(np.where(poor, coverage.child_grant, 0.0), rng)
    draft = _corrupt(start_draft(population, "child_grant", person, rates, _SECONDARY, rng), population)
    cols = draft.cols
    surveyed = export.recent(len(households), population.as_of, 540, rng)[cols["household"]]
    household_ref = _household_refs(cols["household"], "TP", 10, rng)
    member = pd.Series(cols["household"]).groupby(cols["household"]).cumcount().to_numpy() + 1
    grant = np.where(cols["age"] < 6, np.where(takes_grant[cols["person"]], "Y", "N"), "")
    title = np.where(cols["title_written"] == "", cols["title"], "")  # a title written into the name
    values = {"household_ref": household_ref, "record_key": household_ref + "-" + ids.zero_padded(member, 2),
              "citizen_id": cols["citizen_id"], "title": title,
              "given_name": cols["title_written"] + cols["given"], "family_name": cols["family"],
              "sex": np.where(cols["male"], "M", "F"),
              "birth_date": export.birth(draft, "dd/mm/yyyy", buddhist=True),
              "house_code": cols["house_code"], **export.structured(draft, population, postcode=True),
              "child_grant": grant, "recorded_on": export.date_cells(surveyed, "yyyy-mm-dd", buddhist=False)}
    return export.finish(draft, values, ("citizen_id", "birth_date", "house_no"))


#: Every agency the generator writes, by source name.
AGENCIES: dict[str, Builder] = {
    "civil_registration": civil_registration,
    "school_enrolment": school_enrolment,
    "child_development": child_development,
    "health_centre": health_centre,
    "social_cases": social_cases,
    "family_assessment": family_assessment,
    "child_grant": child_grant,
}
