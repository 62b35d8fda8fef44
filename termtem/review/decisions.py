"""Record a steward's decision on a pair, so that two stewards deciding at once cannot both win silently.

The page (or the command line) says which decision on the pair it last saw: none, or a decision ID. The check
and the insert run in one writer transaction (:func:`termtem.golden_store.write_transaction` serialises
writers on SQLite and PostgreSQL alike), so when two stewards decide the same pair, the second finds a decision
they did not see and is refused with :class:`AlreadyDecided`, which names the first. The decision, what the
steward saw (score, release and the linkage model version that scored it) and the refusals all land in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from termtem.golden_store.engine import write_transaction
from termtem.golden_store.migrate import upgrade_schema
from termtem.golden_store.schema import STEWARD_DECISIONS, golden_release, steward_decision
from termtem.review.auth import User, audit


class NotAllowed(PermissionError):
    """The user's role does not allow the action."""


class AlreadyDecided(RuntimeError):
    """Someone decided the pair after the steward last looked at it.

    Attributes:
        latest: The decision the steward did not see (``steward``, ``decision``, ``decided_at``, ...).
    """

    def __init__(self, latest: dict) -> None:
        super().__init__(f"{latest['steward']} decided this pair ({latest['decision']}) at "
                         f"{latest['decided_at']:%Y-%m-%d %H:%M} while you were looking at it")
        self.latest = latest


@dataclass(frozen=True)
class SeenPair:
    """What the steward saw when deciding.

    Attributes:
        left_record_id: One record of the pair (``source:source_row``).
        right_record_id: The other.
        score: The pair's match probability shown.
        run_id: The release the page showed.
        last_decision_id: The newest decision on the pair shown, ``None`` when it showed none.
    """

    left_record_id: str
    right_record_id: str
    score: float | None
    run_id: str | None
    last_decision_id: str | None


def _pair_decisions(record_ids: set[str]) -> sa.Select:
    return (sa.select(steward_decision).where(steward_decision.c.left_record_id.in_(record_ids),
                                              steward_decision.c.right_record_id.in_(record_ids))
            .order_by(steward_decision.c.decided_at.desc(), steward_decision.c.decision_id.desc()).limit(1))


def decide(engine: sa.Engine, user: User, seen: SeenPair, decision: str, note: str | None = None) -> str:
    """Append the user's decision on a pair; return its ID (see :func:`decide_each`)."""
    return decide_each(engine, user, [(seen, decision)], note)[0]


def decide_pairs(engine: sa.Engine, user: User, pairs: list[SeenPair], decision: str,
                 note: str | None = None) -> list[str]:
    """Append one decision on several pairs, all or none (a person split); return the decision IDs."""
    return decide_each(engine, user, [(seen, decision) for seen in pairs], note)


def decide_each(engine: sa.Engine, user: User, verdicts: list[tuple[SeenPair, str]],
                note: str | None = None) -> list[str]:
    """Append the user's decision on each pair, all or none (a cluster grouping); return the decision IDs.

    Raises:
        NotAllowed: The user is not a steward (the attempt is audited).
        AlreadyDecided: A pair has a newer decision than the one the steward saw (audited; nothing is decided).
        ValueError: Unknown decision, no pairs, or a pair of one record with itself.
    """
    unknown = sorted({decision for _, decision in verdicts} - set(STEWARD_DECISIONS))
    if unknown:
        raise ValueError(f"decision must be one of {list(STEWARD_DECISIONS)}, not {unknown}")
    if not verdicts:
        raise ValueError("no pair to decide")
    for seen, _ in verdicts:
        if seen.left_record_id == seen.right_record_id:
            raise ValueError(f"a decision needs two different records, got {seen.left_record_id!r} twice")
    upgrade_schema(engine)

    def detail(seen: SeenPair, decision: str) -> dict:
        return {"decision": decision, "note": note or None, "score_seen": seen.score, "run_id": seen.run_id,
                "last_decision_seen": seen.last_decision_id}

    def target(seen: SeenPair) -> str:
        return f"{seen.left_record_id} | {seen.right_record_id}"

    with write_transaction(engine) as connection:
        if not user.can_decide:
            for seen, decision in verdicts:
                audit(connection, user.username, "decide_refused", target(seen),
                      detail(seen, decision) | {"reason": f"role {user.role}"})
            refused: Exception = NotAllowed(f"{user.username} is a {user.role}; only stewards decide pairs")
        else:
            latest = [connection.execute(_pair_decisions({seen.left_record_id, seen.right_record_id}))
                      .mappings().first() for seen, _ in verdicts]
            unseen = [(seen, decision, row) for (seen, decision), row in zip(verdicts, latest, strict=True)
                      if row is not None and row["decision_id"] != seen.last_decision_id]
            if not unseen:
                versions = _model_versions(connection, {seen.run_id for seen, _ in verdicts})
                return [_insert(connection, user, seen, decision, note, versions.get(seen.run_id),
                                detail(seen, decision), target(seen)) for seen, decision in verdicts]
            for seen, decision, row in unseen:
                audit(connection, user.username, "decide_refused", target(seen),
                      detail(seen, decision) | {"reason": "already decided", "decided_by": row["steward"]})
            refused = AlreadyDecided(dict(unseen[0][2]))
    raise refused


def _model_versions(connection: sa.Connection, run_ids: set[str | None]) -> dict[str, str | None]:
    """The linkage model version of each release shown: what scored the pairs the steward saw.

    Read from the whole release row, so a golden database whose ``golden_release`` has no ``model_version``
    column yet gives ``None`` (never the code version, which says nothing about the model's weights).
    """
    wanted = sorted(run_id for run_id in run_ids if run_id)
    rows = connection.execute(sa.select(golden_release).where(golden_release.c.run_id.in_(wanted))).mappings()
    return {row["run_id"]: row.get("model_version") for row in rows}


def _insert(connection: sa.Connection, user: User, seen: SeenPair, decision: str, note: str | None,
            model_version: str | None, detail: dict, target: str) -> str:
    decision_id = uuid.uuid4().hex
    connection.execute(steward_decision.insert().values(
        decision_id=decision_id, left_record_id=seen.left_record_id, right_record_id=seen.right_record_id,
        decision=decision, note=note or None, steward=user.username, decided_at=dt.datetime.now(dt.UTC),
        score_seen=seen.score, model_version=model_version))
    audit(connection, user.username, "decide", target, detail | {"decision_id": decision_id,
                                                                 "model_version": model_version})
    return decision_id
