"""Independent messy canonical rows for the normaliser: a worst case for its per-distinct-value caching.

Unlike the registry generator (``termtem.synth``), where the same people recur across agencies, every row here
is drawn on its own, so nearly every ID, date and address is distinct. Rows come at run time from PyThaiNLP's
name lists (CC-BY-SA-4.0, so not committed) and geothai's areas, in the forms the rules handle: dashed,
Thai-digit and missing IDs, glued titles, BE/CE dates in several layouts, labelled and abbreviated addresses with
a few misspelt subdistricts. Shared by ``tests/test_normalise_frame.py`` and ``python -m bench.normalise``.
"""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd

from matching.citizen_id import compute_check_digit

_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_MONTHS = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")


def _citizen_id(rng: random.Random) -> str:
    first12 = rng.choice("1123456780") + "".join(rng.choice("0123456789") for _ in range(11))
    cid = first12 + str(compute_check_digit(first12))
    style = rng.random()
    if style < 0.3:
        return f"{cid[0]}-{cid[1:5]}-{cid[5:10]}-{cid[10:12]}-{cid[12]}"
    return cid.translate(_THAI) if style < 0.35 else cid


def _birth_date(rng: random.Random) -> str:
    day = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(6000))
    be = day.year + 543
    return rng.choice([
        f"{day.day:02d}/{day.month:02d}/{be}",
        f"{day.day} {_MONTHS[day.month - 1]} {be}",
        day.isoformat(),
        f"{day.day}-{day.month}-{be % 100:02d}",
    ])


def messy_rows(n: int, seed: int = 0) -> pd.DataFrame:
    """Build ``n`` independent canonical rows of realistic, messy registry data.

    Args:
        n: Number of rows.
        seed: Seed of the row generator; the same seed gives the same rows.

    Returns:
        A canonical frame (``source`` "synthetic", ``source_row`` 1..n, text fields) for
        :func:`matching.normalise.normalise_records`.
    """
    import geothai
    from pythainlp.corpus import thai_family_names, thai_female_names, thai_male_names

    rng = random.Random(seed)
    male, female = sorted(thai_male_names()), sorted(thai_female_names())
    family = sorted(thai_family_names())
    areas = [(s, d, p) for p in geothai.provinces() for d in geothai.districts(p.code)
             for s in geothai.subdistricts(d.code)]
    rows = []
    for i in range(n):
        is_male = rng.random() < 0.5
        given, surname = rng.choice(male if is_male else female), rng.choice(family)
        title = rng.choice(["ด.ช.", "เด็กชาย", "นาย"] if is_male else ["ด.ญ.", "เด็กหญิง", "น.ส."])
        s, d, p = rng.choice(areas)
        sub = s.name_th if rng.random() > 0.05 else s.name_th[:-1] + "ง"
        address = f"{rng.randrange(1, 999)}/{rng.randrange(1, 99)} ม.{rng.randrange(1, 20)} ต.{sub} อ.{d.name_th} "
        address += f"จ.{p.name_th} {s.postal_codes[0]}"
        split = rng.random() < 0.5
        rows.append({
            "source": "synthetic", "source_row": i + 1, "record_key": f"R{i}",
            "citizen_id": _citizen_id(rng) if rng.random() > 0.05 else None,
            "full_name": None if split else f"{title}{given} {surname}",
            "given_name": given if split else None, "family_name": surname if split else None,
            "sex": rng.choice(["ช", "ญ", "1", "2", None]), "birth_date": _birth_date(rng),
            "address_text": address, "mother_citizen_id": _citizen_id(rng) if rng.random() < 0.3 else None,
            "triage": rng.choice(["เขียว", "yellow", "แดง", None]), "child_grant": rng.choice(["Y", "N", None]),
            "recorded_on": f"{rng.randrange(1, 28)}/{rng.randrange(1, 13)}/2567",
        })
    return pd.DataFrame(rows)
