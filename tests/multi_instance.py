"""Two machines' worth of bot against one PostgreSQL: a burst of signed WhatsApp messages split
across two `serve` processes (each with its `work` process), kill -9 of one server and of the
other's worker in the middle, and the count afterwards. The test runs a small burst; `make
bench` runs 1,000 messages.

Each user's messages are posted one after the other (the next once the previous one was
acknowledged), users concurrently, alternating between the two servers as a load balancer
would. A POST to the killed server fails and is sent to the other one, as Meta would retry it.

Counted: lost (acknowledged, never answered), doubles (a reply part delivered twice), per-user
order (by the order the Graph API received each message's first reply part), and how long the
surviving server took to stop on SIGTERM. The only possible source of doubles is a reply part
the killed worker had in flight (sent, its progress not yet stored; neither API takes an
idempotency key): at most the worker's BOT_SENDS_IN_FLIGHT (bot.inbox.Progress).
`sends_in_flight_at_kill` is what the fake Graph API was processing at that instant; requests
still in the sockets' buffers come on top of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import secrets
import shutil
import signal
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.graph_api import FakeGraphAPI, signed, text_webhook
from tests.processes import BotProcess, clean_env

QUESTIONS = ("apa itu jht", "berapa iuran bpu", "apa itu jkm", "cara klaim jht")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid)


def _state(pid: int) -> str:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("State:"):
                return line.lower()
    except OSError:
        pass
    return "zombie"


async def run_split_burst(
    database_url: str,
    workdir: Path,
    knowledge_db: Path,
    *,
    messages: int,
    users: int,
    graph_delay_s: float = 0.02,
    lease_s: int = 3,
    kill_after: float = 0.5,
    answer_timeout_s: float = 180.0,
    sends_in_flight: int = 16,
) -> dict[str, Any]:
    graph = FakeGraphAPI()
    graph.delay_next(10**9, graph_delay_s, only="send")
    runner = web.AppRunner(graph.app(), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    graph_url = f"http://127.0.0.1:{runner.addresses[0][1]}/{graph.version}"
    app_secret = secrets.token_hex(16)
    servers: list[BotProcess] = []
    orphans: list[int] = []
    try:
        for name in ("a", "b"):
            data_dir = workdir / name
            data_dir.mkdir(parents=True, exist_ok=True)
            shutil.copy2(knowledge_db, data_dir / "knowledge.db")
            env = clean_env(
                BOT_DATA_DIR=str(data_dir),
                BOT_DATABASE_URL=database_url,
                BOT_INBOX_LEASE_S=str(lease_s),
                BOT_SENDS_IN_FLIGHT=str(sends_in_flight),
                BOT_TODAY="2026-11-21",
                # The same salt on every instance: a user has one key whichever server took them.
                BOT_SECRET_SALT="multi-instance-salt",
                BOT_RATE_LIMIT="100000",
                BOT_LOG_LEVEL="WARNING",
                WHATSAPP_VERIFY_TOKEN="verify",
                WHATSAPP_APP_SECRET=app_secret,
                WHATSAPP_ACCESS_TOKEN=graph.access_token,
                WHATSAPP_PHONE_NUMBER_ID=graph.phone_number_id,
                WHATSAPP_API_URL=graph_url,
            )
            servers.append(BotProcess(env))
        async with aiohttp.ClientSession() as session:
            for server in servers:
                await server.start(session)
            # Both workers are up before the burst (each serve starts its own).
            for _ in range(600):
                if all(server.workers() for server in servers):
                    break
                await asyncio.sleep(0.05)
            a, b = servers
            run_id = secrets.token_hex(3)
            per_user: dict[int, list[int]] = {u: [] for u in range(users)}
            for i in range(messages):
                per_user[i % users].append(i)
            acked: set[str] = set()
            failovers = 0
            in_flight_at_kill = 0
            halfway = asyncio.Event()
            answered_at_kill: list[int] = []

            async def post(server: BotProcess, raw: bytes, headers: dict[str, str]) -> int:
                async with session.post(
                    f"{server.url}/webhook/whatsapp", data=raw, headers=headers
                ) as response:
                    await response.read()
                    return response.status

            async def user(u: int) -> None:
                nonlocal failovers
                for i in per_user[u]:
                    wamid = f"wamid.{run_id}.{i}"
                    raw, headers = signed(
                        text_webhook(f"62877{u:07d}", wamid, f"{QUESTIONS[i % len(QUESTIONS)]}"),
                        app_secret,
                    )
                    first = a if i % 2 == 0 else b
                    try:
                        status = await post(first, raw, headers)
                    except aiohttp.ClientError:
                        status = 0
                    if status != 200:
                        failovers += 1
                        status = await post(b, raw, headers)
                    # A 503 is the survivor's back-pressure (its database gate is full): the
                    # platform redelivers later, and so does this load generator, a bounded
                    # number of times.
                    for attempt in range(1, 21):
                        if status != 503:
                            break
                        await asyncio.sleep(0.05 * attempt)
                        status = await post(b, raw, headers)
                    assert status == 200, status
                    acked.add(wamid)
                    if len(acked) >= messages * kill_after:
                        halfway.set()

            async def kill_midway() -> None:
                nonlocal in_flight_at_kill
                # Mid-burst: half of the messages acknowledged, the workers busy answering.
                await halfway.wait()
                # One server (its worker notices and stops by itself) and the other's worker.
                orphans.extend(a.workers())
                a.kill_9(with_worker=False)
                in_flight_at_kill = graph._in_flight
                answered_at_kill.append(len(graph.delivered))
                for pid in b.workers():
                    os.kill(pid, signal.SIGKILL)

            killer = asyncio.create_task(kill_midway())
            started = time.monotonic()
            await asyncio.gather(*(user(u) for u in range(users)))
            await killer
            wamids = {f"wamid.{run_id}.{i}" for i in range(messages)}

            def complete() -> set[str]:
                parts: dict[str, set[int]] = {}
                totals: dict[str, int] = {}
                for marker in graph.markers():
                    wamid, _, position = marker.partition("#")
                    index, _, total = position.partition("/")
                    parts.setdefault(wamid, set()).add(int(index))
                    totals[wamid] = int(total)
                return {
                    w for w in wamids if w in totals and parts[w] == set(range(1, totals[w] + 1))
                }

            await graph.wait_for(lambda: complete() >= acked, limit_s=answer_timeout_s)
            answered_s = time.monotonic() - started
            # The surviving server stops on SIGTERM: its worker finishes or releases its claims.
            assert b.proc is not None
            stop_began = time.monotonic()
            b.proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(b.proc.wait(), 30)
            stop_s = time.monotonic() - stop_began
        counts = graph.markers()
        doubles = sum(n - 1 for n in counts.values() if n > 1)
        first_seen: dict[str, int] = {}
        for call in sorted(graph.delivered, key=lambda c: c.arrived_at):
            wamid = call.marker.partition("#")[0]
            if call.marker.partition("#")[2].startswith("1/"):
                first_seen.setdefault(wamid, call.arrived_at)
        out_of_order = 0
        for indices in per_user.values():
            seen = [first_seen.get(f"wamid.{run_id}.{i}", -1) for i in indices]
            out_of_order += sum(1 for x, y in itertools.pairwise(seen) if y < x)
        return {
            "messages": messages,
            "users": users,
            "acknowledged": len(acked),
            "failovers": failovers,
            "sends_delivered_before_kill": answered_at_kill[0] if answered_at_kill else 0,
            "lost": len(acked - complete()),
            "doubles": doubles,
            "sends_in_flight_at_kill": in_flight_at_kill,
            "killed_workers": 1,
            "sends_in_flight": sends_in_flight,
            "out_of_order": out_of_order,
            "all_answered_s": round(answered_s, 2),
            "sigterm_stop_s": round(stop_s, 2),
            "stop_exit_code": b.proc.returncode,
        }
    finally:
        for server in servers:
            with contextlib.suppress(ProcessLookupError, AssertionError):
                for pid in server.workers():
                    orphans.append(pid)
            await server.stop()
        for pid in orphans:
            # The killed server's worker exits by itself once its parent is gone.
            for _ in range(200):
                if not _alive(pid):
                    break
                await asyncio.sleep(0.05)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        await runner.cleanup()
