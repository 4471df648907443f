"""The operator's endpoints on any of the bot's aiohttp apps: GET /healthz and GET /metrics.
`serve` has them on its app; polling mode, which has no webhook server, starts a small one for
them (`health_server`). The acknowledgement time of every webhook is recorded by its route
(`bot.metrics.timed_webhook`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot import appkeys
from bot.backpressure import sample_backlog
from bot.config import Settings
from bot.health import healthz
from bot.metrics import exposition
from bot.state_protocols import StateStore

log = logging.getLogger(__name__)


def setup(app: web.Application) -> None:
    """GET /healthz, GET /metrics and the backlog alarm in the log (the app holds SETTINGS and
    STATE)."""
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_route)
    app.cleanup_ctx.append(sample_backlog)


async def metrics_route(request: web.Request) -> web.Response:
    body = await asyncio.to_thread(exposition, request.app[appkeys.STATE])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


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
