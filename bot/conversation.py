"""One conversation turn for any channel: flood guard, session, engine, question log.

Channel adapters translate platform payloads to `handle(...)` calls and render the Reply; this
is the single place that touches the session store and the question log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date

from bot.config import Settings
from bot.engine import Engine, Outcome
from bot.intake import MAX_FIELD_CHARS, clean_text
from bot.privacy import mask_memory, mask_text
from bot.ratelimit import FLOOD_TEXT, RateLimiter
from bot.reply import Reply
from bot.session import Session
from bot.state import LoggedQuestion, StateError, StateStore

log = logging.getLogger(__name__)

# The answer to a message whose processing raised (a "poison" message): sent once, never retried.
APOLOGY_TEXT = (
    "Maaf, ada gangguan saat saya memproses pesan Bapak/Ibu. Coba tulis pertanyaannya dengan "
    "kata lain. Saluran resmi: telepon 175 atau aplikasi JMO."
)


class Conversation:
    def __init__(
        self,
        engine: Engine,
        state: StateStore,
        settings: Settings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.state = state
        self.settings = settings
        self.clock = clock
        self.limiter = RateLimiter(settings.rate_limit, settings.rate_window_s)
        self._purged_at = float("-inf")

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
        now = self.clock()
        text = clean_text(text) if text is not None else None
        choice = clean_text(choice, MAX_FIELD_CHARS) if choice is not None else None
        verdict = self.limiter.check(user_key, now if received_at is None else received_at)
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
        try:
            if choice is not None:
                outcome = self.engine.choose(choice, session, today)
            else:
                outcome = self.engine.respond(text or "", session, today)
        except Exception as exc:
            # A message the engine cannot answer would fail the same way on every retry: answer
            # it with an apology, once. The type is logged, never the text.
            log.error("a message could not be answered (%s); sent an apology", type(exc).__name__)
            return Reply(text=APOLOGY_TEXT)
        session.memory = mask_memory(session.memory)
        try:
            self.state.save_session(user_key, session, now)
            self._log(channel, user_key, text if choice is None else None, outcome, today, now)
        except StateError:
            log.exception("session or question log could not be saved")
        return outcome.reply

    def _apply_retention(self, now: float) -> None:
        """Delete stored questions older than BOT_RETENTION_DAYS, at most once an hour."""
        if now - self._purged_at < 3600:
            return
        self._purged_at = now
        try:
            removed = self.state.purge(self.settings.retention_days, now)
        except StateError:
            log.exception("retention purge failed; will try again in an hour")
            return
        if removed:
            log.info("retention: removed %d old record(s)", removed)

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
