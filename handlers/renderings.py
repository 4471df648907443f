"""Answers rendered once per engine and day.

Most answers are an intent's text with its figures filled for today (`common.static`), the
greeting or the menu: they read nothing of the question, its entities or the session, only the
intent, the knowledge and the day. Filling their placeholders, splitting them to phone size and
collecting their sources cost about a tenth of a millisecond per answer; the same reply comes
out for every message that day, so the engine keeps it (`Renderings.reply`).

Keyed by the day as well as the intent: a figure that changes at midnight, a review date passed
(the stale warning) or a follow-up intent that starts or ends is rendered afresh. The knowledge
behind one engine does not change while it runs (a new database means a new engine), so nothing
else can make a kept reply wrong. Whatever reads the message or the session goes through the
handler every time, and so does a failed rendering (`MissingFact`): nothing is kept for it.
"""

from __future__ import annotations

from datetime import date

from core.context import Context, Handler
from core.reply import Reply
from handlers import HANDLERS

# Handlers whose reply depends on nothing but the intent, the knowledge and the day.
BY_DAY: frozenset[Handler] = frozenset(
    HANDLERS[name] for name in ("static", "smalltalk.greeting", "smalltalk.menu")
)
# Every intent for a few days at most (the bot answers for today; a test or a curator may ask
# for other days): bounded all the same.
MAX_KEPT = 2048


class Renderings:
    def __init__(self, by_day: frozenset[Handler] = BY_DAY) -> None:
        self._by_day = by_day
        self._kept: dict[tuple[str, date], Reply] = {}

    def reply(self, handler: Handler, ctx: Context) -> Reply:
        """The handler's reply to `ctx`, rendered once per intent and day for BY_DAY handlers."""
        if handler not in self._by_day:
            return handler(ctx)
        key = (ctx.intent.id, ctx.today)
        kept = self._kept.get(key)
        if kept is None:
            kept = handler(ctx)  # a MissingFact propagates, and nothing is kept
            if len(self._kept) >= MAX_KEPT:
                self._kept.clear()
            self._kept[key] = kept
        return kept
