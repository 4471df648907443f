"""Several instances: with PostgreSQL two servers and two workers share one inbox and survive
the death of one server and one worker; with SQLite a second instance refuses to start."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.config import Settings
from tests.multi_instance import run_split_burst
from tests.processes import ROOT, BotProcess, clean_env


@pytest.mark.parametrize("sends_in_flight", [1, 4])
async def test_two_servers_and_two_workers_on_postgres_lose_nothing_when_one_of_each_dies(
    postgres_url: str, tmp_path: Path, knowledge_db: Path, sends_in_flight: int
) -> None:
    figures = await run_split_burst(
        postgres_url,
        tmp_path,
        knowledge_db,
        messages=120,
        users=20,
        sends_in_flight=sends_in_flight,
    )
    assert figures["acknowledged"] == 120
    assert figures["lost"] == 0
    # A double can only come from a reply part the killed worker had sent without storing it
    # yet: at most BOT_SENDS_IN_FLIGHT of them (the figure itself is reported by `make bench`).
    assert figures["doubles"] <= sends_in_flight * figures["killed_workers"]
    assert figures["out_of_order"] == 0
    assert figures["stop_exit_code"] == 0


def _whatsapp_env(settings: Settings) -> dict[str, str]:
    return clean_env(
        BOT_DATA_DIR=str(settings.data_dir),
        BOT_SECRET_SALT="instance-test-salt",
        WHATSAPP_VERIFY_TOKEN="verify",
        WHATSAPP_APP_SECRET=secrets.token_hex(16),
        WHATSAPP_ACCESS_TOKEN="token",
        WHATSAPP_PHONE_NUMBER_ID="123",
        # Nothing is sent in this test; an address where nothing listens.
        WHATSAPP_API_URL="http://127.0.0.1:9/v23.0",
    )


async def test_a_second_instance_on_the_same_sqlite_folder_refuses_to_start(
    settings: Settings,
) -> None:
    env = _whatsapp_env(settings)
    first = BotProcess(env)
    async with aiohttp.ClientSession() as session:
        await first.start(session)
        try:
            for command in (["serve", "--port", "0"], ["work"]):
                second = subprocess.run(  # noqa: ASYNC221 - the test waits for it anyway
                    [sys.executable, "-m", "bot", *command],
                    cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
                )  # fmt: skip
                assert second.returncode != 0, command
                assert "already running" in second.stderr
                assert "BOT_DATABASE_URL=postgresql://" in second.stderr
            # The first one still works.
            async with session.get(f"{first.url}/healthz") as response:
                assert response.status == 200
        finally:
            await first.stop()
    assert first.proc is not None and first.proc.returncode == 0
