"""Split a golden person: the steward picks records that are not this person, and every pair across the cut
becomes a ``different`` decision, so the next run keeps the two groups apart (cannot-link never crossed).

Merging persons happens on a pair (``same`` is a must-link) or on a proposed cluster's page
(:mod:`termtem.review.proposed_clusters`), where a grouping also splits.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from termtem.golden_store import current_release
from termtem.golden_store.schema import golden_person
from termtem.review.decisions import SeenPair
from termtem.review.queue import latest_decisions, pair_key
from termtem.review.reads import member_rows, pairs_among


def _seen_key(left_record_id: str, right_record_id: str) -> str:
    return " ".join(pair_key(left_record_id, right_record_id))


def person_view(engine: sa.Engine, golden_person_id: str) -> dict | None:
    """A golden person of the current release with its records, or ``None`` when the release has no such person.

    Returns:
        ``release``; ``person`` (the golden-person row); ``members`` (record ID, link rule and score per record);
        ``scores`` and ``seen`` (per ordered pair of members, as ``"left right"``: the pair's score when it was
        scored, and the newest decision ID on it), which the split form sends back.
    """
    release = current_release(engine)
    if release is None:
        return None
    with engine.begin() as connection:
        person = connection.execute(sa.select(golden_person).where(
            golden_person.c.run_id == release["run_id"], golden_person.c.golden_person_id == golden_person_id)
        ).mappings().first()
        if person is None:
            return None
        members = member_rows(connection, release["run_id"], [golden_person_id])
        pairs = pairs_among(connection, release["run_id"], members["record_id"])
    records = set(members["record_id"])
    latest = latest_decisions(engine)
    seen = {" ".join(key): row["decision_id"] for key, row in latest.iterrows()
            if key[0] in records and key[1] in records}
    return {"release": release, "person": dict(person),
            "members": members[["record_id", "record_key", "link_rule", "link_score"]].to_dict("records"),
            "scores": {_seen_key(a, b): score for a, b, score in zip(pairs["left_record_id"],
                                                                     pairs["right_record_id"], pairs["score"],
                                                                     strict=True)},
            "seen": json.dumps(seen)}


def split_pairs(view: dict, split_off: list[str], seen: str) -> list[SeenPair]:
    """Every pair across the cut between ``split_off`` and the person's other records.

    Args:
        view: :func:`person_view` of the person, read now.
        split_off: Record IDs to take out of the person.
        seen: The ``seen`` JSON the page showed: a decision made since on a pair refuses the split.

    Raises:
        ValueError: No record picked, all records picked, or a record is not the person's.
    """
    records = [member["record_id"] for member in view["members"]]
    unknown = sorted(set(split_off) - set(records))
    if unknown or not split_off or set(split_off) == set(records):
        raise ValueError("pick some, not all, of the person's records to split off"
                         + (f"; not this person's: {unknown}" if unknown else ""))
    shown = json.loads(seen or "{}")
    rest = [record for record in records if record not in split_off]
    return [SeenPair(left, right, view["scores"].get(_seen_key(left, right)), view["release"]["run_id"],
                     shown.get(_seen_key(left, right)))
            for left in sorted(split_off) for right in rest]
