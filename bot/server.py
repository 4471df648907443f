"""The aiohttp server: health check plus the webhook routes of the configured channels.

The application itself is made by the composition root (`bot.app.make_app`): everything the
routes need is stored under typed AppKeys; the HTTP client sessions live in cleanup contexts, no
module globals. This module runs it: the acknowledging server and its worker process.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

from aiohttp import web

from bot import appkeys, logguard, metrics
from bot.app import make_app, open_runtime
from bot.config import Settings, require_channel_settings, require_webhook_settings
from bot.httpguard import GuardedRunner
from bot.instance import single_instance
from bot.prefork import ForkedWorker, worker_in_waiting
from bot.wakeup import WakeSender, wake_address

if TYPE_CHECKING:
    from telegram.error import TelegramError

log = logging.getLogger(__name__)

# The process id of the WhatsApp worker process (for benchmarks measuring its memory).
WORKER_PID = web.AppKey("worker_pid", int)
# The first worker, forked from this process after the imports they share (bot.prefork).
FORKED_WORKER = web.AppKey("forked_worker", ForkedWorker)
# The worker's exit code for a setting or knowledge it cannot use (bot.cli's EXIT_INVALID):
# at its first start, starting it again would fail the same way, so `serve` stops with it, as it
# did when the server itself loaded the engine (say, no knowledge database and broken sources).
WORKER_INVALID = 2


class Stop:
    """Asks `_run` to stop, with the exit code `serve` returns."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self.code = 0

    def now(self, code: int) -> None:
        self.code = code
        self.event.set()


STOP = web.AppKey("serve_stop", Stop)
# Graceful stop: the worker's drain (5 s) plus releasing its claims, within the 10 s promised.
WORKER_STOP_S = 8.0
# Requests still being read when SIGTERM comes get this long; each one is a quick INSERT.
SHUTDOWN_TIMEOUT_S = 1.0


def build_app(settings: Settings) -> web.Application:
    """Everything `serve` runs, without running it (tests and benchmarks start it themselves)."""
    require_webhook_settings(settings)
    # The engine is loaded where something answers, at the first turn: in `serve` the worker
    # process answers, so this one never imports the engine, the handlers or rapidfuzz (and
    # never reads the knowledge database) unless the curators' desk asks for it.
    runtime = open_runtime(settings)
    app = make_app(settings, runtime)
    app.on_cleanup.append(_close_state)
    return app


def acknowledging_app(settings: Settings) -> web.Application:
    """The app `serve` runs, before its worker process is attached: it verifies, stores and
    acknowledges, and answers nothing itself (the worker process does)."""
    app = build_app(settings)
    # Answer in a second process: acknowledgements keep this one's CPU to themselves.
    if settings.whatsapp_enabled:
        from bot.channels import whatsapp

        app[whatsapp.OPTIONS] = whatsapp.WhatsAppOptions(run_worker=False)
    if settings.telegram_enabled:
        from bot.channels import telegram

        app[telegram.RUN_WORKER] = False
    if not app[appkeys.STATE].shared:
        # The worker process is woken after every store (PostgreSQL notifies by itself).
        sender = app[appkeys.WAKE_WORKER] = WakeSender(wake_address(settings.data_dir))
        app.on_cleanup.append(lambda _app: _closed(sender))
    return app


async def _closed(sender: WakeSender) -> None:
    sender.close()


async def _close_state(app: web.Application) -> None:
    app[appkeys.STATE].close()


async def _worker_process(app: web.Application) -> AsyncIterator[None]:
    """Run `python -m bot work` beside the server for as long as it runs, restarting it if it
    dies: the server only acknowledges and stores, the worker process answers. On SIGTERM the
    worker gets WORKER_STOP_S to finish or release its claims (it needs about its drain time)."""
    stopping = asyncio.Event()

    async def supervise() -> None:
        first = True
        while not stopping.is_set():
            proc: asyncio.subprocess.Process | ForkedWorker
            if first and FORKED_WORKER in app:
                proc = app[FORKED_WORKER].start()
            else:
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
            if stopping.is_set():
                continue
            if first and code == WORKER_INVALID and STOP in app:
                log.error("the worker process cannot start (its error is above); stopping")
                app[STOP].now(code)
                return
            first = False
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
        except OSError as exc:
            if exc.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
                raise
            print(
                f"error: cannot serve on {host or settings.host}:{port or settings.port} "
                f"({exc.strerror or type(exc).__name__}); check HOST and PORT.",
                file=sys.stderr,
            )
            return 1
        except Exception as exc:
            if not _from_telegram(exc):
                raise
            from bot.channels.telegram.failures import startup_failure

            print(startup_failure(exc, settings), file=sys.stderr)
            return 1


def _from_telegram(exc: BaseException) -> TypeGuard[TelegramError]:
    """A Bot API failure at start (python-telegram-bot is imported only when Telegram is on,
    about 12 MB that a WhatsApp-only server does without)."""
    errors = sys.modules.get("telegram.error")
    return errors is not None and isinstance(exc, errors.TelegramError)


def _serve(settings: Settings, host: str | None, port: int | None) -> int:
    # No salt is generated here: build_app refuses to start without BOT_SECRET_SALT when a
    # webhook needs one, and a salt file left by a process that refused to start would only
    # mislead the next one (the channels make a local salt when they may run without one).
    # The settings are checked before the fork: a server that refuses them forks nothing.
    require_webhook_settings(settings)
    require_channel_settings(settings)
    with worker_in_waiting(settings) as forked, single_instance(settings, "serve"):
        app = acknowledging_app(settings)
        if forked is not None:
            app[FORKED_WORKER] = forked
        app.cleanup_ctx.append(_worker_process)
        logguard.install()
        bind_host = host or settings.host
        bind_port = port or settings.port
        log.info("Tanya Jamsos serving on http://%s:%d", bind_host, bind_port)
        return asyncio.run(_run(app, settings, bind_host, bind_port))


async def _run(app: web.Application, settings: Settings, host: str, port: int) -> int:
    """web.run_app's graceful stop (SIGTERM or Ctrl-C: stop accepting, give requests being read
    SHUTDOWN_TIMEOUT_S, then the cleanups, the worker's drain included), with the connection
    limit and request timeouts of bot.httpguard."""
    runner = GuardedRunner(
        app,
        settings.request_timeout_s,
        settings.max_connections,
        access_log=None,
        shutdown_timeout=SHUTDOWN_TIMEOUT_S,
    )
    stop = app[STOP] = Stop()
    await runner.setup()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.event.set)
    try:
        await web.TCPSite(runner, host, port).start()
        await stop.event.wait()
    finally:
        await runner.cleanup()
    return stop.code
