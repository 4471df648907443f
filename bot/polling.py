"""`python -m bot` with TELEGRAM_BOT_TOKEN and no webhook: Telegram by long polling, answered
in this process. A run mode: it gets its parts from the composition root (bot.app)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

from telegram.error import TelegramError

from bot.app import open_runtime
from bot.channels.telegram import CHANNEL, polling, protect_logs
from bot.channels.telegram.adapter import TelegramChannel
from bot.channels.telegram.failures import startup_failure
from bot.config import Settings
from bot.instance import AlreadyRunning, single_instance
from bot.ops import health_server
from bot.state_protocols import StateError

log = logging.getLogger(__name__)


async def serve_polling(settings: Settings, stop: asyncio.Event) -> None:
    """Poll Telegram and answer until `stop` is set; then finish or release what is in hand."""
    with single_instance(settings, "serve"), open_runtime(settings) as runtime:
        state = runtime.state
        runtime.engine  # noqa: B018 - loaded before polling starts: a broken setup fails now
        if not state.shared and (released := state.release_claims(CHANNEL)):
            log.warning("telegram: took over %d message(s) left by a stopped bot", released)
        conversation = runtime.conversation
        channel = TelegramChannel(settings, conversation, state, salt=runtime.salt)
        async with health_server(settings, state), polling(state, conversation, channel=channel):
            await stop.wait()


def run_polling(settings: Settings) -> int:
    """Poll until Ctrl-C or SIGTERM."""
    protect_logs(settings.telegram_token)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            # Not available on Windows, nor outside the main thread: Ctrl-C then still works.
            with contextlib.suppress(NotImplementedError, ValueError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        log.info("Tanya Jamsos: polling Telegram (Ctrl-C to stop)")
        await serve_polling(settings, stop)

    try:
        asyncio.run(main())
    except TelegramError as exc:
        print(startup_failure(exc, settings), file=sys.stderr)
        return 1
    except (AlreadyRunning, StateError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0
