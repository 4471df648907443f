"""Telegram with the Bot API down: 50 updates acknowledged during a 20-second outage (every
sendMessage answered 502), then the API comes back; and SIGTERM while it is down.

    .venv/bin/python bench/telegram_outage.py [--updates 50] [--outage-s 20]

A real `python -m bot serve` in webhook mode against the fake Bot API of tests/fakes. Prints how
many updates were answered after the outage (lost and doubles), how long after its end the last
answer went out, and how long the bot took to exit on SIGTERM during an outage (items released
to the next start, none failed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.telegram_api import TOKEN, serve_fake, text_update  # noqa: E402
from tests.processes import BotProcess, clean_env  # noqa: E402

SECRET = "bench-Secret_1"


async def run_outage(updates: int = 50, outage_s: float = 20.0) -> dict[str, Any]:
    from handlers import HANDLERS
    from knowledge import build
    from knowledge.build import SOURCE_DIR

    with tempfile.TemporaryDirectory(prefix="tg-outage-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        build(data_dir / "knowledge.db", SOURCE_DIR, set(HANDLERS))
        async with serve_fake() as fake, aiohttp.ClientSession() as session:
            env = clean_env(
                BOT_DATA_DIR=str(data_dir),
                BOT_SECRET_SALT="bench-salt",  # noqa: S106 - a throwaway test salt
                BOT_RATE_LIMIT="100000",
                BOT_LOG_LEVEL="ERROR",
                TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_API_URL=fake.api_url,
                TELEGRAM_WEBHOOK_URL="https://bot.example.org/webhook/telegram",
                TELEGRAM_WEBHOOK_SECRET=SECRET,
            )
            bot = BotProcess(env)
            await bot.start(session)
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}

            async def post_all(first_chat: int, n: int) -> int:
                acked = 0
                for i in range(n):
                    async with session.post(
                        f"{bot.url}/webhook/telegram",
                        json=text_update(first_chat + i, "apa itu jht"),
                        headers=headers,
                    ) as response:
                        acked += response.status == 200
                return acked

            try:
                fake.outage(502)
                began = time.monotonic()
                acked = await post_all(10_000, updates)
                await asyncio.sleep(max(0.0, outage_s - (time.monotonic() - began)))
                failed_during = len(fake.failed())
                fake.end_outage()
                ended = time.monotonic()
                await fake.wait_until(lambda: len(fake.sent) >= updates, 600)
                recovered_s = time.monotonic() - ended
                chats = [c.chat_id for c in fake.sent]
                lost = updates - len(set(chats))
                doubles = len(chats) - len(set(chats))

                # SIGTERM with the Bot API down and updates in hand.
                fake.outage(502)
                await post_all(20_000, 20)
                await fake.wait_until(lambda: len(fake.failed()) >= failed_during + 20, 120)
                assert bot.proc is not None
                stop_began = time.monotonic()
                bot.proc.terminate()
                code = await bot.wait()
                stop_s = time.monotonic() - stop_began
            finally:
                await bot.stop()
        return {
            "updates": updates,
            "outage_s": outage_s,
            "acknowledged": acked,
            "failed_sends_during_outage": failed_during,
            "lost": lost,
            "doubles": doubles,
            "answered_after_outage_s": round(recovered_s, 2),
            "sigterm_stop_s": round(stop_s, 2),
            "sigterm_exit_code": code,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--updates", type=int, default=50)
    parser.add_argument("--outage-s", type=float, default=20.0)
    args = parser.parse_args(argv)
    figures = asyncio.run(run_outage(args.updates, args.outage_s))
    print(json.dumps(figures, indent=2))
    return 0 if figures["lost"] == 0 and figures["doubles"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
