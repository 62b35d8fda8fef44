"""Parsing of free-text Thai addresses into their parts (resolution to codes is :mod:`matching.gazetteer`).

Parsing (:func:`parse_thai_address`) reads the labelled parts whatever their order, spelled out or abbreviated,
glued or spaced: บ้านเลขที่/เลขที่, หมู่ที่/หมู่/ม., หมู่บ้าน/มบ., ซอย/ซ./ตรอก, ถนน/ถ., ตำบล/ต./แขวง,
อำเภอ/อ./เขต/กิ่งอำเภอ, จังหวัด/จ., and กทม./กรุงเทพฯ/กรุงเทพมหานคร for Bangkok; a lone letter ม ซ ถ ต อ จ between
spaces is its abbreviation with the dot forgotten. The postcode is the last five-digit number not part of a house
number. A keyword written inside a name (แขวงถนนพญาไท, ต.สามตำบล, ต.จ.ป.ร.) is kept as part of the name; ``กทม.``
with its dot and a เขต followed by a district name are labels even when glued (``แขวงลาดยาวเขตจตุจักรกทม.``).

Words that label nothing are read as province, district and subdistrict when they are exactly the name of one
(checked against geothai, the district within the province found); then, for the parts still missing, when
they are close to a name of the area found so far (a misspelt ``บางพลีใหย่`` before ``บางพลี สมุทรปราการ``).
Such a word is kept as written: :func:`matching.gazetteer.resolve_subdistrict` does the correcting. Anything
else is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from matching.gazetteer import CUTOFF, area_key, gazetteer, is_area, pick_code
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
    r"(?:(?P<bkk>กทม\.|(?<![\u0e01-\u0e4e])(?:กรุงเทพมหานคร|กรุงเทพฯ?|กทม))(?!\s*-)"
    r"|(?P<kw>บ้าน\s*เลขที่|เลขที่|หมู่บ้าน|ม\.\s*บ\.|มบ\.|กิ่งอำเภอ|อำเภอ|จังหวัด|แขวง|ซอย|รหัสไปรษณีย์|ปณ\."
    r"|(?<![\u0e01-\u0e4e])(?:หมู่ที่|หมู่|ตรอก|ถนน|ตำบล|เขต)"
    r"|[มซถตอ]\.|จ\.(?!ป\.ร\.)|(?<!\S)[มซถตอจ](?=\s)))"  # จ.ป.ร. is a subdistrict (Kra Buri, Ranong)
)
_POSTCODE = re.compile(r"(?<![\d/\-])[1-9]\d{4}(?![\d/\-])")
_GLUE = frozenset("0123456789/-")  # "99/10540" is a house number, not a postcode
_AREA_FIELDS = frozenset({"subdistrict", "district", "province"})
_NAME_WORD = re.compile("[\u0e01-\u0e4e]{2,}(?:-[\u0e01-\u0e4e]+)*")  # Thai letters, inner hyphens (แป-ระ)
_HOUSE_NO = re.compile(r"\d+[\u0e01-\u0e2e]?(?:\s*/\s*\d+[\u0e01-\u0e2e]?)*(?:-\d+)?")
_MOO = re.compile(r"\d{1,3}")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_LEADING = re.compile(
    rf"\s*(?:(?:บ้าน\s*)?เลขที่\s*)?(?P<house>{_HOUSE_NO.pattern})[\s,]+(?:(?:หมู่ที่|หมู่|ม\.)\s*(?P<moo>\d{{1,3}})(?:\s|$))?"
)
_HOUSE_PREFIX = re.compile(r"^(?:บ้านเลขที่|เลขที่|no\.?)\s*", re.IGNORECASE)


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
        while keep > 1 and is_area(words[keep - 1]):
            keep -= 1
        parts.setdefault(field, " ".join(words[:keep]))
        pool.extend(words[keep:])
    elif field == "postcode":
        pool.extend(words)
    else:
        head, _, tail = words[0].rpartition("เขต")  # แขวงลาดยาวเขตจตุจักร: เขต glued to a name is a label
        if field == "subdistrict" and head and tail and area_key(tail) in gazetteer().district_keys:
            parts.setdefault("district", tail)
            words[0] = head
        parts.setdefault(field, words[0])
        pool.extend(words[1:])


def _hit(word: str, scope: dict[str, str] | frozenset[str], cutoff: float) -> bool:
    """Tell whether a word names an area of ``scope``: exactly, or (``cutoff`` > 0) fuzzily and clearly."""
    key = area_key(word)
    return key in scope or bool(cutoff and isinstance(scope, dict) and pick_code(key, scope, cutoff))


def _take(parts: dict[str, str], field: str, words: list[str], scope: dict[str, str] | frozenset[str],
          cutoff: float, *, last: bool) -> None:
    """Move the last (or first) word that names an area of ``scope`` from ``words`` into ``parts[field]``."""
    hits = [i for i, word in enumerate(words) if _hit(word, scope, cutoff)]
    if hits:
        parts[field] = words.pop(hits[-1] if last else hits[0])


def _assign_unlabelled(parts: dict[str, str], pool: list[str]) -> None:
    """Read unlabelled words as province (the last such word), district (the last) and subdistrict (the first).

    Exact names first, anywhere in the country; then, for the parts still missing, names close to those of
    the area found so far (the province's districts, the district's subdistricts). No fuzzy step without a
    province: among all 7,436 subdistricts a near miss is too often another place.
    """
    if not pool or len(parts.keys() & _AREA_FIELDS) == 3:
        return
    g = gazetteer()
    words = [word for word in pool if _NAME_WORD.fullmatch(word)]
    for cutoff in (0.0, 1.0):  # 0: exact names only; 1: the fuzzy cut-offs
        if "province" not in parts:
            _take(parts, "province", words, g.provinces, cutoff and CUTOFF["province"], last=True)
        province = pick_code(area_key(parts.get("province")), g.provinces, CUTOFF["province"])
        if not province and cutoff:
            return
        if "district" not in parts:
            scope = g.districts[province] if province else g.district_keys
            _take(parts, "district", words, scope, cutoff and CUTOFF["district"], last=True)
        if "subdistrict" not in parts:
            district = pick_code(area_key(parts.get("district")), g.districts[province], CUTOFF["district"]) \
                if cutoff and "district" in parts else None
            scope, wide = ((g.subdistricts[district], CUTOFF["subdistrict"]) if district else
                           (g.province_subdistricts[province], CUTOFF["wide"]) if province else
                           (g.subdistrict_keys, 0.0))
            _take(parts, "subdistrict", words, scope, cutoff and wide, last=False)
