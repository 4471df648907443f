"""The Telegram adapter: PTB updates in, `Conversation.handle`, rendered replies out.

One `TelegramChannel` owns one PTB Application. Its handlers only translate: a command, a text,
a button or a media message becomes one `Conversation.handle(...)` call (or a fixed notice), and
the Reply goes out through the `Sender`. Everything else a Telegram update can carry (polls,
reactions, payments, edited messages, channel posts) matches no handler and is ignored.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import weakref
from collections.abc import Callable
from typing import Any

from telegram import BotCommand, Chat, Message, MessageEntity, Update, User
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
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

from bot.channels.telegram_logs import failure_site, protect_logs, update_kind
from bot.channels.telegram_render import CallbackCodec, Outgoing, media_text, render, render_text
from bot.channels.telegram_send import RetryPolicy, Sender
from bot.config import Settings
from bot.conversation import Conversation
from bot.privacy import load_or_create_salt, member_key, message_key, user_key
from bot.ratelimit import FLOOD_TEXT
from bot.reply import Reply
from bot.state import SqliteState, StateError

log = logging.getLogger(__name__)

CHANNEL = "telegram"
# Only what the bot acts on; anything else Telegram still sends is ignored by the handlers.
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")
COMMANDS = (
    BotCommand("start", "Mulai dan lihat menu"),
    BotCommand("menu", "Tampilkan menu topik"),
    BotCommand("help", "Bantuan: cara bertanya"),
)
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


def file_url(api_url: str) -> str:
    """The file endpoint next to the Bot API endpoint (…/bot → …/file/bot), as on Telegram."""
    head, sep, tail = api_url.rpartition("/bot")
    return f"{head}/file/bot{tail}" if sep else api_url


class TelegramChannel:
    """The PTB Application and the handlers that connect it to the conversation."""

    def __init__(
        self,
        settings: Settings,
        conversation: Conversation,
        state: SqliteState,
        *,
        webhook: bool = False,
        policy: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.conversation = conversation
        self.state = state
        self.clock = clock
        protect_logs(settings.telegram_token)
        self.salt = load_or_create_salt(settings.secret_salt, settings.data_dir)
        self.codec = CallbackCodec(conversation.engine.knowledge)
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
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self._register()

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
        await self.application.bot.set_my_commands(list(COMMANDS))
        await self.application.start()

    async def stop(self) -> None:
        """Stop after the updates already received are answered, then release the client."""
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

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

    def _is_blocked(self, chat_id: int) -> bool:
        try:
            return self.state.is_blocked(CHANNEL, self.key(chat_id))
        except StateError:
            # Better to risk one refused send than to fall silent for everybody.
            log.exception("could not read the blocked list")
            return False

    # -- handlers ------------------------------------------------------------------------------

    async def _dedup(self, update: Update, context: Context) -> None:
        """Telegram's update_id exists "to ignore repeated updates": answer each one once,
        also after a restart (the seen table is in the state database)."""
        try:
            first = await asyncio.to_thread(
                self.state.mark_seen,
                CHANNEL,
                message_key(CHANNEL, str(update.update_id), self.salt),
                self.clock(),
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
        command = message.text.split()[0].lstrip("/").split("@")[0].lower()
        await self.converse(message, choice="salam" if command == "start" else "menu")

    async def _on_other_command(self, update: Update, context: Context) -> None:
        """An unknown command gets the menu, in a group only when it names this bot."""
        message = update.message
        if message is None or not message.text:
            return
        if message.chat.type in GROUPS:
            first = message.text.split()[0]
            if not first.lower().endswith("@" + context.bot.username.lower()):
                return
        await self.converse(message, choice="menu")

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
                await self.converse(message, choice="menu")
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
            key = self._conversation_key(chat, message.from_user)
            verdict = await asyncio.to_thread(self._media_verdict, chat.id, key)
            if verdict == "drop":
                return
            notice = FLOOD_TEXT if verdict == "warn" else media_text(message)
            await self._deliver(chat, render_text(notice), self._reply_to(message))

    def _media_verdict(self, chat_id: int, key: str) -> str:
        if self._is_blocked(chat_id):
            return "drop"
        return self.conversation.limiter.check(key, self.conversation.clock())

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
        choice = self.codec.decode(query.data or "") or "menu"
        await self.converse(query.message.chat, query.from_user, choice=choice)

    async def _on_membership(self, update: Update, context: Context) -> None:
        change = update.my_chat_member
        if change is None:
            return
        chat_id = change.chat.id
        status = change.new_chat_member.status
        async with self._lock(chat_id):
            if status == ChatMemberStatus.BANNED:  # "kicked": the user blocked the bot
                self._block(chat_id, "kicked")
            elif status in (
                ChatMemberStatus.MEMBER,
                ChatMemberStatus.ADMINISTRATOR,
                ChatMemberStatus.OWNER,
            ):
                # The user unblocked the bot (or added it to a group again).
                try:
                    self.state.unblock(CHANNEL, self.key(chat_id))
                except StateError:
                    log.exception("could not clear a blocked telegram chat")

    async def _on_error(self, update: object, context: Context) -> None:
        """Log every failure as its type, the update kind and where it happened: never the
        token (in URLs), a chat id or the message text, which exception messages may hold."""
        error = context.error
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
    ) -> None:
        """One conversation turn for a message (or a button press in `where`=chat)."""
        if isinstance(where, Message):
            chat, user, reply_to = where.chat, where.from_user, self._reply_to(where)
        else:
            chat, reply_to = where, None
        async with self._lock(chat.id):
            key = self._conversation_key(chat, user)
            # The database and the engine run in a thread: the event loop (webhooks, /healthz)
            # never waits for them.
            reply = await asyncio.to_thread(self._turn, chat.id, key, text, choice)
            if reply is None:
                return  # a flood being ignored
            await self._deliver(chat, render(reply, self.codec), reply_to)

    def _turn(self, chat_id: int, key: str, text: str | None, choice: str | None) -> Reply | None:
        if self._is_blocked(chat_id):
            return None
        return self.conversation.handle(CHANNEL, key, text=text, choice=choice)

    async def _deliver(self, chat: Chat, messages: list[Outgoing], reply_to: int | None) -> None:
        await self.sender.send_all(chat.id, messages, reply_to)

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
