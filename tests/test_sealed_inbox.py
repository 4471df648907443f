"""Inbox payloads are sealed on disk (bot.sealing), because erasing them is not enough.

The defect this reproduces: SQLite with secure_delete still left the bytes of a Telegram group
chat id in state.db after every row holding it was erased. When a row grows (its rendered reply
is stored) and its b-tree page is rebalanced, the page is rebuilt and the old copies of its cells
stay in the page's unallocated gap, which secure_delete does not zero."""

from __future__ import annotations

import json
import logging
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.sealing import SEALED_FIELD, Sealer, SealError
from bot.state import SqliteState
from tests.fakes.graph_api import text_webhook
from tests.sealed_rows import TEST_SALT, opened, reseal
from tests.test_whatsapp_webhook import (  # noqa: F401 - fixtures
    PHONE_A,
    StartBot,
    fast_options,
    start_bot,
)

GROUP_CHAT = -1001234567890
CHANNEL = "telegram"

Wrap = Callable[[str, dict[str, Any]], dict[str, Any]]


def _churn(path: Path, seed: int, wrap: Wrap, rows: int = 200) -> None:
    """What the inbox does to its rows, in a random interleaving: store an update from a group,
    claim it, store a longer payload (the rendered reply) for some, erase it when done. Each
    payload goes through `wrap` on its way to the store, as the channel and the worker send it."""
    rnd = random.Random(seed)
    state = SqliteState(path)
    claimed = []
    for i in range(rows):
        update = {"message": {"chat": {"id": GROUP_CHAT}, "text": "x" * rnd.randint(10, 600)}}
        state.enqueue(CHANNEL, f"m{i}", f"k{i % 7}", wrap(f"m{i}", {"update": update}), 0.0)
        claimed.extend(state.claim(CHANNEL, 1.0, 30.0))
        rnd.shuffle(claimed)
        while claimed and rnd.random() < 0.3:
            item = claimed.pop()
            if rnd.random() < 0.8:
                reply = {"update": update, "outbox": ["y" * rnd.randint(10, 3000)], "sent": 0}
                state.update_payload(item.id, wrap(item.message_id, reply))
            state.finish(item.id, 2.0)
    for item in claimed:
        state.finish(item.id, 2.0)
    while later := state.claim(CHANNEL, 1e9, 30.0):
        for item in later:
            state.finish(item.id, 2.0)
    assert state.pending_count() == 0
    assert state.scrub()
    state.close()


def _file_holds_the_id(path: Path) -> bool:
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM inbox WHERE payload IS NOT NULL").fetchone()[0] == 0
    return str(GROUP_CHAT).encode() in path.read_bytes()


def test_erased_payloads_in_clear_leave_the_id_in_rebuilt_pages(tmp_path: Path) -> None:
    # The root cause, shown with payloads stored in clear as before sealing: with no row
    # holding it and the WAL truncated, the id is still somewhere in the file for some of
    # these interleavings. (Should a later SQLite zero rebuilt pages, this control stops
    # leaking; the sealed test below does not depend on it.)
    leaked = []
    for seed in range(12):
        path = tmp_path / f"clear{seed}.db"
        _churn(path, seed, lambda _key, payload: payload)
        if _file_holds_the_id(path):
            leaked.append(seed)
    assert leaked


def test_sealed_payloads_leave_no_id_in_the_file(tmp_path: Path) -> None:
    sealer = Sealer(TEST_SALT)
    for seed in range(12):
        path = tmp_path / f"sealed{seed}.db"
        _churn(path, seed, lambda key, payload: sealer.seal(CHANNEL, key, payload))
        assert not _file_holds_the_id(path), seed


# -- the sealer ----------------------------------------------------------------------------------


def test_a_sealed_payload_opens_with_the_same_salt_only() -> None:
    payload = {"to": PHONE_A, "wamid": "wamid.HBgN", "text": "NIK saya berapa?"}
    sealed = Sealer(TEST_SALT).seal("whatsapp", "m_1", payload)
    assert list(sealed) == [SEALED_FIELD]
    stored = json.dumps(sealed)
    assert PHONE_A not in stored and "wamid" not in stored and "NIK" not in stored
    assert Sealer(TEST_SALT).open("whatsapp", "m_1", json.loads(stored)) == payload
    with pytest.raises(SealError):
        Sealer("another-salt").open("whatsapp", "m_1", sealed)


def test_a_sealed_payload_does_not_open_in_another_row_or_damaged() -> None:
    sealer = Sealer(TEST_SALT)
    sealed = sealer.seal("whatsapp", "m_1", {"to": PHONE_A})
    with pytest.raises(SealError):
        sealer.open("whatsapp", "m_2", sealed)  # moved to another message's row
    with pytest.raises(SealError):
        sealer.open("telegram", "m_1", sealed)
    token = sealed[SEALED_FIELD]
    flipped = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    for damaged in (flipped, token[:20], "v1.!!!", "v9." + token[3:], 42):
        with pytest.raises(SealError):
            sealer.open("whatsapp", "m_1", {SEALED_FIELD: damaged})
    with pytest.raises(SealError):
        sealer.open("whatsapp", "m_1", {**sealed, "to": PHONE_A})


def test_a_payload_stored_in_clear_by_an_older_version_opens_as_it_is() -> None:
    legacy = {"to": PHONE_A, "kind": "text", "text": "halo"}
    assert Sealer(TEST_SALT).open("whatsapp", "m_1", legacy) == legacy


# -- the worker ----------------------------------------------------------------------------------


async def test_a_row_sealed_with_another_salt_fails_once_and_the_next_is_answered(
    start_bot: StartBot,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = await start_bot(fast_options(run_worker=False))
    assert await down.post(text_webhook(PHONE_A, "wamid.other", "apa itu jht")) == 200
    assert await down.post(text_webhook(PHONE_A, "wamid.after", "apa itu jkk")) == 200
    with sqlite3.connect(down.state.path) as db:
        db.row_factory = sqlite3.Row
        first = db.execute("SELECT * FROM inbox ORDER BY id LIMIT 1").fetchone()
        reseal(db, first, opened(first), salt="the-salt-of-another-install")
    await down.client.close()

    caplog.set_level(logging.INFO, logger="bot")
    up = await start_bot(fast_options())
    await up.idle()
    rows = up.inbox()
    assert [(r["status"], r["error"], r["attempts"]) for r in rows] == [
        ("failed", "unsealable", 1),
        ("done", None, 1),
    ]
    assert all(r["payload"] is None for r in rows)
    # Only the second message was answered; the first is never tried again.
    assert up.graph.delivered_to(PHONE_A)
    assert {marker.partition("#")[0] for marker in up.graph.markers()} == {"wamid.after"}
    assert "does not open" in caplog.text
    assert PHONE_A not in caplog.text and "wamid" not in caplog.text


async def test_a_row_stored_in_clear_before_sealing_is_answered_once_and_erased(
    start_bot: StartBot,  # noqa: F811
) -> None:
    down = await start_bot(fast_options(run_worker=False))
    assert await down.post(text_webhook(PHONE_A, "wamid.legacy", "apa itu jht")) == 200
    with sqlite3.connect(down.state.path) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM inbox").fetchone()
        # As a version before sealing wrote it.
        db.execute("UPDATE inbox SET payload = ?", (json.dumps(opened(row)),))
    await down.client.close()

    up = await start_bot(fast_options())
    await up.idle()
    [row] = up.inbox()
    assert (row["status"], row["payload"]) == ("done", None)
    assert up.graph.delivered_to(PHONE_A)
