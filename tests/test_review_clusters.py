"""Proposed clusters in the review app: the queue of clusters, the grouping of a cluster's records into persons
(same inside a group, different across, all or nothing) and its effect on the next run."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from matching.steward import steward_pairs
from termtem.cli import main
from termtem.golden_store import current_person_xref, current_release, engine_for, publish_release, steward_decisions
from termtem.golden_store.publish import Release
from termtem.golden_store.review_schema import review_audit
from termtem.golden_store.sample import sample_release
from termtem.review.auth import add_user, find_user
from termtem.review.decisions import AlreadyDecided, NotAllowed, decide, decide_each
from termtem.review.proposed_clusters import cluster_queue, cluster_view, grouping_verdicts
from termtem.review.queue import TRIAGE_ORDER, pair_key
from tests.review_team import add_review_team


def _record_id(row: pd.Series) -> str:
    return f"{row['source']}:{row['source_row']}"


def _triangle_release(run_id: str) -> tuple[Release, list[str], str, str]:
    """A release where the model linked A–B (one golden person) and left A–C and B–C for review.

    Returns:
        The release, the records ``[A, B, C]``, A and B's golden person and C's.
    """
    release = sample_release(400, seed=8, run_id=run_id)
    xref, queue = release.frames["person_xref"], release.frames["review_queue"]
    sizes = xref["golden_person_id"].value_counts()
    reviewed = set(queue["left_record_id"]) | set(queue["right_record_id"])
    xref = xref.assign(record_id=xref.apply(_record_id, axis=1))
    persons = xref.groupby("golden_person_id")["record_id"].agg(list)
    untouched = persons[[not set(records) & reviewed for records in persons]]
    pair_person = next(person for person in untouched.index if sizes[person] == 2)
    single_person = next(person for person in untouched.index if sizes[person] == 1)
    (a, b), c = sorted(persons[pair_person]), persons[single_person][0]
    template = queue.iloc[0]
    added = pd.DataFrame([template.to_dict() | {"left_record_id": a, "right_record_id": c, "score": 0.52},
                          template.to_dict() | {"left_record_id": b, "right_record_id": c, "score": 0.61}])
    release.frames["review_queue"] = pd.concat([queue, added], ignore_index=True)
    return release, [a, b, c], pair_person, single_person



def test_review_pairs_join_two_persons_into_one_proposed_cluster(database_url: str) -> None:
    engine = engine_for(database_url)
    release, (a, b, c), pair_person, single_person = _triangle_release("run-t")
    publish_release(engine, release)
    _, clusters = cluster_queue(engine)
    triangle = clusters[clusters["golden_person_ids"].map(lambda persons: single_person in persons)]
    assert len(triangle) == 1
    row = triangle.iloc[0]
    assert row["golden_person_ids"] == sorted([pair_person, single_person])
    assert (row["records"], row["pairs"], row["pending"]) == (3, 2, 2)
    assert row["score"] == pytest.approx(0.52)  # the most uncertain of its pending pairs

    view = cluster_view(engine, single_person)
    assert view is not None and view == cluster_view(engine, pair_person)  # any person of the cluster opens it
    assert view["records"][a] == view["records"][b] != view["records"][c]
    assert view["pending"] == 2
    linked = {pair_key(p["left_record_id"], p["right_record_id"]) for p in view["pairs"] if p["linked"]}
    assert pair_key(a, b) in linked  # the link around the review pairs is shown too
    assert cluster_view(engine, "P-not-in-any-cluster") is None

    source = c.split(":")[0]
    assert single_person in set().union(*cluster_queue(engine, source=source)[1]["golden_person_ids"])
    elsewhere = cluster_queue(engine, district="0000")[1]
    assert elsewhere.empty


def test_the_cluster_queue_is_ordered_like_the_pair_queue_and_drops_decided_clusters(database_url: str) -> None:
    engine = engine_for(database_url)
    publish_release(engine, sample_release(400, seed=8, run_id="run-q"))
    _, clusters = cluster_queue(engine)
    assert len(clusters) >= 3 and (clusters["records"] >= 3).all() and (clusters["pending"] >= 1).all()
    order = pd.DataFrame({"child": ~clusters["child"].astype(bool),
                          "triage": clusters["triage"].map(TRIAGE_ORDER).fillna(len(TRIAGE_ORDER)),
                          "uncertainty": (clusters["score"] - 0.5).abs()})
    assert order.apply(tuple, axis=1).is_monotonic_increasing

    add_review_team(engine)
    first = clusters.iloc[0]
    view = cluster_view(engine, first["cluster"])
    verdicts = grouping_verdicts(view, view["records"], view["seen"])  # as the model proposes
    decide_each(engine, find_user(engine, "malee"), verdicts)
    after = cluster_queue(engine)[1]
    assert first["cluster"] not in set(after["cluster"]) and len(after) == len(clusters) - 1
    assert cluster_view(engine, first["cluster"])["pending"] == 0  # still open, all its pairs decided


def test_a_grouping_is_same_inside_and_different_across_groups_all_or_nothing(database_url: str) -> None:
    engine = engine_for(database_url)
    release, (a, b, c), _, single_person = _triangle_release("run-g")
    publish_release(engine, release)
    add_review_team(engine)
    malee, somchai = find_user(engine, "malee"), find_user(engine, "somchai")
    view = cluster_view(engine, single_person)
    groups = {a: "A", b: "B", c: "B"}  # B is C's person, not A's
    verdicts = grouping_verdicts(view, groups, view["seen"])
    assert {pair_key(seen.left_record_id, seen.right_record_id): decision for seen, decision in verdicts} == {
        pair_key(a, b): "different", pair_key(a, c): "different", pair_key(b, c): "same"}
    assert [seen.score for seen, _ in verdicts if pair_key(seen.left_record_id, seen.right_record_id)
            == pair_key(b, c)] == [pytest.approx(0.61)]
    with pytest.raises(ValueError, match="not this cluster's"):
        grouping_verdicts(view, {a: "A", b: "A"}, view["seen"])
    with pytest.raises(ValueError, match="group letters"):
        grouping_verdicts(view, {a: "A", b: "A", c: "Z"}, view["seen"])
    with pytest.raises(NotAllowed):
        decide_each(engine, find_user(engine, "wipa"), verdicts)

    # Somebody decides one of the pairs after the page was shown: the whole grouping is refused.
    decide(engine, somchai, verdicts[0][0], "unsure")
    with pytest.raises(AlreadyDecided, match="somchai"):
        decide_each(engine, malee, verdicts, "B กับ C แม่คนเดียวกัน")
    assert steward_decisions(engine)["steward"].tolist() == ["somchai"]
    with engine.connect() as connection:
        refused = pd.read_sql(sa.select(review_audit).where(review_audit.c.action == "decide_refused",
                                                       review_audit.c.username == "malee"), connection)
    assert len(refused) == 1 and json.loads(refused["detail"].iloc[0])["decided_by"] == "somchai"

    fresh = cluster_view(engine, single_person)
    decide_each(engine, malee, grouping_verdicts(fresh, groups, fresh["seen"]), "B กับ C แม่คนเดียวกัน")
    decisions = steward_decisions(engine)
    mine = decisions[decisions["steward"] == "malee"]
    assert len(mine) == 3 and set(mine["note"]) == {"B กับ C แม่คนเดียวกัน"}
    assert set(mine["model_version"].map(str)) == {str(current_release(engine).get("model_version"))}
    verdicts_in_force = steward_pairs(decisions, pd.Series([a, b, c]))
    assert sorted(zip(verdicts_in_force.left, verdicts_in_force.right, verdicts_in_force.same, strict=True)) == [
        (0, 1, False), (0, 2, False), (1, 2, True)]


def test_the_command_line_lists_clusters_and_decides_a_grouping(database_url: str,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    engine = engine_for(database_url)
    release, (a, b, c), pair_person, single_person = _triangle_release("run-c")
    publish_release(engine, release)
    add_review_team(engine)
    assert main(["review", "clusters", "--json", "--limit", "50", "--db-url", database_url]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [sorted([pair_person, single_person])] == [row["golden_person_ids"] for row in listed
                                                      if single_person in row["golden_person_ids"]]
    group = ["review", "group", single_person, f"{a}=A", f"{b}=A", f"{c}=A", "--steward", "malee",
             "--note", "one child", "--db-url", database_url]
    assert main(group) == 0
    assert json.loads(capsys.readouterr().out) == {"decisions": 3, "same": 3}
    assert main(group) == 1  # decided already: refused unless --replace
    assert "malee decided this pair" in capsys.readouterr().err
    assert main([*group[:3], f"{a}=A", f"{b}=A", "--steward", "malee", "--db-url", database_url]) == 1
    assert "not this cluster's" in capsys.readouterr().err
    assert main([*group, "--replace"]) == 0
    assert steward_decisions(engine)["decision"].tolist() == ["same"] * 6


@pytest.mark.slow
def test_a_cluster_merged_by_a_steward_is_one_golden_person_on_the_next_run(generated_sample: Path,
                                                                           tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'golden.sqlite'}"
    assert main(["run", "--data-dir", str(generated_sample), "--db-url", url]) == 0
    engine = engine_for(url)
    add_user(engine, "malee", "malee-password", "steward")
    _, clusters = cluster_queue(engine)
    several = clusters[clusters["golden_person_ids"].map(len) >= 2]
    assert not several.empty, "the sample should propose a cluster of two or more golden persons"
    view = cluster_view(engine, several["cluster"].iloc[0])
    records = sorted(view["records"])
    decide_each(engine, find_user(engine, "malee"),
                grouping_verdicts(view, dict.fromkeys(records, "A"), view["seen"]), "one child")

    assert main(["run", "--data-dir", str(generated_sample), "--db-url", url]) == 0
    xref = current_person_xref(engine)
    xref["record_id"] = xref["source"] + ":" + xref["source_row"].astype(str)
    assert xref.loc[xref["record_id"].isin(records), "golden_person_id"].nunique() == 1
