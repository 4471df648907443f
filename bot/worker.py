"""`python -m bot work`: answer the inbox of every enabled channel, in a process of its own.

`python -m bot serve` starts one beside itself, so that acknowledging webhooks never competes
for the CPU with answering them. With SQLite the worker is the only one on its data folder
(bot.instance), so at start it takes over the claims of a predecessor killed mid-way at once.
With PostgreSQL any number of workers, on any machine, compete for the same inbox; a dead
one's claims are taken over when their leases expire.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator

from bot.app import open_runtime
from bot.config import Settings
from bot.inbox import InboxWorker
from bot.instance import single_instance

log = logging.getLogger(__name__)

WORKER_NICENESS = 10
# With SQLite nobody wakes a worker process on enqueue (the server is another process): look
# often, it is one indexed query.
POLL_S = 0.1
# With PostgreSQL every enqueue notifies the listening workers (LISTEN/NOTIFY); the poll is only
# the fallback (a reconnecting listener, retries falling due, leases of dead workers expiring).
SHARED_POLL_S = 1.0


async def work(settings: Settings, stop: asyncio.Event) -> None:
    """Answer until `stop` is set (SIGTERM), or until the parent process that started us dies;
    then finish or release the claims in hand and return."""
    # Acknowledging webhooks is the urgent job (the platforms retry slow ones); answering can
    # wait a few milliseconds, so the worker yields the CPU to the server under load.
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    with single_instance(settings, "worker"), open_runtime(settings) as runtime:
        state = runtime.state
        # Each channel's module only when it is on: python-telegram-bot alone is about
        # 12 MB that a WhatsApp-only worker does without.
        channels = [
            name
            for name, enabled in (
                ("whatsapp", settings.whatsapp_enabled),
                ("telegram", settings.telegram_enabled),
            )
            if enabled
        ]
        if not state.shared:
            for channel in channels:
                if released := state.release_claims(channel):
                    log.warning(
                        "%s worker: took over %d message(s) left by a stopped worker",
                        channel,
                        released,
                    )
        # Loaded before answering starts: a worker that cannot load the knowledge stops here,
        # and `serve` with it (bot.server, WORKER_INVALID).
        runtime.engine  # noqa: B018
        conversation = runtime.conversation
        parent = os.getppid()
        poll_s = SHARED_POLL_S if state.shared else POLL_S
        workers: dict[str, InboxWorker] = {}
        async with contextlib.AsyncExitStack() as stack:
            if settings.whatsapp_enabled:
                from bot.channels import whatsapp
                from bot.channels.whatsapp.responder import answering

                options = whatsapp.WhatsAppOptions(
                    poll_s=poll_s,
                    lease_s=settings.inbox_lease_s,
                    sends_in_flight=settings.sends_in_flight,
                )
                workers[whatsapp.CHANNEL] = await stack.enter_async_context(
                    answering(settings, state, conversation, options, runtime.salt)
                )
            if settings.telegram_enabled:
                from bot.channels import telegram

                workers[telegram.CHANNEL] = await stack.enter_async_context(
                    telegram.answering(
                        settings, state, conversation, salt=runtime.salt, poll_s=poll_s
                    )
                )
            if state.shared:
                await stack.enter_async_context(_woken_by_notifications(settings, workers))
            while not stop.is_set() and os.getppid() == parent:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 1.0)


@contextlib.asynccontextmanager
async def _woken_by_notifications(
    settings: Settings, workers: dict[str, InboxWorker]
) -> AsyncIterator[None]:
    """PostgreSQL: wake the channel's worker on every message any server stores."""
    from bot.stores import listen_for_enqueues

    def wake(channel: str) -> None:
        for name, worker in workers.items():
            if not channel or name == channel:
                worker.wake()

    task = asyncio.create_task(listen_for_enqueues(settings, wake), name="listen")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
