"""A fake Telegram Bot API on 127.0.0.1 for the tests, plus builders of update payloads.

The bot talks to it over real HTTP (TELEGRAM_API_URL = `fake.api_url`), the way it talks to
api.telegram.org: POST {base_url}{token}/{method} with a form or a JSON body. The fake records
every call, serves getUpdates from a queue the test fills, and can be told to fail the next
calls with a 429 (flood control), a 403 (blocked by the user) or any other error.

Payloads follow the documented shapes of https://core.telegram.org/bots/api#update.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123:ABC"
BOT_ID = 7_000_001
BOT_USERNAME = "TanyaJamsosBot"
# A path under which the fake also answers, as a Bot API server behind a reverse proxy would.
PROXY_PREFIX = "/telegram"
# getUpdates holds a request open at most this long, so that stopping a poller is quick.
LONG_POLL_CAP_S = 0.2
# Parameters PTB sends JSON-encoded inside a form body.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "commands",
        "allowed_updates",
        "reply_parameters",
        "link_preview_options",
        "entities",
        "scope",
    }
)


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    # False for a call the fake refused (a 429 or 403 it was told to give), or holds.
    delivered: bool = False
    refused: bool = False

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def chat_id(self) -> int:
        return int(self.params["chat_id"])

    @property
    def keyboard(self) -> list[list[dict[str, Any]]]:
        markup = self.params.get("reply_markup") or {}
        rows: list[list[dict[str, Any]]] = markup.get("inline_keyboard", [])
        return rows


@dataclass
class _Failure:
    status: int
    description: str
    parameters: dict[str, Any] | None
    method: str | None
    remaining: int


@dataclass
class FakeTelegramAPI:
    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    api_url: str = ""
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _failures: list[_Failure] = field(default_factory=list)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _holds: list[tuple[str, asyncio.Event]] = field(default_factory=list)

    # -- what tests use ------------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> None:
        self._updates.append(update)
        # Wake a getUpdates long poll; the task is kept until done so it cannot be collected.
        task = asyncio.get_running_loop().create_task(self._notify())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def fail_next(
        self,
        count: int,
        status: int,
        description: str,
        parameters: dict[str, Any] | None = None,
        method: str | None = "sendMessage",
    ) -> None:
        """The next `count` calls (of `method`, or of any method when None) fail like this."""
        self._failures.append(_Failure(status, description, parameters, method, count))

    def flood(self, count: int = 1, retry_after: int = 1) -> None:
        self.fail_next(
            count,
            429,
            f"Too Many Requests: retry after {retry_after}",
            {"retry_after": retry_after},
        )

    def block(self, count: int = 1) -> None:
        self.fail_next(count, 403, "Forbidden: bot was blocked by the user")

    def hold(self, method: str = "sendMessage") -> asyncio.Event:
        """Calls of `method` are recorded on arrival but answered only once the returned event
        is set: a Bot API that never got to them, for as long as the test wants. A held call
        whose client died meanwhile is never delivered."""
        release = asyncio.Event()
        self._holds.append((method, release))
        return release

    def clear_holds(self) -> None:
        """New calls are answered at once again (calls held so far stay held)."""
        self._holds.clear()

    def outage(self, status: int = 502, method: str | None = "sendMessage") -> None:
        """Every call (of `method`) fails with `status` until `end_outage()`: a Bot API down."""
        self._failures.append(_Failure(status, "Bad Gateway", None, method, 10**9))

    def end_outage(self) -> None:
        self._failures.clear()

    def failed(self, method: str = "sendMessage") -> list[Call]:
        """Calls of `method` that the fake refused."""
        return [c for c in self.calls_to(method) if c.refused]

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    @property
    def sent(self) -> list[Call]:
        """Messages the fake accepted (a failed attempt is in `calls`, not here)."""
        return [c for c in self.calls_to("sendMessage") if c.delivered]

    async def wait_until(self, condition: Callable[[], bool], within_s: float = 10.0) -> None:
        """Until `condition()` holds, checked after every call (a condition, not a sleep)."""
        async with asyncio.timeout(within_s), self._changed:
            await self._changed.wait_for(condition)

    async def wait_for(self, method: str, count: int = 1, within_s: float = 10.0) -> list[Call]:
        """Wait until `count` calls of `method` were delivered (a condition, not a sleep)."""

        def delivered() -> list[Call]:
            return [c for c in self.calls_to(method) if c.delivered]

        async with asyncio.timeout(within_s), self._changed:
            await self._changed.wait_for(lambda: len(delivered()) >= count)
        return delivered()

    # -- the HTTP side -------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        # The same server behind a reverse proxy that maps it under a path.
        app.router.add_route("*", f"{PROXY_PREFIX}/bot{{token}}/{{method}}", self._handle)
        return app

    @property
    def root_url(self) -> str:
        """The server root, as self-hosters of the Bot API server write it."""
        return self.api_url.removesuffix("/bot")

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            data = await request.json()
            return dict(data) if isinstance(data, dict) else {}
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            text = value if isinstance(value, str) else str(value)
            params[key] = json.loads(text) if key in _JSON_FIELDS else text
        return params

    def _failure_for(self, method: str) -> _Failure | None:
        for failure in self._failures:
            if failure.remaining > 0 and failure.method in (None, method):
                failure.remaining -= 1
                return failure
        return None

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params)
        self.calls.append(call)
        try:
            failure = self._failure_for(method)
            if failure is not None:
                call.refused = True
                return _error(failure.status, failure.description, failure.parameters)
            for held_method, release in list(self._holds):
                if held_method == method:
                    await self._notify()
                    await release.wait()
            handler = getattr(self, f"_api_{method}", None)
            if handler is None:
                return _error(404, "Not Found: method not found")
            result = await handler(params)
            call.delivered = True
            return web.json_response({"ok": True, "result": result})
        finally:
            await self._notify()

    # -- Bot API methods -----------------------------------------------------------------------

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return bot_user() | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        # Telegram forgets an update once a later offset confirms it.
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and float(params.get("timeout") or 0) > 0:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(LONG_POLL_CAP_S), self._changed:
                    await self._changed.wait_for(lambda: bool(self._updates))
        limit = int(params.get("limit") or 100)
        return self._updates[:limit]

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": bot_user(),
            "text": params.get("text", ""),
        }

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        if "chat_id" not in params:
            return True  # an inline message: Telegram answers True
        return await self._api_sendMessage(params)

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_setMyDescription(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_setMyShortDescription(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters is not None:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


@contextlib.asynccontextmanager
async def serve_fake(token: str = TOKEN) -> AsyncIterator[FakeTelegramAPI]:
    """Run the fake on 127.0.0.1 on a free port for the duration of the block."""
    fake = FakeTelegramAPI(token=token)
    # Calls still held when the test ends are dropped after a second, not waited for.
    runner = web.AppRunner(fake.make_app(), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    fake.api_url = f"http://127.0.0.1:{port}/bot"
    try:
        yield fake
    finally:
        await runner.cleanup()


# -- update payloads -------------------------------------------------------------------------

_update_ids = itertools.count(500_000)


def next_update_id() -> int:
    return next(_update_ids)


def bot_user() -> dict[str, Any]:
    return {"id": BOT_ID, "is_bot": True, "first_name": "Tanya Jamsos", "username": BOT_USERNAME}


def person(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Warga", "language_code": "id"}


def chat(chat_id: int, kind: str = "private") -> dict[str, Any]:
    if kind == "private":
        return {"id": chat_id, "type": "private", "first_name": "Warga"}
    return {"id": chat_id, "type": kind, "title": "Kelompok Tani Maju"}


def message(
    chat_id: int,
    *,
    text: str | None = None,
    kind: str = "private",
    user_id: int | None = None,
    message_id: int = 1,
    entities: list[dict[str, Any]] | None = None,
    reply_to: dict[str, Any] | None = None,
    **content: Any,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat(chat_id, kind),
        "from": person(user_id if user_id is not None else abs(chat_id)),
    }
    if text is not None:
        payload["text"] = text
    if entities:
        payload["entities"] = entities
    if reply_to is not None:
        payload["reply_to_message"] = reply_to
    payload.update(content)
    return payload


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def text_update(
    chat_id: int, text: str, *, update_id: int | None = None, **kw: Any
) -> dict[str, Any]:
    """A text message; a leading /command and any @mention get their entities, as Telegram
    sends them."""
    entities: list[dict[str, Any]] = []
    if text.startswith("/"):
        entities.append({"type": "bot_command", "offset": 0, "length": _utf16(text.split()[0])})
    start = text.find("@")
    while start != -1:
        end = start + 1
        while end < len(text) and (text[end].isalnum() or text[end] == "_"):
            end += 1
        is_command_suffix = bool(entities) and start < entities[0]["length"]
        if end - start > 1 and not is_command_suffix:
            entities.append(
                {"type": "mention", "offset": _utf16(text[:start]), "length": end - start}
            )
        start = text.find("@", end)
    return {
        "update_id": update_id if update_id is not None else next_update_id(),
        "message": message(chat_id, text=text, entities=entities, **kw),
    }


def voice_update(chat_id: int, **kw: Any) -> dict[str, Any]:
    voice = {
        "file_id": "AwACAgIAAxkBAAIB",
        "file_unique_id": "AgADvQ",
        "duration": 4,
        "mime_type": "audio/ogg",
    }
    return {"update_id": next_update_id(), "message": message(chat_id, voice=voice, **kw)}


def photo_update(chat_id: int, **kw: Any) -> dict[str, Any]:
    photo = [
        {
            "file_id": "AgACAgIAAxkBAAIC",
            "file_unique_id": "AQADxL",
            "width": 90,
            "height": 67,
            "file_size": 1200,
        }
    ]
    return {"update_id": next_update_id(), "message": message(chat_id, photo=photo, **kw)}


def location_update(chat_id: int, **kw: Any) -> dict[str, Any]:
    location = {"latitude": -8.61, "longitude": 120.46}
    return {"update_id": next_update_id(), "message": message(chat_id, location=location, **kw)}


def callback_update(chat_id: int, data: str, *, kind: str = "private") -> dict[str, Any]:
    shown = message(chat_id, text="Pilih topik:", kind=kind, message_id=77)
    shown["from"] = bot_user()
    return {
        "update_id": next_update_id(),
        "callback_query": {
            "id": f"cbq-{next_update_id()}",
            "from": person(abs(chat_id)),
            "chat_instance": "-5550001",
            "message": shown,
            "data": data,
        },
    }


def my_chat_member_update(chat_id: int, old: str, new: str) -> dict[str, Any]:
    def member(status: str) -> dict[str, Any]:
        body: dict[str, Any] = {"user": bot_user(), "status": status}
        if status == "kicked":
            body["until_date"] = 0
        return body

    return {
        "update_id": next_update_id(),
        "my_chat_member": {
            "chat": chat(chat_id),
            "from": person(abs(chat_id)),
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        },
    }


def unhandled_updates(chat_id: int) -> list[dict[str, Any]]:
    """Update kinds the bot does not act on: each must be ignored without an error or a send."""
    now = int(time.time())
    # Bot API 10 shape: PTB 22.8 refuses polls without the persistent ids and the new flags.
    poll = {
        "id": "5001",
        "question": "Ikut BPJS?",
        "options": [{"text": "Ya", "voter_count": 1, "persistent_id": "opt-ya"}],
        "total_voter_count": 1,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
        "allows_revoting": False,
        "members_only": False,
    }
    return [
        {"update_id": next_update_id(), "poll": poll},
        {
            "update_id": next_update_id(),
            "poll_answer": {
                "poll_id": "5001",
                "user": person(chat_id),
                "option_ids": [0],
                "option_persistent_ids": ["opt-ya"],
            },
        },
        {
            "update_id": next_update_id(),
            "message_reaction": {
                "chat": chat(chat_id),
                "message_id": 3,
                "user": person(chat_id),
                "date": now,
                "old_reaction": [],
                "new_reaction": [{"type": "emoji", "emoji": "👍"}],
            },
        },
        {
            "update_id": next_update_id(),
            "edited_message": message(chat_id, text="apa itu jht", edit_date=now),
        },
        {
            "update_id": next_update_id(),
            "channel_post": {
                "message_id": 9,
                "date": now,
                "chat": {"id": -100777, "type": "channel", "title": "Info"},
                "text": "apa itu jht",
            },
        },
        {
            "update_id": next_update_id(),
            "pre_checkout_query": {
                "id": "pcq1",
                "from": person(chat_id),
                "currency": "IDR",
                "total_amount": 10000,
                "invoice_payload": "x",
            },
        },
        {
            "update_id": next_update_id(),
            "chat_member": {
                "chat": chat(-100888, "supergroup"),
                "from": person(chat_id),
                "date": now,
                "old_chat_member": {"user": person(chat_id), "status": "left"},
                "new_chat_member": {"user": person(chat_id), "status": "member"},
            },
        },
        {"update_id": next_update_id(), "message": message(chat_id, poll=poll)},
        {"update_id": next_update_id(), "some_future_update_kind": {"id": 1}},
    ]
