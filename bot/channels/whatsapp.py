"""The WhatsApp Cloud API channel: webhook routes, the durable inbox worker, the Graph API client.

    POST /webhook/whatsapp ─ verify signature ─ parse ─ state.enqueue ─ 200   (milliseconds)
                                                           │ wake
    worker ─ claim ─ per-user queue ─ mark read ─ Conversation.handle ─ render ─ send (retries)
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
import os
import random
import time
from collections import Counter, deque
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
from bot.intake import MAX_FIELD_CHARS, clean_text
from bot.privacy import load_or_create_salt, message_key, user_key
from bot.reply import Reply
from bot.state import InboxItem, SqliteState, StateError

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
    # How long a claim protects an item from other workers. A worker killed with -9 leaves its
    # claimed items to be answered this long after it died.
    lease_s: float = 90.0
    # The worker is woken on every enqueue, and looks anyway this often (retries, other writers).
    poll_s: float = 1.0
    # On shutdown, in-flight sends get this long to finish before they are released to the next
    # start.
    drain_s: float = 5.0
    # Transient failures of a whole item (after the per-send retries) before it is given up.
    max_item_attempts: int = 5
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    clock: Callable[[], float] = time.time
    jitter: Callable[[], float] = random.random
    # When nothing is in flight, the WAL is truncated at most this often (SqliteState.scrub).
    scrub_every_s: float = 5.0
    # False: messages are stored and acknowledged but nobody answers them (a restart test).
    run_worker: bool = True


class Runtime:
    """What the webhook handler shares with the background worker, created per application."""

    def __init__(self, salt: str) -> None:
        self.salt = salt
        self.worker: InboxWorker | None = None


WORKER_NICENESS = 10
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


def _store(state: SqliteState, parsed: ParsedWebhook, salt: str, now: float) -> tuple[int, int]:
    """Store every message of one webhook (on the database thread); (new, duplicates).

    Ids are stored hashed. A message that cannot be stored for what it is (not for the state of
    the database) is skipped and logged, so it never takes the rest of the batch with it."""
    new = duplicates = 0
    for message in parsed.messages:
        if not message.needs_reply:
            continue
        try:
            key = user_key(CHANNEL, message.user_id, salt)
            stored = state.enqueue(
                CHANNEL,
                message_key(CHANNEL, message.message_id, salt),
                key,
                _payload(message, now),
                now,
            )
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
    send the reply. It holds raw ids, so state.finish() erases it once the item is done."""
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
    settings: Settings, state: SqliteState, conversation: Conversation, options: WhatsAppOptions
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
        worker = InboxWorker(state, conversation, graph, options)
        if options.run_worker:
            worker.start()
        try:
            yield worker
        finally:
            await worker.stop()


async def work(settings: Settings, stop: asyncio.Event) -> None:
    """`python -m bot work`: answer the WhatsApp inbox in a process of its own.

    `python -m bot serve` starts one beside itself, so that acknowledging webhooks never
    competes for the CPU with answering them; the durable inbox in SQLite (WAL, leases) is what
    the two processes share. The worker stops with `stop`, or when its parent process dies."""
    from bot.runtime import load_engine

    # Acknowledging webhooks is the urgent job (Meta retries slow ones); answering can wait a
    # few milliseconds, so the worker yields the CPU to the server under load.
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    state = SqliteState(settings.state_db)
    # This process is the only worker (its server starts one and restarts it if it dies): the
    # claims of a predecessor killed mid-way are taken over at once instead of after the lease.
    if released := state.release_claims(CHANNEL):
        log.warning("whatsapp worker: took over %d message(s) left by a stopped worker", released)
    conversation = Conversation(load_engine(settings), state, settings)
    parent = os.getppid()
    # Nobody wakes this process on enqueue: look often, it is one indexed query.
    options = WhatsAppOptions(poll_s=0.05)
    try:
        async with answering(settings, state, conversation, options):
            while not stop.is_set() and os.getppid() == parent:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 1.0)
    finally:
        state.close()


class InboxWorker:
    """Claims stored messages and answers them: in order per user, users concurrently."""

    def __init__(
        self,
        state: SqliteState,
        conversation: Conversation,
        graph: GraphClient,
        options: WhatsAppOptions,
    ) -> None:
        self.state = state
        self.conversation = conversation
        self.graph = graph
        self.options = options
        self._wake = asyncio.Event()
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._inflight: dict[int, InboxItem] = {}
        self._queues: dict[str, deque[InboxItem]] = {}
        self._runners: dict[str, asyncio.Task[None]] = {}
        # When each sender last got a media notice: bounded, and swept by time as it goes.
        self._notice_at: TimedMap[bool] = TimedMap(NOTICE_QUIET_S, NOTICE_MAX_SENDERS)
        self._scrubbed_at = float("-inf")
        # Set after every scrub of the WAL (tests wait on it instead of sleeping).
        self.scrubbed = asyncio.Event()

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="whatsapp-inbox")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        """Stop claiming, let in-flight sends finish for a moment, release the rest."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        runners = list(self._runners.values())
        if runners:
            _, unfinished = await asyncio.wait(runners, timeout=self.options.drain_s)
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)
        now = self.options.clock()
        released = 0
        for item in list(self._inflight.values()):
            # Back to pending at once, with its progress kept: the next start resumes it.
            try:
                self.state.retry_later(item.id, now, 0.0, "shutdown")
                released += 1
            except StateError:
                log.warning(
                    "whatsapp: an in-flight item could not be released; its lease will expire"
                )
        self._inflight.clear()
        if released:
            log.info("whatsapp: %d unfinished message(s) left for the next start", released)

    async def wait_idle(self) -> None:
        """Until nothing is in flight and nothing is pending (tests and benchmarks)."""
        while self._inflight or self.state.pending_count(CHANNEL):
            self._changed.clear()
            await self._changed.wait()

    async def wait_settled(self) -> None:
        """Until nothing is in flight; postponed items may still be pending."""
        while self._inflight:
            self._changed.clear()
            await self._changed.wait()

    # -- claiming --------------------------------------------------------------------------------

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            more = self._claim()
            self._changed.set()
            if more:
                # A full batch: there may be more waiting. Let the runners start first.
                await asyncio.sleep(0)
                continue
            if not self._inflight:
                self._scrub()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.options.poll_s)

    def _scrub(self) -> None:
        """Nothing in flight: truncate the WAL (now and then), so the raw addresses and texts
        of answered messages, erased from the inbox, do not linger in it either."""
        now = self.options.clock()
        if now - self._scrubbed_at < self.options.scrub_every_s:
            return
        self._scrubbed_at = now
        try:
            if self.state.scrub():
                self.scrubbed.set()
        except StateError:
            log.warning("whatsapp: the WAL could not be truncated; will try again")

    def _claim(self) -> bool:
        free = self.options.capacity - len(self._inflight)
        if free <= 0:
            return False
        try:
            items = self.state.claim(CHANNEL, self.options.clock(), self.options.lease_s, free)
        except StateError:
            log.exception("whatsapp: could not claim from the inbox")
            return False
        for item in items:
            if item.id in self._inflight:
                # Ours already, still queued behind the same user's earlier messages: the claim
                # only renewed its lease.
                continue
            self._inflight[item.id] = item
            self._queues.setdefault(item.user_key, deque()).append(item)
            if item.user_key not in self._runners:
                self._runners[item.user_key] = asyncio.create_task(self._run_user(item.user_key))
        return len(items) == free

    async def _run_user(self, key: str) -> None:
        """One user's messages, one after the other, so answers come in the order asked."""
        queue = self._queues[key]
        try:
            while queue:
                item = queue[0]
                try:
                    await self._process(item)
                except StateError:
                    log.exception("whatsapp: the inbox could not record an outcome")
                except Exception as exc:
                    # Never let one message stop the worker; the type is logged, not the content.
                    # A message whose processing raises would raise again: it is recorded as
                    # failed once, never retried as if the failure were temporary.
                    log.error(
                        "whatsapp: answering failed (%s); not retried",
                        type(exc).__name__,
                        exc_info=log.isEnabledFor(logging.DEBUG),
                    )
                    try:
                        self.state.finish(
                            item.id, self.options.clock(), error=f"poison:{type(exc).__name__}"
                        )
                    except StateError:
                        log.exception("whatsapp: the inbox could not record an outcome")
                queue.popleft()
                self._inflight.pop(item.id, None)
                self._changed.set()
                # A slot is free: claim the next message without waiting for the poll.
                self._wake.set()
        finally:
            # On cancellation (shutdown) the unfinished items stay in _inflight for stop().
            self._runners.pop(key, None)
            if not queue:
                self._queues.pop(key, None)
            self._wake.set()

    # -- answering one message -------------------------------------------------------------------

    async def _process(self, item: InboxItem) -> None:
        payload = item.payload
        address = payload.get("to")
        field_name = payload.get("to_field")
        if not isinstance(address, str) or not address or field_name not in ("to", "recipient"):
            self.state.finish(item.id, self.options.clock(), error="no_recipient")
            return
        outbox = payload.get("outbox")
        sent = payload.get("sent", 0)
        if not isinstance(outbox, list) or not isinstance(sent, int):
            # First time: blue ticks, then the one conversation turn for this message. The
            # rendered reply is stored before anything is sent, so that a retry or a restart
            # resumes the sending and never runs the turn (or logs the question) twice.
            read = await self.graph.mark_read(_wamid(item))
            if not read.ok:
                log.debug("whatsapp: mark-as-read failed (%s)", read.error)
            reply = self._reply(item)
            outbox = render(reply) if reply is not None else []
            sent = 0
            if outbox:
                self.state.update_payload(item.id, {**payload, "outbox": outbox, "sent": 0})
        total = len(outbox)
        for index in range(sent, total):
            message = outbox[index]
            marker = f"{_wamid(item)}#{index + 1}/{total}"
            result = await self.graph.send(field_name, address, _message(message), marker)
            if result.ok:
                if index + 1 < total:
                    self.state.update_payload(
                        item.id, {**payload, "outbox": outbox, "sent": index + 1}
                    )
                continue
            if result.permanent:
                log.warning("whatsapp: reply not delivered, error %s (not retried)", result.error)
                self.state.finish(item.id, self.options.clock(), error=result.error)
                return
            self._retry_or_give_up(item, result.error)
            return
        self.state.finish(item.id, self.options.clock())

    def _retry_or_give_up(self, item: InboxItem, error: str) -> None:
        now = self.options.clock()
        if item.attempts >= self.options.max_item_attempts:
            log.warning("whatsapp: reply given up after %d attempts (%s)", item.attempts, error)
            self.state.finish(item.id, now, error=f"gave_up:{error}")
            return
        delay = min(300.0, 30.0 * item.attempts)
        log.info("whatsapp: reply postponed %.0f s (%s)", delay, error)
        self.state.retry_later(item.id, now, delay, error)

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
