"""Accuracy of golden households and missed-children flags against the generator's ground truth.

Households are scored pair by pair over source records: two records are together when their golden persons
share a golden household, and truly together when the generator put their people in one household. Flags are
scored per rule against the truth of "missed": the same rules (:func:`evaluate_missed_children`) applied to the
true population, its true households and the sources that truly hold each person.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from matching.evaluation import ClusterScores, pairwise_cluster_scores
from matching.households import TRIAGE_ORDER
from matching.missed_children import MISSED, FlagRule, evaluate_missed_children

#: Columns of :func:`flag_scores`.
FLAG_SCORE_COLUMNS: tuple[str, ...] = (
    "rule", "true_missed", "flagged", "true_positives", "precision", "recall", "uncertain", "uncertain_truly_missed",
)


def household_scores(records: pd.DataFrame, membership: pd.DataFrame, truth_records: pd.DataFrame,
                     one_per_person: bool = False) -> ClusterScores:
    """Pairwise scores of the golden households over the source records.

    Args:
        records: Linked records with ``source``, ``source_row`` and ``golden_person_id``.
        membership: ``golden_person_id`` -> ``golden_household_id``.
        truth_records: The generator's ``source``, ``source_row``, ``person_id`` and ``household_id``.
        one_per_person: Score one record per true person (its first by source and row) instead of every record,
            so a person held by several registries does not count several times.
    """
    joined = records[["source", "source_row", "golden_person_id"]].merge(
        truth_records[["source", "source_row", "person_id", "household_id"]], on=["source", "source_row"],
        validate="one_to_one")
    if one_per_person:
        joined = joined.sort_values(["person_id", "source", "source_row"]).drop_duplicates("person_id")
    household = joined["golden_person_id"].map(membership.set_index("golden_person_id")["golden_household_id"])
    return pairwise_cluster_scores(household, joined["household_id"])


def true_person_of(records: pd.DataFrame, truth_records: pd.DataFrame) -> pd.Series:
    """Golden person ID -> the true person most of its records are about (ties: the smaller ID)."""
    joined = records[["source", "source_row", "golden_person_id"]].merge(
        truth_records[["source", "source_row", "person_id"]], on=["source", "source_row"])
    counts = joined.groupby(["golden_person_id", "person_id"]).size().rename("n").reset_index()
    counts = counts.sort_values(["golden_person_id", "n", "person_id"], ascending=[True, False, True])
    return counts.drop_duplicates("golden_person_id").set_index("golden_person_id")["person_id"]


def true_flags(truth_people: pd.DataFrame, truth_records: pd.DataFrame, source_values: pd.DataFrame,
               rules: tuple[FlagRule, ...], as_of: dt.date,
               recorded_with: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The flags the rules raise on the true population.

    Args:
        truth_people: The generator's people: ``person_id``, ``household_id``, ``birth_date``, ``triage``,
            ``poverty`` and admin codes.
        truth_records: ``source``, ``source_row`` and ``person_id`` of every source row (true presence).
        source_values: ``source``, ``source_row`` and each field a rule's ``require_true`` names, as the
            source row holds it (e.g. the poverty roll's ``child_grant``), and ``triage`` with ``recorded_with``.
        rules: Flag rules.
        as_of: Reference date for ages.
        recorded_with: None for the households' true triage and poverty. Else the poverty-list sources: each
            true household then has only what its members' source rows record (the worst ``triage`` in
            ``source_values``, a row in one of these sources), so a family triaged in no registry is not
            triaged, which no linkage can see either.
    """
    persons = truth_people.rename(columns={"person_id": "golden_person_id", "household_id": "golden_household_id"})
    presence = truth_records.merge(source_values, on=["source", "source_row"], how="left")
    presence = presence.rename(columns={"person_id": "golden_person_id"})
    if recorded_with is None:
        households = persons.groupby("golden_household_id").agg(
            triage=("triage", "first"), poverty_list=("poverty", "first")).reset_index()
    else:
        household = presence["golden_person_id"].map(persons.set_index("golden_person_id")["golden_household_id"])
        worst = presence["triage"].map(TRIAGE_ORDER).groupby(household).max()
        households = pd.DataFrame({"golden_household_id": persons["golden_household_id"].unique()})
        households["triage"] = households["golden_household_id"].map(worst).map(
            {rank: name for name, rank in TRIAGE_ORDER.items()})
        listed = presence["source"].isin(recorded_with).groupby(household).any()
        households["poverty_list"] = households["golden_household_id"].map(listed).fillna(False).astype(bool)
    households["triage"] = households["triage"].astype(object).where(households["triage"].notna(), None)
    return evaluate_missed_children(persons, presence, households, rules, as_of)


def flag_scores(flags: pd.DataFrame, truth: pd.DataFrame, true_person: pd.Series) -> pd.DataFrame:
    """Precision and recall of the ``missed`` flags per rule, and how the uncertain-link ones fall.

    Args:
        flags: Golden flags (``golden_person_id``, ``rule``, ``status``).
        truth: True flags (``golden_person_id`` holds the true person ID).
        true_person: Golden person ID -> true person ID (:func:`true_person_of`).

    Returns:
        One row per rule (:data:`FLAG_SCORE_COLUMNS`). Precision counts flags, so a child split into two golden
        persons and flagged twice counts twice; recall counts truly missed children with at least one flag.
        ``uncertain`` counts the flags waiting on a link (``pending_review``, ``id_conflict``): a truly missed
        child among them is a recall loss, any other one a false flag avoided.
    """
    mapped = flags.assign(person_id=flags["golden_person_id"].map(true_person))
    truly = pd.MultiIndex.from_frame(truth[["golden_person_id", "rule"]])
    mapped["truly_missed"] = pd.MultiIndex.from_frame(mapped[["person_id", "rule"]]).isin(truly)
    rows = []
    for rule in sorted(set(truth["rule"]) | set(flags["rule"])):
        these = mapped[mapped["rule"] == rule]
        missed = these[these["status"] == MISSED]
        uncertain = these[these["status"] != MISSED]
        expected = truth.loc[truth["rule"] == rule, "golden_person_id"]
        hits = int(missed["truly_missed"].sum())
        found = expected.isin(missed["person_id"]).sum()
        rows.append({"rule": rule, "true_missed": len(expected), "flagged": len(missed), "true_positives": hits,
                     "precision": hits / len(missed) if len(missed) else 1.0,
                     "recall": found / len(expected) if len(expected) else 1.0,
                     "uncertain": len(uncertain), "uncertain_truly_missed": int(uncertain["truly_missed"].sum())})
    return pd.DataFrame(rows, columns=list(FLAG_SCORE_COLUMNS))
