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
from collections.abc import AsyncIterator, Callable

from bot import wakeup
from bot.app import open_runtime
from bot.config import Settings
from bot.heap import one_arena
from bot.inbox import InboxWorker
from bot.instance import single_instance

log = logging.getLogger(__name__)

WORKER_NICENESS = 10
# The server wakes its worker on every message it stores: with SQLite over a socket in the data
# folder (bot.wakeup), with PostgreSQL by LISTEN/NOTIFY. The poll (BOT_WORKER_POLL_S, 1 s by
# default) is only the fallback: a lost wake, retries falling due, leases of dead workers.


async def work(settings: Settings, stop: asyncio.Event) -> None:
    """Answer until `stop` is set (SIGTERM), or until the parent process that started us dies;
    then finish or release the claims in hand and return."""
    # Acknowledging webhooks is the urgent job (the platforms retry slow ones); answering can
    # wait a few milliseconds, so the worker yields the CPU to the server under load.
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    one_arena()  # a worker forked by `serve` has it already; a fresh one sets it here
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
        poll_s = settings.worker_poll_s
        workers: dict[str, InboxWorker] = {}
        async with contextlib.AsyncExitStack() as stack:
            if not state.shared:
                # Listening before the workers start: a message stored from now on wakes them,
                # one stored before is found by their first claim.
                await stack.enter_async_context(
                    wakeup.listening(wakeup.wake_address(settings.data_dir), _waker(workers))
                )
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


def _waker(workers: dict[str, InboxWorker]) -> Callable[[str], None]:
    """Wake the named channel's worker ("" or an unknown name: every one, it costs one claim)."""

    def wake(channel: str) -> None:
        named = workers.get(channel)
        for worker in [named] if named is not None else list(workers.values()):
            worker.wake()

    return wake


@contextlib.asynccontextmanager
async def _woken_by_notifications(
    settings: Settings, workers: dict[str, InboxWorker]
) -> AsyncIterator[None]:
    """PostgreSQL: wake the channel's worker on every message any server stores."""
    from bot.stores import listen_for_enqueues

    task = asyncio.create_task(listen_for_enqueues(settings, _waker(workers)), name="listen")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
