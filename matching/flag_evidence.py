"""Evidence on missed-children flags from the linkage: near misses, and children waiting on a review.

A child flagged as missing from a registry may be in it under a record the linkage did not join: a mistyped ID,
a changed given name. ``scored_links`` scored every candidate pair, so for each flag the pairs that join one of
the child's records to a record of another golden person in a searched registry are the near misses; the
nearest are listed on the flag with their scores. When one of them is a pair awaiting review (decision
``review``) and that record would satisfy the rule, the child is missing only because of an uncertain link:
the flag's status becomes ``pending_review`` instead of ``missed``. A pair the model scored at or above the review
threshold but that two different valid citizen IDs kept apart (rule ``citizen_id_conflict``; a mistyped ID is
the usual cause) is just as uncertain, yet in no review queue: its status is ``id_conflict``, so a steward
checks the IDs instead of a district office searching for a child who is on a school roll.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from matching.missed_children import ID_CONFLICT, PENDING_REVIEW, FlagRule, found_in
from matching.scoring import CITIZEN_ID_CONFLICT, REVIEW

#: Keys of each near-miss entry in a flag's ``near_misses`` (JSON list, nearest first).
NEAR_MISS_FIELDS: tuple[str, ...] = ("record_id", "source", "golden_person_id", "score", "decision", "pair_rule")


def cross_person_pairs(records: pd.DataFrame, scored_links: pd.DataFrame) -> pd.DataFrame:
    """Scored pairs seen from each side, kept where the two records are in different golden persons.

    Args:
        records: ``person_clusters`` indexed by position (``golden_person_id``, ``record_id``, ``source``).
        scored_links: ``left``, ``right`` (positions), ``score``, ``decision`` and ``rule``.

    Returns:
        ``golden_person_id`` (this side's person), ``other`` (the other record's position), ``record_id``,
        ``source`` and ``other_person`` of the other record, ``score``, ``decision`` and ``pair_rule`` (the
        pair's ``rule``: ``model``, ``citizen_id_conflict``, a steward's verdict).
    """
    person = records["golden_person_id"].reindex(range(len(records))).to_numpy(object)
    left, right = scored_links["left"].to_numpy(np.int64), scored_links["right"].to_numpy(np.int64)
    own, other = np.concatenate([left, right]), np.concatenate([right, left])
    sides = pd.DataFrame({"golden_person_id": person[own], "other": other, "other_person": person[other],
                          "score": np.tile(scored_links["score"].to_numpy(float), 2),
                          "decision": np.tile(scored_links["decision"].to_numpy(object), 2),
                          "pair_rule": np.tile(scored_links["rule"].to_numpy(object), 2)})
    sides = sides[sides["golden_person_id"] != sides["other_person"]]
    sides["record_id"] = records["record_id"].to_numpy(object)[sides["other"].to_numpy()]
    sides["source"] = records["source"].to_numpy(object)[sides["other"].to_numpy()]
    return sides.reset_index(drop=True)


def _near_miss_lists(candidates: pd.DataFrame, limit: int) -> pd.Series:
    """JSON list of the ``limit`` nearest candidates per (person, rule).

    Each entry is dumped on its own and the entries of a (person, rule) joined as ``json.dumps`` joins a list's
    items, so the text is the same as dumping the list while the work is one pass over the rows, not a frame per
    flag.
    """
    nearest = candidates.sort_values(["golden_person_id", "rule", "score", "record_id"],
                                     ascending=[True, True, False, True])
    nearest = nearest.drop_duplicates(["golden_person_id", "rule", "record_id"])
    nearest = nearest[nearest.groupby(["golden_person_id", "rule"]).cumcount() < limit]
    entries = [json.dumps({"record_id": record_id, "source": source, "golden_person_id": other_person,
                           "score": round(score, 4), "decision": decision, "pair_rule": pair_rule},
                          ensure_ascii=False)
               for record_id, source, other_person, score, decision, pair_rule in zip(
                   nearest["record_id"].tolist(), nearest["source"].tolist(), nearest["other_person"].tolist(),
                   nearest["score"].astype(float).tolist(), nearest["decision"].tolist(),
                   nearest["pair_rule"].tolist(), strict=True)]
    texts = pd.Series(entries, index=nearest.index, dtype=object)
    lists = texts.groupby([nearest["golden_person_id"], nearest["rule"]], sort=False).agg(", ".join)
    return ("[" + lists + "]").astype(object)


def add_flag_evidence(flags: pd.DataFrame, records: pd.DataFrame, scored_links: pd.DataFrame,
                      rules: tuple[FlagRule, ...], limit: int, review_score: float) -> pd.DataFrame:
    """Attach the near misses to each flag and mark the children waiting only on an uncertain link.

    Args:
        flags: Flags from :func:`matching.missed_children.evaluate_missed_children`.
        records: ``person_clusters`` indexed by position, with the fields rules' ``require_true`` names.
        scored_links: Every scored candidate pair (``left``, ``right``, ``score``, ``decision`` and ``rule``).
        rules: The rules the flags were raised with.
        limit: Near misses listed per flag.
        review_score: The linkage's review threshold: a ``citizen_id_conflict`` pair scoring at least this is
            uncertain.

    Returns:
        ``flags`` with ``near_misses`` (JSON list, nearest first, :data:`NEAR_MISS_FIELDS`) and ``status``
        ``pending_review`` where a review pair joins the child to a record that would satisfy the rule, else
        ``id_conflict`` where such a pair is kept apart only by conflicting citizen IDs.
    """
    sides = cross_person_pairs(records, scored_links)
    sides = sides[sides["golden_person_id"].isin(flags["golden_person_id"])]
    parts = []
    for rule in rules:
        flagged = flags.loc[flags["rule"] == rule.name, "golden_person_id"]
        these = sides[sides["golden_person_id"].isin(flagged) & sides["source"].isin(rule.expected_in)]
        fields = ["source"] + ([rule.require_true] if rule.require_true else [])
        satisfies = found_in(records.loc[these["other"], fields], rule).to_numpy(bool)
        parts.append(these.assign(rule=rule.name, satisfies=satisfies))
    candidates = pd.concat(parts, ignore_index=True) if parts else sides.assign(rule=None, satisfies=False)
    result = flags.copy()
    keys = pd.MultiIndex.from_frame(result[["golden_person_id", "rule"]])
    if limit:
        result["near_misses"] = _near_miss_lists(candidates, limit).reindex(keys).fillna("[]").to_numpy(object)
    blocked = (candidates["pair_rule"] == CITIZEN_ID_CONFLICT) & (candidates["score"] >= review_score)
    for status, uncertain in ((ID_CONFLICT, blocked), (PENDING_REVIEW, candidates["decision"] == REVIEW)):
        found = candidates[uncertain & candidates["satisfies"]]
        result.loc[keys.isin(pd.MultiIndex.from_frame(found[["golden_person_id", "rule"]])), "status"] = status
    return result
