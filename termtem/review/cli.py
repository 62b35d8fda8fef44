"""``termtem review``: serve the steward review app, and the same decisions from the command line for scripts."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys

#: Environment variable a script can set instead of typing a new user's password.
PASSWORD_ENV = "TERMTEM_REVIEW_PASSWORD"


def _engine(args: argparse.Namespace):
    from termtem.golden_store import engine_for

    return engine_for(args.db_url)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from termtem.review.app import create_app

    print(f"steward review app on http://{args.host}:{args.port}/ (Ctrl-C stops it)")
    uvicorn.run(create_app(_engine(args)), host=args.host, port=args.port, log_level="warning")
    return 0


def _add_user(args: argparse.Namespace) -> int:
    from termtem.review.auth import add_user

    password = os.environ.get(PASSWORD_ENV) or getpass.getpass(f"password for {args.username}: ")
    user = add_user(_engine(args), args.username, password, args.role, args.display_name)
    print(f"added {user.role} {user.username}")
    return 0


def _queue(args: argparse.Namespace) -> int:
    from termtem.review.queue import review_queue

    _, pairs = review_queue(_engine(args), district=args.district, source=args.source)
    shown = pairs.head(args.limit)
    if args.json:
        print(shown[["left_record_id", "right_record_id", "score", "child", "triage", "districts"]]
              .to_json(orient="records", force_ascii=False))
        return 0
    print(f"{len(pairs):,} pending pairs (children first, red households first, most uncertain first)")
    for pair in shown.itertuples():
        flags = " ".join(part for part in ("child" if pair.child else "", pair.triage or "") if part)
        print(f"  {pair.left_record_id:<28} {pair.right_record_id:<28} {pair.score:.3f}  {flags}")
    return 0


def _decide(args: argparse.Namespace) -> int:
    from termtem.golden_store import current_release
    from termtem.review.auth import find_user
    from termtem.review.decisions import AlreadyDecided, NotAllowed, SeenPair, decide
    from termtem.review.queue import latest_decisions, pair_key, pair_view

    engine = _engine(args)
    user = find_user(engine, args.steward)
    if user is None:
        print(f"termtem: no active review user {args.steward!r}; add one with `termtem review add-user`",
              file=sys.stderr)
        return 2
    view = pair_view(engine, args.left, args.right)
    release = view["release"] if view else current_release(engine)
    latest = latest_decisions(engine)
    key = pair_key(args.left, args.right)
    seen_id = latest.loc[[key], "decision_id"].iloc[0] if args.replace and key in latest.index else None
    seen = SeenPair(args.left, args.right, view["pair"]["score"] if view else None,
                    release["run_id"] if release else None, seen_id)
    try:
        decision_id = decide(engine, user, seen, args.decision, args.note)
    except (NotAllowed, AlreadyDecided) as refused:
        print(f"termtem: {refused}", file=sys.stderr)
        return 1
    print(json.dumps({"decision_id": decision_id, "decision": args.decision}))
    return 0


def _clusters(args: argparse.Namespace) -> int:
    from termtem.review.proposed_clusters import cluster_queue

    _, clusters = cluster_queue(_engine(args), district=args.district, source=args.source)
    shown = clusters.head(args.limit)
    if args.json:
        print(shown[["cluster", "golden_person_ids", "records", "pending", "score", "child", "triage", "districts"]]
              .to_json(orient="records", force_ascii=False))
        return 0
    print(f"{len(clusters):,} proposed clusters with pending pairs (children first, red households first, "
          "most uncertain first)")
    for cluster in shown.itertuples():
        flags = " ".join(part for part in ("child" if cluster.child else "", cluster.triage or "") if part)
        print(f"  {' '.join(cluster.golden_person_ids):<44} {cluster.records:>3} records  {cluster.pending:>2} "
              f"pending  {cluster.score:.3f}  {flags}")
    return 0


def _group(args: argparse.Namespace) -> int:
    from termtem.review.auth import find_user
    from termtem.review.decisions import AlreadyDecided, NotAllowed, decide_each
    from termtem.review.proposed_clusters import cluster_view, grouping_verdicts

    engine = _engine(args)
    user = find_user(engine, args.steward)
    view = cluster_view(engine, args.person)
    if user is None or view is None:
        print(f"termtem: no active review user {args.steward!r}" if user is None else
              f"termtem: no proposed cluster holds golden person {args.person!r}", file=sys.stderr)
        return 2
    groups = dict(item.rsplit("=", 1) for item in args.groups)
    try:
        verdicts = grouping_verdicts(view, groups, view["seen"] if args.replace else "{}")
        decision_ids = decide_each(engine, user, verdicts, args.note)
    except (ValueError, NotAllowed, AlreadyDecided) as refused:
        print(f"termtem: {refused}", file=sys.stderr)
        return 1
    print(json.dumps({"decisions": len(decision_ids),
                      "same": sum(decision == "same" for _, decision in verdicts)}))
    return 0


def add_review_commands(commands: argparse._SubParsersAction, db_url: argparse.ArgumentParser) -> None:
    """Add ``termtem review`` and its subcommands to the ``termtem`` parser."""
    review = commands.add_parser("review", help="steward review: the web app and scripted decisions")
    actions = review.add_subparsers(dest="action", required=True, metavar="ACTION")
    serve = actions.add_parser("serve", parents=[db_url], help="start the review web app",
                               description="Serve the steward review app (sign in, queue, pair view, decisions).")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8400, help="port (default: %(default)s)")
    serve.set_defaults(handler=_serve)

    add_user = actions.add_parser("add-user", parents=[db_url],
                                  help=f"add a named user (password from ${PASSWORD_ENV} or a prompt)")
    add_user.add_argument("username")
    add_user.add_argument("--role", choices=["steward", "viewer"], required=True)
    add_user.add_argument("--display-name", help="name shown in the app (default: the username)")
    add_user.set_defaults(handler=_add_user)

    queue = actions.add_parser("queue", parents=[db_url], help="list pending pairs, most urgent first")
    queue.add_argument("--district", help="only pairs with a record in this 4-digit district")
    queue.add_argument("--source", help="only pairs with a record from this source")
    queue.add_argument("--limit", type=int, default=20, help="pairs shown (default: %(default)s)")
    queue.add_argument("--json", action="store_true", help="print JSON records instead of a table")
    queue.set_defaults(handler=_queue)

    decide = actions.add_parser("decide", parents=[db_url], help="decide a pair as a named steward")
    decide.add_argument("left", help="record ID (source:row)")
    decide.add_argument("right", help="record ID (source:row)")
    decide.add_argument("decision", choices=["same", "different", "unsure"])
    decide.add_argument("--steward", required=True, help="the review user deciding (must be a steward)")
    decide.add_argument("--note", help="why")
    decide.add_argument("--replace", action="store_true",
                        help="replace the pair's newest decision (without it, a decided pair is refused)")
    decide.set_defaults(handler=_decide)

    clusters = actions.add_parser("clusters", parents=[db_url],
                                  help="list proposed clusters (records joined by pairs under review)")
    clusters.add_argument("--district", help="only clusters with a pair in this 4-digit district")
    clusters.add_argument("--source", help="only clusters with a pair from this source")
    clusters.add_argument("--limit", type=int, default=20, help="clusters shown (default: %(default)s)")
    clusters.add_argument("--json", action="store_true", help="print JSON records instead of a table")
    clusters.set_defaults(handler=_clusters)

    group = actions.add_parser("group", parents=[db_url],
                               help="decide a proposed cluster: same inside each group, different across groups")
    group.add_argument("person", help="a golden person ID of the cluster (the `cluster` of `review clusters`)")
    group.add_argument("groups", nargs="+", metavar="RECORD=LETTER",
                       help="every record of the cluster with its group letter, e.g. school_enrolment:4=A")
    group.add_argument("--steward", required=True, help="the review user deciding (must be a steward)")
    group.add_argument("--note", help="why")
    group.add_argument("--replace", action="store_true",
                       help="replace the pairs' newest decisions (without it, a cluster with a decided pair is "
                            "refused)")
    group.set_defaults(handler=_group)
