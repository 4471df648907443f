"""How a stored WhatsApp message is answered: the Graph API client and the
inbox worker for as long as they run (`answering`), and `WhatsAppResponder`, which answers one
stored message: blue ticks, one call of the conversation service, the sends (the rendered reply
is stored before the first send, so a retry resumes and never runs the turn twice).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import aiohttp

from bot.bounded import TimedMap
from bot.channels.whatsapp.options import CHANNEL, WhatsAppOptions
from bot.channels.whatsapp.parse import MEDIA_KINDS
from bot.channels.whatsapp.send import GraphClient, Message, render
from bot.config import Settings
from bot.conversation import Conversation
from bot.health import WHATSAPP_WORKER
from bot.inbox import DONE, InboxWorker, Outcome, Save, WorkerStore, turn_off_loop
from bot.sealing import Sealer, sealer_for
from bot.state_protocols import InboxItem
from core.reply import Reply

log = logging.getLogger(__name__)

# Ten photos in a row get one notice, not ten.
NOTICE_QUIET_S = 60.0
# Senders remembered for that at most (the least recently noticed are forgotten first).
NOTICE_MAX_SENDERS = 50_000
# How long the worker remembers up to which of a sender's messages a read receipt went out (one
# forgotten costs a receipt more, nothing else).
READ_REMEMBERED_S = 600.0


@contextlib.asynccontextmanager
async def answering(
    settings: Settings,
    state: WorkerStore,
    conversation: Conversation,
    options: WhatsAppOptions,
    salt: str,
) -> AsyncIterator[InboxWorker]:
    """The Graph API client (one session) and the inbox worker, for as long as the block runs.
    `salt` is the runtime's: the stored payloads are sealed with it."""
    # One session per application: its connection pool is shared by every send.
    # No cookie jar: the Graph API sets none we need, and a jar is looked through on every
    # request.
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=max(options.concurrency, 1) * 2),
        cookie_jar=aiohttp.DummyCookieJar(),
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
        # Per sender, the inbox id of the latest message a read receipt went out for.
        self._read_up_to: TimedMap[int] = TimedMap(READ_REMEMBERED_S, NOTICE_MAX_SENDERS)

    async def answer(self, item: InboxItem, save: Save) -> Outcome:
        payload = item.payload
        address = payload.get("to")
        field_name = payload.get("to_field")
        if not isinstance(address, str) or not address or field_name not in ("to", "recipient"):
            return Outcome(error="no_recipient", permanent=True)
        outbox = payload.get("outbox")
        sent = payload.get("sent", 0)
        if not isinstance(outbox, list) or not isinstance(sent, int):
            # First time: blue ticks, a send slot, then the one conversation turn for this
            # message. The slot comes before the turn: a reply is worked out when it can go out
            # at once, so it never has to be stored to wait for a slot (a commit per answer
            # whenever the sends are the bottleneck), and a slow Graph API does not pile up
            # answered turns. The rendered reply is kept for the item's next record
            # (Progress.keep): a retry or a release at shutdown stores it, so that the sending
            # is resumed and the turn never runs (or logs the question) twice; a reply sent at
            # once is finished in one commit with the turn's writes.
            await self._mark_read(item)
            await save.sending()
            reply = await turn_off_loop(self._reply, item)
            outbox = render(reply) if reply is not None else []
            sent = 0
            if outbox:
                save.keep({**payload, "outbox": outbox, "sent": 0})
        total = len(outbox)
        for index in range(sent, total):
            message = outbox[index]
            marker = f"{_wamid(item)}#{index + 1}/{total}"
            await save.sending()
            result = await self.graph.send(
                field_name, address, _message(message), marker, typing_for=_wamid(item)
            )
            if result.ok:
                if index + 1 < total:
                    await save({**payload, "outbox": outbox, "sent": index + 1})
                continue
            return Outcome(error=result.error, permanent=result.permanent)
        return DONE

    async def _mark_read(self, item: InboxItem) -> None:
        """Blue ticks: for the sender's latest message waiting in the inbox, which marks this
        one and those in between read too (WhatsApp marks every earlier message of the chat),
        so a sender who wrote five lines in a row costs one receipt, not five. Skipped when a
        receipt for a later message already went out."""
        now = self.options.clock()
        covered = self._read_up_to.get(item.user_key, now)
        if covered is not None and item.id <= covered:
            return
        target_id, target = item.id, _wamid(item)
        if item.newest is not None:
            newest_id, _key, newest = item.newest
            wamid = newest.get("wamid")
            if isinstance(wamid, str) and wamid and newest_id > item.id:
                target_id, target = newest_id, wamid
        read = await self.graph.mark_read(target)
        if read.ok:
            self._read_up_to.touch(item.user_key, target_id, now)
        else:
            log.debug("whatsapp: mark-as-read failed (%s)", read.error)

    def _reply(self, item: InboxItem) -> Reply | None:
        payload = item.payload
        kind = str(payload.get("kind") or "unsupported")
        text = payload.get("text") if isinstance(payload.get("text"), str) else None
        choice = payload.get("choice") if isinstance(payload.get("choice"), str) else None
        received = payload.get("received_at")
        arrived = float(received) if isinstance(received, int | float) else None
        conversation, key = self.conversation, item.user_key
        buttons = ("button_reply", "list_reply", "quick_reply")
        if kind in buttons and choice and conversation.knows(choice):
            return conversation.select(CHANNEL, key, choice, received_at=arrived)
        if kind == "welcome":
            return conversation.greet(CHANNEL, key, received_at=arrived)
        if kind in MEDIA_KINDS or kind == "unsupported":
            if text:
                # A caption under a photo is a question the user typed.
                return conversation.handle(CHANNEL, key, text=text, received_at=arrived)
            now = self.options.clock()
            if self._notice_at.get(key, now) is not None:
                return None
            self._notice_at.touch(key, True, now)
            return conversation.media_notice(CHANNEL, key, kind, received_at=arrived)
        return conversation.handle(CHANNEL, key, text=text or "", received_at=arrived)


def _wamid(item: InboxItem) -> str:
    """The platform id of a stored message (kept in its payload; the inbox keeps a hash)."""
    wamid = item.payload.get("wamid")
    return wamid if isinstance(wamid, str) and wamid else item.message_id


def _message(stored: object) -> Message:
    return stored if isinstance(stored, dict) else {}
