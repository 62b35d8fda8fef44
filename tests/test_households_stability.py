"""Golden household IDs stay the same across runs; splits and merges are recorded; the previous map is read back."""

from __future__ import annotations

import pandas as pd

from matching.households import ID_HISTORY_COLUMNS, resolve_households
from termtem.golden_store import current_person_households, engine_for, publish_release
from termtem.golden_store.sample import sample_release
from termtem.settings import load_household_settings
from tests.test_households_evidence import TRUST, civil, records


def _run(frame: pd.DataFrame, previous: pd.DataFrame | None = None) -> tuple[pd.Series, pd.DataFrame]:
    resolution = resolve_households(frame, load_household_settings(), TRUST, previous)
    return resolution.membership.set_index("golden_person_id")["golden_household_id"], resolution.id_history


def _previous(households: pd.Series) -> pd.DataFrame:
    """What the golden store hands back: the previous release's person -> household map."""
    return households.rename("golden_household_id").reset_index()


def _events(history: pd.DataFrame) -> list[tuple[str, str | None]]:
    return sorted(zip(history["event"], history["related_household_id"].fillna("-"), strict=True))


def test_a_rerun_gives_the_same_ids_and_keeps_them() -> None:
    frame = records(civil("P1", "10010000111"), civil("P2", "10010000111"), civil("P3", "10010000222"))
    first, history = _run(frame)
    assert tuple(history.columns) == ID_HISTORY_COLUMNS
    assert set(history["event"]) == {"created"}
    again, _ = _run(frame)
    assert again.equals(first)
    kept, history = _run(frame, _previous(first))
    assert kept.equals(first)
    assert set(history["event"]) == {"kept"}


def test_a_household_that_moved_keeps_its_id() -> None:
    first, _ = _run(records(civil("P1", "10010000111"), civil("P2", "10010000111")))
    moved, history = _run(records(civil("P1", "30030000333"), civil("P2", "30030000333")), _previous(first))
    assert moved["P1"] == first["P1"]
    assert history["event"].tolist() == ["kept"]


def test_a_split_keeps_the_id_with_the_larger_part_and_records_the_other() -> None:
    first, _ = _run(records(civil("P1", "10010000111"), civil("P2", "10010000111"), civil("P3", "10010000111")))
    old = first["P1"]
    split, history = _run(records(civil("P1", "10010000111"), civil("P2", "10010000111"),
                                  civil("P3", "10010000444")), _previous(first))
    assert split["P1"] == split["P2"] == old != split["P3"]
    assert _events(history) == [("kept", "-"), ("split", old)]


def test_a_merge_keeps_the_larger_households_id_and_records_the_other_as_merged() -> None:
    first, _ = _run(records(civil("P1", "10010000111"), civil("P2", "10010000111"), civil("P3", "10010000222")))
    merged, history = _run(records(civil("P1", "10010000111"), civil("P2", "10010000111"),
                                   civil("P3", "10010000111")), _previous(first))
    assert merged.nunique() == 1 and merged["P3"] == first["P1"]
    assert _events(history) == [("kept", "-"), ("merged", first["P1"])]
    assert history.loc[history["event"] == "merged", "golden_household_id"].item() == first["P3"]


def test_a_new_household_never_reuses_a_previous_id() -> None:
    first, _ = _run(records(civil("P1", "10010000111")))
    # P1 moved away taking the ID; a new family moved into the same house: it must get a new ID.
    later, history = _run(records(civil("P1", "30030000333"), civil("P9", "10010000111")), _previous(first))
    assert later["P1"] == first["P1"] != later["P9"]
    assert sorted(history["event"]) == ["created", "kept"]


def test_the_previous_map_is_read_from_the_current_release(database_url: str) -> None:
    engine = engine_for(database_url)
    assert current_person_households(engine) is None
    publish_release(engine, sample_release(30, seed=5, run_id="run-a"))
    latest = sample_release(20, seed=6, run_id="run-b")
    publish_release(engine, latest)
    previous = current_person_households(engine)
    assert previous is not None and list(previous.columns) == ["golden_person_id", "golden_household_id"]
    expected = latest.frames["golden_person"].sort_values("golden_person_id", ignore_index=True)
    pd.testing.assert_frame_equal(previous, expected[["golden_person_id", "golden_household_id"]],
                                  check_dtype=False)
