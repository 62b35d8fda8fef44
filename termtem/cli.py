"""The ``termtem`` command: what a person does outside the Dagster UI.

``termtem generate`` writes a synthetic multi-agency sample, ``termtem run`` runs the whole pipeline on it (or on
real exports) into the golden database, and ``termtem summary`` shows the last published run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time
from pathlib import Path

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

    from assets.resources import GoldenDatabase, TermtemSettings
    from pipelines.definitions import all_assets, all_checks
    from termtem.golden_store import engine_for, latest_run_summary

    data_dir = Path(args.data_dir)
    if not data_dir.is_dir() or not any(data_dir.iterdir()):
        if Path(args.data_dir).resolve() != DEFAULT_DATA_DIR.resolve():
            print(f"termtem: no registry files in {data_dir}", file=sys.stderr)
            return 2
        from termtem.synth import generate_registries

        print(f"no sample yet: generating {SAMPLE_PEOPLE:,} synthetic people into {data_dir} (seed {SAMPLE_SEED})")
        generate_registries(data_dir, people=SAMPLE_PEOPLE, seed=SAMPLE_SEED)

    settings = TermtemSettings(data_dir=str(data_dir), as_of_date=args.as_of.isoformat() if args.as_of else "")
    started = time.perf_counter()
    result = dg.materialize(
        [*all_assets, *all_checks],
        resources={"settings": settings, "database": GoldenDatabase(url=args.db_url)},
        run_config={"loggers": {"console": {"config": {"log_level": args.log_level}}}},
        raise_on_error=False,
    )
    elapsed = time.perf_counter() - started
    if not result.success:
        print("termtem: the run failed; see the log above for the failing step", file=sys.stderr)
        return 1
    summary = latest_run_summary(engine_for(args.db_url))
    assert summary is not None
    _print_summary(summary)
    print(f"  time              {elapsed:>9.1f} s")
    print(f"golden tables in {_shown(args.db_url)}")
    return 0


def _summary(args: argparse.Namespace) -> int:
    from termtem.golden_store import engine_for, latest_run_summary

    summary = latest_run_summary(engine_for(args.db_url))
    if summary is None:
        print(f"no run published yet in {_shown(args.db_url)}; start one with `termtem run`")
        return 1
    _print_summary(summary)
    return 0


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

    summary = commands.add_parser("summary", help="show the last published run")
    summary.add_argument("--db-url", default=default_db,
                         help=f"SQLAlchemy URL of the golden database (default: ${DB_URL_ENV}, else embedded SQLite)")
    summary.set_defaults(handler=_summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``termtem`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from sqlalchemy.exc import OperationalError

    from termtem.ingest import IngestError
    from termtem.settings import SettingsError

    try:
        return args.handler(args)
    except OperationalError as error:
        print(f"termtem: cannot use the golden database {_shown(args.db_url)}: {error.orig}", file=sys.stderr)
    except (SettingsError, IngestError, ValueError) as error:
        print(f"termtem: {error}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
