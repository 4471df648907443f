"""The operator's endpoints on any of the bot's aiohttp apps: GET /healthz, GET /metrics, and
the acknowledgement time of every webhook. `serve` has them on its app; polling mode, which
has no webhook server, starts a small one for them (`health_server`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot import appkeys
from bot.backpressure import sample_backlog
from bot.config import Settings
from bot.health import healthz
from bot.metrics import exposition, metrics
from bot.state_protocols import StateStore

log = logging.getLogger(__name__)

# A fixed set of label values: a made-up path must not create new time series.
WEBHOOK_CHANNELS = frozenset({"whatsapp", "telegram"})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def setup(app: web.Application) -> None:
    """GET /healthz, GET /metrics, the webhook timing and the backlog alarm in the log (the
    app holds SETTINGS and STATE)."""
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_route)
    app.middlewares.append(time_webhooks)
    app.cleanup_ctx.append(sample_backlog)


async def metrics_route(request: web.Request) -> web.Response:
    body = await asyncio.to_thread(exposition, request.app[appkeys.STATE])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


@web.middleware
async def time_webhooks(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Acknowledgement latency of every POST /webhook/<channel>."""
    if request.method != "POST" or not request.path.startswith("/webhook/"):
        return await handler(request)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        channel = request.path.removeprefix("/webhook/").strip("/")
        channel = channel if channel in WEBHOOK_CHANNELS else "other"
        metrics().webhook(channel, status, time.perf_counter() - started)


@contextlib.asynccontextmanager
async def health_server(settings: Settings, state: StateStore) -> AsyncIterator[None]:
    """/healthz and /metrics on HOST:PORT for a process without a webhook server (polling).
    A busy port costs the endpoint, not the bot: it is logged and the bot goes on."""
    app = web.Application()
    app[appkeys.SETTINGS] = settings
    app[appkeys.STATE] = state
    setup(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, settings.host, settings.port).start()
            log.info("health and metrics on http://%s:%d", settings.host, settings.port)
        except OSError as exc:
            log.warning(
                "no /healthz: cannot listen on %s:%d (%s); set HOST or PORT",
                settings.host,
                settings.port,
                exc.strerror or type(exc).__name__,
            )
        yield
    finally:
        await runner.cleanup()
