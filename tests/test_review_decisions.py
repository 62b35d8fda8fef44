"""Steward review without a browser, on SQLite and the real PostgreSQL: concurrency, roles, audit, queue order."""

from __future__ import annotations

import json
import threading

import pandas as pd
import pytest
import sqlalchemy as sa

from matching.steward import steward_pairs
from termtem.cli import main
from termtem.golden_store import current_release, engine_for, publish_release, read_release, steward_decisions
from termtem.golden_store.review_schema import review_audit, review_user
from termtem.golden_store.sample import sample_release
from termtem.review.auth import find_user, session_user, sign_in, sign_out, verify_password
from termtem.review.cluster import person_view, split_pairs
from termtem.review.decisions import AlreadyDecided, NotAllowed, SeenPair, decide, decide_pairs
from termtem.review.queue import TRIAGE_ORDER, progress, review_queue
from tests.review_team import add_review_team

PAIR = ("school_enrolment:4", "civil_registration:9")


def _audit(engine: sa.Engine) -> pd.DataFrame:
    with engine.connect() as connection:
        return pd.read_sql(sa.select(review_audit).order_by(review_audit.c.at), connection)



def test_the_second_steward_deciding_a_pair_sees_it_was_decided(database_url: str) -> None:
    engine = engine_for(database_url)
    add_review_team(engine)
    malee, somchai = find_user(engine, "malee"), find_user(engine, "somchai")
    both_saw = SeenPair(*PAIR, score=0.71, run_id=None, last_decision_id=None)
    first = decide(engine, malee, both_saw, "same", "same mother and house")
    with pytest.raises(AlreadyDecided, match="malee decided this pair") as refused:
        decide(engine, somchai, both_saw, "different")
    assert refused.value.latest["decision_id"] == first
    # Having seen malee's decision, somchai may overrule it; the newest decision is then in force.
    decide(engine, somchai, SeenPair(*PAIR, 0.71, None, last_decision_id=first), "different")
    assert steward_decisions(engine)["steward"].tolist() == ["malee", "somchai"]


def test_two_stewards_deciding_at_the_same_moment_cannot_both_win(database_url: str) -> None:
    engine = engine_for(database_url)
    add_review_team(engine)
    stewards = [find_user(engine, "malee"), find_user(engine, "somchai")]
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def attempt(index: int) -> None:
        start.wait()
        try:
            decide(engine, stewards[index], SeenPair(*PAIR, 0.6, None, None), ["same", "different"][index])
            outcomes[stewards[index].username] = "won"
        except AlreadyDecided:
            outcomes[stewards[index].username] = "refused"

    threads = [threading.Thread(target=attempt, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["refused", "won"]
    decisions = steward_decisions(engine)
    assert len(decisions) == 1 and outcomes[decisions.loc[0, "steward"]] == "won"
    refusals = _audit(engine).query("action == 'decide_refused'")
    assert len(refusals) == 1 and outcomes[refusals["username"].iloc[0]] == "refused"


def test_a_viewer_cannot_decide_and_the_attempt_is_audited(database_url: str) -> None:
    engine = engine_for(database_url)
    add_review_team(engine)
    with pytest.raises(NotAllowed, match="viewer"):
        decide(engine, find_user(engine, "wipa"), SeenPair(*PAIR, 0.7, None, None), "same")
    assert steward_decisions(engine).empty
    refusal = _audit(engine).query("action == 'decide_refused'").iloc[0]
    assert refusal["username"] == "wipa" and json.loads(refusal["detail"])["reason"] == "role viewer"


def test_the_audit_trail_records_who_signed_in_and_what_they_saw_when_deciding(database_url: str) -> None:
    engine = engine_for(database_url)
    release = sample_release(40, seed=5, run_id="run-a")
    publish_release(engine, release)
    add_review_team(engine)
    assert sign_in(engine, "malee", "wrong-password") is None
    assert sign_in(engine, "nobody", "malee-password") is None
    token = sign_in(engine, "malee", "malee-password")
    user = session_user(engine, token)
    assert user is not None and user.display_name == "มาลี ใจดี" and user.can_decide
    pair = release.frames["review_queue"].iloc[0]
    decision_id = decide(engine, user, SeenPair(pair["left_record_id"], pair["right_record_id"],
                                                float(pair["score"]), "run-a", None), "unsure", "ask the school")
    sign_out(engine, token, "malee")
    assert session_user(engine, token) is None

    trail = _audit(engine)
    assert trail["action"].tolist() == ["add_user", "add_user", "add_user", "sign_in_failed", "sign_in_failed",
                                        "sign_in", "decide", "sign_out"]
    assert trail["username"].tolist()[3:5] == ["malee", None]  # an unknown name is not stored
    detail = json.loads(trail.query("action == 'decide'")["detail"].iloc[0])
    assert detail["decision_id"] == decision_id and detail["run_id"] == "run-a" and detail["note"] == "ask the school"
    # What the steward saw: the linkage model that scored the release (not the code version of the release).
    model_version = current_release(engine).get("model_version")
    assert detail["score_seen"] == pytest.approx(pair["score"]) and detail["model_version"] == model_version
    stored = steward_decisions(engine).iloc[0]
    assert stored["model_version"] == model_version and stored["score_seen"] == pytest.approx(pair["score"])
    with engine.connect() as connection:
        hashes = connection.execute(sa.select(review_user.c.password_hash)).scalars().all()
    assert all("password" not in stored_hash for stored_hash in hashes)
    assert len({stored_hash.split("$")[4] for stored_hash in hashes}) == 3  # a salt of its own each
    assert sum(verify_password("malee-password", stored_hash) for stored_hash in hashes) == 1


def test_the_queue_puts_children_and_red_households_first_then_the_most_uncertain(database_url: str) -> None:
    engine = engine_for(database_url)
    publish_release(engine, sample_release(300, seed=11, run_id="run-q"))
    release, queue = review_queue(engine)
    assert len(queue) == len(read_release(engine, ["review_queue"])[1]["review_queue"]) > 5
    order = pd.DataFrame({"child": ~queue["child"].astype(bool),
                          "triage": queue["triage"].map(TRIAGE_ORDER).fillna(len(TRIAGE_ORDER)),
                          "uncertainty": (queue["score"] - 0.5).abs()})
    assert order.apply(tuple, axis=1).is_monotonic_increasing
    district = queue["districts"].iloc[-1][0]
    in_district = review_queue(engine, district=district)[1]
    assert 0 < len(in_district) <= len(queue) and all(district in codes for codes in in_district["districts"])
    first = queue.iloc[0]
    add_review_team(engine)
    decide(engine, find_user(engine, "malee"), SeenPair(first["left_record_id"], first["right_record_id"],
                                                        float(first["score"]), release["run_id"], None), "same")
    figures = progress(engine)
    assert figures.pending == len(queue) - 1 and figures.decided_today == 1 and figures.double_reviewed == 0


def test_agreement_counts_pairs_two_stewards_decided(database_url: str) -> None:
    engine = engine_for(database_url)
    add_review_team(engine)
    malee, somchai = find_user(engine, "malee"), find_user(engine, "somchai")
    first = decide(engine, malee, SeenPair("a:1", "b:1", 0.6, None, None), "same")
    decide(engine, somchai, SeenPair("b:1", "a:1", 0.6, None, first), "same")
    second = decide(engine, malee, SeenPair("a:2", "b:2", 0.6, None, None), "same")
    decide(engine, somchai, SeenPair("a:2", "b:2", 0.6, None, second), "different")
    figures = progress(engine)
    assert (figures.double_reviewed, figures.agreeing, figures.agreement) == (2, 1, 0.5)


def test_the_command_line_adds_users_lists_the_queue_and_decides(database_url: str, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    engine = engine_for(database_url)
    publish_release(engine, sample_release(120, seed=2, run_id="run-c"))
    monkeypatch.setenv("TERMTEM_REVIEW_PASSWORD", "cli-password")
    assert main(["review", "add-user", "kanya", "--role", "steward", "--db-url", database_url]) == 0
    capsys.readouterr()
    assert main(["review", "queue", "--json", "--limit", "1", "--db-url", database_url]) == 0
    pair = json.loads(capsys.readouterr().out)[0]
    decide_args = ["review", "decide", pair["left_record_id"], pair["right_record_id"], "different",
                   "--steward", "kanya", "--note", "different mothers", "--db-url", database_url]
    assert main(decide_args) == 0
    assert main(decide_args) == 1  # decided already: refused unless --replace
    assert "kanya decided this pair" in capsys.readouterr().err
    assert main([*decide_args[:-2], "--replace", "--db-url", database_url]) == 0
    decisions = steward_decisions(engine)
    assert decisions["decision"].tolist() == ["different", "different"]
    assert decisions["score_seen"].iloc[0] == pytest.approx(pair["score"])


def test_splitting_a_person_records_a_cannot_link_across_the_cut_all_or_nothing(database_url: str) -> None:
    engine = engine_for(database_url)
    publish_release(engine, sample_release(200, seed=6, run_id="run-s"))
    add_review_team(engine)
    xref = read_release(engine, ["person_xref"])[1]["person_xref"]
    person_id = xref["golden_person_id"].value_counts().index[0]  # the person with the most records
    view = person_view(engine, person_id)
    records = [member["record_id"] for member in view["members"]]
    assert len(records) >= 3
    with pytest.raises(ValueError, match="some, not all"):
        split_pairs(view, records, view["seen"])
    pairs = split_pairs(view, records[:1], view["seen"])
    assert {(pair.left_record_id, pair.right_record_id) for pair in pairs} == {(records[0], other)
                                                                              for other in records[1:]}
    # Somebody decides one of the pairs after the page was shown: the whole split is refused.
    decide(engine, find_user(engine, "somchai"), pairs[-1], "same")
    with pytest.raises(AlreadyDecided, match="somchai"):
        decide_pairs(engine, find_user(engine, "malee"), pairs, "different")
    assert len(steward_decisions(engine)) == 1
    fresh = person_view(engine, person_id)
    decide_pairs(engine, find_user(engine, "malee"), split_pairs(fresh, records[:1], fresh["seen"]), "different")
    record_ids = pd.Series(records)
    verdicts = steward_pairs(steward_decisions(engine), record_ids)
    assert not verdicts.same.any() and len(verdicts.left) == len(records) - 1
    assert set(verdicts.left) | set(verdicts.right) == set(range(len(records)))
