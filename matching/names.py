"""Clean-up, title stripping, splitting and phonetic keys for Thai personal names.

Text clean-up (:func:`clean_thai_text`) undoes what exports and PDF extraction do to Thai: NFC; zero-width marks
(U+200B/C/D, U+2060), BOM U+FEFF, soft hyphens and control characters removed; NBSP and other Unicode spaces made
plain spaces; Thai digits made ASCII; the split Sara Am repaired (``ส าราญ``/``สํา`` → ``สำราญ``/``สำ``, which NFC
and ``pythainlp.util.normalize`` do not do); then ``pythainlp.util.normalize`` for vowel and tone order, doubled
vowels and dangling marks, one word at a time so that results can be cached per word.

Phonetic key (:func:`phonetic_key`): **lk82** on the Thai letters of the cleaned name, spaces removed, with a
leading ทร read as ซ first. Measured on PyThaiNLP's name lists (12,222 given, 9,836 family names): each name
containing a pattern is respelt and the share of pairs whose keys still agree is counted (given / family):

==================  =========  =======  =======  =========  ========  ==========  ============================
engine              ศรี→สี      ทร→ซ     ณ→น      no tone    no ์ mark  no ์ letter  keys (mean names per key)
==================  =========  =======  =======  =========  ========  ==========  ============================
lk82 + ทร→ซ (used)  1.00/1.00  1.0/1.0  .99/.99  1.00/1.00  .52/.65   .94/.93     5,408 (6.7) / 7,388 (2.0)
lk82                1.00/1.00  .93/.93  .99/.99  1.00/1.00  .52/.65   .94/.93     5,406 (6.7) / 7,388 (2.0)
udom83              .02/.02    .45/.54  .99/.99  1.00/1.00  .02/.14   .90/.87     6,529 (3.8) / 8,091 (1.6)
metasound           .25/.24    .51/.43  .79/.97  1.00/1.00  .75/.72   1.00/1.00   3,164 (12.9) / 3,931 (8.6)
==================  =========  =======  =======  =========  ========  ==========  ============================

lk82 keeps the respellings that matter (ศรี/สี, ทร/ซ, ณ/น, tones) together far better than the others while its
buckets stay small: two random family names share a key 0.020 % of the time (metasound 0.088 %). Its misses on
ทร→ซ were all name-initial (lk82 keeps the first letter as written), which the ทร fold removes at no cost in
bucket size. Its weak spot is a karan dropped with its silent letter kept (``ศักดิ`` for ``ศักดิ์``), left to the
string comparators of linkage. A name with no Thai letters is keyed by its lower-cased letters: no engine works
across scripts; the romanised columns (:mod:`matching.romanise`) bridge Thai and Latin spellings.

On the generator's own corruptions (``python -m bench.normalise``, 20,000 people, seed 1: 655 respelt and 434
mistyped names, each paired with the same person's true name) the keys agree for respellings / typos:
termtem's key .797 / .438, lk82 .794 / .435, udom83 .789 / .348, metasound .739 / .505; two different people's
family names share a key 0.01 % of the time with the first three and 0.06 % with metasound. So lk82 with the ทร
fold is the best key for respellings, which is what a phonetic key is for; metasound's better typo figure is
bought with buckets about twice as coarse, and typos are the string comparators' job.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from types import ModuleType

from matching.titles import ALL_TITLES, FEMININE_SUFFIX_OK, NEEDS_SPACE, PERSONAL

_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_DROP = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u202a\u202b\u202c\u202d\u202e"
_TABLE = {
    **{c: None for c in range(0x20)},
    **{ord(c): " " for c in "\t\n\v\f\r\x1c\x1d\x1e\x1f"},
    **{c: None for c in range(0x7F, 0xA0)},
    **{ord(c): " " for c in _SPACES},
    **{ord(c): None for c in _DROP},
    **{0x0E50 + i: str(i) for i in range(10)},
}
_SPECIAL = re.compile("[" + re.escape("".join(map(chr, _TABLE))) + "]")
# Nikhahit + Sara Aa (with a tone mark between) is Sara Am; so is a consonant, a space and a lone Sara Aa/Am,
# which is what PDF extraction leaves, because no Thai word starts with Sara Aa.
_NIKHAHIT_AA = re.compile("\u0e4d([\u0e48-\u0e4b]?)\u0e32")
_SPLIT_AM = re.compile("([\u0e01-\u0e2e][\u0e48-\u0e4b]?) +[\u0e32\u0e33]")
# pythainlp's rule for a space typed before a mark ("พ ุ่ม"): join it to a consonant not after a vowel.
_SPACE_BEFORE_MARK = re.compile(
    "([\u0e01-\u0e2e])(?<![\u0e24\u0e26\u0e30-\u0e33\u0e34-\u0e39\u0e40-\u0e45\u0e47\u0e4d][\u0e01-\u0e2e]) "
    "([\u0e31\u0e34-\u0e3a\u0e47-\u0e4e])"
)
# A word needs pythainlp.util.normalize only if it holds one of these (checked against every word of
# PyThaiNLP's word and family-name lists and 300,000 random strings): เเ, ๅ, two marks or following vowels in
# a row, a doubled leading vowel, or a leading mark. _NEEDS_NORMALIZE_SOMEWHERE checks a whole text at once.
_NORMALIZE_TRIGGER = "\u0e40\u0e40|\u0e45|[\u0e30-\u0e3a\u0e47-\u0e4e]{2}|(?P<lead>[\u0e40-\u0e44])(?P=lead)"
_LEADING_MARK = "[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]"
_NEEDS_NORMALIZE = re.compile(f"{_NORMALIZE_TRIGGER}|^{_LEADING_MARK}")
_NEEDS_NORMALIZE_SOMEWHERE = re.compile(f"{_NORMALIZE_TRIGGER}|(?<!\\S){_LEADING_MARK}")
_SPACE_THEN_MARK = re.compile(" [\u0e31-\u0e3a\u0e47-\u0e4e]")
# Punctuation and symbols found in names: ASCII, Latin-1, general punctuation, Thai (฿ ๏ ๚ ๛), CJK and
# full-width forms. ฯ and ๆ are letters of Thai words and stay.
_PUNCTUATION = re.compile(
    "[!-/:-@\\[-`{-~\u00a1-\u00bf\u00d7\u00f7\u2010-\u2027\u2030-\u205e\u0e3f\u0e4f\u0e5a\u0e5b"
    "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]"
)
_PARENTHESES = re.compile(r"\([^)]*\)?")
_THAI_LETTERS = re.compile("[^\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e4e]+")


@cache
def _thai_util() -> ModuleType:
    """Import ``pythainlp.util`` on first use: it costs a tenth of a second."""
    from pythainlp import util

    return util


def _pre_clean(text: str) -> str:
    """Do the character-level clean-up that must see the whole string (spaces inside words)."""
    if _SPECIAL.search(text):  # str.translate with a dict is slow: skip it when there is nothing to map
        text = text.translate(_TABLE)
    text = " ".join(text.split())
    if "\u0e4d" in text:
        text = _NIKHAHIT_AA.sub("\\1\u0e33", text)
    if _SPACE_THEN_MARK.search(text):
        text = _SPLIT_AM.sub("\\1\u0e33", _SPACE_BEFORE_MARK.sub("\\1\\2", text))
    # NFC last: removing characters and spaces above can bring marks together out of canonical order.
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


@lru_cache(maxsize=1 << 18)
def _clean_word(word: str) -> str:
    """Run ``pythainlp.util.normalize`` on one word, only when one of its rules can apply (it is slow), and
    again until it settles: one pass can leave work for the next (``ๅๅ`` → ``าๅ`` → ``า``)."""
    for _ in range(4):
        if not _NEEDS_NORMALIZE.search(word):
            break
        cleaned = _thai_util().normalize(word)
        if cleaned == word:
            break
        word = cleaned
    return word


def _settle(text: str) -> str:
    """Pre-clean, then clean word by word; repeat while the word step changes something, because a word
    cleaned of a dangling mark can expose a split Sara Am (``ก ิา`` → ``ก า`` → ``กำ``)."""
    for _ in range(4):
        text = _pre_clean(text)
        if not _NEEDS_NORMALIZE_SOMEWHERE.search(text):
            break
        cleaned = " ".join(" ".join(_clean_word(w) for w in text.split()).split())
        if cleaned == text:
            break
        text = cleaned
    return text


def clean_thai_text(text: str) -> str:
    """Clean Thai text at the character level, keeping punctuation (see the module docstring for the steps).

    Args:
        text: Any text.

    Returns:
        The cleaned text with single spaces and no leading or trailing space.
    """
    return _settle(text)


def normalise_thai_name(text: str) -> str:
    """Clean a name (given, family or nickname) without touching its title.

    Args:
        text: The name as written.

    Returns:
        :func:`clean_thai_text` output with punctuation and symbols removed (before the Sara Am repair, so
        ``ก๏า`` cleans to what ``ก า`` does) and Latin letters in lower case.
    """
    return _settle(_PUNCTUATION.sub(" ", text.lower()))


def _form_pattern(form: str) -> str:
    """Turn one written form from :mod:`matching.titles` into a regular expression (rules there)."""
    if form.isascii():
        words = form.replace(".", " ").split()
        return r"\.?\s*".join(map(re.escape, words)) + r"(?:\.|(?=\s|$))"
    if "." in form:
        pieces = form.rstrip(".").split(".")
        glued = r"(?:\s*\.\s*)?".join(map(re.escape, pieces)) + r"\s*\."
        if len(pieces) == 1:
            return glued
        return f"{glued}|" + r"\s*\.\s*".join(map(re.escape, pieces)) + r"(?=\s|$)"
    return re.escape(form) + (r"(?=\s|$)" if form in NEEDS_SPACE else "")


@cache
def _title_matchers() -> dict[str, tuple[re.Pattern[str], dict[str, tuple[str, str | None]]]]:
    """Build, per first letter, one anchored pattern over the forms starting with it (longest first) and its
    group name → (title, sex) map. Dispatching on the first letter keeps each match to a few alternatives."""
    forms = sorted(((f, c, s) for c, s, fs in ALL_TITLES for f in fs), key=lambda t: -len(t[0]))
    by_letter: dict[str, list[tuple[str, str, str | None]]] = {}
    for form in forms:
        by_letter.setdefault(form[0][0], []).append(form)
    matchers = {}
    for letter, group in by_letter.items():
        alternatives = "|".join(f"(?P<t{i}>{_form_pattern(f)})" for i, (f, _, _) in enumerate(group))
        names = {f"t{i}": (canonical, sex) for i, (_, canonical, sex) in enumerate(group)}
        matchers[letter] = (re.compile(rf"(?:{alternatives})\s*", re.IGNORECASE), names)
    return matchers


def _strip(text: str) -> tuple[str | None, str | None, str]:
    """Strip up to three stacked titles (ว่าที่ ร.ต., รศ. ดร.) from pre-cleaned text; return (title, sex, rest)."""
    matchers = _title_matchers()
    titles: list[str] = []
    sex: str | None = None
    while len(titles) < 3 and text and (matcher := matchers.get(text[0].lower())):
        pattern, groups = matcher
        m = pattern.match(text)
        if not m or (titles and groups[m.lastgroup or ""][0] in PERSONAL):
            break
        canonical, hint = groups[m.lastgroup or ""]
        text = text[m.end():]
        if canonical in FEMININE_SUFFIX_OK and text.startswith("หญิง"):
            canonical, hint, text = canonical + "หญิง", "F", text[4:].lstrip()
        titles.append(canonical)
        sex = sex or hint
        if canonical in PERSONAL:
            break
    return (" ".join(titles) or None), sex, text


def strip_title(text: str) -> tuple[str | None, str]:
    """Strip titles and ranks from the start of a name, glued or spaced.

    Args:
        text: A name or a title field, e.g. ``"ด.ช.สมชาย ใจดี"``, ``"ว่าที่ร้อยตรีสมชาย"``, ``"Mr. John"``.

    Returns:
        ``(title, rest)``: the canonical title (stacked ones joined by a space, e.g. ``"ว่าที่ ร.ต."``) or None,
        and the rest of the text after :func:`clean_thai_text`.
    """
    title, _, rest = _strip(_pre_clean(text))
    return title, clean_thai_text(rest)


@lru_cache(maxsize=4096)
def title_sex(title: str | None) -> str | None:
    """Return the sex hint (``"M"``, ``"F"`` or None) of a title as :func:`strip_title` returns it."""
    return _strip(_pre_clean(title))[1] if title else None


def split_full_name(text: str) -> tuple[str | None, str, str]:
    """Split a one-field name into title, given and family name.

    The first word after the title is the given name and all the rest the family name, which keeps
    multi-word family names such as ``ณ อยุธยา`` whole. Text in parentheses (usually a nickname) is dropped.

    Args:
        text: The whole name, e.g. ``"นางสาวสมหญิง  ชุมสาย ณ อยุธยา"``.

    Returns:
        ``(title or None, given, family)``; given and family are cleaned and may be empty.
    """
    title, _, rest = _strip(_pre_clean(text))
    words = normalise_thai_name(_PARENTHESES.sub(" ", rest)).split()
    return title, (words[0] if words else ""), " ".join(words[1:])


@cache
def _names_of_one_kind() -> tuple[frozenset[str], frozenset[str]]:
    """PyThaiNLP's given names that are never family names, and family names that are never given names."""
    from pythainlp.corpus import thai_family_names, thai_female_names, thai_male_names

    given, family = frozenset(thai_male_names()) | frozenset(thai_female_names()), frozenset(thai_family_names())
    return given - family, family - given


def is_swapped_name(given: str | None, family: str | None) -> bool:
    """Tell whether a given and a family name were written in each other's field.

    Only where the data allow it: the written given name must be a known family name that is never a given
    name, and the written family name a known given name that is never a family name (PyThaiNLP's lists).
    Names in neither list, or in both, are left as written; linkage still compares names crosswise.

    Args:
        given: The cleaned name written as the given name.
        family: The cleaned name written as the family name.
    """
    return is_only_family_name(given) and is_only_given_name(family)


def is_only_given_name(name: str | None) -> bool:
    """Tell whether a cleaned name is one of PyThaiNLP's given names and never one of its family names."""
    return bool(name) and name in _names_of_one_kind()[0]


def is_only_family_name(name: str | None) -> bool:
    """Tell whether a cleaned name is one of PyThaiNLP's family names and never one of its given names.

    With :func:`is_only_given_name` this splits :func:`is_swapped_name` into a test per name, so that a frame
    can run it once per distinct name rather than per distinct pair (nearly every pair is distinct).
    """
    return bool(name) and name in _names_of_one_kind()[1]


@lru_cache(maxsize=1 << 18)
def phonetic_key(name: str) -> str:
    """Return the phonetic key of a name: lk82 of its Thai letters, else its lower-cased Latin letters.

    Args:
        name: A given or family name, raw or cleaned.

    Returns:
        The key, or ``""`` when the name has no letters.
    """
    cleaned = normalise_thai_name(name)
    thai = _THAI_LETTERS.sub("", cleaned)
    if thai:
        from pythainlp.soundex import lk82

        return lk82("ซ" + thai[2:] if thai.startswith("ทร") else thai)
    return "".join(c for c in cleaned if c.isalpha())
