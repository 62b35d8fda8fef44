"""Run an expectation suite on a pandas frame through great-expectations and write the run's data docs.

great-expectations takes seconds to import, so it is imported inside the functions that use it. Each call builds
a small ephemeral data context; with a :class:`DataDocsSite` its suite and result stores are folders of that
run's site, so every check of a run, in whatever process, adds its page to one site and one index.

Results carry counts and observed values only: the lists of unexpected values are switched off, so neither the
check metadata nor the data docs ever hold a citizen ID or a name.

Cost on large frames (a registry of 1.7M rows): great-expectations filters and copies the whole frame for every
column expectation, so these things matter. The result format is ``BASIC``, which gives the counts the outcome
needs without the per-expectation index lists ``SUMMARY`` also builds; the frame is handed over consolidated (one
block per dtype), because pandas otherwise merges its blocks again in every copy great-expectations makes (at
200,000 rows this took the civil-registration suite from 18 s to 8 s); repetitive text columns that only
dtype-blind expectations read go over as categoricals, which copy as small integer codes (:func:`_batch`); and
great-expectations' MD5 fingerprint of every value of the batch, shown only as a marker on the page, is switched
off (:func:`_skip_fingerprint`).
"""

from __future__ import annotations

import fcntl
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import great_expectations as gx

#: Expectations whose pandas metrics give the same answer on a categorical of text as on the same text in an object
#: column: membership (``isin``), a regular expression (run on the values as text), nulls and the share of non-nulls.
#: Types, uniqueness, ranges and column pairs are left out: their metrics look at the dtype or compare codes.
_CATEGORY_SAFE = frozenset({"ExpectColumnValuesToBeInSet", "ExpectColumnValuesToMatchRegex",
                            "ExpectColumnValuesToNotBeNull", "ExpectColumnValuesToBeNull",
                            "ExpectColumnProportionOfNonNullValuesToBeBetween"})
#: Table expectations that look only at the column names and the row count, never at values.
_NAMES_ONLY = frozenset({"ExpectTableColumnsToMatchSet", "ExpectTableRowCountToBeBetween"})
#: A text column is made categorical when at most this share of its first ``_SAMPLE_ROWS`` values are distinct.
_MAX_DISTINCT_SHARE = 0.5
_SAMPLE_ROWS = 10_000

#: Counts and observed values, never the values that broke an expectation (they are personal data).
RESULT_FORMAT: dict[str, Any] = {"result_format": "BASIC", "partial_unexpected_count": 0}

_SITE_NAME = "termtem_quality"
_RUN_FOLDER = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class DataDocsSite:
    """Where one run's data docs go: ``root/<run_id>/index.html``.

    Attributes:
        root: Folder holding one site per run.
        run_id: The Dagster run ID (a UUID), which names the run's folder.
        keep_runs: Newest run folders kept under ``root``; older ones are removed when a new run starts.
    """

    root: Path
    run_id: str
    keep_runs: int

    @property
    def folder(self) -> Path:
        """The run's own site."""
        return self.root / self.run_id


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's result in plain terms.

    Attributes:
        expectation: great-expectations type, e.g. ``expect_column_values_to_be_unique``.
        column: The column it looked at, if one.
        description: What the expectation guards, in words.
        success: Whether it held.
        observed: What was found: unexpected rows and their share, or the observed value.
    """

    expectation: str
    column: str | None
    description: str
    success: bool
    observed: str


@dataclass(frozen=True)
class SuiteOutcome:
    """A suite's result on one frame, and its page in the run's data docs (``None`` without a site)."""

    suite: str
    success: bool
    outcomes: tuple[ExpectationOutcome, ...]
    docs_page: Path | None

    @property
    def failures(self) -> tuple[ExpectationOutcome, ...]:
        """The expectations that did not hold."""
        return tuple(outcome for outcome in self.outcomes if not outcome.success)


def _store(class_name: str, folder: Path | None) -> dict[str, Any]:
    backend = ({"class_name": "TupleFilesystemStoreBackend", "base_directory": str(folder)} if folder
               else {"class_name": "InMemoryStoreBackend"})
    return {"class_name": class_name, "store_backend": backend}


def _context(site: DataDocsSite | None) -> gx.data_context.EphemeralDataContext:
    """An ephemeral context; with a site, suites and results are shared through the run's folder."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import DataContextConfig, ProgressBarsConfig

    folder = site.folder if site else None
    docs = {_SITE_NAME: {"class_name": "SiteBuilder", "show_how_to_buttons": False,
                         "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                         "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                           "base_directory": str(folder)}}} if folder else {}
    config = DataContextConfig(
        stores={"expectations_store": _store("ExpectationsStore", folder and folder / "suites"),
                "validation_results_store": _store("ValidationResultsStore", folder and folder / "results"),
                "checkpoint_store": _store("CheckpointStore", None),
                "validation_definition_store": _store("ValidationDefinitionStore", None)},
        expectations_store_name="expectations_store", validation_results_store_name="validation_results_store",
        checkpoint_store_name="checkpoint_store", data_docs_sites=docs,
        analytics_enabled=False, progress_bars=ProgressBarsConfig(globally=False))
    return gx.get_context(project_config=config, mode="ephemeral")


def _observed(result: dict[str, Any]) -> str:
    if "unexpected_count" in result:
        checked = result.get("element_count", 0) - result.get("missing_count", 0)
        return f"{result['unexpected_count']:,} of {checked:,} checked rows unexpected"
    observed = result.get("observed_value")
    if isinstance(observed, float):
        return f"{observed:.4g}"
    return str(observed)[:200]


def _outcomes(validation: Any) -> tuple[ExpectationOutcome, ...]:
    return tuple(ExpectationOutcome(
        expectation=result.expectation_config.type,
        column=result.expectation_config.kwargs.get("column"),
        description=result.expectation_config.description or result.expectation_config.type,
        success=bool(result.success),
        observed="error: " + str(result.exception_info.get("exception_message"))
        if result.exception_info.get("raised_exception") else _observed(result.result),
    ) for result in validation.results)


def _prune(site: DataDocsSite) -> None:
    """Remove the oldest run sites beyond ``keep_runs`` (only folders named like a run ID)."""
    runs = sorted((path for path in site.root.iterdir() if path.is_dir() and _RUN_FOLDER.fullmatch(path.name)
                   and path != site.folder), key=lambda path: path.stat().st_mtime, reverse=True)
    for stale in runs[site.keep_runs - 1:]:
        shutil.rmtree(stale, ignore_errors=True)


def _open_site(site: DataDocsSite) -> None:
    """Create the run's folder; the run's first validation also prunes old runs. This must come before the
    context is built, because great-expectations creates the folder for its stores."""
    if not site.folder.exists():
        site.folder.mkdir(parents=True, exist_ok=True)
        _prune(site)


def _build_docs(context: Any, site: DataDocsSite, validation_id: Any) -> Path:
    """Render this result's page and the run's index; one process at a time, so the index lists every result."""
    with (site.folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        context.build_data_docs(site_names=[_SITE_NAME], resource_identifiers=[validation_id], build_index=True)
    url = context.get_docs_sites_urls(resource_identifier=validation_id, site_name=_SITE_NAME)[0]["site_url"]
    return Path(url.removeprefix("file://"))


def _columns_read(expectation: Any) -> set[str]:
    """The columns whose values an expectation reads (none for a table expectation such as the column set)."""
    names = {getattr(expectation, attribute, None) for attribute in ("column", "column_A", "column_B")}
    names.update(getattr(expectation, "column_list", None) or ())
    return {name for name in names if isinstance(name, str)}


def _dtype_sensitive_columns(suite: gx.ExpectationSuite, columns: Iterable[str]) -> set[str]:
    """Columns that an expectation outside :data:`_CATEGORY_SAFE` reads; all of them when a table expectation
    other than :data:`_NAMES_ONLY` might read every column."""
    sensitive: set[str] = set()
    for expectation in suite.expectations:
        kind, read = type(expectation).__name__, _columns_read(expectation)
        if not read and kind not in _NAMES_ONLY:
            return set(columns)
        if kind not in _CATEGORY_SAFE:
            sensitive |= read
    return sensitive


def _batch(frame: pd.DataFrame, suite: gx.ExpectationSuite) -> pd.DataFrame:
    """The frame as great-expectations gets it: the same values, with repetitive text columns made categorical and
    every dtype in one block.

    Why: for each column expectation the pandas engine copies the whole frame (to drop the column's nulls), so
    every object column costs a pass over its pointers per expectation; a categorical copies small integer codes.
    Only columns of text alone (nulls aside) that no expectation outside :data:`_CATEGORY_SAFE` reads are
    converted (a column only the column-set expectation names is read by none), so every metric sees the same
    values; counts, observed values and verdicts do not change. Building the frame anew consolidates its blocks,
    because pandas otherwise merges them again in every copy great-expectations makes.
    """
    if not frame.columns.is_unique:  # a dict of columns would drop the repeats the column checks must see
        return frame.copy()
    columns = dict(frame.items())
    for column in set(columns) - _dtype_sensitive_columns(suite, columns):
        values = columns[column]
        if values.dtype != object or pd.api.types.infer_dtype(values, skipna=True) != "string":
            continue
        if values.iloc[:_SAMPLE_ROWS].nunique() <= _MAX_DISTINCT_SHARE * min(len(values), _SAMPLE_ROWS):
            codes, categories = pd.factorize(values)  # unsorted categories: no sort of the distinct values
            columns[column] = pd.Series(pd.Categorical.from_codes(codes, categories), index=values.index)
    return pd.DataFrame(columns, index=frame.index)  # built anew: one block per dtype


def _skip_fingerprint() -> None:
    """Stop great-expectations hashing every value of a batch for its ``pandas_data_fingerprint`` marker.

    Why: the pandas engine fingerprints any frame whose shallow size is under its ``HASH_THRESHOLD`` (1 GB), which
    at 1M rows is every frame a check sees, and nothing in this project reads the marker: it only shows on the
    data-docs page. A threshold of 0 is the engine's own path for frames too large to hash; no expectation or
    metric depends on it.
    """
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 0


def validate_frame(frame: pd.DataFrame, suite: gx.ExpectationSuite, *,
                   site: DataDocsSite | None = None) -> SuiteOutcome:
    """Validate ``frame`` against ``suite`` with great-expectations and, given a site, add the result to it.

    Args:
        frame: The data, validated as one whole-frame batch.
        suite: A suite not yet added to any context (its name names the batch and the page).
        site: Where the run's data docs go; ``None`` validates without writing anything.

    Returns:
        Every expectation's outcome and the page of the result in the data docs.
    """
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    _skip_fingerprint()
    if site is not None:
        _open_site(site)
    context = _context(site)
    batch = context.data_sources.add_pandas("frames").add_dataframe_asset(suite.name) \
        .add_batch_definition_whole_dataframe("whole_frame")
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=context.suites.add(suite)))
    validation = definition.run(batch_parameters={"dataframe": _batch(frame, suite)}, result_format=RESULT_FORMAT,
                                run_id=RunIdentifier(run_name=site.run_id if site else None))
    page = None
    if site is not None:
        keys = [key for key in context.validation_results_store.list_keys()
                if key.expectation_suite_identifier.name == suite.name
                and key.run_id.run_name == site.run_id]
        page = _build_docs(context, site, max(keys, key=lambda key: key.run_id.run_time))
    return SuiteOutcome(suite=suite.name, success=bool(validation.success), outcomes=_outcomes(validation),
                        docs_page=page)
