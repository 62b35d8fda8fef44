"""How long the review app takes to read its pages from a large release (SQLite, a scratch database).

Publishes a synthetic release (:func:`termtem.golden_store.sample.sample_release`) and prints the median time to
read the pair queue, one pair, one person, the cluster queue and one proposed cluster: the reads behind the
queue, pair, person, clusters and cluster pages. Usage::

    python -m bench.review_pages --people 50000 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from termtem.golden_store import engine_for, publish_release
from termtem.golden_store.sample import sample_release
from termtem.review.cluster import person_view
from termtem.review.proposed_clusters import cluster_queue, cluster_view
from termtem.review.queue import pair_view, review_queue


def _median_seconds(read: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        read()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000, help="persons in the release (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=5, help="reads per page (default: %(default)s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        engine = engine_for(f"sqlite:///{Path(scratch) / 'golden.sqlite'}")
        publish_release(engine, sample_release(args.people, seed=1, run_id="bench"))
        _, queue = review_queue(engine)
        first = queue.iloc[0]
        view = pair_view(engine, first["left_record_id"], first["right_record_id"])
        person_id = view["sides"][0]["golden_person_id"]
        clusters = cluster_queue(engine)[1]
        print(f"{args.people:,} persons, {len(queue):,} pairs in the review queue, {len(clusters):,} proposed "
              f"clusters; median of {args.repeat} reads")
        pages = {"queue": lambda: review_queue(engine),
                 "pair": lambda: pair_view(engine, first["left_record_id"], first["right_record_id"]),
                 "person": lambda: person_view(engine, person_id),
                 "clusters": lambda: cluster_queue(engine),
                 "cluster": lambda: cluster_view(engine, clusters["cluster"].iloc[0])}
        for page, read in pages.items():
            print(f"  {page:<8} page  {_median_seconds(read, args.repeat):6.2f} s")
        engine.dispose()


if __name__ == "__main__":
    main()
