"""Parsing of free-text Thai addresses and resolution of their areas to official codes.

Parsing (:func:`parse_thai_address`) reads the labelled parts whatever their order, spelled out or abbreviated,
glued or spaced: บ้านเลขที่/เลขที่, หมู่ที่/หมู่/ม., หมู่บ้าน/มบ., ซอย/ซ./ตรอก, ถนน/ถ., ตำบล/ต./แขวง,
อำเภอ/อ./เขต/กิ่งอำเภอ, จังหวัด/จ., and กทม./กรุงเทพฯ/กรุงเทพมหานคร for Bangkok; a lone letter ม ซ ถ ต อ จ between
spaces is its abbreviation with the dot forgotten. The postcode is the last five-digit number not part of a house
number. Words that label nothing are taken as province, district and subdistrict only when they are exactly the
name of one (checked against geothai, the district within the province found); anything else is left out.
A keyword written inside a name (แขวงถนนพญาไท, ต.สามตำบล, ต.จ.ป.ร.) is kept as part of the name.

Resolution (:func:`resolve_subdistrict`) finds the 6/4/2-digit codes: geothai's exact ``match`` first, narrowed
by district, province and postcode together (subdistrict names repeat and postcodes span areas, so neither is a
key alone); then a fuzzy step with rapidfuzz that corrects the province among the 77, the district among those of
the province and the subdistrict among those of the district (or province); last, the subdistricts sharing the
postcode. A fuzzy pick must score at least the cutoff and beat the runner-up by a margin, or nothing is returned:
an unresolved address is reported, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from matching.names import clean_thai_text

_BANGKOK = "กรุงเทพมหานคร"
_FIELD_OF = {"เลขที่": "house_no", "บ้านเลขที่": "house_no", "หมู่บ้าน": "village", "มบ": "village",
             "หมู่": "moo", "หมู่ที่": "moo", "ม": "moo", "ซอย": "soi", "ซ": "soi", "ตรอก": "soi", "ถนน": "road",
             "ถ": "road", "ตำบล": "subdistrict", "ต": "subdistrict", "แขวง": "subdistrict", "อำเภอ": "district",
             "กิ่งอำเภอ": "district", "อ": "district", "เขต": "district", "จังหวัด": "province", "จ": "province",
             "รหัสไปรษณีย์": "postcode", "ปณ": "postcode"}
# Words that also occur inside area names (คลองถนน, สามตำบล, ม่วงหมู่) label only when no Thai letter precedes.
_KEYWORD = re.compile(
    r"(?=[กบเหมอจแซรปตถ])"  # every keyword starts with one of these: a cheap first test at each position
    r"(?:(?<![\u0e01-\u0e4e])(?P<bkk>กรุงเทพมหานคร|กรุงเทพฯ?|กทม\.?)(?!\s*-)"
    r"|(?P<kw>บ้าน\s*เลขที่|เลขที่|หมู่บ้าน|ม\.\s*บ\.|มบ\.|กิ่งอำเภอ|อำเภอ|จังหวัด|แขวง|ซอย|รหัสไปรษณีย์|ปณ\."
    r"|(?<![\u0e01-\u0e4e])(?:หมู่ที่|หมู่|ตรอก|ถนน|ตำบล|เขต)"
    r"|[มซถตอ]\.|จ\.(?!ป\.ร\.)|(?<!\S)[มซถตอจ](?=\s)))"  # จ.ป.ร. is a subdistrict (Kra Buri, Ranong)
)
_POSTCODE = re.compile(r"(?<![\d/\-])[1-9]\d{4}(?![\d/\-])")
_GLUE = frozenset("0123456789/-")  # "99/10540" is a house number, not a postcode
_AREA_FIELDS = frozenset({"subdistrict", "district", "province"})
_HOUSE_NO = re.compile(r"\d+[\u0e01-\u0e2e]?(?:\s*/\s*\d+[\u0e01-\u0e2e]?)*(?:-\d+)?")
_MOO = re.compile(r"\d{1,3}")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_LEADING = re.compile(
    rf"\s*(?:(?:บ้าน\s*)?เลขที่\s*)?(?P<house>{_HOUSE_NO.pattern})[\s,]+(?:(?:หมู่ที่|หมู่|ม\.)\s*(?P<moo>\d{{1,3}})(?:\s|$))?"
)
_HOUSE_PREFIX = re.compile(r"^(?:บ้านเลขที่|เลขที่|no\.?)\s*", re.IGNORECASE)
_AREA_PREFIX = re.compile(r"^(?:จังหวัด|กิ่งอำเภอ|อำเภอ|เขต|ตำบล|แขวง|[จอต]\.)")
_MARKS = re.compile(r"[\s.'\-ฯ]")
# Fuzzy cut-offs (rapidfuzz ratio, 0-100): looser among the few subdistricts of one district than among the ~100
# of a province. The best must beat the runner-up by _MARGIN points.
_CUTOFF = {"province": 80, "district": 80, "subdistrict": 75, "wide": 85}
_MARGIN = 8


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """The parts of an address; each is None when the text did not give it."""

    house_no: str | None = None
    moo: str | None = None
    village: str | None = None
    soi: str | None = None
    road: str | None = None
    subdistrict: str | None = None
    district: str | None = None
    province: str | None = None
    postcode: str | None = None


@dataclass(frozen=True, slots=True)
class Resolution:
    """Official codes of a subdistrict and how they were found: ``exact``, ``fuzzy`` or ``postcode``."""

    subdistrict_code: str
    district_code: str
    province_code: str
    method: str


@lru_cache(maxsize=1 << 16)
def area_key(name: str | None) -> str:
    """Reduce an area name to the form names are compared in (geothai's clean-up, plus ``ฯ`` removed)."""
    return _MARKS.sub("", _AREA_PREFIX.sub("", clean_thai_text(name or "").lower().strip()))


class _Gazetteer(NamedTuple):
    """geothai's areas indexed by :func:`area_key`; ``""`` as a code marks a name two areas share."""

    provinces: dict[str, str]  # key → province code (with the aliases people write)
    districts: dict[str, dict[str, str]]  # province code → key → district code
    subdistricts: dict[str, dict[str, str]]  # district code → key → subdistrict code
    province_subdistricts: dict[str, dict[str, str]]  # province code → key → subdistrict code or ""
    district_keys: frozenset[str]
    subdistrict_keys: frozenset[str]


@cache
def _gazetteer() -> _Gazetteer:
    """Index geothai once (about 0.1 s)."""
    import geothai

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
    return _Gazetteer(provinces, districts, subdistricts, in_province,
                      frozenset(k for by_key in districts.values() for k in by_key),
                      frozenset(k for by_key in subdistricts.values() for k in by_key))


def clean_house_no(text: str | None) -> str | None:
    """Clean a house number: no บ้านเลขที่/เลขที่ label, no spaces around ``/``; None when empty."""
    cleaned = _HOUSE_PREFIX.sub("", clean_thai_text(text or "")).replace(" / ", "/").strip(" ,;:")
    return cleaned or None


def clean_moo(text: str | None) -> str | None:
    """Return the village number as plain digits without leading zeros (``"หมู่ที่ 04"`` → ``"4"``), or None."""
    m = _MOO.search(clean_thai_text(text or ""))
    return str(int(m.group())) if m else None


def parse_thai_address(text: str) -> ParsedAddress:
    """Parse a free-text address into its parts (rules in the module docstring).

    A leading house number (and the village number right after it) is read off first and the rest is cleaned
    and parsed once per distinct rest: those numbers make almost every address unique, the rest repeats.

    Args:
        text: The address as written, e.g. ``"99/1 ม.4 ต.บางพลีใหญ่ อ.บางพลี จ.สมุทรปราการ 10540"``.

    Returns:
        The parts found; area names are as written, without their labels.
    """
    lead = _LEADING.match(text)  # \d and \s also match Thai digits and NBSP, so raw text will do
    if lead:
        rest = _parse(text[lead.end():])
        if rest.house_no is None and (rest.moo is None or lead["moo"] is None):
            moo = str(int(lead["moo"])) if lead["moo"] else rest.moo
            house = lead["house"].translate(_THAI_DIGITS).replace(" ", "")
            return ParsedAddress(house, moo, rest.village, rest.soi, rest.road, rest.subdistrict, rest.district,
                                 rest.province, rest.postcode)
    return _parse(text)


@lru_cache(maxsize=1 << 16)
def _parse(text: str) -> ParsedAddress:
    """Clean and parse address text."""
    text, postcode = _take_postcode(clean_thai_text(text))
    parts: dict[str, str] = {}
    pool: list[str] = []
    matches = list(_KEYWORD.finditer(text))
    ends = [m.start() for m in matches[1:]] + [len(text)]
    field, value = "house_no", text[: matches[0].start()] if matches else text
    for m, end in zip(matches, ends, strict=False):
        if m["bkk"]:
            _store(parts, pool, field, value)
            parts.setdefault("province", _BANGKOK)
            field, value = "postcode", text[m.end(): end]
        elif value.strip() or field in ("house_no", "postcode"):
            _store(parts, pool, field, value)
            field, value = _FIELD_OF[m["kw"].replace(".", "").replace(" ", "")], text[m.end(): end]
        else:  # a keyword right after a label is part of the name (แขวงถนนพญาไท)
            value = text[m.start(): end]
    _store(parts, pool, field, value)
    if "house_no" not in parts and pool and _HOUSE_NO.fullmatch(pool[0]):  # written after the areas
        parts["house_no"] = pool.pop(0)
    _assign_unlabelled(parts, pool)
    return ParsedAddress(postcode=postcode, **parts)


def _take_postcode(text: str) -> tuple[str, str | None]:
    """Remove the postcode (the last five-digit number not part of a house number) from the text."""
    tail = text[-5:]
    if len(tail) == 5 and tail.isascii() and tail.isdigit() and tail[0] != "0" and text[-6:-5] not in _GLUE:
        return text[:-5], tail  # the usual place, checked without scanning the text
    codes = list(_POSTCODE.finditer(text))
    if not codes:
        return text, None
    return text[: codes[-1].start()] + " " + text[codes[-1].end():], codes[-1].group()


def _store(parts: dict[str, str], pool: list[str], field: str, value: str) -> None:
    """Keep the value of one labelled part; words that cannot belong to it go to the unlabelled pool."""
    words = value.strip(" ,;:").split()
    if not words:
        return
    if field == "house_no":
        house = _HOUSE_NO.match(" ".join(words))
        if house and "house_no" not in parts:
            parts["house_no"] = house.group().replace(" ", "")
            words = " ".join(words)[house.end():].split()
        pool.extend(words)
    elif field == "moo":
        if words[0].isdigit():
            parts.setdefault("moo", str(int(words[0])))
        pool.extend(words[1:])
    elif field in ("village", "soi", "road"):
        keep = len(words)
        while keep > 1 and _is_area(words[keep - 1]):
            keep -= 1
        parts.setdefault(field, " ".join(words[:keep]))
        pool.extend(words[keep:])
    elif field == "postcode":
        pool.extend(words)
    else:
        parts.setdefault(field, words[0])
        pool.extend(words[1:])


def _is_area(word: str) -> bool:
    """Tell whether a word is exactly the name of some province, district or subdistrict."""
    g, key = _gazetteer(), area_key(word)
    return key in g.provinces or key in g.district_keys or key in g.subdistrict_keys


def _assign_unlabelled(parts: dict[str, str], pool: list[str]) -> None:
    """Read unlabelled words as province (the last such word), district (the last) and subdistrict (the first)."""
    if not pool or len(parts.keys() & _AREA_FIELDS) == 3:
        return
    g = _gazetteer()
    words = [w for w in pool if _is_area(w)]
    if "province" not in parts:
        hits = [i for i, w in enumerate(words) if area_key(w) in g.provinces]
        if hits:
            parts["province"] = words.pop(hits[-1])
    province = g.provinces.get(area_key(parts.get("province")))
    if "district" not in parts:
        scope = g.districts[province] if province else g.district_keys
        hits = [i for i, w in enumerate(words) if area_key(w) in scope]
        if hits:
            parts["district"] = words.pop(hits[-1])
    if "subdistrict" not in parts:
        scope = g.province_subdistricts[province] if province else g.subdistrict_keys
        first = next((w for w in words if area_key(w) in scope), None)
        if first:
            parts["subdistrict"] = first


def _pick(key: str, choices: dict[str, str], cutoff: float) -> str | None:
    """Return the code of ``key`` in ``choices``: exact, else the best fuzzy match if clear; ``""`` = ambiguous."""
    if key in choices:
        return choices[key] or None
    from rapidfuzz import fuzz, process

    best = process.extract(key, list(choices), scorer=fuzz.ratio, limit=2, score_cutoff=cutoff - _MARGIN)
    if not best or best[0][1] < cutoff:
        return None
    if len(best) == 2 and best[0][1] - best[1][1] < _MARGIN and choices[best[0][0]] != choices[best[1][0]]:
        return None
    return choices[best[0][0]] or None


def _resolution(code: str, method: str) -> Resolution:
    return Resolution(code, code[:4], code[:2], method)


@lru_cache(maxsize=1 << 16)
def resolve_subdistrict(
    subdistrict: str | None, district: str | None, province: str | None, postcode: str | None
) -> Resolution | None:
    """Find the official codes of a subdistrict from the names and postcode written with it.

    Args:
        subdistrict: Subdistrict (ตำบล/แขวง) name, labelled or not, possibly misspelt.
        district: District (อำเภอ/เขต) name, or None.
        province: Province name or a short form (กทม, กรุงเทพฯ), or None.
        postcode: Five-digit postcode, or None.

    Returns:
        The codes with the method that found them (``exact``, ``fuzzy``, ``postcode``), or None when the
        subdistrict is missing, unknown or could be more than one place.
    """
    import geothai

    sub, dist, prov = area_key(subdistrict), area_key(district), area_key(province)
    postcode = postcode if postcode and _POSTCODE.fullmatch(postcode.strip()) else None
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
    g = _gazetteer()
    prov_code = _pick(prov, g.provinces, _CUTOFF["province"]) if prov else None
    dist_code = _pick(dist, g.districts[prov_code], _CUTOFF["district"]) if prov_code and dist else None
    code = None
    if dist_code:
        code = _pick(sub, g.subdistricts[dist_code], _CUTOFF["subdistrict"])
    elif prov_code:
        code = _pick(sub, g.province_subdistricts[prov_code], _CUTOFF["wide"])
    if code:
        return _resolution(code, "fuzzy")
    if postcode:
        shared: dict[str, str] = {}
        for s in geothai.by_postal_code(postcode.strip()):
            if prov_code in (None, s.province_code):
                key = area_key(s.name_th)
                shared[key] = "" if key in shared else s.code
        code = _pick(sub, shared, _CUTOFF["subdistrict"])
        if code:
            return _resolution(code, "postcode")
    return None
