"""An agency's finished rows: field helpers shared by the agencies, and the last step before writing.

:func:`finish` writes Thai digits where drawn, puts the rows into the agency's order and labels each row with
the corruptions it carries, which is what the ground truth records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from termtem.synth import corruptions, formats
from termtem.synth.draft import CORRUPTIONS, Draft
from termtem.synth.population import Population, split_dates

_BE = 543
@dataclass(frozen=True)
class Export:
    """One agency's rows in file order.

    Attributes:
        source: Source name.
        values: Canonical field -> text per row.
        person: Row number in the population's people of the person each row is about.
        corruptions: ';'-joined corruption names per row ('' if none).
        counts: Corruption -> {"applied": rows, "eligible": rows}.
    """

    source: str
    values: dict[str, np.ndarray]
    person: np.ndarray
    corruptions: np.ndarray
    counts: dict[str, dict[str, int]]


def birth(draft: Draft, layout: formats.DateLayout, buddhist: bool,
           swapped_layout: formats.DateLayout | None = None) -> np.ndarray:
    """Birth date text in the agency's era; ``era_swap`` rows get the other era (and layout, if given)."""
    cols, era = draft.cols, draft.mask("era_swap")
    usual = cols["year"] + (_BE if buddhist else 0)
    other = cols["year"] + (0 if buddhist else _BE)
    text = formats.date_text(layout, np.where(era, other, usual), cols["month"], cols["day"])
    if swapped_layout is not None:
        text[era] = formats.date_text(swapped_layout, other[era], cols["month"][era], cols["day"][era])
    return np.where(draft.mask("birth_date_missing"), "", text).astype(object)


def recent(count: int, as_of: dt.date, days: np.ndarray | int, rng: np.random.Generator) -> np.ndarray:
    """Dates up to ``days`` before ``as_of`` (when a row was recorded or last updated)."""
    back = (rng.random(count) * np.maximum(days, 1)).astype(np.int64).astype("timedelta64[D]")
    return np.datetime64(as_of, "D") - back


def date_cells(dates: np.ndarray, layout: formats.DateLayout, buddhist: bool) -> np.ndarray:
    """Write datetime64 dates in an agency's layout and era."""
    year, month, day = split_dates(dates)
    return formats.date_text(layout, year + (_BE if buddhist else 0), month, day)


def areas(draft: Draft, population: Population) -> dict[str, np.ndarray]:
    """Subdistrict, district, province, postcode and Bangkok flag of each row's (possibly stale) address."""
    place, places = draft.cols["place"], population.places
    return {"sub": places.name[place], "dist": places.district[place], "prov": places.province[place],
            "postcode": places.postcode[place], "bangkok": places.bangkok[place]}


def structured(draft: Draft, population: Population, postcode: bool) -> dict[str, np.ndarray]:
    """Address as separate cells, with abbreviated area names where drawn."""
    area, cols = areas(draft, population), draft.cols
    sub, dist, prov = formats.area_fields(area["sub"], area["dist"], area["prov"], area["bangkok"],
                                          draft.mask("address_abbreviated"))
    fields = {"house_no": cols["house_no"], "moo": cols["moo"], "subdistrict": sub, "district": dist,
              "province": prov}
    return fields | ({"postcode": area["postcode"]} if postcode else {})


def free_text(draft: Draft, population: Population, postcode: bool) -> np.ndarray:
    """The whole address in one field, abbreviated and reordered where drawn."""
    area, cols = areas(draft, population), draft.cols
    codes = area["postcode"] if postcode else np.full(len(draft), "", dtype=object)
    return formats.address_text(cols["house_no"], cols["moo"], cols["soi"], cols["road"], area["sub"],
                                area["dist"], area["prov"], codes, area["bangkok"],
                                draft.mask("address_abbreviated"), draft.mask("address_reordered"),
                                draft.rng.random(len(draft)))


def finish(draft: Draft, values: dict[str, np.ndarray], digit_fields: tuple[str, ...], *,
           shuffle: bool = True, numbered: bool = False) -> Export:
    """Write Thai digits where drawn, put the rows in the agency's order and label each row's corruptions.

    Args:
        draft: The corrupted components.
        values: Canonical field -> text per row, in draft order.
        digit_fields: Fields a ``thai_digits`` row writes in Thai digits.
        shuffle: Put the rows in a random order (the agency's own), else keep draft order.
        numbered: Add ``record_key`` as the running row number (1, 2, …) in file order.
    """
    eligible = None
    if "thai_digits" in draft.allowed:
        eligible = np.zeros(len(draft), dtype=bool)
        for name in digit_fields:
            eligible |= pd.Series(values[name], dtype=object).str.contains("[0-9]").to_numpy(bool)
    thai = draft.draw("thai_digits", eligible)
    for name in digit_fields:
        values[name] = values[name].astype(object)
        values[name][thai] = [corruptions.thai_digits(value) for value in values[name][thai]]
    tags = np.full(len(draft), "", dtype=object)
    for name in CORRUPTIONS:
        rows = draft.mask(name)
        tags[rows] += ";" + name
    order = draft.rng.permutation(len(draft)) if shuffle else np.arange(len(draft))
    counts = {name: {"applied": int(draft.applied[name].sum()), "eligible": draft.eligible[name]}
              for name in CORRUPTIONS if name in draft.applied}
    ordered = {name: np.asarray(column, dtype=object)[order] for name, column in values.items()}
    if numbered:
        ordered["record_key"] = np.arange(1, len(draft) + 1).astype(str).astype(object)
    return Export(draft.source, ordered, draft.cols["person"][order],
                  np.array([tag[1:] for tag in tags[order]], dtype=object), counts)


