"""The table of Thai and English name titles and ranks that :mod:`matching.names` strips.

PyThaiNLP has no title list, so termtem keeps its own. Each entry is ``(canonical, sex hint, written forms)``.
The canonical form is the usual abbreviation (``ด.ช.``, ``ร.ต.อ.``) so that one title has one spelling whatever
the source wrote. The sex hint is ``"M"``, ``"F"`` or None where the title is held by both sexes (ranks,
academic titles); a rank followed by ``หญิง`` (``ร.ต.อ.หญิง``) is a woman's.

How forms are matched (see :func:`matching.names.strip_title`):

* a form with dots is an abbreviation. With its final dot it may be glued to the name and its inner dots are
  optional (``ด.ช.สมชาย``, ``ดช.สมชาย``, ``ร. ต. อ.สมชาย``). Without the final dot it needs all inner dots and a
  space after it (``ร.ต.อ สมชาย``); a wholly dotless form is never read (``นพ``, ``รอ`` and ``พอ`` are words);
* a full word may be glued too (``นายสมชาย``), except the words in :data:`NEEDS_SPACE`, which begin real given
  names in PyThaiNLP's name lists (คุณากร, ดรุณี);
* Latin forms (``Mr``, ``Miss``) need a dot or a space after them and ignore case.
"""

from __future__ import annotations

from typing import Final

Title = tuple[str, str | None, tuple[str, ...]]

CIVIL: Final[tuple[Title, ...]] = (
    ("นาย", "M", ("นาย", "mr.", "mr", "mister")),
    ("นาง", "F", ("นาง", "mrs.", "mrs")),
    ("น.ส.", "F", ("นางสาว", "น.ส.", "miss", "ms.", "ms")),
    ("ด.ช.", "M", ("เด็กชาย", "ด.ช.", "master")),
    ("ด.ญ.", "F", ("เด็กหญิง", "ด.ญ.")),
    ("คุณ", None, ("คุณ",)),
    ("คุณหญิง", "F", ("คุณหญิง",)),
    ("ท่านผู้หญิง", "F", ("ท่านผู้หญิง",)),
    ("ม.จ.", None, ("หม่อมเจ้า", "ม.จ.")),
    ("ม.ร.ว.", None, ("หม่อมราชวงศ์", "ม.ร.ว.")),
    ("ม.ล.", None, ("หม่อมหลวง", "ม.ล.")),
    ("ว่าที่", None, ("ว่าที่",)),  # "acting", stacked before a rank: ว่าที่ ร.ต.
)

ACADEMIC: Final[tuple[Title, ...]] = (
    ("ศ.", None, ("ศาสตราจารย์", "ศ.", "prof.")),
    ("รศ.", None, ("รองศาสตราจารย์", "รศ.", "ร.ศ.", "assoc. prof.")),
    ("ผศ.", None, ("ผู้ช่วยศาสตราจารย์", "ผศ.", "ผ.ศ.", "asst. prof.")),
    ("ดร.", None, ("ดอกเตอร์", "ด็อกเตอร์", "ดร.", "dr.", "dr")),
    ("นพ.", "M", ("นายแพทย์", "นพ.")),
    ("พญ.", "F", ("แพทย์หญิง", "พญ.")),
    ("ทพ.", "M", ("ทันตแพทย์", "ทพ.")),
    ("ทพญ.", "F", ("ทันตแพทย์หญิง", "ทพญ.")),
    ("ภก.", "M", ("เภสัชกร", "ภก.")),
    ("ภญ.", "F", ("เภสัชกรหญิง", "ภญ.")),
)

MONASTIC: Final[tuple[Title, ...]] = (
    ("พระ", "M", ("พระ", "พระภิกษุ", "ภิกษุ")),
    ("พระครู", "M", ("พระครู",)),
    ("พระมหา", "M", ("พระมหา",)),
    ("พระอธิการ", "M", ("พระอธิการ",)),
    ("พระปลัด", "M", ("พระปลัด",)),
    ("พระสมุห์", "M", ("พระสมุห์",)),
    ("พระใบฎีกา", "M", ("พระใบฎีกา",)),
    ("สามเณร", "M", ("สามเณร", "ส.ณ.", "เณร")),
    ("แม่ชี", "F", ("แม่ชี",)),
)

#: Military and police ranks. Army, navy and air-force ranks that share an abbreviation share the entry.
RANKS: Final[tuple[Title, ...]] = (
    ("พล.อ.", None, ("พลเอก", "พล.อ.")),
    ("พล.ท.", None, ("พลโท", "พล.ท.")),
    ("พล.ต.", None, ("พลตรี", "พล.ต.")),
    ("พ.อ.", None, ("พันเอก", "พ.อ.")),
    ("พ.ท.", None, ("พันโท", "พ.ท.")),
    ("พ.ต.", None, ("พันตรี", "พ.ต.")),
    ("ร.อ.", None, ("ร้อยเอก", "เรือเอก", "เรืออากาศเอก", "ร.อ.")),
    ("ร.ท.", None, ("ร้อยโท", "เรือโท", "เรืออากาศโท", "ร.ท.")),
    ("ร.ต.", None, ("ร้อยตรี", "เรือตรี", "เรืออากาศตรี", "ร.ต.")),
    ("จ.ส.อ.", None, ("จ่าสิบเอก", "จ.ส.อ.")),
    ("จ.ส.ท.", None, ("จ่าสิบโท", "จ.ส.ท.")),
    ("จ.ส.ต.", None, ("จ่าสิบตรี", "จ่าสิบตำรวจ", "จ.ส.ต.")),
    ("ส.อ.", None, ("สิบเอก", "ส.อ.")),
    ("ส.ท.", None, ("สิบโท", "ส.ท.")),
    ("ส.ต.", None, ("สิบตรี", "ส.ต.")),
    ("พลฯ", None, ("พลทหาร", "พลฯ")),
    ("พล.ร.อ.", None, ("พลเรือเอก", "พล.ร.อ.")),
    ("พล.ร.ท.", None, ("พลเรือโท", "พล.ร.ท.")),
    ("พล.ร.ต.", None, ("พลเรือตรี", "พล.ร.ต.")),
    ("น.อ.", None, ("นาวาเอก", "นาวาอากาศเอก", "น.อ.")),
    ("น.ท.", None, ("นาวาโท", "นาวาอากาศโท", "น.ท.")),
    ("น.ต.", None, ("นาวาตรี", "นาวาอากาศตรี", "น.ต.")),
    ("พ.จ.อ.", None, ("พันจ่าเอก", "พ.จ.อ.")),
    ("พ.จ.ท.", None, ("พันจ่าโท", "พ.จ.ท.")),
    ("พ.จ.ต.", None, ("พันจ่าตรี", "พ.จ.ต.")),
    ("จ.อ.", None, ("จ่าเอก", "จ่าอากาศเอก", "จ.อ.")),
    ("จ.ท.", None, ("จ่าโท", "จ่าอากาศโท", "จ.ท.")),
    ("จ.ต.", None, ("จ่าตรี", "จ่าอากาศตรี", "จ.ต.")),
    ("พล.อ.อ.", None, ("พลอากาศเอก", "พล.อ.อ.")),
    ("พล.อ.ท.", None, ("พลอากาศโท", "พล.อ.ท.")),
    ("พล.อ.ต.", None, ("พลอากาศตรี", "พล.อ.ต.")),
    ("พ.อ.อ.", None, ("พันจ่าอากาศเอก", "พ.อ.อ.")),
    ("พ.อ.ท.", None, ("พันจ่าอากาศโท", "พ.อ.ท.")),
    ("พ.อ.ต.", None, ("พันจ่าอากาศตรี", "พ.อ.ต.")),
    ("พล.ต.อ.", None, ("พลตำรวจเอก", "พล.ต.อ.")),
    ("พล.ต.ท.", None, ("พลตำรวจโท", "พล.ต.ท.")),
    ("พล.ต.ต.", None, ("พลตำรวจตรี", "พล.ต.ต.")),
    ("พ.ต.อ.", None, ("พันตำรวจเอก", "พ.ต.อ.")),
    ("พ.ต.ท.", None, ("พันตำรวจโท", "พ.ต.ท.")),
    ("พ.ต.ต.", None, ("พันตำรวจตรี", "พ.ต.ต.")),
    ("ร.ต.อ.", None, ("ร้อยตำรวจเอก", "ร.ต.อ.")),
    ("ร.ต.ท.", None, ("ร้อยตำรวจโท", "ร.ต.ท.")),
    ("ร.ต.ต.", None, ("ร้อยตำรวจตรี", "ร.ต.ต.")),
    ("ด.ต.", None, ("ดาบตำรวจ", "ด.ต.")),
    ("ส.ต.อ.", None, ("สิบตำรวจเอก", "ส.ต.อ.")),
    ("ส.ต.ท.", None, ("สิบตำรวจโท", "ส.ต.ท.")),
    ("ส.ต.ต.", None, ("สิบตำรวจตรี", "ส.ต.ต.")),
    ("พลตำรวจ", None, ("พลตำรวจ", "พลต.")),
)

#: Every title, for building the matcher.
ALL_TITLES: Final[tuple[Title, ...]] = CIVIL + ACADEMIC + MONASTIC + RANKS

#: Full words that also begin real given names, so they are stripped only when a space follows.
NEEDS_SPACE: Final[frozenset[str]] = frozenset({"คุณ", "ภิกษุ", "เณร"})

#: Everyday titles: one of them is the whole title, so nothing after it is stripped (``ด.ช.นาย`` keeps the given
#: name นาย, which PyThaiNLP's list has), and it is never stripped after another title.
PERSONAL: Final[frozenset[str]] = frozenset({"นาย", "นาง", "น.ส.", "ด.ช.", "ด.ญ."})

#: Canonical forms that may take the ``หญิง`` suffix of a woman officer.
FEMININE_SUFFIX_OK: Final[frozenset[str]] = frozenset(canonical for canonical, _, _ in RANKS)
