"""Pseudonymised analytics views: keyed hashes only, no citizen ID, name or house, counts that add up."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from termtem.golden_store import (
    PseudonymKeyError,
    Release,
    current_release,
    engine_for,
    export_release,
    publish_release,
    read_release,
    resolve_pseudonym_key,
)
from termtem.golden_store.pseudonymise import MIN_KEY_LENGTH, key_fingerprint, keyed_hash
from termtem.golden_store.sample import sample_release
from termtem.settings import PSEUDONYM_KEY_ENV

KEY = "k3y-for-tests-only-" + "x" * MIN_KEY_LENGTH
ANALYST_VIEWS = ("current_pseudonymised_person", "current_pseudonymised_missed_child", "current_district_counts")


@pytest.fixture(scope="module")
def release() -> Release:
    return sample_release(400, seed=21, run_id="run-1")


def _view(engine: sa.Engine, name: str) -> pd.DataFrame:
    with engine.connect() as connection:
        return pd.read_sql(sa.text(f"SELECT * FROM {name}"), connection)


def test_the_analyst_views_hold_no_citizen_id_name_house_or_golden_id(database_url: str, release: Release) -> None:
    engine = engine_for(database_url)
    published = publish_release(engine, release, pseudonym_key=KEY)
    assert published["pseudonym_key_id"] == key_fingerprint(KEY) and KEY not in str(current_release(engine))
    persons = release.frames["golden_person"]
    secrets = set()
    for column in ("citizen_id", "given_name", "family_name", "house_code", "golden_person_id",
                   "golden_household_id"):
        secrets |= set(persons[column].dropna().astype(str))
    assert len(secrets) > 3 * len(persons)  # the check below has plenty to find
    for name in ANALYST_VIEWS:
        view = _view(engine, name)
        assert len(view) > 0, name
        cells = set(view.astype(str).to_numpy().ravel())
        assert not cells & secrets, name
        assert not any(secret in cell for cell in cells for secret in persons["citizen_id"].head(50)), name
        assert not {"citizen_id", "given_name", "family_name", "house_code", "house_no"} & set(view.columns)


def test_district_counts_add_up_to_the_golden_persons(database_url: str, release: Release) -> None:
    engine = engine_for(database_url)
    publish_release(engine, release, pseudonym_key=KEY)
    counts = _view(engine, "current_district_counts").set_index("district_code")
    persons = release.frames["golden_person"]
    assert counts["persons"].to_dict() == persons["district_code"].value_counts().to_dict()
    flagged = release.frames["missed_child"]["golden_person_id"].nunique()
    assert counts["missed_children"].sum() == flagged


def test_a_keyed_hash_depends_on_the_key_and_the_kind_of_identifier() -> None:
    ids = pd.Series(["1101700203450", None, "1101700203450"])
    hashed = keyed_hash(ids, KEY)
    assert hashed[0] == hashed[2] and hashed[1] is None and len(hashed[0]) == 64
    assert keyed_hash(ids, KEY.replace("x", "y"))[0] != hashed[0]
    assert keyed_hash(ids, KEY, "person:")[0] != hashed[0]
    assert key_fingerprint(KEY) != key_fingerprint(KEY + "!") and KEY not in key_fingerprint(KEY)


def test_the_key_is_required_only_when_configured_so_and_must_be_long() -> None:
    with pytest.raises(PseudonymKeyError, match=PSEUDONYM_KEY_ENV):
        resolve_pseudonym_key("required", "")
    assert resolve_pseudonym_key("if_key_set", None) is None
    assert resolve_pseudonym_key("off", KEY) is None
    assert resolve_pseudonym_key("required", KEY) == KEY
    with pytest.raises(PseudonymKeyError, match="too short"):
        resolve_pseudonym_key("if_key_set", "short")


def test_a_release_without_the_key_has_no_pseudonymised_rows_and_says_so(database_url: str, release: Release,
                                                                         tmp_path) -> None:
    engine = engine_for(database_url)
    published = publish_release(engine, release)
    assert published["pseudonym_key_id"] is None
    _, frames = read_release(engine, ["pseudonymised_person"])
    assert frames["pseudonymised_person"].empty
    with pytest.raises(PseudonymKeyError, match=f"published without {PSEUDONYM_KEY_ENV}"):
        export_release(engine, tmp_path, pseudonymised=True)
