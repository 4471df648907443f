"""The WhatsApp channel's name and the knobs of its worker and Graph API client: what the webhook
side and the answering side share, so that the acknowledging server imports no renderer."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.channels.backoff import RetryPolicy
from bot.inbox import InboxOptions

CHANNEL = "whatsapp"


@dataclass(frozen=True)
class WhatsAppOptions:
    """Knobs of the worker and the Graph client. The defaults are production's; tests replace
    them (before the app starts) with `app[whatsapp.OPTIONS] = WhatsAppOptions(...)`."""

    # Graph API requests in flight at once, over all users.
    concurrency: int = 16
    # Inbox items held in memory at once (claimed, queued per user).
    capacity: int = 64
    # Reply sends in flight at once (BOT_SENDS_IN_FLIGHT; bot.inbox.Progress): the most a killed
    # worker can send twice.
    sends_in_flight: int = 16
    # How long a claim protects an item from other workers (renewed while it is worked on). A
    # worker killed with -9 leaves its claimed items to be answered this long after it died.
    lease_s: float = 30.0
    # The worker is woken on every enqueue, and looks anyway this often (retries, other writers).
    poll_s: float = 1.0
    # On shutdown, in-flight sends get this long to finish before they are released to the next
    # start.
    drain_s: float = 5.0
    # Transient failures of a whole item (after the per-send retries) before it is given up:
    # with the growing pause between them (bot.inbox.retry_delay), about 14 minutes of outage.
    max_item_attempts: int = 10
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    clock: Callable[[], float] = time.time
    jitter: Callable[[], float] = random.random
    # When nothing is in flight, the WAL is truncated at most this often (bot.inbox).
    scrub_every_s: float = 5.0
    # False: messages are stored and acknowledged but nobody answers them (a restart test).
    run_worker: bool = True

    def inbox(self) -> InboxOptions:
        return InboxOptions(
            capacity=self.capacity,
            lease_s=self.lease_s,
            poll_s=self.poll_s,
            drain_s=self.drain_s,
            sends_in_flight=self.sends_in_flight,
            max_item_attempts=self.max_item_attempts,
            scrub_every_s=self.scrub_every_s,
            clock=self.clock,
        )
