"""One conversation turn for any channel: flood guard, session, engine, question log.

Channel adapters translate platform payloads to calls of this service's public API and render
the Reply: `handle` (a typed message), `select` (a button), `greet` (first contact), `menu`,
`media_notice` (what the bot cannot read yet) and `knows`/`option_ids` (which option ids
exist). They never reach its engine, knowledge or flood guard. This is the single place that
touches the session store and the question log; every word it answers with comes from
`handlers/`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.intake import MAX_FIELD_CHARS, clean_text
from bot.links import ShareLinks
from bot.metrics import metrics
from bot.privacy import mask_memory, mask_text
from bot.ratelimit import RateLimiter
from bot.state_protocols import LoggedQuestion, StateError, StateStore
from core.reply import Reply
from core.session import Session

if TYPE_CHECKING:  # a deferred conversation (the acknowledging server) never imports these
    from bot.engine import Engine, Outcome

log = logging.getLogger(__name__)

# The hourly retention purge runs here, beside the turns (see Conversation._apply_retention).
_RETENTION_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="retention")

# The intents a channel's first contact and its menu command open.
GREETING_INTENT = "salam"
MENU_INTENT = "menu"
# Session memory key: the intent whose answer "Bagikan" would share.
SHARED_INTENT = "shared_intent"


class Conversation:
    def __init__(
        self,
        engine: Engine | None,
        state: StateStore,
        settings: Settings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._engine: Engine | None = engine
        self._load: Callable[[], Engine] | None = None
        self._loading = threading.Lock()
        self.state = state
        self.settings = settings
        self.clock = clock
        self.limiter = RateLimiter(settings.rate_limit, settings.rate_window_s)
        self._purged_at = float("-inf")
        # The latest retention purge, running or done (settle() waits for it).
        self._purge: Future[None] | None = None
        self._by_title: dict[str, str] | None = None
        # The Telegram channel fills in the bot's username once getMe has answered.
        self.share_links = ShareLinks(whatsapp_number=settings.whatsapp_number)

    @classmethod
    def deferred(
        cls,
        load: Callable[[], Engine],
        state: StateStore,
        settings: Settings,
        clock: Callable[[], float] = time.time,
    ) -> Conversation:
        """A conversation that loads its engine at the first turn that needs it: a process that
        only acknowledges (the webhook server beside its worker) never loads one."""
        conversation = cls(None, state, settings, clock)
        conversation._load = load
        return conversation

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._loading:  # turns run in threads: load once
                if self._engine is None:
                    if self._load is None:
                        raise RuntimeError("a conversation without an engine")
                    self._engine = self._load()
        return self._engine

    @engine.setter
    def engine(self, engine: Engine) -> None:
        self._engine = engine

    def today(self) -> date:
        return self.settings.today or date.fromtimestamp(self.clock())

    def handle(
        self,
        channel: str,
        user_key: str,
        *,
        text: str | None = None,
        choice: str | None = None,
        received_at: float | None = None,
    ) -> Reply | None:
        """The reply to one message or button press; None when a flood is being ignored.

        `received_at` is when the message arrived (a durable inbox answers later): the flood guard
        counts arrivals, so a user who wrote slowly is not taken for a flood after a backlog."""
        # Imported here: a conversation that only acknowledges never loads the handlers.
        from handlers.notices import APOLOGY_TEXT, FLOOD_TEXT

        now = self.clock()
        text = clean_text(text) if text is not None else None
        choice = clean_text(choice, MAX_FIELD_CHARS) if choice is not None else None
        verdict = self.flood_verdict(user_key, now if received_at is None else received_at)
        if verdict == "drop":
            return None
        if verdict == "warn":
            return Reply(text=FLOOD_TEXT)
        self._apply_retention(now)
        try:
            session = self.state.load_session(user_key, now)
        except StateError:
            # Without the store the bot still answers, just without memory of the last turn.
            log.exception("session could not be loaded; answering without context")
            session = Session()
        today = self.today()
        started = time.perf_counter()
        typed = text if choice is None else None
        if typed is not None:
            # The exact title of an answer (a button's label, the text of a shared wa.me link)
            # opens that answer.
            choice = self._titles().get(" ".join(typed.split()).casefold())
        try:
            if choice is not None:
                outcome = self.engine.choose(choice, session, today)
            else:
                outcome = self.engine.respond(text or "", session, today)
        except Exception as exc:
            # A message the engine cannot answer would fail the same way on every retry: answer
            # it with an apology, once. The type is logged, never the text.
            log.error("a message could not be answered (%s); sent an apology", type(exc).__name__)
            metrics().turn(channel, "error", time.perf_counter() - started)
            return Reply(text=APOLOGY_TEXT)
        outcome = replace(outcome, reply=self._with_share_link(channel, outcome.reply, session))
        session.memory = mask_memory(session.memory)
        try:
            self.state.save_session(user_key, session, now)
            self._log(channel, user_key, typed, outcome, today, now)
        except StateError:
            log.exception("session or question log could not be saved")
        metrics().turn(channel, outcome.kind, time.perf_counter() - started)
        return outcome.reply

    def select(
        self, channel: str, user_key: str, option_id: str, *, received_at: float | None = None
    ) -> Reply | None:
        """The answer behind an option the user chose (a button, a list row)."""
        return self.handle(channel, user_key, choice=option_id, received_at=received_at)

    def greet(
        self, channel: str, user_key: str, *, received_at: float | None = None
    ) -> Reply | None:
        """First contact: what the bot is, what it answers, where the official channels are."""
        if self.knows(GREETING_INTENT):
            return self.select(channel, user_key, GREETING_INTENT, received_at=received_at)
        return self.handle(channel, user_key, text="halo", received_at=received_at)

    def menu(
        self, channel: str, user_key: str, *, received_at: float | None = None
    ) -> Reply | None:
        """The menu of topics (a menu command, a button the bot can no longer resolve)."""
        return self.select(channel, user_key, MENU_INTENT, received_at=received_at)

    def media_notice(
        self, channel: str, user_key: str, kind: str, *, received_at: float | None = None
    ) -> Reply | None:
        """The kind word for a message of `kind` the bot cannot read yet (a voice note, a
        photo, a location...), under the same flood guard as questions; None for a flood
        being ignored."""
        from handlers.notices import FLOOD_TEXT, media_notice

        verdict = self.flood_verdict(user_key, self.clock() if received_at is None else received_at)
        if verdict == "drop":
            return None
        if verdict == "warn":
            return Reply(text=FLOOD_TEXT)
        return media_notice(kind)

    def telegram_username(self, username: str) -> None:
        """The bot's Telegram username (known once getMe answered), for the t.me link under a
        forwarded answer."""
        self.share_links.telegram_username = username

    def start_over(self, user_key: str) -> None:
        """Forget the user's conversation so far (the console's fresh start)."""
        self.state.save_session(user_key, Session(), self.clock())

    def knows(self, option_id: str) -> bool:
        """Whether an option id (an intent id, maybe with an argument after ":") is answerable."""
        return option_id.partition(":")[0] in self.engine.knowledge.intents

    def option_ids(self) -> Iterator[str]:
        """Every option id the knowledge can produce (knowledge.options), for resolving a
        shortened button after a restart."""
        from knowledge.options import option_ids

        return option_ids(self.engine.knowledge)

    def flood_verdict(self, user_key: str, now: float) -> str:
        """The flood guard: in memory for one instance; in the store when instances share it
        (PostgreSQL), so that it counts a user's messages whichever instance answers them."""
        if not getattr(self.state, "shared", False):
            return self.limiter.check(user_key, now)
        try:
            return self.state.rate_check(
                user_key, now, self.settings.rate_limit, self.settings.rate_window_s
            )
        except StateError:
            log.exception("the shared flood guard could not be read; counting in memory")
            return self.limiter.check(user_key, now)

    def _titles(self) -> dict[str, str]:
        if self._by_title is None:
            seen: dict[str, list[str]] = {}
            for intent_id, intent in self.engine.knowledge.intents.items():
                seen.setdefault(" ".join(intent.title.split()).casefold(), []).append(intent_id)
            # A title two intents share opens neither: the matcher decides those.
            self._by_title = {title: ids[0] for title, ids in seen.items() if len(ids) == 1}
        return self._by_title

    def _with_share_link(self, channel: str, reply: Reply, session: Session) -> Reply:
        """Remember which answer "Bagikan" would share; end the shared text with a link back
        to that answer on this channel."""
        from handlers.present import SHARE_OPTION

        if any(option.id == SHARE_OPTION.id for option in reply.options) and reply.intent:
            session.memory[SHARED_INTENT] = reply.intent
            return reply
        shared = session.memory.get(SHARED_INTENT)
        if reply.intent != SHARE_OPTION.id or not shared or not reply.text:
            return reply
        intent = self.engine.knowledge.intents.get(shared)
        line = self.share_links.line(channel, shared, intent.title if intent else "")
        return replace(reply, text=f"{reply.text}\n\n{line}") if line else reply

    def _apply_retention(self, now: float) -> None:
        """Delete stored questions older than BOT_RETENTION_DAYS, at most once an hour, in a
        thread of its own beside the turn: a purge of a full database (tens of milliseconds,
        more when it waits for the write lock) never holds up the answer it falls due in, nor
        the event loop a turn may run on (bot.inbox.turn_off_loop)."""
        if now - self._purged_at < 3600:
            return
        self._purged_at = now
        self._purge = _RETENTION_THREAD.submit(self._purge_now, now)

    def _purge_now(self, now: float) -> None:
        try:
            removed = self.state.purge(self.settings.retention_days, now)
        except StateError:
            log.exception("retention purge failed; will try again in an hour")
            return
        except Exception as exc:  # a thread of its own: nobody else would hear of it
            log.error("retention purge failed (%s); will try again in an hour", type(exc).__name__)
            return
        if removed:
            log.info("retention: removed %d old record(s)", removed)

    def settle(self, timeout_s: float | None = None) -> None:
        """Wait for a retention purge under way (before the store closes; tests)."""
        purge = self._purge
        if purge is not None:
            with contextlib.suppress(TimeoutError):
                purge.result(timeout_s)

    def _log(
        self,
        channel: str,
        user_key: str,
        text: str | None,
        outcome: Outcome,
        today: date,
        now: float,
    ) -> None:
        if text is None or not text.strip():
            return
        entry = LoggedQuestion(
            user_key=user_key,
            channel=channel,
            day=today.isoformat(),
            text=mask_text(text.strip())[:500],
            normalized=mask_text(outcome.normalized)[:500],
            intent=outcome.reply.intent,
            confidence=outcome.reply.confidence,
            kind=outcome.kind,
            candidates=[(c.intent, c.score) for c in outcome.candidates[:3]],
        )
        self.state.log_question(entry, now)
