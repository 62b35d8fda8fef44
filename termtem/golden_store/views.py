"""Stable views over the versioned tables: what downstream systems and analysts query.

Each ``current_<table>`` view shows one release table's rows for the newest published release, without the
``run_id`` column. A single SQL statement over the views sees one release (the database gives each statement
one snapshot). A program reading several statements should pin the release first (see
:func:`termtem.golden_store.read.read_release`) or run them in one REPEATABLE READ transaction.

Views are derived from :mod:`termtem.golden_store.schema` and rebuilt after every migration, so they never
disagree with the tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from termtem.golden_store.schema import (
    RELEASE_TABLES,
    golden_person,
    golden_release,
    pseudonymised_person,
    review_queue,
    steward_decision,
)


@dataclass(frozen=True)
class View:
    """A named view, its query and what it is for (shown in docs/schema.md)."""

    name: str
    description: str
    query: sa.Select


def current_run_id() -> sa.ScalarSelect:
    """The run ID of the newest published release, as a scalar subquery."""
    return (sa.select(golden_release.c.run_id).where(golden_release.c.status == "published")
            .order_by(golden_release.c.release_seq.desc()).limit(1).scalar_subquery())


def _current(table: sa.Table) -> View:
    columns = [column for column in table.columns if column.name != "run_id"]
    return View(f"current_{table.name}", f"{table.name} of the current release",
                sa.select(*columns).where(table.c.run_id == current_run_id()))


def _membership_history() -> View:
    published = golden_release.c.status == "published"
    query = (sa.select(golden_person.c.golden_person_id, golden_person.c.golden_household_id,
                       sa.func.min(golden_release.c.as_of_date).label("first_as_of"),
                       sa.func.max(golden_release.c.as_of_date).label("last_as_of"),
                       sa.func.count().label("releases"))
             .join(golden_release, golden_release.c.run_id == golden_person.c.run_id).where(published)
             .group_by(golden_person.c.golden_person_id, golden_person.c.golden_household_id))
    return View("household_membership_history",
                "household membership with history: each person's households over the retained releases, "
                "with the first and last as-of date they were seen together", query)


def _open_review() -> View:
    decided = sa.select(steward_decision.c.decision_id).where(sa.or_(
        (steward_decision.c.left_record_id == review_queue.c.left_record_id)
        & (steward_decision.c.right_record_id == review_queue.c.right_record_id),
        (steward_decision.c.left_record_id == review_queue.c.right_record_id)
        & (steward_decision.c.right_record_id == review_queue.c.left_record_id)))
    columns = [column for column in review_queue.columns if column.name != "run_id"]
    query = sa.select(*columns).where(review_queue.c.run_id == current_run_id(), ~decided.exists())
    return View("current_open_review", "review-queue pairs of the current release no steward has decided yet",
                query)


def _district_counts() -> View:
    person = pseudonymised_person.c
    query = (sa.select(person.province_code, person.district_code,
                       sa.func.count().label("persons"),
                       sa.func.sum(sa.case((person.age < 18, 1), else_=0)).label("children"),
                       sa.func.sum(sa.case((person.missed_child_rules.is_not(None), 1), else_=0))
                       .label("missed_children"),
                       sa.func.sum(sa.case((person.citizen_id_hash.is_(None), 1), else_=0))
                       .label("without_valid_citizen_id"))
             .where(person.run_id == current_run_id())
             .group_by(person.province_code, person.district_code))
    return View("current_district_counts",
                "pseudonymised counts by district for analysts: persons, children under 18, children with a "
                "missed-child flag, persons without a valid citizen ID", query)


def all_views() -> list[View]:
    """Every view, in creation order."""
    current_release = View("current_release", "the golden_release row of the newest published release",
                           sa.select(golden_release).where(golden_release.c.run_id == current_run_id()))
    return [current_release, *[_current(table) for table in RELEASE_TABLES], _membership_history(),
            _open_review(), _district_counts()]


def _create_sql(view: View, dialect: sa.Dialect) -> str:
    compiled = view.query.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    return f"CREATE VIEW {dialect.identifier_preparer.quote(view.name)} AS {compiled}"


def drop_views(connection: sa.Connection) -> None:
    """Drop every view that exists, so a migration may change the tables beneath them."""
    preparer = connection.dialect.identifier_preparer
    existing = set(sa.inspect(connection).get_view_names())
    for view in reversed(all_views()):
        if view.name in existing:
            connection.exec_driver_sql(f"DROP VIEW {preparer.quote(view.name)}")


def create_views(connection: sa.Connection) -> None:
    """Create every view (none may exist), inside the caller's transaction."""
    for view in all_views():
        connection.exec_driver_sql(_create_sql(view, connection.dialect))


def missing_views(connection: sa.Connection) -> list[str]:
    """Names of views that do not exist yet."""
    existing = set(sa.inspect(connection).get_view_names())
    return [view.name for view in all_views() if view.name not in existing]
