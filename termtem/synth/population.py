"""The true population: households in real subdistricts and the people living in them.

Everything is drawn as whole arrays (one entry per household or per person) so a million people take seconds.
Agencies later see this population through their own coverage and errors; the truth files describe it as is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from termtem.settings import PopulationShares
from termtem.synth import ids, names
from termtem.synth.places import Places, choose_places

#: Roles inside a household, in the order members are listed.
HEAD, SPOUSE, CHILD, GRANDPARENT = 0, 1, 2, 3

_CHILDREN = np.array([0.12, 0.22, 0.28, 0.20, 0.12, 0.06])  # households with 0..5 children under 18
_GRANDPARENTS = np.array([0.6, 0.25, 0.15])  # households with 0..2 grandparents
_TWO_PARENTS = 0.75
_YEAR_DAYS = 365.2425
_CHILD_YEARS = 17.98  # children are 0-17 at the as-of date (a few days to spare for leap years)
_ID_SYSTEM_START = np.datetime64("1984-01-01")  # people born since have IDs starting with 1 (or 2)


@dataclass(frozen=True)
class Population:
    """The true synthetic population.

    Attributes:
        as_of: Reference date for ages.
        places: The subdistricts households live in.
        households: One row per household: ``household_id``, ``kind`` (thai / migrant / stateless), current
            address (``place``, ``house_no``, ``moo``, ``soi``, ``road``, ``house_code``), ``moved`` and the
            previous address in ``old_*`` columns, ``triage`` (None or a colour) and ``poverty``.
        people: One row per person: ``person_id``, ``household`` (row number in ``households``), ``role``,
            ``male``, ``birth`` (datetime64), ``age`` (whole years), ``citizen_id``, ``title``, ``given``,
            ``family``, ``nickname`` and ``mother``/``father``/``guardian`` (row numbers, -1 if none).
    """

    as_of: dt.date
    places: Places
    households: pd.DataFrame
    people: pd.DataFrame


def _household_sizes(people: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw parents, children and grandparents per household until there are at least ``people`` members."""
    mean = 1 + _TWO_PARENTS + _CHILDREN @ np.arange(6) + _GRANDPARENTS @ np.arange(3)
    count = int(people / mean * 1.3) + 20
    parents = 1 + (rng.random(count) < _TWO_PARENTS)
    children = rng.choice(6, size=count, p=_CHILDREN)
    grandparents = rng.choice(3, size=count, p=_GRANDPARENTS)
    needed = int(np.searchsorted(np.cumsum(parents + children + grandparents), people)) + 1
    return parents[:needed], children[:needed], grandparents[:needed]


def _address(places: Places, place: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Draw a house number, หมู่ (not in Bangkok), sometimes a ซอย and ถนน, and a house code per household."""
    bangkok = places.bangkok[place]
    number = rng.integers(1, np.where(bangkok, 999, 350)).astype(str).astype(object)
    slash = rng.random(len(place)) < np.where(bangkok, 0.5, 0.3)
    number[slash] += "/" + rng.integers(1, 60, int(slash.sum())).astype(str).astype(object)
    moo = np.where(bangkok, "", rng.integers(1, 16, len(place)).astype(str)).astype(object)
    has_road = rng.random(len(place)) < np.where(bangkok, 0.6, 0.15)
    road = np.where(has_road, names.ROADS[rng.integers(0, len(names.ROADS), len(place))], "").astype(object)
    lane = rng.integers(1, 120, len(place)).astype(str).astype(object)
    has_soi = rng.random(len(place)) < np.where(bangkok, 0.6, 0.1)
    soi = np.where(has_soi, np.where(has_road, road + " " + lane, lane), "").astype(object)
    province = places.province_code[place].astype(np.int64)
    return {"place": place, "house_no": number, "moo": moo, "soi": soi, "road": road,
            "house_code": ids.house_codes(province, rng)}


def _households(places: Places, count: int, shares: PopulationShares,
                rng: np.random.Generator) -> pd.DataFrame:
    place = rng.choice(len(places.code), size=count, p=places.weight)
    frame = pd.DataFrame(_address(places, place, rng))
    frame.insert(0, "household_id", ids.zero_padded(np.arange(1, count + 1), 7))
    frame["household_id"] = "H" + frame["household_id"]
    old = _address(places, rng.choice(len(places.code), size=count, p=places.weight), rng)
    for column, values in old.items():
        frame[f"old_{column}"] = values
    frame["moved"] = rng.random(count) < shares.moved

    weight = places.migrant_weight[place] / places.migrant_weight[place].mean()
    draw = rng.random(count)
    stateless, migrant = draw < shares.stateless * weight, draw < (shares.stateless + shares.migrant) * weight
    frame["kind"] = np.select([stateless, migrant], ["stateless", "migrant"], "thai").astype(object)
    triaged = rng.random(count) < shares.triaged
    colours = sorted(shares.triage_colours)
    odds = np.array([shares.triage_colours[colour] for colour in colours])
    colour = np.array(colours, dtype=object)[rng.choice(len(colours), size=count, p=odds / odds.sum())]
    frame["triage"] = np.where(triaged, colour, None)
    frame["poverty"] = rng.random(count) < np.where(triaged, shares.poverty_if_triaged, shares.poverty)
    return frame


def _ages(role: np.ndarray, household: np.ndarray, rank: np.ndarray, households: int,
          rng: np.random.Generator) -> np.ndarray:
    """Ages in years (float): children 0-17, parents 18-40 years older than their eldest child.

    Siblings are spaced 1.2-4 years apart from a household start drawn uniformly and wrapped round the
    18-year range: a fixed spacing added to a uniform start, modulo the range, keeps each child's age uniform,
    so every age band is equally well populated, while siblings never come closer than 1.2 years (four gaps
    of at most 4 years span less than 18).
    """
    n = len(role)
    is_child = role == CHILD
    gaps = np.cumsum(np.where(is_child & (rank > 0), rng.uniform(1.2, 4.0, n), 0.0))
    spacing = gaps - gaps[np.searchsorted(household, household)]  # members are grouped by household
    start = rng.uniform(0, _CHILD_YEARS, households)
    age = (start[household] + spacing) % _CHILD_YEARS
    eldest = np.zeros(households)
    np.maximum.at(eldest, household[is_child], age[is_child])
    has_children = np.bincount(household[is_child], minlength=households) > 0
    mother = np.where(has_children, eldest + rng.uniform(18, 40, households), rng.uniform(20, 60, households))
    father = np.maximum(mother + rng.uniform(-2, 8, households), eldest + 18)
    age = np.where(role == HEAD, father[household], age)
    age = np.where(role == SPOUSE, mother[household], age)
    return np.where(role == GRANDPARENT, np.minimum(father[household] + rng.uniform(20, 32, n), 99.5), age)


def _categories(kind: np.ndarray, role: np.ndarray, age: np.ndarray, birth: np.ndarray,
                shares: PopulationShares, rng: np.random.Generator) -> np.ndarray:
    """First citizen-ID digit by household kind, birth year and whether a migrant child was born abroad."""
    n = len(kind)
    thai = np.where(birth >= _ID_SYSTEM_START, rng.choice([1, 2, 4, 5], size=n, p=[0.95, 0.03, 0.01, 0.01]),
                    rng.choice([3, 4, 5], size=n, p=[0.9, 0.05, 0.05]))
    child_born_here = (role == CHILD) & ((age < 8) | (rng.random(n) < 0.5))
    migrant = np.where(child_born_here, 7, 6)
    migrant = np.where((role == CHILD) & (rng.random(n) < shares.stateless_migrant_children), 0, migrant)
    return np.select([kind == "stateless", kind == "migrant"], [0, migrant], thai)


def _titles(male: np.ndarray, age: np.ndarray, role: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Civil-registry title: ด.ช./ด.ญ. under 15, then นาย, or นาง/นางสาว by likely marital status."""
    married = np.where(role == HEAD, 0.5, np.where(role == CHILD, 0.0, 0.75))
    woman = np.where(rng.random(len(male)) < married, names.MRS, names.MISS)
    adult = np.where(male, names.MR, woman)
    return np.where(age < 15, np.where(male, names.BOY, names.GIRL), adult).astype(object)


def build_population(people: int, as_of: dt.date, shares: PopulationShares,
                     rng: np.random.Generator) -> Population:
    """Draw households and their members.

    Args:
        people: Number of true persons.
        as_of: Reference date for ages.
        shares: Population traits from ``config/generator.yaml``.
        rng: Random stream for the population.
    """
    parents, children, grandparents = _household_sizes(people, rng)
    count = len(parents)
    places = choose_places(count, rng)
    households = _households(places, count, shares, rng)

    size = parents + children + grandparents
    household = np.repeat(np.arange(count), size)[:people]
    position = np.arange(people) - np.repeat(np.cumsum(size) - size, size)[:people]
    first_child = parents[household]
    role = np.select([position < first_child, position < first_child + children[household]],
                     [np.minimum(position, SPOUSE), CHILD], GRANDPARENT)
    rank = position - first_child  # birth order among the children (meaningless for other roles)

    single = parents[household] == 1
    male = np.select([role == HEAD, role == SPOUSE], [~single | (rng.random(people) < 0.2), False],
                     rng.random(people) < np.where(role == CHILD, 0.512, 0.45))
    age_years = _ages(role, household, rank, count, rng)
    birth = np.datetime64(as_of, "D") - (age_years * _YEAR_DAYS).astype(np.int64).astype("timedelta64[D]")
    year, month, day = split_dates(birth)
    age = as_of.year - year - ((month * 100 + day) > (as_of.month * 100 + as_of.day))

    kind = households["kind"].to_numpy()[household]
    province = places.province_code[households["place"].to_numpy()[household]].astype(np.int64)
    category = _categories(kind, role, age, birth, shares, rng)

    family = names.family_names(count, rng)[household]
    own = ((role == SPOUSE) & (rng.random(people) < shares.mother_keeps_family_name)) | (
        (role == GRANDPARENT) & (rng.random(people) < 0.4))
    family = np.where(own, names.family_names(people, rng), family)

    index = np.arange(people)
    parent = role <= SPOUSE
    mother_of, father_of = np.full(count, -1), np.full(count, -1)
    mother_of[household[parent & ~male]] = index[parent & ~male]
    father_of[household[parent & male]] = index[parent & male]
    is_child = role == CHILD
    mother = np.where(is_child, mother_of[household], -1)
    father = np.where(is_child, father_of[household], -1)

    frame = pd.DataFrame({
        "person_id": "P" + ids.zero_padded(index + 1, 7), "household": household, "role": role, "male": male,
        "birth": birth, "age": age, "citizen_id": ids.citizen_ids(category, province, rng),
        "title": _titles(male, age, role, rng), "given": names.given_names(male, rng), "family": family,
        "nickname": names.NICKNAMES[rng.integers(0, len(names.NICKNAMES), people)],
        "mother": mother, "father": father, "guardian": np.where(mother >= 0, mother, father),
    })
    return Population(as_of, places, households, frame)


def split_dates(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (year, month, day) integer arrays of a datetime64 array (any unit)."""
    dates = dates.astype("datetime64[D]")
    months = dates.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (dates - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day
