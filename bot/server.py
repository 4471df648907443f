"""The aiohttp server: health check plus the webhook routes of the configured channels.

`make_app` is the one composition root for HTTP: everything the routes need is stored under
typed AppKeys; the HTTP client sessions live in cleanup contexts, no module globals.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator

from aiohttp import web

from bot import appkeys, logguard
from bot.backpressure import BACKLOG, sample_backlog
from bot.config import Settings, require_webhook_settings
from bot.conversation import Conversation
from bot.dbgate import DatabaseGate
from bot.httpguard import GuardedRunner, request_deadline
from bot.runtime import load_engine
from bot.state import SqliteState

log = logging.getLogger(__name__)

# The process id of the WhatsApp worker process (for benchmarks measuring its memory).
WORKER_PID = web.AppKey("worker_pid", int)
# WhatsApp payloads are at most 3 MB; refuse anything larger before reading it.
MAX_BODY_BYTES = 3 * 1024 * 1024


async def healthz(request: web.Request) -> web.Response:
    """Alive, and what is wrong if anything. No I/O: it answers at once even when the database
    is locked (read from the database gate and the backlog sampler)."""
    problems = [
        p
        for p in (
            request.app[appkeys.DB_GATE].problem(),
            request.app[BACKLOG].problem if BACKLOG in request.app else None,
        )
        if p
    ]
    if problems:
        return web.json_response({"status": "degraded", "problems": problems})
    return web.json_response({"status": "ok"})


async def _close_gate(app: web.Application) -> None:
    app[appkeys.DB_GATE].close()


def make_app(settings: Settings, conversation: Conversation, state: SqliteState) -> web.Application:
    app = web.Application(
        client_max_size=MAX_BODY_BYTES, middlewares=[request_deadline(settings.request_timeout_s)]
    )
    app[appkeys.SETTINGS] = settings
    app[appkeys.CONVERSATION] = conversation
    app[appkeys.STATE] = state
    app[appkeys.DB_GATE] = DatabaseGate(settings.db_wait_s)
    app.on_cleanup.append(_close_gate)
    app.router.add_get("/healthz", healthz)
    app.cleanup_ctx.append(sample_backlog)
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
    return app


def build_app(settings: Settings) -> web.Application:
    """Everything `serve` runs, without running it (tests and benchmarks start it themselves)."""
    require_webhook_settings(settings)
    engine = load_engine(settings)
    state = SqliteState(settings.state_db)
    conversation = Conversation(engine, state, settings)
    return make_app(settings, conversation, state)


async def _worker_process(app: web.Application) -> AsyncIterator[None]:
    """Run `python -m bot work` beside the server for as long as it runs, restarting it if it
    dies: the server only acknowledges and stores, the worker process answers."""
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
                    await asyncio.wait_for(proc.wait(), 10)
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
    # No salt is generated here: build_app refuses to start without BOT_SECRET_SALT, and a salt
    # file left by a process that refused to start would only mislead the next one.
    app = build_app(settings)
    logguard.install()
    if settings.whatsapp_enabled:
        from bot.channels import whatsapp

        # Answer in a second process: acknowledgements keep this one's CPU to themselves.
        app[whatsapp.OPTIONS] = whatsapp.WhatsAppOptions(run_worker=False)
        app.cleanup_ctx.append(_worker_process)
    bind_host = host or settings.host
    bind_port = port or settings.port
    print(f"Tanya Jamsos serving on http://{bind_host}:{bind_port}", file=sys.stderr, flush=True)
    asyncio.run(_run(app, settings, bind_host, bind_port))
    return 0


async def _run(app: web.Application, settings: Settings, host: str, port: int) -> None:
    """web.run_app, with the connection limit and request timeouts of bot.httpguard."""
    runner = GuardedRunner(
        app, settings.request_timeout_s, settings.max_connections, access_log=None
    )
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await web.TCPSite(runner, host, port).start()
        await stop.wait()
    finally:
        await runner.cleanup()
