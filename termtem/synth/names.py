"""Words the generator draws from: PyThaiNLP's name corpora, nicknames, titles and road names.

The name lists are CC-BY-SA-4.0 and large, so they are read from the installed corpus at run time instead of
being copied into the repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

#: Short everyday nicknames (ชื่อเล่น), as volunteers write them in case notes.
NICKNAMES = np.array(
    ["ต้น", "แนน", "บอล", "ฝน", "มิว", "เอ", "บี", "แบงค์", "เบียร์", "ปอ", "ปุ้ย", "นุ่น", "ฟ้า", "น้ำ", "หนึ่ง",
     "ต่าย", "แพร", "พลอย", "ก้อย", "อ้อม", "เก่ง", "เอ็ม", "กอล์ฟ", "ตั้ม", "โอ๊ต", "บอย", "ไอซ์", "มายด์",
     "ข้าวหอม", "ข้าวปั้น", "ปลา", "หมู", "ไก่", "กุ้ง", "แตงโม", "ส้ม", "มะปราง", "ใบเตย", "ออม", "อิ่ม",
     "ภูมิ", "ฟิล์ม", "ปาล์ม", "บีม", "เฟิร์น", "ขวัญ", "จ๋า", "ตูน", "นิว", "โฟกัส", "ปั้น", "น้ำหวาน",
     "ชมพู่", "ต้นกล้า", "ภู", "กาย"],
    dtype=object,
)

#: Road names for addresses that have a ถนน (generic or nationwide roads, not tied to one place).
ROADS = np.array(
    ["สุขุมวิท", "พหลโยธิน", "มิตรภาพ", "เพชรเกษม", "ราชดำเนิน", "ประชาอุทิศ", "เทศบาล 1", "ประชาสามัคคี",
     "โชคชัย", "สุขาภิบาล 2", "ศรีนครินทร์", "รามอินทรา", "ลาดพร้าว", "ประชาราษฎร์", "หน้าเมือง"],
    dtype=object,
)

#: Canonical titles, as the civil registry and the grant roll record them.
BOY, GIRL, MR, MRS, MISS = "ด.ช.", "ด.ญ.", "นาย", "นาง", "นางสาว"

#: How a title may be written when glued to a name: every form a clerk might type.
TITLE_FORMS: dict[str, tuple[str, ...]] = {
    BOY: ("ด.ช.", "เด็กชาย", "ดช."),
    GIRL: ("ด.ญ.", "เด็กหญิง", "ดญ."),
    MR: ("นาย",),
    MRS: ("นาง",),
    MISS: ("นางสาว", "น.ส.", "นส."),
}


@dataclass(frozen=True)
class NameLists:
    """Sorted name lists (sorted so a seed gives the same names whatever the set order)."""

    male: np.ndarray
    female: np.ndarray
    family: np.ndarray


@lru_cache(maxsize=1)
def name_lists() -> NameLists:
    """Load PyThaiNLP's given- and family-name corpora (on first use only)."""
    from pythainlp.corpus import thai_family_names, thai_female_names, thai_male_names

    def as_array(names: frozenset[str]) -> np.ndarray:
        return np.array(sorted(names), dtype=object)

    return NameLists(male=as_array(thai_male_names()), female=as_array(thai_female_names()),
                     family=as_array(thai_family_names()))


def given_names(male: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw a given name for each person from the list for their sex."""
    lists = name_lists()
    return np.where(male, lists.male[rng.integers(0, len(lists.male), len(male))],
                    lists.female[rng.integers(0, len(lists.female), len(male))])


def family_names(count: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``count`` family names."""
    lists = name_lists()
    return lists.family[rng.integers(0, len(lists.family), count)]


def title_variants(titles: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Pick a written form of each canonical title (``draws`` are uniform floats in [0, 1))."""
    out = np.empty(len(titles), dtype=object)
    for title, forms in TITLE_FORMS.items():
        rows = titles == title
        out[rows] = np.array(forms, dtype=object)[(draws[rows] * len(forms)).astype(int)]
    return out
