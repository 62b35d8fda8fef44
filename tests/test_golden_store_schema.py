"""The schema is defined once: migrations build exactly it, old databases keep their rows, docs are generated."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from termtem.cli import main
from termtem.golden_store import current_release, engine_for, read_release, upgrade_schema
from termtem.golden_store.docs import SCHEMA_DOC, render
from termtem.golden_store.migrate import alembic_config, head_revision
from termtem.golden_store.schema import metadata
from termtem.golden_store.views import all_views


def test_the_migrations_build_exactly_the_declared_schema_and_views(database_url: str) -> None:
    engine = engine_for(database_url)
    assert upgrade_schema(engine) == head_revision()
    assert upgrade_schema(engine) == head_revision()  # a second run finds nothing to do
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
        views = set(sa.inspect(connection).get_view_names())
    assert differences == []
    assert {view.name for view in all_views()} <= views


def _old_database(engine: sa.Engine) -> None:
    """A golden database as termtem wrote it before migrations: revision 0001's tables, no alembic_version."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")
        connection.execute(sa.text("DROP TABLE alembic_version"))
        runs = sa.table("run_summary", *[sa.column(name) for name in (
            "run_id", "published_at", "as_of_date", "rows_in", "rows_quarantined", "persons", "households",
            "missed_children")])
        for run_id, day in (("old-run", 1), ("last-run", 2)):
            connection.execute(runs.insert().values(
                run_id=run_id, published_at=dt.datetime(2026, 7, day, tzinfo=dt.UTC), as_of_date=dt.date(2026, 6, 30),
                rows_in=3, rows_quarantined=1, persons=2, households=1, missed_children=0))
        connection.execute(sa.text(
            "INSERT INTO golden_person (golden_person_id, golden_household_id, given_name, family_name, birth_date, "
            "record_count, sources) VALUES ('P1', 'H1', 'สมชาย', 'ใจดี', '2015-03-15', 1, 'civil_registration'), "
            "('P2', 'H1', 'สมศรี', 'ใจดี', NULL, 1, 'school_enrolment')"))
        connection.execute(sa.text(
            "INSERT INTO person_xref (source, source_row, golden_person_id) VALUES "
            "('civil_registration', 1, 'P1'), ('school_enrolment', 4, 'P2')"))


def test_a_database_from_before_migrations_keeps_its_rows_as_the_current_release(database_url: str) -> None:
    engine = engine_for(database_url)
    _old_database(engine)
    upgrade_schema(engine)
    release = current_release(engine)
    assert release["run_id"] == "last-run" and release["release_seq"] == 2 and release["persons"] == 2
    _, frames = read_release(engine, ["golden_person", "person_xref"])
    assert frames["golden_person"]["given_name"].tolist() == ["สมชาย", "สมศรี"]
    assert str(frames["golden_person"].loc[0, "birth_date"]) == "2015-03-15"
    assert frames["person_xref"]["golden_person_id"].tolist() == ["P1", "P2"]
    with pytest.raises(ValueError, match="pruned"):
        read_release(engine, ["golden_person"], run_id="old-run")


def test_termtem_db_upgrade_migrates_from_the_command_line(database_url: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade", "--db-url", database_url]) == 0
    assert f"revision {head_revision()}" in capsys.readouterr().out
    assert main(["db", "releases", "--db-url", database_url]) == 0
    assert "no releases yet" in capsys.readouterr().out


def test_docs_schema_md_is_generated_from_the_schema_and_documents_every_table() -> None:
    assert SCHEMA_DOC.read_text(encoding="utf-8") == render(), "run: python -m termtem.golden_store.docs"
    text = SCHEMA_DOC.read_text(encoding="utf-8")
    for table in metadata.sorted_tables:
        assert table.comment, table.name
        assert f"## `{table.name}`" in text
    for view in all_views():
        assert f"| `{view.name}` |" in text
