"""Synthetic registries: a true population and what seven agencies would hold about it, with ground truth.

No real person's data is used: names come from PyThaiNLP's corpora and places from geothai at run time.
The same seed gives byte-identical files, so a test or benchmark can name a sample by people, seed and as-of.

Files written to the output folder:

* one export per source in ``config/pipeline.yaml``, laid out as ``config/sources/<name>.yaml`` describes;
* ``truth_records.parquet``: per source row, the true person and household and the corruptions applied;
* ``truth_people.parquet``: every true person;
* ``manifest.json``: seed, size, as-of date, rates, file row counts and corruption counts.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import zlib
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

from termtem.settings import GeneratorRates, load_generator_rates, load_pipeline_settings, load_source_configs
from termtem.synth.agencies import AGENCIES
from termtem.synth.population import build_population
from termtem.synth.writers import truth_people, truth_records, write_export, write_manifest, write_parquet

__all__ = ["MAX_PEOPLE", "MIN_PEOPLE", "GenerationReport", "generate_registries"]

log = logging.getLogger(__name__)

#: Population sizes the generator supports.
MIN_PEOPLE, MAX_PEOPLE = 1_000, 1_000_000


@dataclass(frozen=True)
class GenerationReport:
    """What one generator run wrote.

    Attributes:
        out_dir: Folder holding the files.
        people: True persons generated.
        households: True households generated.
        rows_per_source: Source name -> data rows in its export.
        elapsed_seconds: Wall time of the run (not in the manifest, which must not change between runs).
    """

    out_dir: Path
    people: int
    households: int
    rows_per_source: dict[str, int]
    elapsed_seconds: float


def _stream(seed: int, name: str) -> np.random.Generator:
    """A random stream per part, so adding draws to one agency leaves the others' data unchanged."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def generate_registries(out_dir: Path, people: int = 3000, seed: int = 42, as_of: dt.date | None = None,
                        rates: GeneratorRates | None = None) -> GenerationReport:
    """Generate a population and every configured agency's export, with ground truth and a manifest.

    Args:
        out_dir: Folder to write to (created if missing; existing files of the same names are replaced).
        people: Number of true persons, 1,000 to 1,000,000.
        seed: Non-negative random seed.
        as_of: Reference date for ages; defaults to ``as_of_date`` in ``config/pipeline.yaml``.
        rates: Generator settings; defaults to ``config/generator.yaml``.

    Returns:
        Row counts per source and the elapsed time.

    Raises:
        ValueError: ``people`` or ``seed`` is out of range, or a configured source has no generator.
    """
    if not MIN_PEOPLE <= people <= MAX_PEOPLE:
        raise ValueError(f"people must be between {MIN_PEOPLE:,} and {MAX_PEOPLE:,}, not {people:,}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, not {seed}")
    started = time.perf_counter()
    as_of = as_of or load_pipeline_settings().as_of_date
    rates = rates or load_generator_rates()
    configs = load_source_configs()
    unknown = [config.name for config in configs if config.name not in AGENCIES]
    if unknown:
        raise ValueError(f"no synthetic generator for source(s) {unknown}; known: {sorted(AGENCIES)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    population = build_population(people, as_of, rates.population, _stream(seed, "population"))
    households = len(population.households)
    log.info("population: %d people in %d households, %d subdistricts (%.1f s)", people, households,
             len(population.places.code), time.perf_counter() - started)

    truth, rows, files, corruptions = [], {}, {}, {}
    for config in configs:
        export = AGENCIES[config.name](population, rates.for_source(config.name), rates.coverage,
                                       _stream(seed, config.name))
        write_export(export, config, out_dir)
        truth.append(truth_records(export, population))  # keep only the truth: a million rows of text is big
        rows[config.name] = files[config.file] = len(export.person)
        corruptions[config.name] = export.counts
        log.info("%s: %d rows written to %s (%.1f s)", config.name, len(export.person), config.file,
                 time.perf_counter() - started)

    records, persons = pd.concat(truth, ignore_index=True), truth_people(population)
    write_parquet(records, out_dir / "truth_records.parquet")
    write_parquet(persons, out_dir / "truth_people.parquet")
    files |= {"truth_records.parquet": len(records), "truth_people.parquet": len(persons)}
    write_manifest(out_dir / "manifest.json", {
        "seed": seed, "people": people, "households": households, "as_of": as_of.isoformat(),
        "rates": rates.model_dump(mode="json"), "files": files, "corruptions": corruptions,
        "provenance": {"names": f"pythainlp {version('pythainlp')} corpus (CC-BY-SA-4.0)",
                    "places": f"geothai {version('geothai')}"}})
    elapsed = time.perf_counter() - started
    log.info("synthetic sample of %d people written in %.1f s", people, elapsed)
    return GenerationReport(out_dir, people, households, rows, elapsed)
