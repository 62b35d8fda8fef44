"""The canonical record schema every source registry is mapped onto.

Each agency's export has its own column names; a per-source YAML file in ``config/sources/`` maps them onto the
fields below. Ingest keeps every value as text (``raw``) so nothing is silently changed before normalisation, which
then derives the typed, cleaned columns listed in :data:`NORMALISED_FIELDS`.
"""

from __future__ import annotations

from typing import Final

#: Canonical input fields, each with what it holds. A source maps any subset of them.
CANONICAL_FIELDS: Final[dict[str, str]] = {
    "record_key": "the agency's own identifier for the row (student number, case number…)",
    "citizen_id": "13-digit citizen ID as written (may carry dashes, spaces, Thai digits, typos)",
    "title": "title or rank as its own field (นาย, ด.ญ., ร.ต.อ. …)",
    "full_name": "title, given and family name in one field, when the source does not split them",
    "given_name": "given name",
    "family_name": "family name",
    "nickname": "nickname (ชื่อเล่น), common in volunteer case records",
    "sex": "sex as the source codes it (ช/ญ, ชาย/หญิง, M/F, 1/2)",
    "birth_date": "birth date as written (Buddhist or Common Era, any common layout)",
    "house_code": "11-digit house registration code (รหัสประจำบ้าน)",
    "house_no": "house number (บ้านเลขที่)",
    "moo": "village number (หมู่ที่)",
    "village": "village or housing-estate name (หมู่บ้าน)",
    "soi": "lane (ซอย)",
    "road": "road (ถนน)",
    "subdistrict": "subdistrict name (ตำบล / แขวง)",
    "district": "district name (อำเภอ / เขต)",
    "province": "province name (จังหวัด)",
    "postcode": "5-digit postcode",
    "address_text": "the whole address in one free-text field",
    "mother_citizen_id": "mother's citizen ID, where the registry records it",
    "father_citizen_id": "father's citizen ID, where the registry records it",
    "guardian_citizen_id": "guardian's citizen ID, where the registry records it",
    "household_ref": "the agency's own household or family number (poverty roll, family log-book)",
    "triage": "family triage colour from a family assessment or case notes (green / yellow / red)",
    "case_status": "social case status as written (เปิด, ติดตาม, ปิดกรณี, ยุติ …)",
    "case_closed_on": "date a closed social case was closed, as written",
    "child_grant": "whether the child receives the child-support grant (Y/N)",
    "recorded_on": "when the agency recorded or last updated the row",
}

#: Columns ingest adds to every row, whatever the source.
LINEAGE_FIELDS: Final[tuple[str, ...]] = ("source", "source_row")

#: Canonical frame columns in order: lineage first, then every canonical field.
CANONICAL_COLUMNS: Final[tuple[str, ...]] = LINEAGE_FIELDS + tuple(CANONICAL_FIELDS)

#: Fields a row must have at least one of to be usable for linkage at all.
IDENTIFYING_FIELDS: Final[tuple[str, ...]] = ("citizen_id", "full_name", "given_name", "family_name", "nickname")

#: Columns of the normalised record frame that linkage, households and flags read. Normalisation keeps the
#: lineage columns and adds a cleaned, typed value beside each canonical field it understands.
NORMALISED_COLUMNS: Final[dict[str, str]] = {
    "source": "source registry name",
    "source_row": "1-based data row number in the source file (lineage key together with source)",
    "record_key": "the agency's own row identifier, as given",
    "citizen_id": "13 ASCII digits after clean-up, or None when no 13 digits were found",
    "citizen_id_valid": "True when the check digit is right",
    "citizen_id_kind": "thai | migrant | naturalised | stateless | other | g_code | invalid | missing",
    "title": "canonical title or rank stripped from the name (e.g. 'ด.ช.'), or None",
    "given_name": "cleaned Thai given name",
    "family_name": "cleaned Thai family name",
    "nickname": "cleaned nickname",
    "given_key": "phonetic key of the given name",
    "family_key": "phonetic key of the family name",
    "given_rom": "given name in Latin letters (Thai romanised RTGS-like by thai2rom, Latin lower-cased), or None",
    "family_rom": "family name in Latin letters, written the same way, or None",
    "sex": "'M', 'F' or None (from the sex field, else the title)",
    "birth_date": "datetime64 Common-Era birth date, NaT when missing or impossible",
    "birth_date_flag": "ok | missing | unparseable | impossible | day_uncertain",
    "house_code": "11-digit house code or None",
    "house_no": "cleaned house number",
    "moo": "village number as digits",
    "subdistrict_code": "6-digit official subdistrict code, or None when unresolved",
    "district_code": "4-digit district code, or None",
    "province_code": "2-digit province code, or None",
    "mother_citizen_id": "cleaned 13-digit ID or None",
    "father_citizen_id": "cleaned 13-digit ID or None",
    "guardian_citizen_id": "cleaned 13-digit ID or None",
    "household_ref": "agency household number, as given",
    "triage": "'green', 'yellow', 'red' or None",
    "case_open": "True / False / None: the social case was open at the as-of date (matching/case_status.py)",
    "case_closed_on": "datetime64 date the social case was closed, NaT when open or unknown",
    "child_grant": "True / False / None",
    "recorded_on": "datetime64 date the agency recorded the row, NaT when unknown",
}
