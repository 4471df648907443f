"""The WhatsApp Cloud API channel: webhook routes, its inbox Responder, the Graph API client.

    POST /webhook/whatsapp ─ verify signature ─ parse ─ state.enqueue ─ 200   (milliseconds)
                                                           │ wake
    bot.inbox worker ─ claim ─ WhatsAppResponder: mark read ─ Conversation.handle ─ render ─ send
                                                                        └─ state.finish

The webhook never waits for the Graph API: a message is answered only after it is stored, and the
answer is sent by the worker. WhatsApp delivers at least once, so the inbox (UNIQUE per message
id) is also the deduplication: a redelivered or concurrently retried message is stored once and
answered once. Messages left pending by a crash, or claimed by a worker that died, are answered
on the next start (the latter when their lease expires).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from bot import appkeys
from bot.bounded import TimedMap
from bot.channels.whatsapp_parse import (
    MEDIA_KINDS,
    SIGNATURE_HEADER,
    InboundMessage,
    ParsedWebhook,
    SignatureCheck,
    check_signature,
    parse_webhook,
    verify_challenge,
)
from bot.channels.whatsapp_send import GraphClient, Message, RetryPolicy, render
from bot.config import ConfigError, Settings
from bot.conversation import Conversation
from bot.health import WHATSAPP_WORKER
from bot.inbox import (
    DONE,
    InboxOptions,
    InboxWorker,
    Outcome,
    Save,
    WorkerStore,
    turn_off_loop,
)
from bot.intake import MAX_FIELD_CHARS, clean_text
from bot.privacy import load_or_create_salt, message_key, user_key
from bot.reply import Reply
from bot.sealing import Sealer, sealer_for
from bot.state import InboxItem, StateError, StateStore

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
WEBHOOK_PATH = "/webhook/whatsapp"
# Meta's payloads are at most 3 MB; the application's client_max_size enforces the same bound on
# the body that is read, this one refuses a declared larger body before reading anything.
MAX_BODY_BYTES = 3 * 1024 * 1024

# Short, kind answers to what the bot cannot read yet: voice notes and photos are common from
# this audience, and silence would look like the bot is broken.
_ASK_TO_TYPE = "Silakan ketik pertanyaan Bapak/Ibu ya."
NOTICES = {
    "voice": "Maaf, saya belum bisa mendengarkan pesan suara. " + _ASK_TO_TYPE,
    "audio": "Maaf, saya belum bisa mendengarkan pesan audio. " + _ASK_TO_TYPE,
    "image": "Maaf, saya belum bisa membaca gambar. " + _ASK_TO_TYPE,
    "video": "Maaf, saya belum bisa menonton video. " + _ASK_TO_TYPE,
    "document": "Maaf, saya belum bisa membuka dokumen. " + _ASK_TO_TYPE,
    "sticker": "Terima kasih stikernya! " + _ASK_TO_TYPE,
    "location": (
        "Terima kasih. Saya belum bisa membaca lokasi. Silakan ketik nama kabupaten atau kota "
        'Bapak/Ibu, misalnya "kantor di Kupang".'
    ),
    "contacts": "Maaf, saya belum bisa membaca kartu kontak. " + _ASK_TO_TYPE,
    "unsupported": "Maaf, saya belum bisa membaca pesan jenis ini. " + _ASK_TO_TYPE,
}
# Ten photos in a row get one notice, not ten.
NOTICE_QUIET_S = 60.0
# Senders remembered for that at most (the least recently noticed are forgotten first).
NOTICE_MAX_SENDERS = 50_000


@dataclass(frozen=True)
class WhatsAppOptions:
    """Knobs of the worker and the Graph client. The defaults are production's; tests replace
    them (before the app starts) with `app[whatsapp.OPTIONS] = WhatsAppOptions(...)`."""

    # Graph API requests in flight at once, over all users.
    concurrency: int = 16
    # Inbox items held in memory at once (claimed, queued per user).
    capacity: int = 64
    # How long a claim protects an item from other workers (renewed while it is worked on). A
    # worker killed with -9 leaves its claimed items to be answered this long after it died.
    lease_s: float = 30.0
    # The worker is woken on every enqueue, and looks anyway this often (retries, other writers).
    poll_s: float = 1.0
    # On shutdown, in-flight sends get this long to finish before they are released to the next
    # start.
    drain_s: float = 5.0
    # Transient failures of a whole item (after the per-send retries) before it is given up:
    # with the growing pause between them (bot.inbox.retry_delay), about 14 minutes of outage.
    max_item_attempts: int = 10
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    clock: Callable[[], float] = time.time
    jitter: Callable[[], float] = random.random
    # When nothing is in flight, the WAL is truncated at most this often (bot.inbox).
    scrub_every_s: float = 5.0
    # False: messages are stored and acknowledged but nobody answers them (a restart test).
    run_worker: bool = True

    def inbox(self) -> InboxOptions:
        return InboxOptions(
            capacity=self.capacity,
            lease_s=self.lease_s,
            poll_s=self.poll_s,
            drain_s=self.drain_s,
            max_item_attempts=self.max_item_attempts,
            scrub_every_s=self.scrub_every_s,
            clock=self.clock,
        )


class Runtime:
    """What the webhook handler shares with the background worker, created per application."""

    def __init__(self, salt: str) -> None:
        self.salt = salt
        self.worker: InboxWorker | None = None


OPTIONS = web.AppKey("whatsapp_options", WhatsAppOptions)
RUNTIME = web.AppKey("whatsapp_runtime", Runtime)


def setup(app: web.Application) -> None:
    """Add the WhatsApp routes and the worker to an application made by `make_app`."""
    settings = app[appkeys.SETTINGS]
    missing = [
        name
        for name, value in (
            ("WHATSAPP_APP_SECRET", settings.whatsapp_app_secret),
            ("WHATSAPP_VERIFY_TOKEN", settings.whatsapp_verify_token),
            ("WHATSAPP_ACCESS_TOKEN", settings.whatsapp_access_token),
            ("WHATSAPP_PHONE_NUMBER_ID", settings.whatsapp_phone_number_id),
        )
        if not value
    ]
    if missing:
        # Fail closed: without the app secret no webhook could be trusted.
        raise ConfigError("The WhatsApp channel needs these settings: " + ", ".join(missing))
    app[RUNTIME] = Runtime(load_or_create_salt(settings.secret_salt, settings.data_dir))
    app.router.add_get(WEBHOOK_PATH, verify)
    app.router.add_post(WEBHOOK_PATH, receive)
    app.cleanup_ctx.append(_graph_and_worker)


# -- webhook routes --------------------------------------------------------------------------


async def verify(request: web.Request) -> web.Response:
    """Meta's subscription check: echo hub.challenge when the verify token matches."""
    token = request.app[appkeys.SETTINGS].whatsapp_verify_token
    challenge = verify_challenge(request.query, token)
    if challenge is None:
        log.warning("whatsapp: webhook verification refused")
        return web.Response(status=403, text="Forbidden")
    return web.Response(text=challenge, content_type="text/plain")


async def receive(request: web.Request) -> web.Response:
    """Verify, store, acknowledge. Nothing here waits for the Graph API."""
    app = request.app
    settings = app[appkeys.SETTINGS]
    header = request.headers.get(SIGNATURE_HEADER)
    if not header:
        return web.Response(status=401, text="Missing signature")
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return web.Response(status=413, text="Payload too large")
    # read() stops with 413 past the application's client_max_size (also 3 MB), chunked or not.
    raw = await request.read()
    if check_signature(raw, header, settings.whatsapp_app_secret) is not SignatureCheck.OK:
        log.warning("whatsapp: webhook with a wrong signature refused")
        return web.Response(status=403, text="Invalid signature")
    try:
        data: object = json.loads(raw)
    except (ValueError, RecursionError):
        # Signed by Meta but not JSON: a retry would bring the same bytes, so acknowledge it
        # (200) and keep a trace, rather than invite days of redeliveries.
        log.warning("whatsapp: signed webhook body is not JSON (%d bytes); ignored", len(raw))
        return web.Response(text="OK")
    parsed = parse_webhook(data)
    runtime = app[RUNTIME]
    try:
        # In a thread, within a bound: a locked database answers 503 in time, never freezes
        # the server (and /healthz) for everyone.
        new, duplicates = await app[appkeys.DB_GATE].run(
            _store, app[appkeys.STATE], parsed, runtime.salt, time.time()
        )
    except StateError:
        # Not stored means not acknowledged: Meta will deliver it again.
        log.error("whatsapp: the inbox could not store a webhook; asking Meta to retry")
        return web.Response(status=503, text="Try again later")
    if new and runtime.worker is not None:
        runtime.worker.wake()
    if log.isEnabledFor(logging.DEBUG):
        kinds = Counter(m.kind for m in parsed.messages)
        log.debug(
            "whatsapp webhook: %s; %d new, %d duplicate(s), %d status(es), %d skipped",
            dict(kinds),
            new,
            duplicates,
            len(parsed.statuses),
            parsed.skipped,
        )
    return web.Response(text="OK")


def _store(state: StateStore, parsed: ParsedWebhook, salt: str, now: float) -> tuple[int, int]:
    """Store every message of one webhook (on the database thread); (new, duplicates).

    Ids are stored hashed. A message that cannot be stored for what it is (not for the state of
    the database) is skipped and logged, so it never takes the rest of the batch with it."""
    new = duplicates = 0
    for message in parsed.messages:
        if not message.needs_reply:
            continue
        try:
            key = user_key(CHANNEL, message.user_id, salt)
            item_key = message_key(CHANNEL, message.message_id, salt)
            # Sealed (bot.sealing): the raw number and wamid never reach the store in clear.
            payload = sealer_for(salt).seal(CHANNEL, item_key, _payload(message, now))
            stored = state.enqueue(CHANNEL, item_key, key, payload, now)
            if stored and message.user_id != message.address and message.address_field == "to":
                # A BSUID user whose number we know: `forget` by that number must find them.
                state.link(user_key(CHANNEL, message.address, salt), key, now)
        except StateError:
            raise
        except Exception as exc:
            log.error("whatsapp: a message could not be stored (%s); skipped", type(exc).__name__)
            continue
        if stored:
            new += 1
        else:
            duplicates += 1
    for status in parsed.statuses:
        if status.status == "failed" and state.mark_seen(
            "whatsapp-status",
            message_key("whatsapp-status", f"{status.message_id}:failed", salt),
            now,
        ):
            # The outcome of a send, often 131047 outside the 24-hour window. Codes only:
            # the ids would let a log reader link messages to a person.
            log.warning(
                "whatsapp: a sent message failed, error code(s) %s",
                ",".join(status.error_codes) or "none",
            )
    return new, duplicates


def _payload(message: InboundMessage, now: float) -> dict[str, Any]:
    """What the worker needs to answer: the kind, the text (capped at MAX_TEXT_CHARS) or choice,
    the platform id (for the read receipt), when it arrived (for the flood guard) and where to
    send the reply. It holds raw ids: it is stored sealed, and state.finish() erases it once
    the item is done."""
    return {
        "kind": message.kind,
        "text": clean_text(message.text) if message.text is not None else None,
        "choice": clean_text(message.choice, MAX_FIELD_CHARS) if message.choice else None,
        "wamid": message.message_id,
        "received_at": now,
        "to": message.address,
        "to_field": message.address_field,
    }


# -- the HTTP client session and the worker ---------------------------------------------------


async def _graph_and_worker(app: web.Application) -> AsyncIterator[None]:
    options = app.get(OPTIONS) or WhatsAppOptions()
    runtime = app[RUNTIME]
    async with answering(
        app[appkeys.SETTINGS], app[appkeys.STATE], app[appkeys.CONVERSATION], options
    ) as worker:
        runtime.worker = worker
        try:
            yield
        finally:
            runtime.worker = None


@contextlib.asynccontextmanager
async def answering(
    settings: Settings, state: WorkerStore, conversation: Conversation, options: WhatsAppOptions
) -> AsyncIterator[InboxWorker]:
    """The Graph API client (one session) and the inbox worker, for as long as the block runs."""
    # One session per application: its connection pool is shared by every send.
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=max(options.concurrency, 1) * 2)
    ) as session:
        graph = GraphClient(
            session,
            settings.whatsapp_api_url,
            settings.whatsapp_phone_number_id,
            settings.whatsapp_access_token,
            policy=options.retry,
            concurrency=options.concurrency,
            sleep=options.sleep,
            clock=options.clock,
            jitter=options.jitter,
        )
        salt = load_or_create_salt(settings.secret_salt, settings.data_dir)
        responder = WhatsAppResponder(conversation, graph, options, sealer_for(salt))
        worker = InboxWorker(state, responder, options.inbox())
        if options.run_worker:
            worker.start()
        try:
            yield worker
        finally:
            await worker.stop()


class WhatsAppResponder:
    """Answers one stored WhatsApp message: blue ticks, one conversation turn, the sends."""

    channel = CHANNEL
    heartbeat_name = WHATSAPP_WORKER  # what /healthz expects of a WhatsApp setup

    def __init__(
        self,
        conversation: Conversation,
        graph: GraphClient,
        options: WhatsAppOptions,
        sealer: Sealer,
    ) -> None:
        self.sealer = sealer
        self.conversation = conversation
        self.graph = graph
        self.options = options
        # When each sender last got a media notice: bounded, and swept by time as it goes.
        self._notice_at: TimedMap[bool] = TimedMap(NOTICE_QUIET_S, NOTICE_MAX_SENDERS)

    async def answer(self, item: InboxItem, save: Save) -> Outcome:
        payload = item.payload
        address = payload.get("to")
        field_name = payload.get("to_field")
        if not isinstance(address, str) or not address or field_name not in ("to", "recipient"):
            return Outcome(error="no_recipient", permanent=True)
        outbox = payload.get("outbox")
        sent = payload.get("sent", 0)
        if not isinstance(outbox, list) or not isinstance(sent, int):
            # First time: blue ticks, then the one conversation turn for this message. The
            # rendered reply is stored before anything is sent, so that a retry or a restart
            # resumes the sending and never runs the turn (or logs the question) twice.
            read = await self.graph.mark_read(_wamid(item))
            if not read.ok:
                log.debug("whatsapp: mark-as-read failed (%s)", read.error)
            reply = await turn_off_loop(self._reply, item)
            outbox = render(reply) if reply is not None else []
            sent = 0
            if outbox:
                await save({**payload, "outbox": outbox, "sent": 0})
        total = len(outbox)
        for index in range(sent, total):
            message = outbox[index]
            marker = f"{_wamid(item)}#{index + 1}/{total}"
            result = await self.graph.send(
                field_name, address, _message(message), marker, typing_for=_wamid(item)
            )
            if result.ok:
                if index + 1 < total:
                    await save({**payload, "outbox": outbox, "sent": index + 1})
                continue
            return Outcome(error=result.error, permanent=result.permanent)
        return DONE

    def _reply(self, item: InboxItem) -> Reply | None:
        payload = item.payload
        kind = str(payload.get("kind") or "unsupported")
        text = payload.get("text") if isinstance(payload.get("text"), str) else None
        choice = payload.get("choice") if isinstance(payload.get("choice"), str) else None
        received = payload.get("received_at")
        handle = functools.partial(
            self.conversation.handle,
            received_at=float(received) if isinstance(received, int | float) else None,
        )
        if kind in ("button_reply", "list_reply", "quick_reply") and choice and self._known(choice):
            return handle(CHANNEL, item.user_key, choice=choice)
        if kind == "welcome":
            if self._known("salam"):
                return handle(CHANNEL, item.user_key, choice="salam")
            return handle(CHANNEL, item.user_key, text="halo")
        if kind in MEDIA_KINDS or kind == "unsupported":
            if text:
                # A caption under a photo is a question the user typed.
                return handle(CHANNEL, item.user_key, text=text)
            return self._notice(item.user_key, kind)
        return handle(CHANNEL, item.user_key, text=text or "")

    def _known(self, option_id: str) -> bool:
        intent = option_id.partition(":")[0]
        return intent in self.conversation.engine.knowledge.intents

    def _notice(self, key: str, kind: str) -> Reply | None:
        now = self.options.clock()
        if self._notice_at.get(key, now) is not None:
            return None
        self._notice_at.touch(key, True, now)
        return Reply(text=NOTICES.get(kind, NOTICES["unsupported"]))


def _wamid(item: InboxItem) -> str:
    """The platform id of a stored message (kept in its payload; the inbox keeps a hash)."""
    wamid = item.payload.get("wamid")
    return wamid if isinstance(wamid, str) and wamid else item.message_id


def _message(stored: object) -> Message:
    return stored if isinstance(stored, dict) else {}


__all__ = [
    "CHANNEL",
    "NOTICES",
    "OPTIONS",
    "RUNTIME",
    "InboxWorker",
    "WhatsAppOptions",
    "setup",
]
