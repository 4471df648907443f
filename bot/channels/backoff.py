"""The retry policy both channels use: how often a send is tried, and the delay between tries
(exponential, capped, with "equal jitter")."""

from __future__ import annotations

import random
from dataclasses import dataclass


def backoff_delay(attempt: int, base_s: float, cap_s: float, jitter: float) -> float:
    """The wait after failed attempt `attempt` (1-based); `jitter` is in [0, 1).

    Never less than half the ceiling, so retries still back off, but spread enough that many
    senders failing together (a Graph API or Bot API outage) do not retry together."""
    ceiling = min(cap_s, base_s * 2.0 ** (attempt - 1))
    return ceiling / 2 + ceiling / 2 * jitter


@dataclass(frozen=True)
class RetryPolicy:
    """How one send is retried on a temporary failure (a 5xx, a 429, the network), on either
    platform: at most `max_attempts` tries, backing off between them."""

    max_attempts: int = 5
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    # A 429 asking for a longer pause than this is not waited out inside one send (the Bot API
    # says how long; the item goes back to the inbox instead).
    max_retry_after_s: float = 60.0
    # No new attempt starts after this many seconds; with the request timeout on top, one send
    # takes at most budget_s + timeout_s (the Graph API client times its own requests).
    budget_s: float = 45.0
    timeout_s: float = 10.0

    def delay(self, attempt: int, jitter: float) -> float:
        """The wait after failed attempt `attempt` (1-based); `jitter` is in [0, 1)."""
        return backoff_delay(attempt, self.base_delay_s, self.max_delay_s, jitter)

    def backoff(self, attempt: int) -> float:
        """The same with fresh jitter, so that retries from many chats spread out."""
        return self.delay(attempt, random.random())
