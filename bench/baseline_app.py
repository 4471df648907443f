"""The framework's own ceiling: a minimal aiohttp app that reads the body and answers 200."""

from __future__ import annotations

import sys

from aiohttp import web


async def ok(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(text="ok")


def main() -> None:
    app = web.Application(client_max_size=3 * 1024 * 1024)
    app.router.add_post("/webhook/whatsapp", ok)
    app.router.add_get("/healthz", ok)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)


if __name__ == "__main__":
    main()
