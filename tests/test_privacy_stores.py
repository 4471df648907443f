"""The privacy guarantees of issue 14 on both state stores, the embedded SQLite file and a real
PostgreSQL (tests/postgres.py): `forget` finds a person's rows as a member of groups and behind
an alias, platform ids reach the store only hashed and payloads only sealed, from both channels'
webhooks."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import Runtime, make_app
from bot.channels import telegram, whatsapp
from bot.config import Settings
from bot.conversation import Conversation
from bot.engine import Engine
from bot.privacy import member_key, user_key
from bot.sealing import SEALED_FIELD
from bot.state import SqliteState
from bot.state_postgres import PostgresState
from bot.state_protocols import LoggedQuestion, StateStore
from core.session import Session
from tests.conftest import WA_APP_SECRET
from tests.fakes.graph_api import signed, text_webhook
from tests.fakes.telegram_api import text_update
from tests.sealed_rows import opened
from tests.test_telegram import SECRET as HOOK_SECRET
from tests.test_telegram import (  # noqa: F401 - fixtures
    fake,
    hook_settings,
    tg_settings,
)

T0 = 1_800_000_000.0
SALT = "salt-for-tests"
Client = TestClient[web.Request, web.Application]


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    store: StateStore
    if request.param == "postgres":
        store = PostgresState(request.getfixturevalue("postgres_url"))
    else:
        store = SqliteState(tmp_path / "state.db")
    yield store
    store.close()


def _rows_of(store: StateStore, key: str) -> None:
    """A session, a logged question, a flood-guard count and a block for `key`."""
    store.save_session(key, Session(last_intent="jht"), T0)
    store.log_question(
        LoggedQuestion(key, "telegram", "2026-11-21", "halo", "halo", None, 0.2, "fallback", []),
        T0,
    )
    store.rate_check(key, T0, limit=5, window_s=60)
    store.block("telegram", key, T0)


def test_forget_finds_every_group_a_member_wrote_in(any_store: StateStore) -> None:
    person = "700000009"
    mine = [member_key("telegram", group, person, SALT) for group in ("-1001", "-1002")]
    mine.append(user_key("telegram", person, SALT))  # their private chat
    someone_else = member_key("telegram", "-1001", "700000010", SALT)
    for key in [*mine, someone_else]:
        _rows_of(any_store, key)
    assert any_store.forget(user_key("telegram", person, SALT)) == 4 * len(mine)
    assert [q.user_key for q in any_store.questions()] == [someone_else]
    assert any_store.is_blocked("telegram", someone_else)
    assert not any_store.is_blocked("telegram", mine[0])


def test_a_key_with_like_wildcards_forgets_only_itself(any_store: StateStore) -> None:
    # "_" and "%" are LIKE wildcards: a key holding them must not match other keys.
    _rows_of(any_store, "te_a")
    _rows_of(any_store, "teXa.0123")
    _rows_of(any_store, "te%.0123")
    assert any_store.forget("te_a") == 4
    assert any_store.forget("te%") == 4  # "te%.0123" is its own member key, "teXa.0123" is not
    assert [q.user_key for q in any_store.questions()] == ["teXa.0123"]


def test_forget_finds_a_user_behind_an_alias_and_purge_drops_old_aliases(
    any_store: StateStore,
) -> None:
    bsuid = user_key("whatsapp", "ID.1234567890123456789", SALT)
    phone = user_key("whatsapp", "6281234567891", SALT)
    any_store.save_session(bsuid, Session(), T0)
    any_store.link(phone, bsuid, T0)
    assert any_store.forget(phone) == 2  # the session and the link
    assert any_store.forget(bsuid) == 0
    any_store.link(phone, bsuid, T0)
    assert any_store.purge(1, T0 + 2 * 86400) == 1
    assert any_store.forget(phone) == 0


async def test_whatsapp_ids_reach_either_store_only_hashed(
    any_store: StateStore,
    wa_settings: Settings,
    engine: Engine,
    aiohttp_client: Callable[..., Awaitable[Client]],
) -> None:
    app = make_app(
        wa_settings, Runtime(wa_settings, conversation=Conversation(engine, any_store, wa_settings))
    )
    app[whatsapp.OPTIONS] = whatsapp.WhatsAppOptions(run_worker=False)
    client = await aiohttp_client(app)
    phone, wamid = "6281200000009", "wamid.HBgNNjI4MTIwMDAwMDAwORUCABIYFDNB"
    for _ in range(2):  # a redelivery is still recognised by the hash
        raw, headers = signed(text_webhook(phone, wamid, "halo"), WA_APP_SECRET)
        async with client.post(whatsapp.WEBHOOK_PATH, data=raw, headers=headers) as response:
            assert response.status == 200
    [item] = any_store.claim(whatsapp.CHANNEL, time.time(), 30)
    assert item.message_id.startswith("m_")
    assert wamid not in item.message_id and "HBgN" not in item.message_id
    assert phone not in item.user_key
    # The payload reaches the store sealed: the number and the wamid only in the ciphertext.
    assert list(item.payload) == [SEALED_FIELD]
    assert phone not in str(item.payload) and "wamid" not in str(item.payload)
    stored = opened(item, wa_settings.secret_salt)
    assert (stored["to"], stored["wamid"]) == (phone, wamid)
    any_store.finish(item.id, time.time())
    await client.close()


async def test_telegram_update_ids_reach_either_store_only_hashed(
    any_store: StateStore,
    hook_settings: Settings,  # noqa: F811
    engine: Engine,
    aiohttp_client: Callable[..., Awaitable[Client]],
) -> None:
    app = make_app(
        hook_settings,
        Runtime(hook_settings, conversation=Conversation(engine, any_store, hook_settings)),
    )
    app[telegram.RUN_WORKER] = False
    client = await aiohttp_client(app)
    update = text_update(700000009, "apa itu jht", update_id=912345678)
    for _ in range(2):
        headers = {"X-Telegram-Bot-Api-Secret-Token": HOOK_SECRET}
        async with client.post(telegram.WEBHOOK_PATH, json=update, headers=headers) as response:
            assert response.status == 200
    [item] = any_store.claim(telegram.CHANNEL, time.time(), 30)
    assert item.message_id.startswith("m_") and "912345678" not in item.message_id
    assert item.user_key == user_key("telegram", "700000009", hook_settings.secret_salt)
    assert list(item.payload) == [SEALED_FIELD] and "700000009" not in str(item.payload)
    assert opened(item, hook_settings.secret_salt)["update"]["message"]["chat"]["id"] == 700000009
    any_store.finish(item.id, time.time())
    await client.close()
