"""Missed-children flags per district and rule: the table district offices route work by, and its chart.

Matplotlib is imported only when a chart is drawn (the pipeline's other steps do not need it) and draws without a
display. District names come from geothai in English, so the chart needs no Thai font.
"""

from __future__ import annotations

import io

import pandas as pd

#: Columns of :func:`summarise_flags`.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "province_code", "district_code", "district", "rule", "status", "flags", "red", "yellow", "green",
)

_UNKNOWN_DISTRICT = "unknown district"


def district_name(code: str | None) -> str:
    """English name of a 4-digit district code, or the code itself when geothai does not know it."""
    import geothai

    if not isinstance(code, str):
        return _UNKNOWN_DISTRICT
    found = geothai.district(code)
    return f"{found.name_en} ({code})" if found else code


def summarise_flags(flags: pd.DataFrame) -> pd.DataFrame:
    """Count flags per district, rule and status, with the split by triage colour.

    Args:
        flags: Missed-children flags (``province_code``, ``district_code``, ``rule``, ``status``, ``triage``).

    Returns:
        :data:`SUMMARY_COLUMNS`, most flags first; a flag without a district counts under a missing code.
    """
    if flags.empty:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    keys = ["province_code", "district_code", "rule", "status"]
    colours = pd.crosstab([flags[key].fillna("") for key in keys], flags["triage"])
    summary = colours.reindex(columns=["red", "yellow", "green"], fill_value=0)
    summary["flags"] = summary.sum(axis=1)
    summary = summary.reset_index().replace({"province_code": {"": None}, "district_code": {"": None}})
    names = {code: district_name(code) for code in summary["district_code"].unique()}
    summary["district"] = summary["district_code"].map(names)
    summary = summary.sort_values(["flags", "district_code", "rule", "status"], ascending=[False, True, True, True],
                                  na_position="last", ignore_index=True)
    return summary[list(SUMMARY_COLUMNS)]


def flags_chart_png(summary: pd.DataFrame, top: int = 15) -> bytes:
    """A horizontal bar chart (PNG) of the ``top`` districts with most flags, stacked by rule.

    Args:
        summary: :func:`summarise_flags` output.
        top: Districts shown.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = summary.pivot_table(index="district", columns="rule", values="flags", aggfunc="sum", fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values(ascending=True).index[-top:]]
    figure, axes = plt.subplots(figsize=(9, 0.4 * len(table) + 1.6))
    left = pd.Series(0, index=table.index)
    for rule in table.columns:
        axes.barh(table.index, table[rule], left=left, label=rule)
        left += table[rule]
    axes.set_xlabel("flags")
    axes.set_title(f"Missed-children flags: the {len(table)} districts with most flags, by rule")
    axes.legend(fontsize="small", loc="lower right")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    return buffer.getvalue()
