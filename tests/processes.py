"""Real `python -m bot` processes for the crash and multi-instance tests: start, wait until
ready, kill -9 (the process and its worker child), SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def clean_env(**values: str) -> dict[str, str]:
    """The test process's environment without any bot setting, plus `values`."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_", "WHATSAPP_"))
    }
    env.update(values)
    return env


def whatsapp_env(
    data_dir: Path,
    access_token: str,
    phone_number_id: str,
    api_url: str,
    app_secret: str,
    **values: str,
) -> dict[str, str]:
    """A clean environment for a WhatsApp bot on `data_dir` against a fake Graph API."""
    return clean_env(
        BOT_DATA_DIR=str(data_dir),
        BOT_TODAY="2026-11-21",
        WHATSAPP_VERIFY_TOKEN="verify",
        WHATSAPP_APP_SECRET=app_secret,
        WHATSAPP_ACCESS_TOKEN=access_token,
        WHATSAPP_PHONE_NUMBER_ID=phone_number_id,
        WHATSAPP_API_URL=api_url,
        **values,
    )


class BotProcess:
    """`python -m bot <command>`; `serve` gets a free loopback port and is ready on /healthz."""

    def __init__(self, env: dict[str, str], command: tuple[str, ...] = ("serve",)) -> None:
        self.env = env
        self.port = free_port()
        self.args = list(command)
        if self.args[:1] == ["serve"]:
            self.args += ["--host", "127.0.0.1", "--port", str(self.port)]
        self.proc: asyncio.subprocess.Process | None = None
        # A file, not a pipe: a pipe nobody reads would block a chatty process.
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process

    def log(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(
        self,
        session: aiohttp.ClientSession,
        ready: Callable[[], bool] | None = None,
    ) -> None:
        """Start, then wait until /healthz answers (serve) or `ready()` holds."""
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *self.args,
            cwd=ROOT, env=self.env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=self.stderr,
        )  # fmt: skip
        for _ in range(1200):  # waiting for start-up, not timing anything
            if ready is not None:
                if ready():
                    return
            else:
                try:
                    async with session.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
            if self.proc.returncode is not None:
                raise AssertionError(f"the bot exited during start-up: {self.log()[-2000:]}")
            await asyncio.sleep(0.05)
        raise AssertionError("the bot did not start")

    def workers(self) -> list[int]:
        assert self.proc is not None
        return children(self.proc.pid)

    def kill_9(self, *, with_worker: bool = True) -> None:
        assert self.proc is not None
        pids = [*self.workers(), self.proc.pid] if with_worker else [self.proc.pid]
        for pid in pids:
            os.kill(pid, signal.SIGKILL)

    async def wait(self) -> int:
        assert self.proc is not None
        return await self.proc.wait()

    async def stop(self) -> None:
        try:
            if self.proc is not None and self.proc.returncode is None:
                self.proc.terminate()
                await asyncio.wait_for(self.proc.wait(), 30)
        finally:
            self.stderr.close()
