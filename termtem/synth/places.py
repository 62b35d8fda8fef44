"""Real places from geothai: the subdistricts the synthetic households live in.

Households cluster in a subset of provinces, a few districts in each and some subdistricts in those, so name
collisions inside a subdistrict and repeated subdistrict names across the country happen as in real data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Bangkok's province code: its areas are แขวง/เขต, not ตำบล/อำเภอ, and its households have no หมู่.
BANGKOK = "10"

#: Provinces with many migrant workers and stateless people (Bangkok, border and fishing provinces).
MIGRANT_PROVINCES = frozenset({"10", "50", "57", "58", "63", "71", "74", "85"})

#: Households per subdistrict the generator aims at, and the bounds on how many subdistricts it uses.
_HOUSEHOLDS_PER_SUBDISTRICT = 150
_MIN_SUBDISTRICTS, _MAX_SUBDISTRICTS = 12, 2500


@dataclass(frozen=True)
class Places:
    """The chosen subdistricts, one array entry each (object arrays of text unless noted).

    Attributes:
        code: 6-digit subdistrict code.
        name: Subdistrict name (ตำบล / แขวง).
        district_code: 4-digit district code.
        district: District name as geothai stores it (Bangkok's with the "เขต" prefix).
        province_code: 2-digit province code.
        province: Province name.
        postcode: A postcode of the subdistrict.
        bangkok: True for Bangkok subdistricts (bool array).
        migrant_weight: Relative likelihood of migrant or stateless households (float array).
        weight: Share of households living there (float array summing to 1).
    """

    code: np.ndarray
    name: np.ndarray
    district_code: np.ndarray
    district: np.ndarray
    province_code: np.ndarray
    province: np.ndarray
    postcode: np.ndarray
    bangkok: np.ndarray
    migrant_weight: np.ndarray
    weight: np.ndarray


def choose_places(households: int, rng: np.random.Generator) -> Places:
    """Pick provinces (Bangkok always), a few districts in each and subdistricts in those.

    The number of subdistricts grows with the population so that each holds about 150 households, and the
    province count with its square root, so a larger sample spreads wider as well as denser. Subdistricts get
    uneven (log-normal) shares of the households, as real ones do.
    """
    import geothai

    wanted = int(np.clip(households // _HOUSEHOLDS_PER_SUBDISTRICT, _MIN_SUBDISTRICTS, _MAX_SUBDISTRICTS))
    provinces = sorted(geothai.provinces(), key=lambda province: province.code)
    others = [province for province in provinces if province.code != BANGKOK]
    count = int(np.clip(round(math.sqrt(wanted)), 3, len(provinces)))
    picked = [next(province for province in provinces if province.code == BANGKOK)]
    picked += [others[i] for i in sorted(rng.choice(len(others), size=count - 1, replace=False))]

    rows: list[tuple] = []
    per_province = max(2, wanted // count)
    for province in picked:
        # Bangkok holds about 8% of registered people; other provinces get an equal number of subdistricts.
        target = max(per_province, wanted // 12) if province.code == BANGKOK else per_province
        districts = sorted(geothai.districts(province.code), key=lambda district: district.code)
        size = min(len(districts), max(1, math.ceil(target / 4)))
        chosen = rng.choice(len(districts), size=size, replace=False)
        pool = [(district, sub) for i in sorted(chosen) for district in [districts[i]]
                for sub in sorted(geothai.subdistricts(district.code), key=lambda sub: sub.code)]
        for i in sorted(rng.choice(len(pool), size=min(len(pool), target), replace=False)):
            district, sub = pool[i]
            postcode = sub.postal_codes[int(rng.integers(len(sub.postal_codes)))] if sub.postal_codes else ""
            rows.append((sub.code, sub.name_th, district.code, district.name_th, province.code,
                         province.name_th, postcode))

    columns = [np.array(values, dtype=object) for values in zip(*rows, strict=True)]
    bangkok = columns[4] == BANGKOK
    migrant = np.isin(columns[4], sorted(MIGRANT_PROVINCES))
    weight = rng.lognormal(0.0, 0.5, len(rows))
    return Places(*columns, bangkok=bangkok, migrant_weight=np.where(migrant, 4.0, 1.0),
                  weight=weight / weight.sum())
