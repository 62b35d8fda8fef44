"""What a steward sees: the queue of pending pairs ordered by impact, one pair side by side, the team's progress.

Everything a page shows is read from one release, pinned by its run ID, through the tables' keys
(:mod:`termtem.review.reads`), so a page stays fast however large the release is. The golden store
keeps no per-record attribute values, so each record is shown through the golden person it belongs to now,
with the per-field weights the model gave the pair.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from matching.steward import DIFFERENT, SAME
from termtem.golden_store import current_release, schema, steward_decisions
from termtem.review.reads import member_rows, pairs_among, record_rows, scored_pair

#: Stewards work on Thai time: "decided today" means today in Bangkok.
LOCAL_TIME = ZoneInfo("Asia/Bangkok")

#: Household triage colours, most urgent first.
TRIAGE_ORDER: dict[str, int] = {"red": 0, "yellow": 1, "green": 2}

#: Age below which a person is a child.
ADULT_AGE = 18

#: Thai (and English) labels of the compared fields of config/linkage.yaml.
FIELD_LABELS: dict[str, str] = {
    "citizen_id": "เลขประจำตัวประชาชน (citizen ID)", "given_name": "ชื่อ (given name)",
    "family_name": "นามสกุล (family name)", "birth_date": "วันเกิด (birth date)", "sex": "เพศ (sex)",
    "address": "ที่อยู่ (address)", "parents": "เลขประจำตัวพ่อ/แม่/ผู้ปกครอง (parents' IDs)",
    "nickname": "ชื่อเล่น (nickname)",
}

def pair_key(left_record_id: str, right_record_id: str) -> tuple[str, str]:
    """A pair's two record IDs in a fixed order, so a decision matches its pair whichever way it was written."""
    return (left_record_id, right_record_id) if left_record_id <= right_record_id else \
        (right_record_id, left_record_id)


def latest_decisions(engine: sa.Engine) -> pd.DataFrame:
    """The newest decision per pair (any steward), indexed by the ordered pair key."""
    decisions = steward_decisions(engine)
    if decisions.empty:
        return decisions.assign(pair=[]).set_index("pair")
    decisions["pair"] = [pair_key(a, b) for a, b in zip(decisions["left_record_id"], decisions["right_record_id"],
                                                        strict=True)]
    return decisions.drop_duplicates("pair", keep="last").set_index("pair")


def age_on(birth_dates: pd.Series, as_of: dt.date) -> pd.Series:
    """Age in whole years on ``as_of`` of each birth date (NaN where the date is missing or unreadable)."""
    born = pd.to_datetime(birth_dates, errors="coerce")
    before_birthday = (born.dt.month > as_of.month) | ((born.dt.month == as_of.month) & (born.dt.day > as_of.day))
    return as_of.year - born.dt.year - before_birthday.astype(int)


def _sides(records: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Per record ID (:func:`record_rows`): its golden person, district, triage and whether the person is a child."""
    sides = records[["golden_person_id", "district_code", "triage"]].copy()
    sides["child"] = (age_on(records["birth_date"], as_of) < ADULT_AGE).to_numpy()
    sides["triage_rank"] = sides["triage"].map(TRIAGE_ORDER).fillna(len(TRIAGE_ORDER)).to_numpy()
    return sides


def review_queue(engine: sa.Engine, *, district: str | None = None, source: str | None = None,
                 include_decided: bool = False) -> tuple[dict | None, pd.DataFrame]:
    """The current release's review pairs, most urgent first.

    Order: pairs involving a child first, then the worst household triage (red, yellow, green, none), then the
    most uncertain score (closest to 0.5).

    Args:
        engine: The golden database.
        district: Keep pairs with a record in this 4-digit district.
        source: Keep pairs with a record from this source.
        include_decided: Also keep pairs a steward decided (their newest decision in ``decision``).

    Returns:
        The release row (``None`` before the first publish) and one row per pair.
    """
    release = current_release(engine)
    columns = ["left_record_id", "right_record_id", "score", "child", "triage", "districts", "sources",
               "golden_person_ids", "decision", "decided_by", "last_decision_id"]
    if release is None:
        return None, pd.DataFrame(columns=columns)
    queue = schema.review_queue.c
    with engine.begin() as connection:
        pairs = pd.read_sql(sa.select(queue.left_record_id, queue.right_record_id, queue.score)
                            .where(queue.run_id == release["run_id"]), connection)
        records = record_rows(connection, release["run_id"],
                              [*pairs["left_record_id"], *pairs["right_record_id"]])
    sides = _sides(records, release["as_of_date"])
    left, right = sides.reindex(pairs["left_record_id"]), sides.reindex(pairs["right_record_id"])
    pairs["child"] = left["child"].fillna(False).to_numpy(bool) | right["child"].fillna(False).to_numpy(bool)
    rank = pd.concat([left["triage_rank"].reset_index(drop=True), right["triage_rank"].reset_index(drop=True)],
                     axis=1).min(axis=1).fillna(len(TRIAGE_ORDER)).to_numpy()
    pairs["triage"] = [next((colour for colour, order in TRIAGE_ORDER.items() if order == value), None)
                       for value in rank]
    pairs["districts"] = [sorted({d for d in (a, b) if isinstance(d, str)})
                          for a, b in zip(left["district_code"], right["district_code"], strict=True)]
    pairs["sources"] = [sorted({a.split(":")[0], b.split(":")[0]})
                        for a, b in zip(pairs["left_record_id"], pairs["right_record_id"], strict=True)]
    pairs["golden_person_ids"] = list(zip(left["golden_person_id"], right["golden_person_id"], strict=True))
    latest = latest_decisions(engine)
    keys = [pair_key(a, b) for a, b in zip(pairs["left_record_id"], pairs["right_record_id"], strict=True)]
    found = latest.reindex(pd.Index(keys, tupleize_cols=False))
    pairs["decision"] = found["decision"].to_numpy()
    pairs["decided_by"] = found["steward"].to_numpy()
    pairs["last_decision_id"] = found["decision_id"].to_numpy()
    keep = pairs["decision"].isna() | include_decided
    pairs = pairs[keep].assign(_rank=rank[keep.to_numpy()], _uncertainty=(pairs["score"] - 0.5).abs()[keep])
    pairs = pairs.sort_values(["child", "_rank", "_uncertainty", "left_record_id", "right_record_id"],
                              ascending=[False, True, True, True, True], kind="stable")
    return release, filter_queue(pairs[columns].reset_index(drop=True), district=district, source=source)


def filter_queue(pairs: pd.DataFrame, *, district: str | None = None, source: str | None = None) -> pd.DataFrame:
    """The queue's pairs (or clusters) with a record in ``district`` and one from ``source`` (either optional)."""
    keep = pd.Series(True, index=pairs.index)
    if district:
        keep &= pairs["districts"].map(lambda codes: district in codes)
    if source:
        keep &= pairs["sources"].map(lambda names: source in names)
    return pairs[keep].reset_index(drop=True)


@dataclass(frozen=True)
class FieldComparison:
    """One compared field of a pair: its label and the weight it added (positive) or removed (negative)."""

    field: str
    label: str
    weight: float | None

    @property
    def agreement(self) -> str:
        """``agree``, ``disagree`` or ``neutral`` (missing on a side, or a weight near zero)."""
        if self.weight is None or abs(self.weight) < 0.5:
            return "neutral"
        return "agree" if self.weight > 0 else "disagree"


def field_comparisons(field_weights: str | None) -> list[FieldComparison]:
    """The per-field weights of a pair (``field_weights`` JSON), strongest evidence first."""
    weights = json.loads(field_weights) if field_weights else {}
    comparisons = [FieldComparison(name, FIELD_LABELS.get(name, name),
                                   None if value is None or pd.isna(value) else float(value))
                   for name, value in weights.items()]
    return sorted(comparisons, key=lambda item: -abs(item.weight or 0.0))


def masked_citizen_id(citizen_id: str | None) -> str:
    """A citizen ID shown as its last four digits: enough to compare two records, not to copy the ID."""
    return f"•••••••••{citizen_id[-4:]}" if isinstance(citizen_id, str) and len(citizen_id) >= 4 else "—"


def pair_view(engine: sa.Engine, left_record_id: str, right_record_id: str) -> dict | None:
    """Everything the pair page shows, or ``None`` when the current release has no such scored pair.

    Besides the review queue, a pair the model linked can be opened too: a steward splits a wrong cluster by
    deciding one of its linked pairs ``different``.

    Returns:
        ``release``; ``pair`` (the review-queue or linked-pair row, ``linked`` telling which); ``fields``
        (:class:`FieldComparison` list); ``sides`` (per record: record ID, source, golden person, household
        triage, the person's other records, ``paired`` when they form a scored pair with the record);
        ``history`` (every decision on the pair, oldest first).
    """
    release = current_release(engine)
    if release is None or left_record_id == right_record_id:
        return None
    run_id = release["run_id"]
    with engine.begin() as connection:
        pair = scored_pair(connection, run_id, left_record_id, right_record_id)
        if pair is None:
            return None
        ends = (pair["left_record_id"], pair["right_record_id"])
        records = record_rows(connection, run_id, ends)
        members = member_rows(connection, run_id, records["golden_person_id"])
        paired = pairs_among(connection, run_id, members["record_id"])
    sides = []
    for record_id in ends:
        person = records.loc[record_id].to_dict() if record_id in records.index else {}
        cluster = members[members["golden_person_id"] == person.get("golden_person_id")]
        partners = set(paired.loc[paired["left_record_id"] == record_id, "right_record_id"]) | \
            set(paired.loc[paired["right_record_id"] == record_id, "left_record_id"])
        sides.append({
            "record_id": record_id, "source": record_id.split(":")[0], "record_key": person.get("record_key"),
            "golden_person_id": person.get("golden_person_id"), "person": person,
            "age": int(age_on(pd.Series([person.get("birth_date")]), release["as_of_date"]).iloc[0])
            if pd.notna(person.get("birth_date")) else None,
            "citizen_id": masked_citizen_id(person.get("citizen_id")), "triage": person.get("triage"),
            "cluster": cluster[["record_id", "link_rule", "link_score"]].assign(
                paired=cluster["record_id"].isin(partners)).to_dict("records"),
        })
    decisions = steward_decisions(engine)
    mask = decisions["left_record_id"].isin(ends) & decisions["right_record_id"].isin(ends)
    return {"release": release, "pair": pair, "fields": field_comparisons(pair.get("field_weights")),
            "sides": sides, "history": decisions[mask].to_dict("records")}


@dataclass(frozen=True)
class Progress:
    """The team's figures: pairs pending, decided today, and agreement on pairs two stewards decided."""

    pending: int
    decided_today: int
    double_reviewed: int
    agreeing: int

    @property
    def agreement(self) -> float | None:
        """Share of double-reviewed pairs where the stewards agree, ``None`` before any."""
        return self.agreeing / self.double_reviewed if self.double_reviewed else None


def progress(engine: sa.Engine, now: dt.datetime | None = None, pending: int | None = None) -> Progress:
    """Compute the team's progress figures from the queue and the decision table.

    Args:
        engine: The golden database.
        now: The moment "today" is taken from (default: now).
        pending: Pairs pending, when the caller has just read the queue (default: read it).
    """
    if pending is None:
        pending = len(review_queue(engine)[1])
    decisions = steward_decisions(engine)
    today = (now or dt.datetime.now(dt.UTC)).astimezone(LOCAL_TIME).date()
    decided_at = pd.to_datetime(decisions["decided_at"], utc=True)
    decided_today = int((decided_at.dt.tz_convert(LOCAL_TIME).dt.date == today).sum()) if len(decisions) else 0
    verdicts = decisions[decisions["decision"].isin([SAME, DIFFERENT])].copy()
    verdicts["pair"] = [pair_key(a, b) for a, b in zip(verdicts["left_record_id"], verdicts["right_record_id"],
                                                       strict=True)]
    per_steward = verdicts.drop_duplicates(["pair", "steward"], keep="last")
    by_pair = per_steward.groupby("pair")["decision"].agg(["size", "nunique"])
    double = by_pair[by_pair["size"] >= 2]
    return Progress(pending, decided_today, len(double), int((double["nunique"] == 1).sum()))
