"""SqliteState.at_once: the event loop writes itself only when the file is free this instant,
all or nothing, and never waits on another writer's lock (it says so and changes nothing)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.dbgate import DatabaseGate
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


async def test_calls_reaching_the_gate_together_share_one_commit(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state.db")
    gate = DatabaseGate(at_once=state.at_once)
    commits = []
    state._conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    try:
        stored = await asyncio.gather(
            *(gate.run(state.enqueue, "whatsapp", f"m{i}", "u1", {}, T0) for i in range(5))
        )
        assert stored == [True] * 5
        assert len(commits) == 1
        # In the order they came: one user's messages are claimed in that order.
        claimed = state.claim("whatsapp", T0, 30, 10)
        assert [item.message_id for item in claimed] == ["m0"]
    finally:
        gate.close()
        state.close()


async def test_a_call_failing_in_a_shared_commit_fails_alone(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state.db")
    gate = DatabaseGate(at_once=state.at_once)

    def broken() -> None:
        state.enqueue("whatsapp", "half", "u2", {}, T0)
        raise RuntimeError("boom")

    try:
        results = await asyncio.gather(
            gate.run(state.enqueue, "whatsapp", "m1", "u1", {}, T0),
            gate.run(broken),
            gate.run(state.enqueue, "whatsapp", "m2", "u3", {}, T0),
            return_exceptions=True,
        )
        assert results[0] is True and results[2] is True
        assert isinstance(results[1], RuntimeError)
        # The others are stored; nothing of the failed call is.
        assert state.pending_count("whatsapp") == 2
        assert not state.enqueue("whatsapp", "m1", "u1", {}, T0)
        assert state.enqueue("whatsapp", "half", "u2", {}, T0)
    finally:
        gate.close()
        state.close()


async def test_a_locked_file_sends_a_shared_commit_through_the_thread(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state.db", timeout_s=5.0)
    gate = DatabaseGate(wait_s=5.0, at_once=state.at_once)
    other = sqlite3.connect(tmp_path / "state.db", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # the worker process, mid-write
        pending = asyncio.gather(
            *(gate.run(state.enqueue, "whatsapp", f"m{i}", "u1", {}, T0) for i in range(3))
        )
        # The calls wait on the thread for the lock, not on the loop: the loop goes on.
        await asyncio.sleep(0)
        other.execute("ROLLBACK")
        assert await pending == [True] * 3
        assert state.pending_count("whatsapp") == 3
    finally:
        other.close()
        gate.close()
        state.close()
