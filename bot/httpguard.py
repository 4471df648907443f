"""Limits on what one client can hold of the server: time to send a request, and connections.

- A client must send its request headers within `timeout_s` of connecting (or of its previous
  answer): aiohttp's keep-alive timer, armed at connection start, closes it otherwise.
- A handler (which reads the body) gets `timeout_s` too: a half-sent body gets a 408. A request
  whose body has all arrived is not timed (nothing is left for the client to hold it with).
- At most `max_connections` are open at once. A new connection past the limit pushes out the
  oldest one that is not in the middle of a request (stalled in its headers, an idle keep-alive),
  else the oldest of all, so a crowd of stalled clients cannot lock out Meta, Telegram or the
  health check. (This reads two attributes of aiohttp's RequestHandler: `_force_close` and
  `_request_in_progress`; tests/test_server_limits.py fails if they change.)

Without these, 1,100 idle half-sent POSTs made /healthz and the webhooks time out, and the
accept loop then failed on "Too many open files".
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse

log = logging.getLogger(__name__)

ServerHandler = Callable[[BaseRequest], Awaitable[StreamResponse]]
# File descriptors kept free for the database, the log and outgoing API calls.
_RESERVED_FDS = 64


def request_deadline(handler: ServerHandler, timeout_s: float) -> ServerHandler:
    """`handler` (a server's, for every request) with a bound: a request not handled (body read
    included) within `timeout_s` gets a 408.

    A request whose body has all arrived (a GET, a webhook read in one piece) is handed on as it
    is, with no timer to arm and cancel and not even a frame of its own: nothing is left for a
    slow client to hold the handler with, and the database calls have a bound of their own
    (bot.dbgate). At the server, not as an application middleware: any middleware at all makes
    aiohttp run its middleware chain, and one of its own, on every request."""

    async def within(request: BaseRequest) -> StreamResponse:
        try:
            async with asyncio.timeout(timeout_s) as scope:
                return await handler(request)
        except TimeoutError:
            if not scope.expired():
                raise
            return web.Response(status=408, text="Request timeout")

    def deadline(request: BaseRequest) -> Awaitable[StreamResponse]:
        if request.content.is_eof():
            return handler(request)
        return within(request)

    return deadline


def connection_limit(max_connections: int) -> int:
    """The limit actually applied: below the process's open-file limit, whatever is set."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return max_connections
    return max(8, min(max_connections, soft - _RESERVED_FDS))


def limit_connections(server: web.Server, max_connections: int) -> None:
    """Make `server` keep at most `max_connections` open (see the module docstring)."""
    limit = connection_limit(max_connections)
    connections: dict[RequestHandler, asyncio.Transport] = server._connections
    register = server.connection_made

    def connection_made(handler: RequestHandler, transport: asyncio.Transport) -> None:
        register(handler, transport)
        live = [h for h in connections if not h._force_close]
        if len(live) <= limit:
            return
        older = [h for h in live if h is not handler]
        idle = next((h for h in older if not h._request_in_progress), None)
        # The oldest idle one (stalled in its headers, or a keep-alive); else the oldest of all:
        # a real request is done in milliseconds, so the oldest is the likeliest stalled.
        (idle or older[0]).force_close()

    server.connection_made = connection_made  # type: ignore[method-assign]


class GuardedRunner(web.AppRunner):
    """An AppRunner with the connection limit and the request timeouts of the module docstring
    (the handler's bound, `request_deadline`, is the server's: an app served otherwise, by a
    test client, has none)."""

    def __init__(
        self, app: web.Application, timeout_s: float, max_connections: int, **kwargs: Any
    ) -> None:
        # lingering_time: after an early answer (a 408) aiohttp reads what is left of the body
        # before closing, 10 s by default; a stalled client would hold its slot that long.
        super().__init__(
            app, keepalive_timeout=timeout_s, lingering_time=min(timeout_s, 1.0), **kwargs
        )
        self._max_connections = max_connections
        self._timeout_s = timeout_s

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        server.request_handler = request_deadline(server.request_handler, self._timeout_s)
        limit_connections(server, self._max_connections)
        return server
