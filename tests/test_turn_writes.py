"""A conversation turn's writes (its session, its question-log row) are held back and committed
with the inbox record that follows the turn, in one transaction: nothing of a turn is in the
database before the item's progress or outcome is, and the write lock is free while it runs.
With the connection free, the turn runs on the event loop; with it in use by another thread,
in the turn thread."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

from bot.inbox import DONE, InboxOptions, InboxWorker, Outcome, Save, turn_off_loop
from bot.sealing import Sealer
from bot.state import SqliteState
from bot.state_protocols import InboxItem, LoggedQuestion
from core.session import Session

T0 = 1_800_000_000.0


def _rows(path: Path) -> tuple[int, int]:
    """(sessions, questions) as another process sees them."""
    with sqlite3.connect(path) as con:
        sessions = con.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
        questions = con.execute("SELECT COUNT(*) FROM questions").fetchone()[0]
    return int(sessions), int(questions)


def _write_free(path: Path) -> bool:
    con = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        con.close()


class TurnResponder:
    """Runs a turn that writes a session and a question, then stores a reply (or not) and
    finishes as told."""

    channel = "whatsapp"
    heartbeat_name = "turn-writes-test"

    def __init__(self, state: SqliteState, path: Path, *, store_reply: bool, outcome: Outcome):
        self.sealer = Sealer("turn-writes-test-salt")
        self.state = state
        self.path = path
        self.store_reply = store_reply
        self.outcome = outcome
        self.seen: dict[str, object] = {}
        self.answered = asyncio.Event()
        self.turned = threading.Event()
        self.in_use = False
        self.holder = threading.Thread(target=self._hold)
        self._holding = threading.Event()

    def _hold(self) -> None:
        """Another thread using the state's connection, until the turn has run."""
        with self.state.reserved() as ours:
            assert ours
            self._holding.set()
            self.turned.wait(30)

    def _turn(self, item: InboxItem) -> str:
        self.state.save_session(item.user_key, Session(), T0)
        self.state.log_question(
            LoggedQuestion(item.user_key, "whatsapp", "2026-12-02", "apa itu jht", "jht", "jht",
                           0.9, "answer", [("jht", 0.9)]),
            T0,
        )  # fmt: skip
        # Still inside the turn, after its writes: nobody holds the file.
        self.seen["free_in_turn"] = _write_free(self.path)
        self.seen["thread"] = threading.current_thread().name
        self.turned.set()
        return "reply"

    async def answer(self, item: InboxItem, save: Save) -> Outcome:
        if self.in_use:
            self.holder.start()
            assert self._holding.wait(30)
        await turn_off_loop(self._turn, item)
        self.seen["after_turn"] = _rows(self.path)
        if self.store_reply:
            await save({"outbox": ["reply"], "sent": 0})
            self.seen["after_save"] = _rows(self.path)
        self.answered.set()
        return self.outcome


async def _answer_one(
    tmp_path: Path, *, store_reply: bool, outcome: Outcome, in_use: bool = False
) -> TurnResponder:
    """`in_use`: another thread of the process uses the state's connection when the turn
    comes, until the turn has run."""
    path = tmp_path / "state.db"
    state = SqliteState(path)
    responder = TurnResponder(state, path, store_reply=store_reply, outcome=outcome)
    responder.in_use = in_use
    sealed = responder.sealer.seal("whatsapp", "m1", {"text": "apa itu jht"})
    assert state.enqueue("whatsapp", "m1", "wh_user", sealed, T0)
    worker = InboxWorker(state, responder, InboxOptions(poll_s=3600, clock=lambda: T0))
    worker.start()
    try:
        async with asyncio.timeout(30):
            await responder.answered.wait()
            # The outcome recorded (a postponed item stays pending: not idle, but settled).
            await worker.wait_settled()
    finally:
        responder.turned.set()
        if in_use:
            responder.holder.join(30)
        await worker.stop()
        state.close()
    return responder


async def test_the_turn_writes_go_in_with_the_stored_reply(tmp_path: Path) -> None:
    seen = (await _answer_one(tmp_path, store_reply=True, outcome=DONE)).seen
    assert seen["free_in_turn"] is True
    assert seen["after_turn"] == (0, 0)
    assert seen["after_save"] == (1, 1)
    assert _rows(tmp_path / "state.db") == (1, 1)


async def test_without_a_reply_to_store_they_go_in_with_the_outcome(tmp_path: Path) -> None:
    seen = (await _answer_one(tmp_path, store_reply=False, outcome=DONE)).seen
    assert seen["after_turn"] == (0, 0)
    assert _rows(tmp_path / "state.db") == (1, 1)


async def test_a_postponed_item_keeps_its_turn_writes(tmp_path: Path) -> None:
    await _answer_one(tmp_path, store_reply=False, outcome=Outcome(error="503"))
    assert _rows(tmp_path / "state.db") == (1, 1)
    with sqlite3.connect(tmp_path / "state.db") as con:
        assert con.execute("SELECT status, error FROM inbox").fetchone() == ("pending", "503")


async def test_with_the_connection_free_the_turn_runs_on_the_event_loop(tmp_path: Path) -> None:
    seen = (await _answer_one(tmp_path, store_reply=True, outcome=DONE)).seen
    assert seen["thread"] == threading.current_thread().name  # the test's loop thread
    assert seen["after_turn"] == (0, 0)


async def test_with_the_connection_in_use_the_turn_goes_to_the_turn_thread(
    tmp_path: Path,
) -> None:
    seen = (await _answer_one(tmp_path, store_reply=True, outcome=DONE, in_use=True)).seen
    assert seen["thread"].startswith("turn")
    assert seen["free_in_turn"] is True
    assert seen["after_turn"] == (0, 0)
    assert _rows(tmp_path / "state.db") == (1, 1)
