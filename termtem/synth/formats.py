"""How agencies write dates and addresses: the layouts differ by agency, and that is part of the test.

Dates are built from lookup tables of pre-formatted numbers so a million rows need a few array additions.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

#: Thai month abbreviations, index 1-12.
THAI_MONTHS = np.array(
    ["", "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."],
    dtype=object,
)

_PLAIN = np.array([str(i) for i in range(3200)], dtype=object)
_TWO = np.array([f"{i:02d}" for i in range(100)], dtype=object)

DateLayout = Literal["dd/mm/yyyy", "d/m/yyyy", "d/m/yy", "yyyy-mm-dd", "yyyymmdd", "d mon yyyy"]


def date_text(layout: DateLayout, year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Write dates in one layout; ``year`` is already in the era the agency writes (BE or CE)."""
    if layout == "dd/mm/yyyy":
        return _TWO[day] + "/" + _TWO[month] + "/" + _PLAIN[year]
    if layout == "d/m/yyyy":
        return _PLAIN[day] + "/" + _PLAIN[month] + "/" + _PLAIN[year]
    if layout == "d/m/yy":
        return _PLAIN[day] + "/" + _PLAIN[month] + "/" + _TWO[year % 100]
    if layout == "yyyy-mm-dd":
        return _PLAIN[year] + "-" + _TWO[month] + "-" + _TWO[day]
    if layout == "yyyymmdd":
        return _PLAIN[year] + _TWO[month] + _TWO[day]
    return _PLAIN[day] + " " + THAI_MONTHS[month] + " " + _PLAIN[year]


def area_fields(subdistrict: np.ndarray, district: np.ndarray, province: np.ndarray, bangkok: np.ndarray,
                abbreviated: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Subdistrict, district and province cells, with ต./อ./จ. (Bangkok: แขวง, เขต…, กทม.) where abbreviated.

    geothai already writes Bangkok districts as "เขต…", so only the other districts get a prefix.
    """
    sub = np.where(abbreviated, np.where(bangkok, "แขวง", "ต.") + subdistrict, subdistrict)
    dist = np.where(abbreviated & ~bangkok, "อ." + district, district)
    prov = np.where(abbreviated, np.where(bangkok, "กทม.", "จ." + province), province)
    return sub.astype(object), dist.astype(object), prov.astype(object)


def _line(house_no: str, moo: str, soi: str, road: str, sub: str, dist: str, prov: str, postcode: str,
          bangkok: bool, short: bool, rotate: bool, u: float) -> str:
    if short:
        house = ("บ้านเลขที่ ", "เลขที่ ", "")[min(int(u * 3), 2)] + house_no
        parts = [house, moo and "ม." + moo, soi and "ซ." + soi, road and "ถ." + road,
                 ("แขวง" if bangkok else "ต.") + sub, dist if bangkok else "อ." + dist,
                 "กทม." if bangkok else "จ." + prov, postcode]
    else:
        parts = ["บ้านเลขที่ " + house_no, moo and "หมู่ที่ " + moo, soi and "ซอย" + soi, road and "ถนน" + road,
                 ("แขวง" if bangkok else "ตำบล") + sub, dist if bangkok else "อำเภอ" + dist,
                 "กรุงเทพมหานคร" if bangkok else "จังหวัด" + prov, postcode]
    parts = [part for part in parts if part]
    if rotate:
        # Volunteers often start with the area and end with the house: rotate by at least one part.
        shift = 1 + int(u * (len(parts) - 1))
        parts = parts[shift:] + parts[:shift]
    return " ".join(parts)


def address_text(house_no: np.ndarray, moo: np.ndarray, soi: np.ndarray, road: np.ndarray,
                 subdistrict: np.ndarray, district: np.ndarray, province: np.ndarray, postcode: np.ndarray,
                 bangkok: np.ndarray, abbreviated: np.ndarray, reordered: np.ndarray,
                 draws: np.ndarray) -> np.ndarray:
    """Write whole addresses as one free-text field, full or abbreviated, in order or reordered."""
    columns = (house_no, moo, soi, road, subdistrict, district, province, postcode, bangkok, abbreviated,
               reordered, draws)
    return np.array([_line(*row) for row in zip(*(column.tolist() for column in columns), strict=True)],
                    dtype=object)
