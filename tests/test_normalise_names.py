"""Thai text clean-up, title and rank stripping, name splitting and phonetic keys.

``.venv/bin/python -m tests.test_normalise_names`` prints the phonetic-engine measurement quoted in
:mod:`matching.names` on PyThaiNLP's full name lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from matching.names import (
    clean_thai_text,
    is_swapped_name,
    normalise_thai_name,
    phonetic_key,
    split_full_name,
    strip_title,
    title_sex,
)


@pytest.mark.parametrize(
    ("written", "title", "rest"),
    [
        ("นายสมชาย ใจดี", "นาย", "สมชาย ใจดี"),
        ("นาย สมชาย ใจดี", "นาย", "สมชาย ใจดี"),
        ("นางสาวสมหญิง รักไทย", "น.ส.", "สมหญิง รักไทย"),
        ("น.ส.สมหญิง", "น.ส.", "สมหญิง"),
        ("นส.สมหญิง", "น.ส.", "สมหญิง"),
        ("นางมาลี", "นาง", "มาลี"),
        ("เด็กชายก้องภพ", "ด.ช.", "ก้องภพ"),
        ("ด.ช.ก้องภพ", "ด.ช.", "ก้องภพ"),
        ("ด.ช ก้องภพ", "ด.ช.", "ก้องภพ"),
        ("ดช.ก้องภพ", "ด.ช.", "ก้องภพ"),
        ("ด. ญ. ปิยะดา", "ด.ญ.", "ปิยะดา"),
        ("เด็กหญิงปิยะดา", "ด.ญ.", "ปิยะดา"),
        ("Mr. John Smith", "นาย", "John Smith"),
        ("MISS Aye Aye", "น.ส.", "Aye Aye"),
        ("Ms Nwe", "น.ส.", "Nwe"),
    ],
)
def test_civil_titles_glued_or_spaced(written: str, title: str, rest: str) -> None:
    assert strip_title(written) == (title, rest)


@pytest.mark.parametrize(
    ("written", "title"),
    [
        ("ร.ต.อ.สมศักดิ์", "ร.ต.อ."),
        ("ร้อยตำรวจเอกสมศักดิ์", "ร.ต.อ."),
        ("ร.ต.อ สมศักดิ์", "ร.ต.อ."),
        ("พ.ต.ท. สมศักดิ์", "พ.ต.ท."),
        ("พ.ต.สมศักดิ์", "พ.ต."),
        ("จ.ส.อ.สมศักดิ์", "จ.ส.อ."),
        ("ส.ต.ต.สมศักดิ์", "ส.ต.ต."),
        ("พล.ต.อ.สมศักดิ์", "พล.ต.อ."),
        ("พลตำรวจเอกสมศักดิ์", "พล.ต.อ."),
        ("เรือเอกสมศักดิ์", "ร.อ."),
        ("ว่าที่ร้อยตรีสมศักดิ์", "ว่าที่ ร.ต."),
        ("ว่าที่ ร.ต. สมศักดิ์", "ว่าที่ ร.ต."),
        ("รศ.ดร.สมศักดิ์", "รศ. ดร."),
        ("ผศ. สมศักดิ์", "ผศ."),
        ("นพ.สมศักดิ์", "นพ."),
        ("พระครูสมศักดิ์", "พระครู"),
        ("พระมหาสมศักดิ์", "พระมหา"),
        ("พระสมศักดิ์", "พระ"),
        ("สามเณรสมศักดิ์", "สามเณร"),
    ],
)
def test_ranks_academic_and_monastic_titles(written: str, title: str) -> None:
    assert strip_title(written) == (title, "สมศักดิ์")


def test_woman_officer_rank_carries_the_sex() -> None:
    assert strip_title("ร.ต.อ.หญิงสมศรี") == ("ร.ต.อ.หญิง", "สมศรี")
    assert title_sex("ร.ต.อ.หญิง") == "F"
    assert title_sex("ร.ต.อ.") is None


@pytest.mark.parametrize(
    ("title", "sex"),
    [("นาย", "M"), ("ด.ช.", "M"), ("พระครู", "M"), ("นาง", "F"), ("น.ส.", "F"), ("ด.ญ.", "F"), ("แม่ชี", "F"),
     ("ดร.", None), ("ว่าที่ ร.ต.", None), (None, None)],
)
def test_title_sex_hint(title: str | None, sex: str | None) -> None:
    assert title_sex(title) == sex


@pytest.mark.parametrize("name", ["นพ สมชาย", "คุณากร", "ดรุณี", "พอใจ", "ศรีสุข", "นงลักษณ์"])
def test_words_that_only_look_like_titles_are_kept(name: str) -> None:
    assert strip_title(name) == (None, name)


def test_invisible_characters_nbsp_and_bom_are_removed() -> None:
    assert clean_thai_text("\ufeffสม\u200bชาย\u200d\u00a0ใจ\u200cดี\u2060") == "สมชาย ใจดี"
    assert clean_thai_text("สม\x00ชาย\t\r\n  ใจดี\x07") == "สมชาย ใจดี"


@pytest.mark.parametrize(
    ("pdf_text", "fixed"),
    [("ส าราญ", "สำราญ"), ("ค าม่วง", "คำม่วง"), ("น ้ าผึ้ง", "น้ำผึ้ง"), ("สํารวย", "สำรวย"), ("ก ําไร", "กำไร")],
)
def test_sara_am_split_by_pdf_extraction_is_repaired(pdf_text: str, fixed: str) -> None:
    assert clean_thai_text(pdf_text) == fixed


def test_pythainlp_normalisation_of_vowel_order_and_doubles() -> None:
    assert clean_thai_text("เเสงดาว") == "แสงดาว"  # two Sara E typed for Sara Ae
    assert clean_thai_text("นานาาา") == "นานา"


def test_thai_digits_become_ascii() -> None:
    assert clean_thai_text("บ้านเลขที่ ๑๒/๓") == "บ้านเลขที่ 12/3"


def test_name_clean_up_drops_punctuation_and_lowers_latin() -> None:
    assert normalise_thai_name("  สมชาย!! ") == "สมชาย"
    assert normalise_thai_name("'สม-ชาย'") == "สม ชาย"
    assert normalise_thai_name("AUNG  San") == "aung san"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("นายสมชาย ใจดี", ("นาย", "สมชาย", "ใจดี")),
        ("นางสาวสมหญิง  ชุมสาย ณ อยุธยา", ("น.ส.", "สมหญิง", "ชุมสาย ณ อยุธยา")),
        ("ม.ร.ว.สุขุมพันธุ์ บริพัตร", ("ม.ร.ว.", "สุขุมพันธุ์", "บริพัตร")),
        ("ด.ญ.มะลิ ณ เชียงใหม่", ("ด.ญ.", "มะลิ", "ณ เชียงใหม่")),
        ("สมชาย (ต้น) ใจดี", (None, "สมชาย", "ใจดี")),
        ("สมชาย", (None, "สมชาย", "")),
        ("นาย", ("นาย", "", "")),
        ("", (None, "", "")),
    ],
)
def test_split_full_name(written: str, expected: tuple[str | None, str, str]) -> None:
    assert split_full_name(written) == expected


@pytest.mark.parametrize(
    ("name", "respelt"),
    [("ศรีสุข", "สีสุข"), ("ทรงศักดิ์", "ซงศักดิ์"), ("ทรัพย์สิน", "ซัพย์สิน"), ("ณัฐพล", "นัฐพล"),
     ("ก้องภพ", "กองภพ"), ("ศักดิ์ชัย", "ศักชัย"), ("ณ อยุธยา", "ณอยุธยา")],
)
def test_phonetic_key_equates_common_respellings(name: str, respelt: str) -> None:
    assert phonetic_key(name) == phonetic_key(respelt) != ""


def test_known_weak_spot_a_dropped_karan_with_its_letter_kept() -> None:
    assert phonetic_key("สมศักดิ์") != phonetic_key("สมศักดิ")  # left to the string comparators


def test_everyday_titles_do_not_stack() -> None:
    assert split_full_name("ด.ช.นาย สุวรรณฉวี") == ("ด.ช.", "นาย", "สุวรรณฉวี")  # นาย is also a given name
    assert strip_title("นายนาง") == ("นาย", "นาง")


def test_phonetic_key_separates_different_names_and_handles_latin_and_empty() -> None:
    assert phonetic_key("สมชาย") != phonetic_key("วิชัย")
    assert phonetic_key("Aung San") == phonetic_key("AUNG-SAN") == "aungsan"
    assert phonetic_key("") == phonetic_key("!!") == ""


def test_swapped_name_order_only_where_the_name_lists_show_it() -> None:
    assert is_swapped_name("ใจดี", "สมหญิง")  # a family name only, then a given name only
    assert not is_swapped_name("สมหญิง", "ใจดี")
    assert not is_swapped_name("ใจดี", "สมชาย")  # สมชาย is on both lists: the data do not tell
    assert not is_swapped_name("ทองดี", "ธนากร")  # ทองดี is on neither
    assert not is_swapped_name(None, "สมหญิง") and not is_swapped_name("ใจดี", "")


RESPELLINGS: dict[str, Callable[[str], str]] = {
    "ศรี→สี": lambda s: s.replace("ศรี", "สี"),
    "ทร→ซ": lambda s: s.replace("ทร", "ซ"),
    "ณ→น": lambda s: s.replace("ณ", "น"),
    "no tone": lambda s: re.sub("[\u0e48-\u0e4b]", "", s),
    "no ์ mark": lambda s: s.replace("\u0e4c", ""),
    "no ์ letter": lambda s: re.sub("[\u0e01-\u0e2e][\u0e34\u0e38]?\u0e4c", "", s),
}


def measure(key: Callable[[str], str], names: list[str]) -> dict[str, float]:
    """Share of respelt names whose key is unchanged, per respelling, plus the number of distinct keys."""
    keys = {name: key(name) for name in names}
    shares = {}
    for label, respell in RESPELLINGS.items():
        pairs = [(name, respell(name)) for name in names if respell(name) != name]
        shares[label] = sum(keys[a] == key(b) for a, b in pairs) / len(pairs)
    return {**shares, "distinct keys": len(set(keys.values()))}


def engines() -> dict[str, Callable[[str], str]]:
    from pythainlp.soundex import soundex

    return {"phonetic_key (lk82 + ทร)": phonetic_key,
            **{e: lambda s, e=e: soundex(s, engine=e) for e in ("lk82", "udom83", "metasound")}}


def test_the_default_key_beats_the_other_engines_on_respellings() -> None:
    from pythainlp.corpus import thai_family_names

    sample = sorted(thai_family_names())[::4]
    results = {name: measure(key, sample) for name, key in engines().items()}
    chosen = results.pop("phonetic_key (lk82 + ทร)")
    for label in ("ศรี→สี", "ทร→ซ", "ณ→น", "no tone"):
        assert chosen[label] >= 0.98
        assert all(chosen[label] >= other[label] for other in results.values())


if __name__ == "__main__":
    from pythainlp.corpus import thai_family_names, thai_female_names, thai_male_names

    lists = {"given": sorted(set(thai_male_names()) | set(thai_female_names())),
             "family": sorted(set(thai_family_names()))}
    for engine, key in engines().items():
        for which, names in lists.items():
            print(f"{engine:26} {which:6}", {k: round(v, 2) for k, v in measure(key, names).items()})
