"""The retry delay both channels use: exponential, capped, with "equal jitter"."""

from __future__ import annotations


def backoff_delay(attempt: int, base_s: float, cap_s: float, jitter: float) -> float:
    """The wait after failed attempt `attempt` (1-based); `jitter` is in [0, 1).

    Never less than half the ceiling, so retries still back off, but spread enough that many
    senders failing together (a Graph API or Bot API outage) do not retry together."""
    ceiling = min(cap_s, base_s * 2.0 ** (attempt - 1))
    return ceiling / 2 + ceiling / 2 * jitter
