"""The Telegram adapter: PTB updates in, `Conversation.handle`, rendered replies out.

One `TelegramChannel` owns one PTB Application. Its handlers only translate: a command, a text,
a button or a media message becomes one `Conversation.handle(...)` call (or a fixed notice), and
the Reply goes out through the `Sender`. Everything else a Telegram update can carry (polls,
reactions, payments, edited messages, channel posts) matches no handler and is ignored.

It is also the Telegram `Responder` of the durable inbox (bot.inbox): the webhook and the poller
store the raw update, and `answer(item)` runs it through the same handlers. There the rendered
reply is stored before the first send, with how many pieces went out, so a retry (a 429, a 5xx,
a network failure, a restart) resumes the sending and never runs the turn twice; a 403 records
the user as blocked and is not retried.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import re
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Protocol

from aiohttp import web
from telegram import BotCommand, Chat, InlineKeyboardMarkup, Message, MessageEntity, Update, User
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    JobQueue,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.channels.backoff import RetryPolicy
from bot.channels.telegram.door import (
    CHANNEL,
    TelegramDoor,
    file_url,
)
from bot.channels.telegram.logs import failure_site, protect_logs, update_kind
from bot.channels.telegram.render import CallbackCodec, Outgoing, render, render_text
from bot.channels.telegram.send import Sender
from bot.config import Settings
from bot.conversation import Conversation
from bot.inbox import DONE, Outcome, Save, off_loop, turn_off_loop
from bot.privacy import member_key, message_key, user_key
from bot.state_protocols import BlockList, DedupStore, InboxItem, StateError
from handlers.words import COMMAND_WORDS, DESCRIPTION, SHORT_DESCRIPTION

log = logging.getLogger(__name__)

COMMANDS = tuple(BotCommand(name, words) for name, words in COMMAND_WORDS)
# How many updates PTB processes at once; each chat is still answered in order (chat locks).
CONCURRENT_UPDATES = 64

MEDIA = (
    filters.VOICE
    | filters.AUDIO
    | filters.VIDEO_NOTE
    | filters.PHOTO
    | filters.Sticker.ALL
    | filters.VIDEO
    | filters.ANIMATION
    | filters.Document.ALL
    | filters.LOCATION
    | filters.VENUE
    | filters.CONTACT
)
GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)

Context = ContextTypes.DEFAULT_TYPE
TelegramApp = Application[
    ExtBot[None], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[Context]
]


class TelegramState(BlockList, DedupStore, Protocol):
    """What the adapter itself reads and writes (the conversation has its own store)."""


@dataclass
class _Delivery:
    """The inbox item whose update the handlers are running, and how its sending went."""

    payload: dict[str, Any]
    save: Save
    outcome: Outcome | None = None
    failure: str | None = None
    transient: bool = False


# Set while `answer` runs an inbox item through the handlers (the same task, so it is visible in
# them): they then store the rendered reply before sending it.
_DELIVERY: contextvars.ContextVar[_Delivery | None] = contextvars.ContextVar(
    "telegram_delivery", default=None
)
# Inside one inbox attempt, wait out only short pauses; longer ones go back to the inbox, which
# retries without holding a worker slot.
_INBOX_RETRY_AFTER_S = 5.0
_INBOX_ATTEMPTS = 3


def _arrival() -> float | None:
    """When the update being answered from the inbox arrived (stored by the webhook or the
    poller), for the flood guard, which counts arrivals; None outside the inbox."""
    delivery = _DELIVERY.get()
    received = delivery.payload.get("received_at") if delivery is not None else None
    return float(received) if isinstance(received, int | float) else None


def _encode(message: Outgoing) -> dict[str, Any]:
    keyboard = message.keyboard.to_dict() if message.keyboard is not None else None
    return {"text": message.text, "keyboard": keyboard}


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# A media message's kind as the conversation's notices know it (WhatsApp's names): the first of
# these attributes it has. An animation also carries a document, so it comes first.
_MEDIA_KINDS = (
    ("voice", "voice"),
    ("video_note", "voice"),
    ("audio", "audio"),
    ("location", "location"),
    ("venue", "location"),
    ("contact", "contacts"),
    ("sticker", "sticker"),
    ("photo", "image"),
    ("video", "video"),
    ("animation", "video"),
    ("document", "document"),
)


def media_kind(message: Message) -> str:
    return next((kind for name, kind in _MEDIA_KINDS if getattr(message, name)), "unsupported")


class TelegramChannel:
    """The PTB Application and the handlers that connect it to the conversation."""

    def __init__(
        self,
        settings: Settings,
        conversation: Conversation,
        state: TelegramState,
        *,
        salt: str,
        webhook: bool = False,
        policy: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.conversation = conversation
        self.state = state
        self.clock = clock
        protect_logs(settings.telegram_token)
        # How its updates are stored (the poller and the webhook store them through it).
        self.door = TelegramDoor(settings, salt)
        self.salt = salt
        self.sealer = self.door.sealer
        builder = (
            Application.builder()
            .token(settings.telegram_token)
            .base_url(settings.telegram_api_url)
            .base_file_url(file_url(settings.telegram_api_url))
            .concurrent_updates(CONCURRENT_UPDATES)
        )
        # Webhook mode: our aiohttp app receives updates, so PTB must not poll or serve.
        self.application: TelegramApp = (builder.updater(None) if webhook else builder).build()
        self.sender = Sender(self.application.bot, self._blocked_on_send, policy)
        base = policy or RetryPolicy()
        self.inbox_sender = Sender(
            self.application.bot,
            self._blocked_on_send,
            replace(
                base,
                max_attempts=min(base.max_attempts, _INBOX_ATTEMPTS),
                max_retry_after_s=min(base.max_retry_after_s, _INBOX_RETRY_AFTER_S),
            ),
        )
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self._register()

    @functools.cached_property
    def codec(self) -> CallbackCodec:
        """Made when the first answer is rendered or button read: the acknowledging server
        never needs it, so it never loads the engine for it."""
        return CallbackCodec(self.conversation.option_ids)

    # -- wiring --------------------------------------------------------------------------------

    def _register(self) -> None:
        app = self.application
        message = filters.UpdateType.MESSAGE  # new messages only: no edits, no channel posts
        app.add_handler(TypeHandler(Update, self._dedup), group=-1)
        app.add_handler(CommandHandler(("start", "help", "menu"), self._on_command, message))
        app.add_handler(MessageHandler(message & filters.COMMAND, self._on_other_command))
        app.add_handler(MessageHandler(message & filters.TEXT, self._on_text))
        app.add_handler(MessageHandler(message & MEDIA, self._on_media))
        app.add_handler(CallbackQueryHandler(self._on_button))
        app.add_handler(ChatMemberHandler(self._on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_error_handler(self._on_error)

    async def start(self) -> None:
        """Initialise (getMe), register the commands, and start processing updates."""
        await self.application.initialize()
        await self.introduce()
        await self.application.start()

    async def introduce(self) -> None:
        """Once initialised (getMe): the command list and the description users see, and the
        username forwarded answers link back to. Done where replies are sent, so that the
        acknowledging server needs none of these words."""
        await self.application.bot.set_my_commands(list(COMMANDS))
        await self._describe()
        self.conversation.telegram_username(self.application.bot.username)

    async def _describe(self) -> None:
        """What Telegram shows before the first message and on the bot's profile. Cosmetic: a
        failure is logged and the bot starts anyway."""
        bot = self.application.bot
        try:
            await bot.set_my_description(DESCRIPTION)
            await bot.set_my_short_description(SHORT_DESCRIPTION)
        except TelegramError as exc:
            log.warning("telegram: the bot's description was not set (%s)", type(exc).__name__)

    async def stop(self) -> None:
        """Stop after the updates already received are answered, then release the client."""
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    # -- the inbox Responder -------------------------------------------------------------------

    channel = CHANNEL
    heartbeat_name = "telegram-worker"  # the inbox worker's; the poller beats as its own

    async def answer(self, item: InboxItem, save: Save) -> Outcome:
        """Answer one stored update: resume a stored reply, or run the update's handlers."""
        payload = item.payload
        if isinstance(payload.get("outbox"), dict):
            return await self._send_outbox(payload, save)
        data = payload.get("update")
        if not isinstance(data, dict):
            return Outcome(error="no_update", permanent=True)
        try:
            update = Update.de_json(data, self.application.bot)
        except Exception as exc:
            # Authentic but unreadable for this PTB version: the same every time.
            log.warning("unreadable telegram update ignored: %s", type(exc).__name__)
            return Outcome(error="unreadable", permanent=True)
        delivery = _Delivery(payload, save)
        token = _DELIVERY.set(delivery)
        try:
            await self.application.process_update(update)
        finally:
            _DELIVERY.reset(token)
        if delivery.outcome is not None:
            return delivery.outcome
        if delivery.failure is not None:
            # The turn failed before a reply was stored. A database or network failure may pass:
            # run it again later. Anything else would fail the same way every time (a poison
            # update): recorded once, never retried as temporary.
            if delivery.transient:
                return Outcome(error=delivery.failure)
            return Outcome(error=f"poison:{delivery.failure}", permanent=True)
        return DONE

    async def _send_outbox(self, payload: dict[str, Any], save: Save) -> Outcome:
        box = dict(payload["outbox"])
        chat_id = int(box["chat_id"])
        reply_to = box.get("reply_to")
        messages = list(box.get("messages") or [])
        sent = payload.get("sent", 0)
        sent = sent if isinstance(sent, int) else 0
        for index in range(sent, len(messages)):
            stored = messages[index]
            keyboard = stored.get("keyboard")
            message = Outgoing(
                str(stored.get("text", "")),
                InlineKeyboardMarkup.de_json(keyboard, self.application.bot) if keyboard else None,
            )
            await save.sending()
            try:
                target = await self.inbox_sender.send(
                    chat_id, message, reply_to if index == 0 else None
                )
            except RetryAfter as exc:
                return Outcome(error="429", retry_after_s=_seconds(exc.retry_after))
            except BadRequest as exc:
                log.warning("telegram: reply refused (%s), not retried", type(exc).__name__)
                return Outcome(error="bad_request", permanent=True)
            except TelegramError as exc:  # network errors, time-outs, 5xx, repeated migrations
                return Outcome(error=type(exc).__name__)
            if target is None:
                return Outcome(error="blocked", permanent=True)
            if target != chat_id:
                chat_id = target
                box["chat_id"] = target
            if index + 1 < len(messages):
                await save({**payload, "outbox": box, "sent": index + 1})
        return DONE

    # -- keys and locks ------------------------------------------------------------------------

    def key(self, raw_id: int | str) -> str:
        return user_key(CHANNEL, str(raw_id), self.salt)

    def _lock(self, chat_id: int) -> asyncio.Lock:
        """One lock per chat, so that its answers go out in the order the questions came."""
        lock = self._locks.get(chat_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[chat_id] = lock
        return lock

    def _blocked_on_send(self, chat_id: int) -> None:
        self._block(chat_id, "forbidden")

    def _block(self, chat_id: int, reason: str) -> None:
        try:
            self.state.block(CHANNEL, self.key(chat_id), self.clock(), reason)
        except StateError:
            log.exception("could not record a blocked telegram chat")

    async def _is_blocked(self, chat_id: int) -> bool:
        try:
            return await off_loop(self.state.is_blocked, CHANNEL, self.key(chat_id))
        except StateError:
            # Better to risk one refused send than to fall silent for everybody.
            log.exception("could not read the blocked list")
            return False

    # -- handlers ------------------------------------------------------------------------------

    async def _dedup(self, update: Update, context: Context) -> None:
        """Telegram's update_id exists "to ignore repeated updates": answer each one once,
        also after a restart (the seen table is in the state database). An update from the
        inbox was deduplicated when it was stored, and may be a retry: it passes."""
        if _DELIVERY.get() is not None:
            return
        try:
            # Synchronous on purpose: no await before the chat lock, so that updates handed in
            # together take the lock in the order they came. Only updates handed straight to
            # PTB come here (tests); the bot's own path is the inbox, which skipped this.
            # Stored hashed, like every platform id.
            first = self.state.mark_seen(
                CHANNEL, message_key(CHANNEL, str(update.update_id), self.salt), self.clock()
            )
        except StateError:
            log.exception("could not record a telegram update id; answering anyway")
            return
        if not first:
            raise ApplicationHandlerStop

    async def _on_command(self, update: Update, context: Context) -> None:
        message = update.message
        if message is None or not message.text:
            return
        words = message.text.split()
        command = words[0].lstrip("/").split("@")[0].lower()
        if command == "start" and len(words) > 1 and self.conversation.knows(words[1]):
            # A deep link t.me/<bot>?start=<intent> (from a forwarded answer) opens that answer.
            await self.converse(message, choice=words[1])
            return
        await self.converse(message, opening="greet" if command == "start" else "menu")

    async def _on_other_command(self, update: Update, context: Context) -> None:
        """An unknown command gets the menu, in a group only when it names this bot."""
        message = update.message
        if message is None or not message.text:
            return
        if message.chat.type in GROUPS:
            first = message.text.split()[0]
            if not first.lower().endswith("@" + context.bot.username.lower()):
                return
        await self.converse(message, opening="menu")

    async def _on_text(self, update: Update, context: Context) -> None:
        message = update.message
        if message is None or message.text is None:
            return
        text = message.text
        if message.chat.type in GROUPS:
            if not self._addressed(message, context.bot):
                return
            text = self._strip_mention(text, context.bot.username)
            if not text:
                await self.converse(message, opening="menu")
                return
        await self.converse(message, text=text)

    async def _on_media(self, update: Update, context: Context) -> None:
        message = update.message
        if message is None:
            return
        if message.chat.type in GROUPS and not self._addressed(message, context.bot):
            return
        chat = message.chat
        async with self._lock(chat.id):
            if await self._is_blocked(chat.id):
                return
            notice = await turn_off_loop(
                self.conversation.media_notice,
                CHANNEL,
                self._conversation_key(chat, message.from_user),
                media_kind(message),
                received_at=_arrival(),
            )
            if notice is None:
                return  # a flood being ignored
            await self._deliver(chat, render_text(notice.text), self._reply_to(message))

    async def _on_button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        # Answer first: the client shows a progress bar until we do, and an old query fails.
        try:
            await query.answer()
        except TelegramError as exc:
            log.warning("answerCallbackQuery failed: %s", type(exc).__name__)
        if query.message is None:
            return  # a button on an inline-mode message; this bot offers none
        choice = self.codec.decode(query.data or "")
        if choice is None:  # a button this process can no longer resolve: the menu
            await self.converse(query.message.chat, query.from_user, opening="menu")
            return
        await self.converse(query.message.chat, query.from_user, choice=choice)

    async def _on_membership(self, update: Update, context: Context) -> None:
        change = update.my_chat_member
        if change is None:
            return
        chat_id = change.chat.id
        status = change.new_chat_member.status
        async with self._lock(chat_id):
            if status == ChatMemberStatus.BANNED:  # "kicked": the user blocked the bot
                await off_loop(self._block, chat_id, "kicked")
            elif status in (
                ChatMemberStatus.MEMBER,
                ChatMemberStatus.ADMINISTRATOR,
                ChatMemberStatus.OWNER,
            ):
                # The user unblocked the bot (or added it to a group again).
                try:
                    await off_loop(self.state.unblock, CHANNEL, self.key(chat_id))
                except StateError:
                    log.exception("could not clear a blocked telegram chat")

    async def _on_error(self, update: object, context: Context) -> None:
        """Log every failure as its type, the update kind and where it happened: never the
        token (in URLs), a chat id or the message text, which exception messages may hold."""
        error = context.error
        delivery = _DELIVERY.get()
        if delivery is not None and delivery.outcome is None:
            delivery.failure = type(error).__name__ if error is not None else "internal"
            delivery.transient = isinstance(error, StateError | TelegramError)
        log.error(
            "telegram %s update failed: %s at %s",
            update_kind(update),
            type(error).__name__,
            failure_site(error),
        )

    # -- answering -----------------------------------------------------------------------------

    async def converse(
        self,
        where: Message | Chat,
        user: User | None = None,
        *,
        text: str | None = None,
        choice: str | None = None,
        opening: str | None = None,
    ) -> None:
        """One conversation turn for a message (or a button press in `where`=chat): a typed
        `text`, a chosen option, or `opening` ("greet" or "menu")."""
        if isinstance(where, Message):
            chat, user, reply_to = where.chat, where.from_user, self._reply_to(where)
        else:
            chat, reply_to = where, None
        async with self._lock(chat.id):
            if await self._is_blocked(chat.id):
                return
            key = self._conversation_key(chat, user)
            if opening is not None:
                turn = self.conversation.greet if opening == "greet" else self.conversation.menu
                reply = await turn_off_loop(turn, CHANNEL, key, received_at=_arrival())
            elif choice is not None:
                reply = await turn_off_loop(
                    self.conversation.select, CHANNEL, key, choice, received_at=_arrival()
                )
            else:
                reply = await turn_off_loop(
                    self.conversation.handle, CHANNEL, key, text=text, received_at=_arrival()
                )
            if reply is None:
                return  # a flood being ignored
            await self._deliver(chat, render(reply, self.codec), reply_to)

    async def _deliver(self, chat: Chat, messages: list[Outgoing], reply_to: int | None) -> None:
        delivery = _DELIVERY.get()
        if delivery is None:
            await self.sender.send_all(chat.id, messages, reply_to)
            return
        # From the inbox: store the reply first, then send it piece by piece with progress.
        box = {
            "chat_id": chat.id,
            "reply_to": reply_to,
            "messages": [_encode(m) for m in messages],
        }
        payload = {**delivery.payload, "outbox": box, "sent": 0}
        await delivery.save(payload)
        delivery.outcome = await self._send_outbox(payload, delivery.save)

    def _conversation_key(self, chat: Chat, user: User | None) -> str:
        """A private chat is one person; in a group each member keeps their own session."""
        if chat.type in GROUPS and user is not None:
            return member_key(CHANNEL, str(chat.id), str(user.id), self.salt)
        return self.key(chat.id)

    @staticmethod
    def _reply_to(message: Message) -> int | None:
        # In a busy group the answer quotes the question; in a private chat it needs not.
        return message.message_id if message.chat.type in GROUPS else None

    @staticmethod
    def _addressed(message: Message, bot: ExtBot[None]) -> bool:
        """In a group: a reply to one of our messages, or a message that mentions us."""
        original = message.reply_to_message
        author = original.from_user if original is not None else None
        if author is not None and author.id == bot.id:
            return True
        handle = "@" + bot.username.lower()
        mentions = {
            **message.parse_entities([MessageEntity.MENTION]),
            **message.parse_caption_entities([MessageEntity.MENTION]),
        }
        return any(value.lower() == handle for value in mentions.values())

    @staticmethod
    def _strip_mention(text: str, username: str) -> str:
        stripped = re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE)
        return stripped.strip(" \t\n,:;")


# The answering channel of an app that answers Telegram itself (no worker process beside it).
CHANNEL_KEY = web.AppKey("telegram_channel", TelegramChannel)
