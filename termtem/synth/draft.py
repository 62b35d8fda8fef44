"""An agency's rows before they are written: the true values, then the agency's errors, each one recorded.

The corruption steps run in the order of :class:`termtem.settings.CorruptionRates`' fields. Each step draws
its choice for every row whether or not the source allows that error, so the sources can share the steps and
differ only in the set of errors they allow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from termtem.settings import CorruptionRates
from termtem.synth import corruptions, ids, names
from termtem.synth.population import Population, split_dates

#: Every corruption, in the order they are applied and listed in the ground truth.
CORRUPTIONS: tuple[str, ...] = tuple(CorruptionRates.model_fields)

_ADDRESS = ("place", "house_no", "moo", "soi", "road", "house_code")


def _contains(values: np.ndarray, pattern: str) -> np.ndarray:
    """Regex test per value, computed once per distinct value (names repeat a lot)."""
    codes, uniques = pd.factorize(values)
    return pd.Series(uniques, dtype=object).str.contains(pattern).to_numpy(bool)[codes]


@dataclass
class Draft:
    """One source's rows as separate components, with the corruptions applied so far.

    Attributes:
        source: Source name.
        rates: This source's corruption rates.
        allowed: Corruptions this source can have at all.
        rng: The source's random stream.
        cols: Component arrays, one entry per row (see :func:`start_draft`).
        applied: Corruption name -> rows it was applied to.
        eligible: Corruption name -> how many rows could have had it.
    """

    source: str
    rates: CorruptionRates
    allowed: frozenset[str]
    rng: np.random.Generator
    cols: dict[str, np.ndarray]
    applied: dict[str, np.ndarray] = field(default_factory=dict)
    eligible: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.cols["person"])

    def draw(self, name: str, eligible: np.ndarray | None = None) -> np.ndarray:
        """Choose the rows that get corruption ``name`` among the ``eligible`` ones, and record them."""
        chosen = self.rng.random(len(self)) < getattr(self.rates, name)
        if name not in self.allowed:
            return np.zeros(len(self), dtype=bool)
        eligible = np.ones(len(self), dtype=bool) if eligible is None else eligible
        self.applied[name] = chosen & eligible
        self.eligible[name] = int(eligible.sum())
        return self.applied[name]

    def mask(self, name: str) -> np.ndarray:
        """Rows corruption ``name`` was applied to (none if it was not drawn)."""
        return self.applied.get(name, np.zeros(len(self), dtype=bool))


def start_draft(population: Population, source: str, person: np.ndarray, rates: CorruptionRates,
                allowed: frozenset[str], rng: np.random.Generator) -> Draft:
    """Collect the true values of the chosen people (plus any duplicate rows) into a draft."""
    duplicate = (rng.random(len(person)) < rates.duplicate) & ("duplicate" in allowed)
    rows = np.concatenate([person, person[duplicate]])
    people, households = population.people, population.households
    house = people["household"].to_numpy()[rows]
    with_blank = np.append(people["citizen_id"].to_numpy(), "")
    year, month, day = split_dates(people["birth"].to_numpy()[rows])
    cols = {"person": rows, "household": house, "year": year, "month": month, "day": day}
    for column in ("citizen_id", "title", "given", "family", "nickname", "male", "age"):
        cols[column] = people[column].to_numpy()[rows].copy()
    for relative in ("mother", "father", "guardian"):
        cols[f"{relative}_id"] = with_blank[people[relative].to_numpy()[rows]]
    for column in (*_ADDRESS, "moved"):
        cols[column] = households[column].to_numpy()[house].copy()
    cols["title_written"] = np.full(len(rows), "", dtype=object)
    draft = Draft(source, rates, allowed, rng, cols)
    if "duplicate" in allowed:
        draft.applied["duplicate"] = np.arange(len(rows)) >= len(person)
        draft.eligible["duplicate"] = len(person)
    return draft


def corrupt_identity(draft: Draft) -> None:
    """G-code instead of the ID (0/6/7 learners), then a missing or mistyped ID."""
    cid = draft.cols["citizen_id"]
    g_code = draft.draw("g_code", np.isin(cid.astype("U1"), ["0", "6", "7"]))
    cid[g_code] = ids.g_codes(int(g_code.sum()), draft.rng)
    missing = draft.draw("id_missing", ~g_code)
    cid[missing] = ""
    mistyped = draft.draw("id_mistyped", ~g_code & ~missing)
    draws = draft.rng.random((len(draft), 3))
    cid[mistyped] = corruptions.apply_each(corruptions.mistype_id, cid[mistyped], draws[mistyped])


def corrupt_names(draft: Draft) -> None:
    """An earlier given name, a respelling, a slip, swapped name order, a title written into the name."""
    cols, rng, n = draft.cols, draft.rng, len(draft)
    changed = draft.draw("name_changed")
    new = names.given_names(cols["male"][changed], rng)
    while (same := new == cols["given"][changed]).any():
        new[same] = names.given_names(cols["male"][changed][same], rng)
    cols["given"][changed] = new

    given_ok = _contains(cols["given"], corruptions.PHONETIC_PATTERN)
    family_ok = _contains(cols["family"], corruptions.PHONETIC_PATTERN)
    respelt = draft.draw("phonetic", given_ok | family_ok)
    draws, side = rng.random((n, 2)), rng.random(n) < 0.5
    on_given = given_ok & (~family_ok | side)
    for column, rows in (("given", respelt & on_given), ("family", respelt & ~on_given)):
        cols[column][rows] = corruptions.apply_each(corruptions.phonetic, cols[column][rows], draws[rows])

    slipped = draft.draw("typo")
    draws, side = rng.random((n, 3)), rng.random(n) < 0.5
    for column, rows in (("given", slipped & side), ("family", slipped & ~side)):
        cols[column][rows] = corruptions.apply_each(corruptions.typo, cols[column][rows], draws[rows])

    swapped = draft.draw("name_swap")
    cols["given"][swapped], cols["family"][swapped] = cols["family"][swapped], cols["given"][swapped]

    titled = draft.draw("title_prefix")
    forms = names.title_variants(cols["title"][titled], rng.random(n)[titled])
    cols["title_written"][titled] = forms + np.where(rng.random(n)[titled] < 0.6, "", " ")


def corrupt_dates(draft: Draft) -> None:
    """A missing birth date, an unknown day and month (1 January), day and month swapped, the other era."""
    cols = draft.cols
    missing = draft.draw("birth_date_missing")
    unknown = draft.draw("day_unknown", ~missing)
    cols["month"][unknown], cols["day"][unknown] = 1, 1
    day, month = cols["day"], cols["month"]
    swapped = draft.draw("day_month_swap", ~missing & ~unknown & (day <= 12) & (day != month))
    day[swapped], month[swapped] = month[swapped], day[swapped]
    draft.draw("era_swap", ~missing)


def corrupt_address(draft: Draft, population: Population) -> None:
    """The address from before the household moved; abbreviation and reordering are drawn for formatting."""
    stale = draft.draw("stale_address", draft.cols["moved"])
    old = population.households
    for column in _ADDRESS:
        draft.cols[column][stale] = old[f"old_{column}"].to_numpy()[draft.cols["household"][stale]]
    draft.draw("address_abbreviated")
    draft.draw("address_reordered")
