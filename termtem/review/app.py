"""The steward review web app: sign in, work through the queue, decide pairs (FastAPI, server-rendered pages).

Pages are plain HTML from Jinja2 templates with a few lines of JavaScript for the keyboard shortcuts, so the app
works in any browser on a district-office laptop. Every request reads the golden database afresh; decisions go
through :func:`termtem.review.decisions.decide`, which refuses a decision on a pair someone else decided since the
page was shown. Start it with ``termtem review serve``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs, urlencode

import pandas as pd
import sqlalchemy as sa
from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from termtem.golden_store.migrate import upgrade_schema
from termtem.review.auth import SESSION_HOURS, User, session_user, sign_in, sign_out
from termtem.review.cluster import person_view, split_pairs
from termtem.review.decisions import AlreadyDecided, NotAllowed, SeenPair, decide, decide_each, decide_pairs
from termtem.review.proposed_clusters import GROUP_LETTERS, cluster_queue, cluster_view, grouping_verdicts
from termtem.review.queue import filter_queue, pair_view, progress, review_queue

HERE = Path(__file__).parent
SESSION_COOKIE = "termtem_review_session"

#: Thai labels of the three verdicts (and their keyboard shortcuts on the pair page).
DECISION_LABELS: dict[str, str] = {"same": "คนเดียวกัน", "different": "คนละคน", "unsure": "ไม่แน่ใจ"}

#: Rows shown on one queue page.
QUEUE_PAGE_ROWS = 200


#: HTTP status of a refused decision: a malformed form, a role that may not decide, a pair decided meanwhile.
REFUSALS: dict[type[Exception], int] = {ValueError: 400, NotAllowed: 403, AlreadyDecided: 409}


def _refusal_status(refused: Exception) -> int:
    return next(status for kind, status in REFUSALS.items() if isinstance(refused, kind))


def _queue_context(everything: pd.DataFrame, shown: pd.DataFrame, district: str, source: str) -> dict:
    """What both queue pages (pairs, proposed clusters) show besides their rows: filters and their choices."""
    return {"total": len(shown), "district": district, "source": source,
            "districts": sorted({code for codes in everything["districts"] for code in codes}),
            "sources": sorted({name for names in everything["sources"] for name in names}),
            "filters": urlencode({key: value for key, value in (("district", district), ("source", source))
                                  if value})}


class SignInRequired(Exception):
    """The request has no valid session."""


def _current_user(request: Request) -> User:
    user = session_user(request.app.state.engine, request.cookies.get(SESSION_COOKIE))
    if user is None:
        raise SignInRequired
    return user


#: A route parameter holding the signed-in user (the request is sent to the sign-in page without one).
SignedIn = Annotated[User, Depends(_current_user)]


def create_app(engine: sa.Engine) -> FastAPI:
    """The review app over one golden database (migrated on start so the user tables exist)."""
    upgrade_schema(engine)
    app = FastAPI(title="termtem steward review", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(decision_labels=DECISION_LABELS)

    app.state.engine = engine

    @app.exception_handler(SignInRequired)
    async def _to_sign_in(request: Request, _: SignInRequired) -> Response:
        return RedirectResponse(f"/login?{urlencode({'next': str(request.url.path)})}", status_code=303)

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/") -> Response:
        return templates.TemplateResponse(request, "login.html", {"next": next, "failed": False})

    @app.post("/login")
    def login(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()],
              next: Annotated[str, Form()] = "/") -> Response:
        token = sign_in(engine, username, password)
        if token is None:
            return templates.TemplateResponse(request, "login.html", {"next": next, "failed": True}, status_code=401)
        response = RedirectResponse(next if next.startswith("/") and not next.startswith("//") else "/",
                                    status_code=303)
        response.set_cookie(SESSION_COOKIE, token, max_age=SESSION_HOURS * 3600, httponly=True, samesite="strict")
        return response

    @app.post("/logout")
    def logout(request: Request, user: SignedIn) -> Response:
        sign_out(engine, request.cookies[SESSION_COOKIE], user.username)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/", response_class=HTMLResponse)
    def queue_page(request: Request, user: SignedIn, district: str = "", source: str = "") -> Response:
        release, everything = review_queue(engine)
        pairs = filter_queue(everything, district=district or None, source=source or None)
        context = _queue_context(everything, pairs, district, source) | {
            "user": user, "release": release, "pairs": pairs.head(QUEUE_PAGE_ROWS).to_dict("records"),
            "queue_path": "/", "progress": progress(engine, pending=len(everything))}
        return templates.TemplateResponse(request, "queue.html", context)

    def render_pair(request: Request, user: User, left: str, right: str, filters: str,
                    message: str | None = None, status_code: int = 200) -> Response:
        view = pair_view(engine, left, right)
        if view is None:
            return templates.TemplateResponse(request, "missing.html", {"user": user}, status_code=404)
        history = view["history"]
        context = view | {"user": user, "filters": filters, "message": message,
                          "last_decision_id": history[-1]["decision_id"] if history else ""}
        return templates.TemplateResponse(request, "pair.html", context, status_code=status_code)

    @app.get("/pair", response_class=HTMLResponse)
    def pair_page(request: Request, user: SignedIn, left: str, right: str, filters: str = "") -> Response:
        return render_pair(request, user, left, right, filters)

    @app.post("/decide")
    def decide_pair(request: Request, user: SignedIn, left: Annotated[str, Form()], right: Annotated[str, Form()],
                    decision: Annotated[str, Form()], score: Annotated[float, Form()],
                    run_id: Annotated[str, Form()], last_decision_id: Annotated[str, Form()] = "",
                    note: Annotated[str, Form()] = "", filters: Annotated[str, Form()] = "") -> Response:
        seen = SeenPair(left, right, score, run_id, last_decision_id or None)
        try:
            decide(engine, user, seen, decision, note.strip() or None)
        except (NotAllowed, AlreadyDecided) as refused:
            return render_pair(request, user, left, right, filters, str(refused), _refusal_status(refused))
        return RedirectResponse(_next_pair(engine, filters), status_code=303)

    def render_view(request: Request, user: User, template: str, view: dict | None, filters: str,
                    message: str | None, status_code: int) -> Response:
        """A person or cluster page, a refusal's message above its form; the missing page without a view."""
        if view is None:
            return templates.TemplateResponse(request, "missing.html", {"user": user}, status_code=404)
        context = view | {"user": user, "filters": filters, "message": message, "refused": status_code >= 400}
        return templates.TemplateResponse(request, template, context, status_code=status_code)

    def render_person(request: Request, user: User, golden_person_id: str, filters: str,
                      message: str | None = None, status_code: int = 200) -> Response:
        return render_view(request, user, "person.html", person_view(engine, golden_person_id), filters, message,
                           status_code)

    @app.get("/person", response_class=HTMLResponse)
    def person_page(request: Request, user: SignedIn, id: str, filters: str = "", split: int = 0) -> Response:
        message = f"บันทึกการแยก {split} คู่แล้ว มีผลในรอบประมวลผลถัดไป (split recorded: {split} pairs; " \
                  "applied by the next run)" if split else None
        return render_person(request, user, id, filters, message)

    @app.post("/split")
    def split_person(request: Request, user: SignedIn, id: Annotated[str, Form()],
                     seen: Annotated[str, Form()] = "{}", records: Annotated[list[str] | None, Form()] = None,
                     note: Annotated[str, Form()] = "", filters: Annotated[str, Form()] = "") -> Response:
        view = person_view(engine, id)
        if view is None:
            return render_person(request, user, id, filters)
        try:
            pairs = split_pairs(view, records or [], seen)
            decide_pairs(engine, user, pairs, "different", note.strip() or None)
        except (ValueError, NotAllowed, AlreadyDecided) as refused:
            return render_person(request, user, id, filters, str(refused), _refusal_status(refused))
        return RedirectResponse("/person?" + urlencode({"id": id, "filters": filters, "split": len(pairs)}),
                                status_code=303)

    @app.get("/clusters", response_class=HTMLResponse)
    def clusters_page(request: Request, user: SignedIn, district: str = "", source: str = "") -> Response:
        release, everything = cluster_queue(engine)
        clusters = filter_queue(everything, district=district or None, source=source or None)
        context = _queue_context(everything, clusters, district, source) | {
            "user": user, "release": release, "clusters": clusters.head(QUEUE_PAGE_ROWS).to_dict("records"),
            "queue_path": "/clusters", "progress": progress(engine)}
        return templates.TemplateResponse(request, "clusters.html", context)

    def render_cluster(request: Request, user: User, person: str, filters: str, message: str | None = None,
                       status_code: int = 200) -> Response:
        view = cluster_view(engine, person)
        if view is not None:
            view |= {"letters": GROUP_LETTERS[:len(view["persons"]) + 1], "cluster_person": person}
        return render_view(request, user, "cluster.html", view, filters, message, status_code)

    @app.get("/cluster", response_class=HTMLResponse)
    def cluster_page(request: Request, user: SignedIn, person: str, filters: str = "", saved: int = 0) -> Response:
        message = f"บันทึกการจัดกลุ่มแล้ว {saved} คู่ มีผลในรอบประมวลผลถัดไป (grouping recorded as {saved} pair " \
                  "decisions; applied by the next run)" if saved else None
        return render_cluster(request, user, person, filters, message)

    @app.post("/cluster")
    def decide_cluster(request: Request, user: SignedIn, person: Annotated[str, Form()],
                       records: Annotated[list[str], Form()], groups: Annotated[list[str], Form()],
                       seen: Annotated[str, Form()] = "{}", note: Annotated[str, Form()] = "",
                       filters: Annotated[str, Form()] = "") -> Response:
        view = cluster_view(engine, person)
        if view is None:
            return render_cluster(request, user, person, filters)
        try:
            if len(records) != len(groups):
                raise ValueError("every record needs a group")
            verdicts = grouping_verdicts(view, dict(zip(records, groups, strict=True)), seen)
            decide_each(engine, user, verdicts, note.strip() or None)
        except (ValueError, NotAllowed, AlreadyDecided) as refused:
            return render_cluster(request, user, person, filters, str(refused), _refusal_status(refused))
        return RedirectResponse(_next_cluster(engine, filters, len(verdicts)), status_code=303)

    return app


def _next_cluster(engine: sa.Engine, filters: str, saved: int) -> str:
    """The page after a grouping: the most urgent pending cluster under the same filters, else the cluster queue."""
    wanted = {key: values[0] for key, values in parse_qs(filters).items()}
    _, clusters = cluster_queue(engine, district=wanted.get("district"), source=wanted.get("source"))
    if clusters.empty:
        return f"/clusters?{filters}"
    return "/cluster?" + urlencode({"person": clusters["cluster"].iloc[0], "filters": filters, "saved": saved})


def _next_pair(engine: sa.Engine, filters: str) -> str:
    """The page after a decision: the most urgent pending pair under the same filters, else the queue."""
    wanted = {key: values[0] for key, values in parse_qs(filters).items()}
    _, pairs = review_queue(engine, district=wanted.get("district"), source=wanted.get("source"))
    if pairs.empty:
        return f"/?{filters}"
    first = pairs.iloc[0]
    return "/pair?" + urlencode({"left": first["left_record_id"], "right": first["right_record_id"],
                                 "filters": filters})
