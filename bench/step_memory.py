"""Resident memory per pipeline step: a sampler thread reads this process's RSS, the run's event log says when
each step ran, so every step gets the peak RSS seen while it ran and the RSS it started from.

Linux only (``/proc/self/statm``). Used by :mod:`bench.scale` to say where a whole run's peak memory is.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

_PAGE_MIB = os.sysconf("SC_PAGE_SIZE") / 2**20


def resident_mib() -> float:
    """This process's resident memory now (MiB)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE_MIB


@contextmanager
def sampled_rss(interval: float = 0.05) -> Iterator[list[tuple[float, float]]]:
    """Sample (wall-clock time, RSS MiB) every ``interval`` seconds while the context is open."""
    samples: list[tuple[float, float]] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append((time.time(), resident_mib()))
            stop.wait(interval)

    thread = threading.Thread(target=sample, name="rss-sampler", daemon=True)
    thread.start()
    try:
        yield samples
    finally:
        stop.set()
        thread.join()


def step_memory(instance: dg.DagsterInstance, run_id: str,
                samples: list[tuple[float, float]]) -> dict[str, dict[str, float]]:
    """Per step of the run: ``start_mib`` (RSS when it began) and ``peak_mib`` (highest RSS while it ran)."""
    kinds = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE}
    began: dict[str, float] = {}
    steps: dict[str, dict[str, float]] = {}
    for entry in instance.all_logs(run_id, of_type=kinds):
        step = entry.step_key
        if entry.dagster_event_type == dg.DagsterEventType.STEP_START:
            began[step] = entry.timestamp
            continue
        window = [rss for at, rss in samples if began.get(step, entry.timestamp) <= at <= entry.timestamp]
        before = [rss for at, rss in samples if at <= began.get(step, entry.timestamp)]
        steps[step] = {"start_mib": before[-1] if before else 0.0, "peak_mib": max(window, default=0.0)}
    return steps
