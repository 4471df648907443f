"""SqliteState.at_once: the event loop writes itself only when the file is free this instant,
all or nothing, and never waits on another writer's lock (it says so and changes nothing)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.state import SqliteState
from bot.state_protocols import WouldWait

T0 = 1_800_000_000.0


def test_work_done_at_once_is_committed_in_one_transaction(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state.db")
    try:

        def store_two() -> bool:
            first = state.enqueue("whatsapp", "m1", "u1", {}, T0)
            return state.enqueue("whatsapp", "m2", "u1", {}, T0) and first

        assert state.at_once(store_two)
        assert state.pending_count("whatsapp") == 2
    finally:
        state.close()


def test_another_writer_holding_the_file_makes_it_refuse_without_waiting(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state.db", timeout_s=30.0)
    other = sqlite3.connect(tmp_path / "state.db", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # the worker process, mid-write
        with pytest.raises(WouldWait):
            state.at_once(lambda: state.enqueue("whatsapp", "m1", "u1", {}, T0))
        other.execute("ROLLBACK")
        assert state.pending_count("whatsapp") == 0
        # The store's own waiting is as it was: a normal call still works.
        assert state.enqueue("whatsapp", "m1", "u1", {}, T0)
    finally:
        other.close()
        state.close()


def test_a_failure_inside_rolls_everything_back(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state.db")
    try:

        def half_then_fail() -> None:
            state.enqueue("whatsapp", "m1", "u1", {}, T0)
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            state.at_once(half_then_fail)
        assert state.pending_count("whatsapp") == 0
    finally:
        state.close()
