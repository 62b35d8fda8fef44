"""The expectation suite of one source registry, checked on its normalised frame.

It guards what every later stage assumes of a registry after mapping and normalisation: the canonical columns
and their types, one row per source row, codes from the known sets, plausible dates, and the shares the source's
thresholds in ``config/quality.yaml`` allow for valid citizen IDs, blanks, duplicates and quarantined rows.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from matching.canonical import NORMALISED_COLUMNS
from matching.dates import DATE_FLAGS
from matching.households import TRIAGE_ORDER
from quality.quarantine import QuarantineReason
from termtem.settings import SourceQuality

if TYPE_CHECKING:
    import great_expectations as gx

#: ``citizen_id_kind`` values normalisation gives (see :data:`matching.canonical.NORMALISED_COLUMNS`).
CITIZEN_ID_KINDS: tuple[str, ...] = ("thai", "migrant", "naturalised", "stateless", "other", "g_code", "invalid",
                                     "missing")

#: Normalised columns holding a code of fixed shape, and the shape.
CODE_PATTERNS: dict[str, str] = {
    "citizen_id": r"^\d{13}$", "mother_citizen_id": r"^\d{13}$", "father_citizen_id": r"^\d{13}$",
    "guardian_citizen_id": r"^\d{13}$", "house_code": r"^\d{11}$", "province_code": r"^\d{2}$",
    "district_code": r"^\d{4}$", "subdistrict_code": r"^\d{6}$",
}

#: Normalised columns restricted to a set of values.
ALLOWED_VALUES: dict[str, list[Any]] = {
    "sex": ["M", "F"], "triage": list(TRIAGE_ORDER), "child_grant": [True, False],
    "citizen_id_kind": list(CITIZEN_ID_KINDS), "birth_date_flag": list(DATE_FLAGS),
    "quarantine_reason": [reason.value for reason in QuarantineReason],
}

#: Columns whose dtype later stages rely on.
COLUMN_TYPES: dict[str, str] = {"source_row": "int64", "citizen_id_valid": "bool", "birth_date": "datetime64[ns]",
                                "recorded_on": "datetime64[ns]"}

_EARLIEST = dt.datetime(1900, 1, 1)


def _years_before(day: dt.date, years: int) -> dt.datetime:
    """The same calendar day ``years`` earlier (28 February for a 29 February in a common year)."""
    try:
        return dt.datetime(day.year - years, day.month, day.day)
    except ValueError:
        return dt.datetime(day.year - years, day.month, 28)


def _structure(source: str, thresholds: SourceQuality) -> list[Any]:
    import great_expectations.expectations as gxe

    expectations: list[Any] = [
        gxe.ExpectTableColumnsToMatchSet(column_set=[*NORMALISED_COLUMNS, "quarantine_reason"], exact_match=False,
                                         description="The mapping and normalisation gave every canonical column"),
        gxe.ExpectTableRowCountToBeBetween(min_value=thresholds.min_rows,
                                           description=f"At least {thresholds.min_rows:,} rows: no cut export"),
        gxe.ExpectColumnValuesToBeInSet(column="source", value_set=[source], description="Every row names its source"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["source", "source_row"],
                                            description="One row per source row: the lineage key is unique"),
    ]
    expectations += [gxe.ExpectColumnValuesToBeOfType(column=column, type_=type_,
                                                      description=f"{column} is {type_}")
                     for column, type_ in COLUMN_TYPES.items()]
    expectations += [gxe.ExpectColumnValuesToBeOfType(column=column, type_="str", description=f"{column} is text")
                     for column in ("citizen_id", "given_name", "family_name")]
    expectations += [gxe.ExpectColumnValuesToMatchRegex(column=column, regex=pattern,
                                                        description=f"{column} has the shape {pattern}")
                     for column, pattern in CODE_PATTERNS.items()]
    expectations += [gxe.ExpectColumnValuesToBeInSet(column=column, value_set=values,
                                                     description=f"{column} is one of the known codes")
                     for column, values in ALLOWED_VALUES.items()]
    return expectations


def _shares(thresholds: SourceQuality, as_of: dt.date, age_range: tuple[int, int] | None) -> list[Any]:
    import great_expectations.expectations as gxe

    as_of_day = dt.datetime.combine(as_of, dt.time())
    expectations: list[Any] = [
        gxe.ExpectColumnValuesToBeBetween(column=column, min_value=_EARLIEST, max_value=as_of_day,
                                          description=f"{column} lies between 1900 and the as-of date {as_of}")
        for column in ("birth_date", "recorded_on")
    ]
    if thresholds.min_valid_citizen_id_share > 0:
        expectations.append(gxe.ExpectColumnValuesToBeInSet(
            column="citizen_id_valid", value_set=[True], mostly=thresholds.min_valid_citizen_id_share,
            description=f"At least {thresholds.min_valid_citizen_id_share:.0%} of rows have a citizen ID whose "
                        "check digit is right"))
    for column, share in thresholds.max_null_share.items():
        expectations.append(gxe.ExpectColumnProportionOfNonNullValuesToBeBetween(
            column=column, min_value=1 - share, description=f"At most {share:.1%} of rows lack {column}"))
    for column, share in (("citizen_id", thresholds.max_duplicate_citizen_id_share),
                          ("record_key", thresholds.max_duplicate_record_key_share)):
        if share < 1:
            expectations.append(gxe.ExpectColumnValuesToBeUnique(
                column=column, mostly=1 - share,
                description=f"At most {share:.1%} of rows with a {column} share it with another row"))
    if thresholds.max_quarantine_share < 1:
        expectations.append(gxe.ExpectColumnValuesToBeNull(
            column="quarantine_reason", mostly=1 - thresholds.max_quarantine_share,
            description=f"At most {thresholds.max_quarantine_share:.1%} of rows are quarantined"))
    if age_range and thresholds.min_birth_date_in_age_range_share > 0:
        youngest, oldest = age_range
        expectations.append(gxe.ExpectColumnValuesToBeBetween(
            column="birth_date", min_value=_years_before(as_of, oldest + 1) + dt.timedelta(days=1),
            max_value=_years_before(as_of, youngest), mostly=thresholds.min_birth_date_in_age_range_share,
            description=f"At least {thresholds.min_birth_date_in_age_range_share:.0%} of birth dates give an "
                        f"age of {youngest}-{oldest} at {as_of}, the ages the registry covers"))
    return expectations


def registry_suite(source: str, thresholds: SourceQuality, as_of: dt.date,
                   age_range: tuple[int, int] | None) -> gx.ExpectationSuite:
    """Build the suite of one registry's normalised frame.

    Args:
        source: Source name; the suite is ``registry_<source>``.
        thresholds: The source's thresholds from ``config/quality.yaml``.
        as_of: The run's reference date: no birth or record date may lie after it.
        age_range: Ages the registry is meant to cover (``config/sources/<source>.yaml``), if limited.

    Returns:
        A suite not yet added to any data context.
    """
    import great_expectations as gx

    return gx.ExpectationSuite(name=f"registry_{source}",
                               expectations=_structure(source, thresholds) + _shares(thresholds, as_of, age_range))
