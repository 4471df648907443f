"""Helpers for tests that drive the WhatsApp channel of a `make_app` application."""

from __future__ import annotations

import asyncio
import time

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.channels import whatsapp
from tests.conftest import WA_APP_SECRET
from tests.fakes.graph_api import signed, text_webhook

Client = TestClient[web.Request, web.Application]


async def ask_and_wait(
    app: web.Application,
    client: Client,
    text: str,
    sender: str = "6281300000001",
    wamid: str = "",
) -> str:
    """Deliver one signed text message and wait until the worker has answered it; its wamid."""
    wamid = wamid or f"wamid.t.{time.monotonic_ns()}"
    raw, headers = signed(text_webhook(sender, wamid, text), WA_APP_SECRET)
    async with client.post("/webhook/whatsapp", data=raw, headers=headers) as response:
        assert response.status == 200
    worker = app[whatsapp.RUNTIME].worker
    assert worker is not None
    async with asyncio.timeout(10):
        await worker.wait_idle()
    return wamid
