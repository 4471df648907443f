"""A minimal W3C WebDriver client over loopback (aiohttp), for Debian's chromium-driver: enough
to open a page, type, click and read text. No extra dependency, no browser download."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

# The W3C key for an element reference in WebDriver responses.
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
IMPLICIT_WAIT_MS = 15_000
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=412,915",  # a phone-sized window: the curators' own screens
)


def browser_or_skip() -> tuple[str, str]:
    """Paths of chromium and chromedriver; skip only where none can be installed (never in CI)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    reason = "chromium and chromium-driver are not installed (`make browser` installs them as root)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Browser:
    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http = http
        self.base = base

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        async with self.http.request(method, self.base + path, json=body) as response:
            data = await response.json()
        if response.status != 200:
            raise AssertionError(f"WebDriver {method} {path}: {data.get('value')}")
        return data["value"]

    async def open(self, url: str) -> None:
        await self._call("POST", "/url", {"url": url})

    async def url(self) -> str:
        return str(await self._call("GET", "/url"))

    async def find(self, css: str) -> str:
        found = await self._call("POST", "/element", {"using": "css selector", "value": css})
        assert isinstance(found, dict) and ELEMENT in found, found
        return str(found[ELEMENT])

    async def type(self, css: str, text: str) -> None:
        await self._call("POST", f"/element/{await self.find(css)}/value", {"text": text})

    async def click(self, css: str) -> None:
        await self._call("POST", f"/element/{await self.find(css)}/click", {})

    async def text(self, css: str) -> str:
        return str(await self._call("GET", f"/element/{await self.find(css)}/text"))

    async def screenshot(self) -> str:
        return str(await self._call("GET", "/screenshot"))


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    binary, driver = browser_or_skip()
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        driver,
        f"--port={port}",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        stdin=asyncio.subprocess.DEVNULL,
    )
    profile = tempfile.mkdtemp(prefix="desk-chromium-")
    try:
        assert process.stdout is not None
        # chromedriver says when it listens: wait for that line, not for a clock.
        while b"started successfully" not in (line := await process.stdout.readline()):
            if not line:
                raise AssertionError("chromedriver exited before it was ready")
        async with aiohttp.ClientSession() as http:
            base = f"http://127.0.0.1:{port}"
            options = {"binary": binary, "args": [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]}
            capabilities = {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}
            async with http.post(f"{base}/session", json={"capabilities": capabilities}) as r:
                created = await r.json()
            if r.status != 200:
                raise AssertionError(f"chromium did not start: {created.get('value')}")
            session = created["value"]["sessionId"]
            try:
                # Finding an element waits (in the driver) until the page that has it is there:
                # a click that submits a form returns before the next page has loaded.
                async with http.post(
                    f"{base}/session/{session}/timeouts", json={"implicit": IMPLICIT_WAIT_MS}
                ) as r:
                    assert r.status == 200
                yield Browser(http, f"{base}/session/{session}")
            finally:
                async with http.delete(f"{base}/session/{session}"):
                    pass
    finally:
        process.terminate()
        await process.wait()
        shutil.rmtree(profile, ignore_errors=True)
