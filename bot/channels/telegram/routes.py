"""The Telegram channel's two ways to receive: long polling and a webhook on our aiohttp app.

- `polling(...)`: long polling into the inbox; `bot.polling` runs it as a process of its own
  (`python -m bot` with TELEGRAM_BOT_TOKEN and no TELEGRAM_WEBHOOK_URL).
- `setup_polling(app, salt)`: the same long polling inside the aiohttp app (next to WhatsApp).
- `setup_webhook(app, salt)`: called by `bot.app.make_app` in webhook mode. It adds
  `POST /webhook/telegram` and a cleanup context that owns the Bot API client's lifecycle
  (initialise, setWebhook; shut down on exit).
- `answering(...)`: the inbox worker, where replies are sent.

Storing needs only the door (`door.py`). The adapter (`adapter.TelegramChannel`), which renders
and sends, is imported only where this process answers: in the worker process, or in an app
told to answer itself (RUN_WORKER, the default outside `serve`); the words it sends come from
handlers/. So `serve`'s acknowledging server imports neither the renderer nor the handlers.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import json
import logging
import random
import re
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web
from telegram.error import InvalidToken, TelegramError
from telegram.ext import ExtBot

from bot import appkeys
from bot.channels.backoff import backoff_delay
from bot.channels.telegram.door import ALLOWED_UPDATES, CHANNEL, TelegramDoor, bare_bot, chat_of
from bot.config import ConfigError, Settings
from bot.conversation import Conversation
from bot.health import TELEGRAM_POLLER, Heartbeat, beat_while
from bot.inbox import InboxOptions, InboxWorker, off_loop
from bot.intake import MAX_TEXT_CHARS, repair_json
from bot.metrics import timed_webhook
from bot.privacy import message_key, telegram_order
from bot.state_protocols import StateError, StateStore

if TYPE_CHECKING:  # imported where this process answers (see above)
    from bot.channels.telegram.adapter import TelegramChannel

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhook/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
# setWebhook accepts 1-256 characters of A-Z, a-z, 0-9, _ and - as secret_token.
_SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Long-poll timeout for getUpdates: Telegram holds the request open until an update arrives.
POLL_TIMEOUT_S = 30

DOOR_KEY = web.AppKey("telegram_door", TelegramDoor)
# False: updates are stored and acknowledged here, and answered by a worker process (`serve`).
RUN_WORKER = web.AppKey("telegram_run_worker", bool)
WORKER_KEY = web.AppKey("telegram_worker", InboxWorker)
# The inbox worker's knobs; tests replace them (a clock they can move) before the app starts.
INBOX_OPTIONS = web.AppKey("telegram_inbox_options", InboxOptions)


# -- the inbox worker ------------------------------------------------------------------------


def _inbox_options(settings: Settings, poll_s: float = 1.0) -> InboxOptions:
    return InboxOptions(
        lease_s=settings.inbox_lease_s, poll_s=poll_s, sends_in_flight=settings.sends_in_flight
    )


@contextlib.asynccontextmanager
async def answering(
    settings: Settings,
    state: StateStore,
    conversation: Conversation,
    *,
    salt: str = "",
    poll_s: float = 1.0,
    channel: TelegramChannel | None = None,
    options: InboxOptions | None = None,
) -> AsyncIterator[InboxWorker]:
    """Answer the Telegram inbox for as long as the block runs (`python -m bot work`, or next
    to the poller and the webhook). A channel already started is reused, else one is made
    (with `salt`, the runtime's)."""
    own = channel is None
    if channel is None:
        if not salt:
            raise ValueError("a Telegram channel needs the runtime's salt")
        from bot.channels.telegram.adapter import TelegramChannel

        channel = TelegramChannel(settings, conversation, state, salt=salt, webhook=True)
    worker = InboxWorker(state, channel, options or _inbox_options(settings, poll_s))
    ready = channel

    async def start_when_reachable() -> None:
        # A worker process answers WhatsApp too: a Bot API that is down at start (getMe) must
        # not stop it, so Telegram's part starts once Telegram answers.
        failures = 0
        while own:
            try:
                await ready.application.initialize()
            except InvalidToken:
                log.error("telegram: the token was rejected; Telegram updates stay in the inbox")
                return
            except TelegramError as exc:
                failures += 1
                log.warning("telegram: not reachable (%s); trying again", type(exc).__name__)
                await asyncio.sleep(backoff_delay(failures, 0.5, 30.0, random.random()))
                continue
            # The server beside a worker process stores updates only: the words Telegram
            # shows of the bot are set here, where its replies are sent.
            try:
                await ready.introduce()
            except TelegramError as exc:
                log.warning("telegram: commands and description not set (%s)", type(exc).__name__)
            break
        worker.start()

    starting = asyncio.create_task(start_when_reachable(), name="telegram-start")
    try:
        if not own:
            await starting
        yield worker
    finally:
        starting.cancel()
        await asyncio.gather(starting, return_exceptions=True)
        await worker.stop()
        if own:
            await channel.stop()


# -- polling ---------------------------------------------------------------------------------


def _store_updates(state: StateStore, door: TelegramDoor, updates: list[dict[str, Any]]) -> int:
    """Store fetched updates in the inbox; returns how many were new. Runs off the loop."""
    now = time.time()
    new = 0
    for data in updates:
        chat = chat_of(data)
        if chat is None:
            continue  # nothing the bot answers (an inline query, a poll, a channel post)
        # The update id is stored hashed, like every platform id; the arrival time is what the
        # flood guard counts when the update is answered.
        update_id = message_key(CHANNEL, str(data["update_id"]), door.salt)
        payload = {"update": at_the_door(data), "received_at": now}
        # Sealed (bot.sealing): the raw update, chat id and all, never reaches the store in clear.
        sealed = door.sealer.seal(CHANNEL, update_id, payload)
        # The order of a chat's updates (bot.state.CLAIM_SQL): the update id shifted by a secret
        # offset, so that not even it is stored as Telegram sent it; erased once answered.
        order = telegram_order(int(data["update_id"]), door.salt)
        if state.enqueue(CHANNEL, update_id, door.key(chat), sealed, now, order):
            new += 1
    return new


async def poll_into_inbox(
    bot: ExtBot[None], door: TelegramDoor, state: StateStore, wake: Callable[[], None]
) -> None:
    """Long-poll getUpdates and store each batch before asking for the next one: only the next
    call's offset confirms a batch to Telegram, so what is not stored yet is fetched again after
    a crash (and deduplicated by the inbox). Runs until cancelled."""
    offset: int | None = None
    failures = 0
    webhook_removed = False
    while True:
        try:
            if not webhook_removed:
                # Polling and a webhook exclude each other; pending updates are kept for us.
                await bot.delete_webhook(drop_pending_updates=False)
                webhook_removed = True
            updates = await bot.get_updates(
                offset=offset, timeout=POLL_TIMEOUT_S, allowed_updates=list(ALLOWED_UPDATES)
            )
            if updates:
                raw = [u.to_dict() for u in updates]
                if await off_loop(_store_updates, state, door, raw):
                    wake()
                offset = max(u.update_id for u in updates) + 1
            failures = 0
        except (TelegramError, StateError) as exc:
            if isinstance(exc, InvalidToken):
                raise
            failures += 1
            # The type is enough and leaks nothing; the same batch is fetched again.
            log.warning("telegram polling failed: %s; retrying", type(exc).__name__)
            await asyncio.sleep(backoff_delay(failures, 0.5, 30.0, random.random()))


@contextlib.asynccontextmanager
async def polling(
    state: StateStore,
    conversation: Conversation,
    *,
    channel: TelegramChannel | None = None,
    door: TelegramDoor | None = None,
    options: InboxOptions | None = None,
    wake_elsewhere: Callable[[str], None] | None = None,
) -> AsyncIterator[None]:
    """The poller, and the inbox worker when this process answers (`channel`, which then
    also polls); with a `door` only, it stores and a separate worker process answers, woken
    by `wake_elsewhere` (bot.wakeup)."""
    async with _bot_api(channel, door) as (bot, door), contextlib.AsyncExitStack() as stack:
        wake: Callable[[], None] = lambda: None  # noqa: E731 - nobody to wake
        if wake_elsewhere is not None:
            wake = functools.partial(wake_elsewhere, CHANNEL)
        if channel is not None:
            worker = await stack.enter_async_context(
                answering(channel.settings, state, conversation, channel=channel, options=options)
            )
            wake = worker.wake
        task = asyncio.create_task(poll_into_inbox(bot, door, state, wake), name="telegram-poll")
        # The poller's heartbeat for /healthz, while it polls.
        beating = asyncio.create_task(
            beat_while(Heartbeat(state, TELEGRAM_POLLER), lambda: not task.done())
        )
        try:
            yield
        finally:
            # Stop fetching first: whatever the cancelled call would have returned stays
            # unconfirmed at Telegram and comes again on the next start.
            task.cancel()
            beating.cancel()
            await asyncio.gather(task, beating, return_exceptions=True)


@contextlib.asynccontextmanager
async def _bot_api(
    channel: TelegramChannel | None, door: TelegramDoor | None
) -> AsyncIterator[tuple[ExtBot[None], TelegramDoor]]:
    """The Bot API client for as long as the block runs: the answering channel's (started:
    getMe, commands, description), or a bare one beside a door that only stores (getMe)."""
    if channel is not None:
        await channel.start()
        try:
            yield channel.application.bot, channel.door
        finally:
            await channel.stop()
        return
    if door is None:
        raise ValueError("polling needs a channel that answers or a door that stores")
    bot = bare_bot(door.settings)
    await bot.initialize()
    try:
        yield bot, door
    finally:
        await bot.shutdown()


def setup_polling(app: web.Application, salt: str) -> None:
    """Telegram by long polling inside the bot's aiohttp app, for a process that serves the
    WhatsApp webhook but has no public URL for Telegram (TELEGRAM_WEBHOOK_URL unset)."""
    app[DOOR_KEY] = TelegramDoor(app[appkeys.SETTINGS], salt)
    app.cleanup_ctx.append(_polling_lifecycle)


async def _polling_lifecycle(app: web.Application) -> AsyncIterator[None]:
    channel = _answering_channel(app)
    async with polling(
        app[appkeys.STATE],
        app[appkeys.CONVERSATION],
        channel=channel,
        door=app[DOOR_KEY],
        options=app.get(INBOX_OPTIONS),
        wake_elsewhere=app.get(appkeys.WAKE_WORKER),
    ):
        yield


def _answering_channel(app: web.Application, *, webhook: bool = False) -> TelegramChannel | None:
    """The adapter, when this app answers Telegram itself (RUN_WORKER, read at start: `serve`
    sets it after making the app); None when a worker process answers."""
    if not app.get(RUN_WORKER, True):
        return None
    from bot.channels.telegram.adapter import CHANNEL_KEY, TelegramChannel

    door = app[DOOR_KEY]
    channel = TelegramChannel(
        door.settings,
        app[appkeys.CONVERSATION],
        app[appkeys.STATE],
        salt=door.salt,
        webhook=webhook,
    )
    app[CHANNEL_KEY] = channel
    return channel


# -- webhook ---------------------------------------------------------------------------------


def require_secret(settings: Settings) -> str:
    """Fail closed: webhook mode never starts without a well-formed secret token."""
    secret = settings.telegram_webhook_secret
    if not secret:
        raise ConfigError(
            "Telegram webhook mode needs TELEGRAM_WEBHOOK_SECRET (1-256 of A-Z a-z 0-9 _ -)"
        )
    if not _SECRET_FORMAT.match(secret):
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET may only hold 1-256 characters of A-Z, a-z, 0-9, _ and -"
        )
    return secret


def setup_webhook(app: web.Application, salt: str) -> None:
    """Add the Telegram webhook route and the Bot API lifecycle to the bot's aiohttp app."""
    settings = app[appkeys.SETTINGS]
    require_secret(settings)
    if not settings.telegram_webhook_url.rstrip("/").endswith(WEBHOOK_PATH):
        log.warning(
            "TELEGRAM_WEBHOOK_URL does not end in %s; make sure your proxy maps it", WEBHOOK_PATH
        )
    app[DOOR_KEY] = TelegramDoor(settings, salt)
    app.router.add_post(WEBHOOK_PATH, timed_webhook(CHANNEL, telegram_webhook))
    app.cleanup_ctx.append(_telegram_lifecycle)


async def _telegram_lifecycle(app: web.Application) -> AsyncIterator[None]:
    door = app[DOOR_KEY]
    settings = door.settings
    channel = _answering_channel(app, webhook=True)
    async with _bot_api(channel, door) as (bot, _):
        await bot.set_webhook(
            settings.telegram_webhook_url,
            secret_token=settings.telegram_webhook_secret,
            allowed_updates=list(ALLOWED_UPDATES),
        )
        if channel is None:
            yield
            return
        async with answering(
            settings,
            app[appkeys.STATE],
            app[appkeys.CONVERSATION],
            channel=channel,
            options=app.get(INBOX_OPTIONS),
        ) as worker:
            app[WORKER_KEY] = worker
            yield


async def telegram_webhook(request: web.Request) -> web.Response:
    """Check the secret, parse, store in the inbox, answer 200. Processing never happens inside
    the request: Telegram resends an update it waited too long for, and the user gets two
    answers. An update the bot cannot read is answered with 200 too (by the worker, which gives
    up on it): a 4xx would make Telegram redeliver it and hold back the updates behind it."""
    door = request.app[DOOR_KEY]
    given = request.headers.get(SECRET_HEADER)
    if given is None:
        return web.json_response({"error": "missing secret token"}, status=401)
    expected = door.settings.telegram_webhook_secret
    # A header that is not UTF-8 arrives with surrogate escapes: compare its bytes as sent.
    if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8")):
        return web.json_response({"error": "wrong secret token"}, status=403)
    raw = await request.read()
    data = _parse_body(raw)
    if data is None:
        return web.json_response({"error": "not a Telegram update"}, status=400)
    try:
        # Stored before the 200: from here on the update survives a crash; the worker answers.
        # Through the database gate: a locked database answers 503 within a bounded time
        # instead of holding the request (and everybody else's) for as long as it is locked.
        new = await request.app[appkeys.DB_GATE].run(
            _store_updates, request.app[appkeys.STATE], door, [data]
        )
    except StateError:
        # Not stored means not acknowledged: Telegram delivers it again.
        log.error("telegram: the inbox could not store an update; asking Telegram to retry")
        return web.json_response({"error": "try again later"}, status=503)
    worker = request.app.get(WORKER_KEY)
    if new and appkeys.WAKE_WORKER in request.app:
        request.app[appkeys.WAKE_WORKER](CHANNEL)  # the worker is another process (serve)
    elif new and worker is not None:
        worker.wake()
    return web.Response(status=200)


def _parse_body(raw: bytes) -> dict[str, Any] | None:
    """The update as a JSON object with an integer update_id, or None for anything else."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: nesting deeper than the parser's stack (never a real update).
        return None
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    return data


def at_the_door(update: dict[str, Any]) -> dict[str, Any]:
    """The update as it is stored: lone surrogates repaired (they cannot be stored), and the
    message's text and caption capped at MAX_TEXT_CHARS (the engine reads no more)."""
    clean: dict[str, Any] = repair_json(update)
    message = clean.get("message")
    if isinstance(message, dict):
        for name in ("text", "caption"):
            if isinstance(message.get(name), str):
                message[name] = message[name][:MAX_TEXT_CHARS]
    return clean
