"""The golden store: the relational golden dataset downstream systems read, published as versioned releases.

The schema is defined once with SQLAlchemy (:mod:`.schema`, documented in docs/schema.md), migrated with Alembic
(``migrations/``, :mod:`.migrate`), and works on the embedded SQLite default and on PostgreSQL. A run is
published as one release in one transaction (:mod:`.publish`): readers see the previous release or the new one
in full, never a mix, and the ``current_*`` views (:mod:`.views`) always show the newest published release.
"""

from termtem.golden_store import review_schema  # noqa: F401  registers the review app's tables on the metadata
from termtem.golden_store.engine import engine_for, write_transaction
from termtem.golden_store.export import ExportReport, export_release, neutralise_formulas
from termtem.golden_store.frames import release_frames
from termtem.golden_store.migrate import upgrade_schema
from termtem.golden_store.pseudonymise import PseudonymKeyError, resolve_pseudonym_key
from termtem.golden_store.publish import Release, ReleaseError, prune_releases, publish_release, withdraw_release
from termtem.golden_store.read import (
    current_person_households,
    current_person_xref,
    current_release,
    list_releases,
    read_release,
    record_steward_decision,
    steward_decisions,
)

__all__ = [
    "ExportReport",
    "PseudonymKeyError",
    "Release",
    "ReleaseError",
    "current_person_households",
    "current_person_xref",
    "current_release",
    "engine_for",
    "export_release",
    "list_releases",
    "neutralise_formulas",
    "prune_releases",
    "publish_release",
    "read_release",
    "record_steward_decision",
    "release_frames",
    "resolve_pseudonym_key",
    "steward_decisions",
    "upgrade_schema",
    "withdraw_release",
    "write_transaction",
]
