"""Back-pressure: say so in the log when the inbox backlog passes its alarm.

The server acknowledges messages whether or not anybody answers them (the worker may be down or
far behind). /healthz (bot.health) reports the backlog when it is asked, but nobody may be
asking: a sampler looks at the backlog every few seconds, off the event loop, and logs when the
alarm starts, once a minute while it lasts, and when it ends. The alarm is /healthz's own
(bot.health.backlog_problem, BOT_HEALTH_BACKLOG and BOT_HEALTH_PENDING_AGE_S).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from aiohttp import web

from bot import appkeys
from bot.health import backlog_problem
from bot.inbox import off_loop
from bot.state_protocols import StateError

log = logging.getLogger(__name__)

SAMPLE_EVERY_S = 5.0
# While the alarm lasts, it is repeated in the log this often.
LOG_EVERY_S = 60.0


@dataclass
class Backlog:
    alarm_size: int
    alarm_age_s: float
    count: int = 0
    oldest_age_s: float = 0.0
    problem: str | None = None
    _logged_at: float = float("-inf")
    # Set after every sample (tests wait on it instead of sleeping).
    sampled: asyncio.Event = field(default_factory=asyncio.Event)

    def judge(self, count: int, oldest: float | None, now: float) -> str | None:
        """Record a sample; the problem it shows (or None), logged when it starts and then once
        a minute while it lasts."""
        self.count = count
        self.oldest_age_s = max(0.0, now - oldest) if oldest is not None else 0.0
        problem = backlog_problem(
            count,
            self.oldest_age_s if oldest is not None else None,
            self.alarm_size,
            self.alarm_age_s,
        )
        if problem is None:
            if self.problem is not None:
                log.info("backlog back to normal: %d message(s) waiting", count)
            self._logged_at = float("-inf")
        elif self.problem is None or now - self._logged_at >= LOG_EVERY_S:
            log.warning("backlog: %s", problem)
            self._logged_at = now
        self.problem = problem
        return problem


BACKLOG = web.AppKey("backlog", Backlog)


async def sample_backlog(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: sample the backlog for as long as the app runs."""
    settings = app[appkeys.SETTINGS]
    backlog = app[BACKLOG] = Backlog(settings.health_backlog, settings.health_pending_age_s)

    async def run() -> None:
        while True:
            try:
                # One call at a time: a locked database holds up this sampler, nothing else.
                count, oldest = await off_loop(app[appkeys.STATE].backlog)
            except StateError:
                pass  # /healthz says what is wrong with the database
            else:
                backlog.judge(count, oldest, time.time())
                backlog.sampled.set()
            await asyncio.sleep(SAMPLE_EVERY_S)

    task = asyncio.create_task(run(), name="backlog-sampler")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
