"""The WhatsApp Cloud API channel's webhook routes, and the worker's lifecycle in the app.

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

import json
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from bot import appkeys
from bot.channels.whatsapp.options import CHANNEL, WhatsAppOptions
from bot.channels.whatsapp.parse import (
    SIGNATURE_HEADER,
    InboundMessage,
    ParsedWebhook,
    SignatureCheck,
    check_signature,
    parse_webhook,
    verify_challenge,
)
from bot.inbox import InboxWorker
from bot.intake import MAX_FIELD_CHARS, clean_text
from bot.metrics import timed_webhook
from bot.privacy import message_key, user_key
from bot.sealing import sealer_for
from bot.state_protocols import StateError, StateStore

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhook/whatsapp"
# Meta's payloads are at most 3 MB; the application's client_max_size enforces the same bound on
# the body that is read, this one refuses a declared larger body before reading anything.
MAX_BODY_BYTES = 3 * 1024 * 1024


class Shared:
    """What the webhook handler shares with the background worker, created per application
    (the salt, the worker to wake)."""

    def __init__(self, salt: str) -> None:
        self.salt = salt
        self.worker: InboxWorker | None = None


OPTIONS = web.AppKey("whatsapp_options", WhatsAppOptions)
RUNTIME = web.AppKey("whatsapp_runtime", Shared)


def setup(app: web.Application, salt: str) -> None:
    """Add the WhatsApp routes and the worker to an application made by `bot.app.make_app`,
    which has checked the channel's settings (bot.config.REQUIRED) before anything is made."""
    app[RUNTIME] = Shared(salt)
    app.router.add_get(WEBHOOK_PATH, verify)
    app.router.add_post(WEBHOOK_PATH, timed_webhook(CHANNEL, receive))
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
    if new and appkeys.WAKE_WORKER in app:
        app[appkeys.WAKE_WORKER](CHANNEL)  # the worker is another process (serve)
    elif new and runtime.worker is not None:
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
    if not options.run_worker:
        # Stored and acknowledged only (`serve`: its worker process answers): no Graph client,
        # and the responder and renderer are not even imported.
        yield
        return
    from bot.channels.whatsapp.responder import answering

    runtime = app[RUNTIME]
    async with answering(
        app[appkeys.SETTINGS],
        app[appkeys.STATE],
        app[appkeys.CONVERSATION],
        options,
        runtime.salt,
    ) as worker:
        runtime.worker = worker
        try:
            yield
        finally:
            runtime.worker = None
