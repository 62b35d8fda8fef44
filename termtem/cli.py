"""The ``termtem`` command: what a person does outside the Dagster UI.

``termtem generate`` writes a synthetic multi-agency sample, ``termtem run`` runs the whole pipeline on it (or on
real exports) into the golden database, ``termtem summary`` shows the current release, ``termtem export`` writes
a release to Parquet or CSV, and ``termtem db`` migrates the database and manages its releases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time
from pathlib import Path

from termtem.review.cli import add_review_commands
from termtem.settings import DB_URL_ENV, DEFAULT_DATA_DIR, DEFAULT_DB_URL, configured_database_url

log = logging.getLogger("termtem")

#: People in the bundled sample that ``termtem run`` generates on first use.
SAMPLE_PEOPLE = 3000
SAMPLE_SEED = 42


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from error


def _generate(args: argparse.Namespace) -> int:
    from termtem.synth import generate_registries

    report = generate_registries(Path(args.out), people=args.people, seed=args.seed, as_of=args.as_of)
    print(f"wrote a synthetic sample of {args.people:,} people to {args.out} in {report.elapsed_seconds:.1f} s")
    for source, rows in report.rows_per_source.items():
        print(f"  {source:<20} {rows:>10,} rows")
    return 0


def _shown(url: str) -> str:
    """A database URL fit to print: the password masked."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _print_summary(summary: dict) -> None:
    published = f"{summary['published_at']:%Y-%m-%d %H:%M}"
    print(f"run {summary['run_id']} (as of {summary['as_of_date']}, published {published})")
    print(f"  rows in           {summary['rows_in']:>10,}")
    print(f"  rows quarantined  {summary['rows_quarantined']:>10,}")
    print(f"  persons           {summary['persons']:>10,}")
    print(f"  households        {summary['households']:>10,}")
    print(f"  missed children   {summary['missed_children']:>10,}")


def _run(args: argparse.Namespace) -> int:
    import dagster as dg

    from assets.provinces import all_provinces_tags
    from pipelines.in_process_run import whole_run
    from termtem.golden_store import current_release, engine_for

    data_dir = Path(args.data_dir)
    if not data_dir.is_dir() or not any(data_dir.iterdir()):
        if Path(args.data_dir).resolve() != DEFAULT_DATA_DIR.resolve():
            print(f"termtem: no registry files in {data_dir}", file=sys.stderr)
            return 2
        from termtem.synth import generate_registries

        print(f"no sample yet: generating {SAMPLE_PEOPLE:,} synthetic people into {data_dir} (seed {SAMPLE_SEED})")
        generate_registries(data_dir, people=SAMPLE_PEOPLE, seed=SAMPLE_SEED)

    resources = {"settings": {"data_dir": str(data_dir), "as_of_date": args.as_of.isoformat() if args.as_of else ""},
                 "database": {"url": args.db_url}}
    started = time.perf_counter()
    # Run without keeping every step's output in memory (``materialize`` would hold them all to the end).
    with dg.DagsterInstance.ephemeral() as instance, whole_run(
            instance, resources, log_level=args.log_level, raise_on_error=False, tags=all_provinces_tags()) as result:
        success = result.success
    elapsed = time.perf_counter() - started
    if not success:
        print("termtem: the run failed; see the log above for the failing step", file=sys.stderr)
        return 1
    summary = current_release(engine_for(args.db_url))
    assert summary is not None
    _print_summary(summary)
    print(f"  time              {elapsed:>9.1f} s")
    print(f"golden tables in {_shown(args.db_url)}")
    return 0


def _summary(args: argparse.Namespace) -> int:
    from termtem.golden_store import current_release, engine_for

    summary = current_release(engine_for(args.db_url))
    if summary is None:
        print(f"no run published yet in {_shown(args.db_url)}; start one with `termtem run`")
        return 1
    _print_summary(summary)
    return 0


def _export(args: argparse.Namespace) -> int:
    from termtem.golden_store import engine_for, export_release

    report = export_release(engine_for(args.db_url), Path(args.out), args.format, run_id=args.run_id,
                            pseudonymised=args.pseudonymised)
    print(f"exported release {report.run_id} to {report.folder} ({args.format})")
    for name, rows in report.rows.items():
        print(f"  {name:<36} {rows:>10,} rows")
    return 0


def _db(args: argparse.Namespace) -> int:
    from termtem import golden_store

    engine = golden_store.engine_for(args.db_url)
    if args.action == "upgrade":
        print(f"golden database {_shown(args.db_url)} at schema revision {golden_store.upgrade_schema(engine)}")
    elif args.action == "releases":
        releases = golden_store.list_releases(engine)
        print(releases.to_string(index=False) if len(releases) else "no releases yet")
    elif args.action == "withdraw":
        golden_store.withdraw_release(engine, args.run_id, args.reason)
        current = golden_store.current_release(engine)
        print(f"withdrew {args.run_id}; current release: {current['run_id'] if current else 'none'}")
    else:
        pruned = golden_store.prune_releases(engine, args.keep)
        print(f"pruned {len(pruned)} release(s); their metadata stays in golden_release")
    return 0


def _add_db_commands(commands: argparse._SubParsersAction, db_url: argparse.ArgumentParser) -> None:
    database = commands.add_parser("db", help="migrate the golden database and manage its releases")
    actions = database.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("upgrade", parents=[db_url], help="apply the schema migrations (publishing does it too)")
    actions.add_parser("releases", parents=[db_url], help="list every release, newest first")
    withdraw = actions.add_parser("withdraw", parents=[db_url],
                                  help="take a bad release out of use; the views fall back to the previous one")
    withdraw.add_argument("run_id", help="run ID of the release")
    withdraw.add_argument("--reason", required=True, help="why, kept with the release")
    prune = actions.add_parser("prune", parents=[db_url], help="delete the rows of old releases, keep metadata")
    prune.add_argument("--keep", type=int, required=True, help="published releases to keep in full")
    database.set_defaults(handler=_db)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with every subcommand and its help."""
    parser = argparse.ArgumentParser(
        prog="termtem", description="Find one child across Thai social-welfare registries.",
        epilog="The Dagster UI (`dagster dev -w workspace.yaml`) runs and watches the same pipeline.")
    parser.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                        help="how much the run logs (default: %(default)s)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    default_db = configured_database_url() or DEFAULT_DB_URL

    generate = commands.add_parser("generate", help="write a synthetic multi-agency sample with ground truth")
    generate.add_argument("--people", type=int, default=SAMPLE_PEOPLE, help="true persons (default: %(default)s)")
    generate.add_argument("--seed", type=int, default=SAMPLE_SEED, help="random seed (default: %(default)s)")
    generate.add_argument("--out", default=str(DEFAULT_DATA_DIR), help="output folder (default: %(default)s)")
    generate.add_argument("--as-of", type=_date, help="reference date for ages (default: pipeline.yaml)")
    generate.set_defaults(handler=_generate)

    run = commands.add_parser("run", help="run the whole pipeline and publish the golden tables")
    run.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR),
                     help="folder of registry exports (default: the bundled sample, generated on first use)")
    run.add_argument("--db-url", default=default_db,
                     help=f"SQLAlchemy URL of the golden database (default: ${DB_URL_ENV}, else embedded SQLite)")
    run.add_argument("--as-of", type=_date, help="reference date for ages and flags (default: pipeline.yaml)")
    run.set_defaults(handler=_run)

    db_url = argparse.ArgumentParser(add_help=False)
    db_url.add_argument("--db-url", default=default_db,
                        help=f"SQLAlchemy URL of the golden database (default: ${DB_URL_ENV}, else embedded SQLite)")
    summary = commands.add_parser("summary", parents=[db_url], help="show the current release")
    summary.set_defaults(handler=_summary)

    export = commands.add_parser("export", parents=[db_url], help="write a release's tables to Parquet or CSV")
    export.add_argument("--out", required=True, help="output folder (one file per table and manifest.json)")
    export.add_argument("--format", choices=["parquet", "csv"], default="parquet", help="(default: %(default)s)")
    export.add_argument("--run-id", help="release to export (default: the current one)")
    export.add_argument("--pseudonymised", action="store_true",
                        help="export only the pseudonymised analytics tables")
    export.set_defaults(handler=_export)
    _add_db_commands(commands, db_url)
    add_review_commands(commands, db_url)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``termtem`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from sqlalchemy.exc import OperationalError

    from termtem.golden_store import PseudonymKeyError
    from termtem.ingest import IngestError
    from termtem.settings import SettingsError

    try:
        return args.handler(args)
    except OperationalError as error:
        print(f"termtem: cannot use the golden database {_shown(args.db_url)}: {error.orig}", file=sys.stderr)
    except (SettingsError, IngestError, PseudonymKeyError, LookupError, ValueError) as error:
        print(f"termtem: {error}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
