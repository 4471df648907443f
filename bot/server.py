"""The aiohttp server: health check plus the webhook routes of the configured channels.

`make_app` is the one composition root for HTTP: everything the routes need is stored under
typed AppKeys; the HTTP client sessions live in cleanup contexts, no module globals.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web
from telegram.error import TelegramError

from bot import appkeys, metrics, ops
from bot.config import Settings, require_webhook_settings
from bot.conversation import Conversation
from bot.instance import single_instance
from bot.privacy import load_or_create_salt
from bot.runtime import load_engine
from bot.state import StateStore, open_state

log = logging.getLogger(__name__)

# The process id of the WhatsApp worker process (for benchmarks measuring its memory).
WORKER_PID = web.AppKey("worker_pid", int)
# Graceful stop: the worker's drain (5 s) plus releasing its claims, within the 10 s promised.
WORKER_STOP_S = 8.0
# Requests still being read when SIGTERM comes get this long; each one is a quick INSERT.
SHUTDOWN_TIMEOUT_S = 1.0
# WhatsApp payloads are at most 3 MB; refuse anything larger before reading it.
MAX_BODY_BYTES = 3 * 1024 * 1024


def make_app(settings: Settings, conversation: Conversation, state: StateStore) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[appkeys.SETTINGS] = settings
    app[appkeys.CONVERSATION] = conversation
    app[appkeys.STATE] = state
    ops.setup(app)  # GET /healthz, GET /metrics
    if settings.whatsapp_enabled:
        from bot.channels import whatsapp

        whatsapp.setup(app)
    if settings.telegram_enabled:
        from bot.channels import telegram

        if settings.telegram_webhook_mode:
            telegram.setup_webhook(app)
        else:
            # WhatsApp needs the server; Telegram without a webhook URL polls inside it.
            telegram.setup_polling(app)
    if settings.curator_enabled:
        from bot.curator.web import attach

        attach(app)
    return app


def build_app(settings: Settings) -> web.Application:
    """Everything `serve` runs, without running it (tests and benchmarks start it themselves)."""
    require_webhook_settings(settings)
    engine = load_engine(settings)
    state = open_state(settings)
    conversation = Conversation(engine, state, settings)
    app = make_app(settings, conversation, state)
    app.on_cleanup.append(_close_state)
    return app


async def _close_state(app: web.Application) -> None:
    app[appkeys.STATE].close()


async def _worker_process(app: web.Application) -> AsyncIterator[None]:
    """Run `python -m bot work` beside the server for as long as it runs, restarting it if it
    dies: the server only acknowledges and stores, the worker process answers. On SIGTERM the
    worker gets WORKER_STOP_S to finish or release its claims (it needs about its drain time)."""
    stopping = asyncio.Event()

    async def supervise() -> None:
        while not stopping.is_set():
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "work", stdin=asyncio.subprocess.DEVNULL
            )
            app[WORKER_PID] = proc.pid
            try:
                code = await proc.wait()
            except asyncio.CancelledError:
                proc.terminate()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(proc.wait(), WORKER_STOP_S)
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()
                raise
            if not stopping.is_set():
                log.error("the WhatsApp worker process exited with %s; starting it again", code)
                await asyncio.sleep(1.0)

    task = asyncio.create_task(supervise())
    try:
        yield
    finally:
        stopping.set()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> int:
    """The webhook server and its worker process, until SIGTERM or Ctrl-C. On SIGTERM it stops
    accepting, lets the worker finish or release its claims, and exits (within 10 s)."""
    # Counters of this process and of the worker it starts, summed by GET /metrics; a fresh
    # folder per run, since Prometheus expects counters to start again with the process.
    with (
        tempfile.TemporaryDirectory(prefix="tanya-jamsos-metrics-") as folder,
        metrics.shared_across_processes(Path(folder)),
    ):
        try:
            return _serve(settings, host, port)
        except TelegramError as exc:
            from bot.channels.telegram_failures import startup_failure

            print(startup_failure(exc, settings), file=sys.stderr)
            return 1
        except OSError as exc:
            if exc.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
                raise
            print(
                f"error: cannot serve on {host or settings.host}:{port or settings.port} "
                f"({exc.strerror or type(exc).__name__}); check HOST and PORT.",
                file=sys.stderr,
            )
            return 1


def _serve(settings: Settings, host: str | None, port: int | None) -> int:
    load_or_create_salt(settings.secret_salt, settings.data_dir)
    with single_instance(settings, "serve"):
        app = build_app(settings)
        # Answer in a second process: acknowledgements keep this one's CPU to themselves.
        if settings.whatsapp_enabled:
            from bot.channels import whatsapp

            app[whatsapp.OPTIONS] = whatsapp.WhatsAppOptions(run_worker=False)
        if settings.telegram_enabled:
            from bot.channels import telegram

            app[telegram.RUN_WORKER] = False
        app.cleanup_ctx.append(_worker_process)
        bind_host = host or settings.host
        bind_port = port or settings.port
        log.info("Tanya Jamsos serving on http://%s:%d", bind_host, bind_port)
        web.run_app(
            app,
            host=bind_host,
            port=bind_port,
            print=None,
            access_log=None,
            shutdown_timeout=SHUTDOWN_TIMEOUT_S,
        )
    return 0
