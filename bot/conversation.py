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
from bot.privacy import mask_text
from bot.ratelimit import FLOOD_TEXT, RateLimiter
from bot.reply import Reply
from bot.session import Session
from bot.state import LoggedQuestion, StateError, StateStore

log = logging.getLogger(__name__)


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
        self._turns = 0
        self._purged_at = float("-inf")

    def today(self) -> date:
        return self.settings.today or date.fromtimestamp(self.clock())

    def handle(
        self, channel: str, user_key: str, *, text: str | None = None, choice: str | None = None
    ) -> Reply | None:
        """The reply to one message or button press; None when a flood is being ignored."""
        now = self.clock()
        verdict = self.flood_verdict(user_key, now)
        if verdict == "drop":
            return None
        if verdict == "warn":
            return Reply(text=FLOOD_TEXT)
        self._turns += 1
        if self._turns % 1000 == 0:
            self.limiter.sweep(now)
        self._apply_retention(now)
        try:
            session = self.state.load_session(user_key, now)
        except StateError:
            # Without the store the bot still answers, just without memory of the last turn.
            log.exception("session could not be loaded; answering without context")
            session = Session()
        today = self.today()
        if choice is not None:
            outcome = self.engine.choose(choice, session, today)
        else:
            outcome = self.engine.respond(text or "", session, today)
        try:
            self.state.save_session(user_key, session, now)
            self._log(channel, user_key, text if choice is None else None, outcome, today, now)
        except StateError:
            log.exception("session or question log could not be saved")
        return outcome.reply

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
