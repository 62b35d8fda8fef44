"""Proposed clusters: the groups of records that review-band pairs join, seen once instead of pair by pair.

The model links records into golden persons and leaves the pairs it is unsure of in the review queue. A review
pair between two persons (or inside one) proposes that their records may be one person. Following every review
pair of the release joins golden persons into connected groups; a group's records (each person's linked records
too: the links around the review pairs) are the *proposed cluster*. A steward who sees A–B linked, B–C and A–C
under review decides the three records once, by putting them into groups: :func:`grouping_verdicts` turns the
groups into ``same`` decisions inside each group and ``different`` decisions across groups.

A cluster is a property of the release, not of the decisions: it stays the same while stewards decide its
pairs, and leaves the queue when none of its review pairs is pending. Groups of two records are plain pairs and
stay in the pair queue (its page shows the field weights).
"""

from __future__ import annotations

import itertools
import json
import string

import pandas as pd
import sqlalchemy as sa

from termtem.review.decisions import SeenPair
from termtem.review.queue import (
    TRIAGE_ORDER,
    age_on,
    field_comparisons,
    filter_queue,
    latest_decisions,
    masked_citizen_id,
    pair_key,
    review_queue,
)
from termtem.review.reads import member_counts, member_rows, pairs_among, record_rows

#: A proposed cluster has more records than a pair.
SMALLEST_CLUSTER = 3

#: Strongest field weights shown per pair on the cluster page (the pair page shows them all).
FIELDS_SHOWN = 4

#: Group letters a steward can put records into on the cluster page.
GROUP_LETTERS = string.ascii_uppercase[:8]


def _components(pairs: pd.DataFrame) -> pd.Series:
    """Per review pair, the smallest golden person ID of the group of persons the review pairs join."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    ends = [(a if isinstance(a, str) else left, b if isinstance(b, str) else right)
            for (a, b), left, right in zip(pairs["golden_person_ids"], pairs["left_record_id"],
                                           pairs["right_record_id"], strict=True)]
    for a, b in ends:
        first, second = sorted((root(a), root(b)))
        parent[second] = first
    return pd.Series([root(a) for a, _ in ends], index=pairs.index, dtype=object)


def cluster_queue(engine: sa.Engine, *, district: str | None = None,
                  source: str | None = None) -> tuple[dict | None, pd.DataFrame]:
    """The current release's proposed clusters with a pending review pair, most urgent first.

    Ordered by the pair queue's rules over the cluster's pending pairs: a child first, then the worst household
    triage, then the most uncertain pending score. The filters keep clusters with a pair in the district or
    from the source.

    Returns:
        The release row (``None`` before the first publish) and one row per cluster: ``cluster`` (its smallest
        golden person ID, which names it), ``golden_person_ids``, ``records``, ``pairs``, ``pending``, ``child``,
        ``triage``, ``score`` (the most uncertain pending score), ``districts``, ``sources``.
    """
    release, pairs = review_queue(engine, include_decided=True)
    columns = ["cluster", "golden_person_ids", "records", "pairs", "pending", "child", "triage", "score",
               "districts", "sources"]
    if release is None or pairs.empty:
        return release, pd.DataFrame(columns=columns)
    pairs["cluster"] = _components(pairs)
    pairs["pending"] = pairs["decision"].isna()
    pairs["_rank"] = pairs["triage"].map(TRIAGE_ORDER).fillna(len(TRIAGE_ORDER))
    pairs["_uncertainty"] = (pairs["score"] - 0.5).abs().where(pairs["pending"])
    persons = pairs.groupby("cluster")["golden_person_ids"].agg(
        lambda ends: sorted({person for both in ends for person in both if isinstance(person, str)}))
    with engine.begin() as connection:
        counts = member_counts(connection, release["run_id"], {p for group in persons for p in group})
    clusters = pd.DataFrame({
        "golden_person_ids": persons,
        "records": persons.map(lambda group: int(sum(counts.get(person, 0) for person in group))),
        "pairs": pairs.groupby("cluster").size(),
        "pending": pairs.groupby("cluster")["pending"].sum().astype(int),
        "child": pairs[pairs["pending"]].groupby("cluster")["child"].any(),
        "_rank": pairs[pairs["pending"]].groupby("cluster")["_rank"].min(),
        "_uncertainty": pairs.groupby("cluster")["_uncertainty"].min(),
        "districts": pairs.groupby("cluster")["districts"].agg(lambda codes: sorted(set().union(*codes))),
        "sources": pairs.groupby("cluster")["sources"].agg(lambda names: sorted(set().union(*names))),
    }).rename_axis("cluster").reset_index()
    clusters = clusters[(clusters["pending"] > 0) & (clusters["records"] >= SMALLEST_CLUSTER)].copy()
    uncertain = pairs[pairs["pending"]].sort_values("_uncertainty").drop_duplicates("cluster").set_index("cluster")
    clusters["score"] = clusters["cluster"].map(uncertain["score"])
    clusters["child"] = clusters["child"].eq(True)
    clusters["triage"] = clusters["_rank"].map({rank: colour for colour, rank in TRIAGE_ORDER.items()})
    clusters = clusters.sort_values(["child", "_rank", "_uncertainty", "cluster"],
                                    ascending=[False, True, True, True], kind="stable")
    return release, filter_queue(clusters[columns].reset_index(drop=True), district=district, source=source)


def _person_card(person_id: str, records: pd.DataFrame, members: pd.DataFrame, as_of) -> dict:
    """A golden person as the cluster page shows it: its surviving attributes and its records."""
    own = members[members["golden_person_id"] == person_id]
    shown = records[records["golden_person_id"] == person_id]
    attributes = shown.iloc[0].to_dict() if len(shown) else {}
    birth_date = attributes.get("birth_date")
    return {"golden_person_id": person_id, "person": attributes,
            "age": int(age_on(pd.Series([birth_date]), as_of).iloc[0]) if pd.notna(birth_date) else None,
            "citizen_id": masked_citizen_id(attributes.get("citizen_id")), "triage": attributes.get("triage"),
            "records": own[["record_id", "record_key", "link_rule", "link_score"]].to_dict("records")}


def cluster_view(engine: sa.Engine, golden_person_id: str) -> dict | None:
    """The proposed cluster holding a golden person, or ``None`` when no review pair of the release touches it.

    Returns:
        ``release``; ``persons`` (per golden person, proposed group letter first: its attributes and records);
        ``records`` (record ID -> the letter of its golden person, the grouping the model proposes); ``pairs``
        (every scored pair among the records: score, linked or under review, its strongest field weights,
        newest decision); ``pending``;
        ``seen`` (JSON, per ordered pair as ``"left right"``: the newest decision ID the page showed), which the
        grouping form sends back.
    """
    release, pairs = review_queue(engine, include_decided=True)
    if release is None or pairs.empty:
        return None
    pairs["cluster"] = _components(pairs)
    touching = pairs[[golden_person_id in ends for ends in pairs["golden_person_ids"]]]
    if touching.empty:
        return None
    ends = pairs[pairs["cluster"] == touching["cluster"].iloc[0]]["golden_person_ids"]
    person_ids = sorted({person for both in ends for person in both if isinstance(person, str)})
    run_id = release["run_id"]
    with engine.begin() as connection:
        members = member_rows(connection, run_id, person_ids)
        records = record_rows(connection, run_id, members["record_id"])
        scored = pairs_among(connection, run_id, members["record_id"])
    letters = dict(zip(person_ids, GROUP_LETTERS, strict=False))
    latest = latest_decisions(engine)
    keys = [pair_key(a, b) for a, b in zip(scored["left_record_id"], scored["right_record_id"], strict=True)]
    newest = latest.reindex(pd.Index(keys, tupleize_cols=False))
    scored = scored.assign(decision=newest["decision"].to_numpy(), decided_by=newest["steward"].to_numpy(),
                           linked=scored["linked"].astype(bool))
    record_ids = set(members["record_id"])
    seen = {" ".join(key): row["decision_id"] for key, row in latest.iterrows()
            if key[0] in record_ids and key[1] in record_ids}
    by_record = members.set_index("record_id")["golden_person_id"]
    return {"release": release,
            "persons": [_person_card(person, records, members, release["as_of_date"]) | {"letter": letters[person]}
                        for person in person_ids],
            "records": {record: letters[person] for record, person in by_record.items()},
            "pairs": [pair | {"fields": field_comparisons(pair.pop("field_weights"))[:FIELDS_SHOWN]}
                      for pair in scored.sort_values(["linked", "score"], ascending=[True, False]).to_dict("records")],
            "pending": int((~scored["linked"] & scored["decision"].isna()).sum()), "seen": json.dumps(seen)}


def grouping_verdicts(view: dict, groups: dict[str, str], seen: str) -> list[tuple[SeenPair, str]]:
    """The decisions a steward's grouping of a cluster's records means: ``same`` inside a group, ``different``
    across groups, for every pair of the cluster's records.

    Args:
        view: :func:`cluster_view` of the cluster, read now.
        groups: Record ID -> group letter, for every record of the cluster.
        seen: The ``seen`` JSON the page showed: a decision made since on any of the pairs refuses the grouping.

    Raises:
        ValueError: The records are not exactly the cluster's (it changed since the page was shown), or a
            letter is not a group letter.
    """
    records = sorted(view["records"])
    if sorted(groups) != records:
        raise ValueError("the records sent are not this cluster's; reload the page")
    wrong = sorted({letter for letter in groups.values() if letter not in GROUP_LETTERS})
    if wrong:
        raise ValueError(f"group letters are {GROUP_LETTERS[0]}–{GROUP_LETTERS[-1]}, not {wrong}")
    shown = json.loads(seen or "{}")
    scores = {" ".join(pair_key(pair["left_record_id"], pair["right_record_id"])): pair["score"]
              for pair in view["pairs"]}
    run_id = view["release"]["run_id"]
    verdicts = []
    for left, right in itertools.combinations(records, 2):
        key = " ".join(pair_key(left, right))
        verdicts.append((SeenPair(left, right, scores.get(key), run_id, shown.get(key)),
                         "same" if groups[left] == groups[right] else "different"))
    return verdicts
