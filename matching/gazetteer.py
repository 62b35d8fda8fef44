"""Official area codes: geothai's areas indexed by name, and resolution of an address's areas to their codes.

Resolution (:func:`resolve_subdistrict`) finds the 6/4/2-digit codes in this order, stopping at the first step
that decides:

1. **exact**: geothai's ``match`` on the names, narrowed by district, province and postcode together
   (subdistrict names repeat and postcodes span areas, so neither is a key alone); a mistyped postcode is
   retried without it. Several hits mean the address is ambiguous: unresolved.
2. **abolished**: a subdistrict name that DOPA abolished in that district or province (1,503 of them, from old
   records and the 2006 code clean-up) resolves to its one successor from ``geothai.abolished``. With no
   successor or several (แขวงบางนา became บางนาเหนือ and บางนาใต้) it stays unresolved: the fuzzy step would
   otherwise pick a neighbour with a similar name (พระโขนง → พระโขนงเหนือ), which it did for 34 of them.
3. **fuzzy**: rapidfuzz corrects the province among the 77, the district among those of the province and the
   subdistrict among those of the district (or of the province, with a stricter cut-off).
4. **postcode**: the subdistricts sharing the postcode (and province, if known), fuzzily.

A fuzzy pick must score at least the cut-off and beat the runner-up by a margin, or nothing is returned: an
unresolved address is reported, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from matching.names import clean_thai_text

_AREA_PREFIX = re.compile(r"^(?:จังหวัด|กิ่งอำเภอ|อำเภอ|เขต|ตำบล|แขวง|[จอต]\.)")
_MARKS = re.compile(r"[\s.'\-ฯ]")
_POSTCODE = re.compile(r"[1-9]\d{4}")
#: Fuzzy cut-offs (rapidfuzz ratio, 0-100): looser among the few subdistricts of one district than among the
#: ~100 of a province. The best must beat the runner-up by :data:`MARGIN` points.
CUTOFF = {"province": 80, "district": 80, "subdistrict": 75, "wide": 85}
MARGIN = 8


@dataclass(frozen=True, slots=True)
class Resolution:
    """Official codes of a subdistrict and how they were found: ``exact``, ``abolished``, ``fuzzy``, ``postcode``."""

    subdistrict_code: str
    district_code: str
    province_code: str
    method: str


@lru_cache(maxsize=1 << 16)
def area_key(name: str | None) -> str:
    """Reduce an area name to the form names are compared in (geothai's clean-up, plus ``ฯ`` removed)."""
    return _MARKS.sub("", _AREA_PREFIX.sub("", clean_thai_text(name or "").lower().strip()))


class Gazetteer(NamedTuple):
    """geothai's areas indexed by :func:`area_key`; ``""`` as a code marks a name two areas share."""

    provinces: dict[str, str]  # key → province code (with the aliases people write)
    districts: dict[str, dict[str, str]]  # province code → key → district code
    subdistricts: dict[str, dict[str, str]]  # district code → key → subdistrict code
    province_subdistricts: dict[str, dict[str, str]]  # province code → key → subdistrict code or ""
    district_keys: frozenset[str]
    subdistrict_keys: frozenset[str]
    abolished_keys: frozenset[str]  # names of abolished subdistricts


@cache
def gazetteer() -> Gazetteer:
    """Index geothai once (about 0.1 s)."""
    import geothai
    from geothai.abolished import abolished_areas

    provinces = {area_key(p.name_th): p.code for p in geothai.provinces()}
    provinces.update({"กทม": "10", "กรุงเทพ": "10", "อยุธยา": "14"})
    districts = {p.code: {area_key(d.name_th): d.code for d in geothai.districts(p.code)}
                 for p in geothai.provinces()}
    subdistricts = {d: {area_key(s.name_th): s.code for s in geothai.subdistricts(d)}
                    for by_key in districts.values() for d in by_key.values()}
    for code, by_key in districts.items():
        if code != "10":
            by_key["เมือง"] = code + "01"  # "อ.เมือง" is the capital district, always XX01
    in_province: dict[str, dict[str, str]] = {}
    for d, by_key in subdistricts.items():
        target = in_province.setdefault(d[:2], {})
        for key, code in by_key.items():
            target[key] = "" if key in target else code
    abolished = frozenset(area_key(a.name_th) for a in abolished_areas() if a.level == "subdistrict")
    return Gazetteer(provinces, districts, subdistricts, in_province,
                     frozenset(k for by_key in districts.values() for k in by_key),
                     frozenset(k for by_key in subdistricts.values() for k in by_key), abolished)


def is_area(word: str) -> bool:
    """Tell whether a word is exactly the name of some province, district or subdistrict."""
    g, key = gazetteer(), area_key(word)
    return key in g.provinces or key in g.district_keys or key in g.subdistrict_keys


def pick_code(key: str, choices: dict[str, str], cutoff: float) -> str | None:
    """Return the code of ``key`` in ``choices``: exact, else the best fuzzy match if clear; None otherwise.

    Args:
        key: An :func:`area_key`.
        choices: Key → code, ``""`` for a name two areas share.
        cutoff: Lowest acceptable rapidfuzz ratio; the best must also beat a different runner-up by
            :data:`MARGIN` points.
    """
    if key in choices:
        return choices[key] or None
    from rapidfuzz import fuzz, process

    best = process.extract(key, list(choices), scorer=fuzz.ratio, limit=2, score_cutoff=cutoff - MARGIN)
    if not best or best[0][1] < cutoff:
        return None
    if len(best) == 2 and best[0][1] - best[1][1] < MARGIN and choices[best[0][0]] != choices[best[1][0]]:
        return None
    return choices[best[0][0]] or None


def _resolution(code: str, method: str) -> Resolution:
    return Resolution(code, code[:4], code[:2], method)


def _abolished_successor(sub: str, dist: str, prov: str) -> tuple[bool, str | None]:
    """``(is abolished here, its one successor or None)`` for a subdistrict name in a district/province."""
    if sub not in gazetteer().abolished_keys:
        return False, None
    from geothai.abolished import match_abolished

    found = match_abolished(sub, district=dist or None, province=prov or None)
    successors = {code for area in found for code in area.successors}
    return bool(found), (successors.pop() if len(successors) == 1 else None)


@lru_cache(maxsize=1 << 16)
def resolve_subdistrict(
    subdistrict: str | None, district: str | None, province: str | None, postcode: str | None
) -> Resolution | None:
    """Find the official codes of a subdistrict from the names and postcode written with it.

    Args:
        subdistrict: Subdistrict (ตำบล/แขวง) name, labelled or not, possibly misspelt or abolished.
        district: District (อำเภอ/เขต) name, or None.
        province: Province name or a short form (กทม, กรุงเทพฯ), or None.
        postcode: Five-digit postcode, or None.

    Returns:
        The codes with the method that found them (``exact``, ``abolished``, ``fuzzy``, ``postcode``), or None
        when the subdistrict is missing, unknown or could be more than one place.
    """
    import geothai

    sub, dist, prov = area_key(subdistrict), area_key(district), area_key(province)
    postcode = postcode.strip() if postcode and _POSTCODE.fullmatch(postcode.strip()) else None
    if not sub:
        return None
    if dist or prov:
        found = geothai.match(sub, district=dist, province=prov, postal_code=postcode)
        if not found and postcode:  # a mistyped postcode must not hide exact names
            found = geothai.match(sub, district=dist, province=prov)
        if len(found) == 1:
            return _resolution(found[0].subdistrict.code, "exact")
        if found:
            return None
        abolished, successor = _abolished_successor(sub, dist, prov)
        if abolished:
            return _resolution(successor, "abolished") if successor else None
    g = gazetteer()
    prov_code = pick_code(prov, g.provinces, CUTOFF["province"]) if prov else None
    dist_code = pick_code(dist, g.districts[prov_code], CUTOFF["district"]) if prov_code and dist else None
    code = None
    if dist_code:
        code = pick_code(sub, g.subdistricts[dist_code], CUTOFF["subdistrict"])
    elif prov_code:
        code = pick_code(sub, g.province_subdistricts[prov_code], CUTOFF["wide"])
    if code:
        return _resolution(code, "fuzzy")
    if postcode:
        shared: dict[str, str] = {}
        for s in geothai.by_postal_code(postcode):
            if prov_code in (None, s.province_code):
                key = area_key(s.name_th)
                shared[key] = "" if key in shared else s.code
        code = pick_code(sub, shared, CUTOFF["subdistrict"])
        if code:
            return _resolution(code, "postcode")
    return None
