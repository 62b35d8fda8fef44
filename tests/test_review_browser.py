"""The review app in a real headless browser (Debian's chromium driven by Playwright), end to end.

Set ``TERMTEM_REVIEW_SCREENSHOTS=docs`` to save the queue, pair and cluster screenshots that docs/review.md shows.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
import uvicorn

from termtem.cli import main
from termtem.golden_store import current_person_xref, engine_for, publish_release, read_release, steward_decisions
from termtem.golden_store.sample import sample_release
from termtem.review.app import create_app
from termtem.review.auth import add_user
from termtem.review.proposed_clusters import GROUP_LETTERS, cluster_queue
from termtem.review.queue import review_queue

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (installed by .ci/run)")]


@contextmanager
def _serving(engine: sa.Engine) -> Iterator[str]:
    """The review app on a free loopback port, in a thread; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the review app did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def _browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 1366, "height": 860}, locale="th-TH")
        finally:
            browser.close()


def _sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/")
    assert "/login" in page.url  # the queue needs a signed-in user
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _run_pipeline(sample: Path, url: str) -> None:
    assert main(["run", "--data-dir", str(sample), "--db-url", url]) == 0


def _person(xref, record_id: str) -> str:
    source, row = record_id.split(":")
    match = xref[(xref["source"] == source) & (xref["source_row"] == int(row))]
    return match["golden_person_id"].iloc[0]


def test_a_steward_decides_in_the_browser_and_the_next_run_applies_it(generated_sample: Path,
                                                                       tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'golden.sqlite'}"
    _run_pipeline(generated_sample, url)
    engine = engine_for(url)
    add_user(engine, "malee", "malee-password", "steward", "มาลี ใจดี")
    _, queue = review_queue(engine)
    apart = [index for index, (a, b) in enumerate(queue["golden_person_ids"]) if a != b]
    assert apart, "the sample should leave a pair of two golden persons for review"
    same_index = apart[0]
    same = queue.iloc[same_index]
    # A pair the model linked, in a person of exactly those two records: the steward splits it.
    release, frames = read_release(engine, ["linked_pair", "person_xref"])
    sizes = frames["person_xref"]["golden_person_id"].value_counts()
    xref = frames["person_xref"]
    touched = {same["left_record_id"], same["right_record_id"]}
    linked = next(pair for pair in frames["linked_pair"].itertuples()
                  if sizes[_person(xref, pair.left_record_id)] == 2 and not {pair.left_record_id,
                                                                              pair.right_record_id} & touched)

    with _serving(engine) as base, _browser() as page:
        _sign_in(page, base, "malee", "malee-password")
        assert page.locator("#queue tbody tr[data-href]").count() == len(queue)
        for _ in range(same_index):
            page.keyboard.press("j")  # keyboard review: move down the queue, Enter opens the pair
        page.keyboard.press("Enter")
        page.wait_for_url("**/pair?**")
        assert same["left_record_id"] in page.content() and "เปรียบเทียบทีละช่อง" in page.content()
        page.keyboard.press("n")
        page.keyboard.type("ชื่อสลับกัน วันเกิดและอำเภอเดียวกัน")
        page.keyboard.press("Escape")
        with page.expect_navigation():
            page.keyboard.press("s")
        page.goto(f"{base}/pair?left={linked.left_record_id}&right={linked.right_record_id}")
        assert "เชื่อมแล้วโดยโมเดล" in page.content()
        with page.expect_navigation():
            page.keyboard.press("d")

    decisions = steward_decisions(engine)
    assert decisions["decision"].tolist() == ["same", "different"]
    assert set(decisions["steward"]) == {"malee"} and decisions["note"].iloc[0].startswith("ชื่อสลับกัน")
    assert decisions["score_seen"].tolist() == pytest.approx([same["score"], linked.score])
    assert release["model_version"]  # the pipeline records the model that scored the release's pairs
    assert decisions["model_version"].tolist() == [release["model_version"]] * 2  # ... and a decision what it saw

    _run_pipeline(generated_sample, url)
    after = current_person_xref(engine)
    assert _person(after, same["left_record_id"]) == _person(after, same["right_record_id"])
    assert _person(after, linked.left_record_id) != _person(after, linked.right_record_id)


def test_a_steward_groups_a_proposed_cluster_with_the_keyboard_and_the_next_run_applies_it(
        generated_sample: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'golden.sqlite'}"
    _run_pipeline(generated_sample, url)
    engine = engine_for(url)
    add_user(engine, "malee", "malee-password", "steward", "มาลี ใจดี")
    _, clusters = cluster_queue(engine)
    several = [index for index, persons in enumerate(clusters["golden_person_ids"]) if len(persons) >= 2]
    assert several, "the sample should propose a cluster of two or more golden persons"
    index = several[0]
    persons = clusters["golden_person_ids"].iloc[index]

    with _serving(engine) as base, _browser() as page:
        _sign_in(page, base, "malee", "malee-password")
        page.keyboard.press("c")  # to the cluster queue
        page.wait_for_url(f"{base}/clusters")
        assert page.locator("#queue tbody tr[data-href]").count() == len(clusters)
        for _ in range(index):
            page.keyboard.press("j")
        page.keyboard.press("Enter")
        page.wait_for_url("**/cluster?**")
        records = page.locator("tr.member").evaluate_all("rows => rows.map(row => row.dataset.record)")
        assert len(records) == clusters["records"].iloc[index] >= 3
        assert all(person in page.content() for person in persons)
        # Everything one person (m), then the last record on its own in a new group: j to it, its letter.
        page.keyboard.press("m")
        for _ in range(len(records) - 1):
            page.keyboard.press("j")
        page.keyboard.press(GROUP_LETTERS[len(persons)].lower())
        page.keyboard.press("n")
        page.keyboard.type("แม่คนเดียวกัน ยกเว้นระเบียนสุดท้าย")
        page.keyboard.press("Escape")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/cluster" in page.url

    decisions = steward_decisions(engine)
    pairs = len(records) * (len(records) - 1) // 2
    assert len(decisions) == pairs and set(decisions["steward"]) == {"malee"}
    moved = records[-1]
    touches_moved = (decisions["left_record_id"] == moved) | (decisions["right_record_id"] == moved)
    assert set(decisions.loc[touches_moved, "decision"]) == {"different"}
    assert set(decisions.loc[~touches_moved, "decision"]) == {"same"}
    assert decisions["note"].str.startswith("แม่คนเดียวกัน").all()

    _run_pipeline(generated_sample, url)
    after = current_person_xref(engine)
    merged = {_person(after, record) for record in records[:-1]}
    assert len(merged) == 1 and _person(after, moved) not in merged


def test_a_viewer_sees_pairs_but_cannot_decide(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'golden.sqlite'}")
    publish_release(engine, sample_release(400, seed=8, run_id="run-browser"))
    add_user(engine, "malee", "malee-password", "steward", "มาลี ใจดี")
    add_user(engine, "wipa", "wipa-password", "viewer", "วิภา ศรีสุข")
    _, queue = review_queue(engine)
    first = queue.iloc[0]
    pair_path = f"/pair?left={first['left_record_id']}&right={first['right_record_id']}"
    screenshots = os.environ.get("TERMTEM_REVIEW_SCREENSHOTS")

    with _serving(engine) as base, _browser() as page:
        _sign_in(page, base, "malee", "malee-password")
        if screenshots:
            page.keyboard.press("j")
            page.screenshot(path=str(Path(screenshots) / "review-queue.png"))
            page.goto(base + pair_path)
            page.screenshot(path=str(Path(screenshots) / "review-pair.png"), full_page=True)
            page.goto(f"{base}/cluster?person={cluster_queue(engine)[1]['cluster'].iloc[0]}")
            page.keyboard.press("j")
            page.screenshot(path=str(Path(screenshots) / "review-cluster.png"), full_page=True)
        page.click("button.link")  # sign out
        page.wait_for_url("**/login")
        _sign_in(page, base, "wipa", "wipa-password")
        page.goto(base + pair_path)
        assert "ผู้ดูอย่างเดียวตัดสินคู่ไม่ได้" in page.content()
        assert page.locator("button[name=decision]").count() == 0
        page.keyboard.press("s")  # the shortcut does nothing without the buttons
        assert page.url == base + pair_path
        cluster_path = f"/cluster?person={cluster_queue(engine)[1]['cluster'].iloc[0]}"
        page.goto(base + cluster_path)
        assert page.locator("tr.member select:disabled").count() == page.locator("tr.member").count() >= 3
        page.keyboard.press("Enter")  # nothing to submit for a viewer
        assert page.url == base + cluster_path
        district, source = first["districts"][0], first["sources"][0]
        page.goto(base + pair_path + "&" + urlencode({"filters": urlencode({"district": district, "source": source})}))
        page.keyboard.press("Escape")  # back to the queue, with its filters
        page.wait_for_url(f"{base}/?{urlencode({'district': district, 'source': source})}")
        assert page.locator("#queue tbody tr[data-href]").count() >= 1
        refused = page.request.post(f"{base}/decide", form={
            "left": first["left_record_id"], "right": first["right_record_id"], "decision": "same",
            "score": str(first["score"]), "run_id": "run-browser"})
        assert refused.status == 403 and "only stewards decide" in refused.text()

    assert steward_decisions(engine).empty
