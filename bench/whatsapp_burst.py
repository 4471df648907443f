"""A burst of signed WhatsApp webhooks against the real server, answered through a fake Graph API.

    .venv/bin/python bench/whatsapp_burst.py --messages 1000 [--concurrency 50] [--users 250]

Starts `python -m bot serve` as a subprocess on a free loopback port with a temporary
BOT_DATA_DIR, pointing WHATSAPP_API_URL at the fake Graph API of tests/fakes/graph_api.py that
this script runs itself. Sends the burst (distinct wamids, every user asking several times,
bounded concurrency), waits until every message has been answered, and prints acknowledgement
latency percentiles, acknowledgements per second, and whether every message was answered exactly
once.

"Exactly once" is checkable because the bot tags every message it sends with
biz_opaque_callback_data "<inbound wamid>#<part>/<parts>": the fake counts deliveries per tag, so
each inbound message must have exactly one mark-as-read and each of its parts delivered exactly
once, whatever the reply's shape (text, buttons, list, or several messages).

Standard library and aiohttp only (plus the fake, which is standard library and aiohttp too).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.graph_api import FakeGraphAPI, signed, text_webhook  # noqa: E402

QUESTIONS = (
    "apa itu jht",
    "berapa iuran bpu",
    "cara daftar bpjs tk",
    "manfaat jkm apa saja",
    "cara klaim jht",
    "iuran ojol berapa",
    "kantor bpjs di kupang",
    "apa itu jkp",
)
STARTUP_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def _start_fake(graph: FakeGraphAPI) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(graph.app(), access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock)
    await site.start()
    return runner, int(sock.getsockname()[1])


async def _wait_healthy(
    session: aiohttp.ClientSession, url: str, proc: asyncio.subprocess.Process
) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.returncode is not None:
            raise RuntimeError(f"the bot exited with status {proc.returncode} while starting")
        try:
            async with session.get(url) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)
    raise RuntimeError("the bot did not answer /healthz in time")


def _completion(
    graph: FakeGraphAPI, wamids: set[str], senders: dict[str, tuple[str, int]] | None = None
) -> dict[str, Any]:
    """Per inbound message: mark-as-read count, and each reply part's delivery count.

    `senders` (wamid: sender, position in the burst): a message counts as read when a receipt
    went out for it or for a later message of its sender (WhatsApp marks the earlier ones too,
    and the bot sends one receipt for a sender's messages waiting together)."""
    reads = Counter(str(c.body.get("message_id")) for c in graph.reads if c.status == 200)
    latest_read: dict[str, int] = {}
    for wamid in reads:
        if senders and wamid in senders:
            sender, position = senders[wamid]
            latest_read[sender] = max(position, latest_read.get(sender, -1))
    parts: dict[str, dict[int, int]] = {}
    totals: dict[str, int] = {}
    for marker, count in graph.markers().items():
        wamid, _, position = marker.partition("#")
        index, _, total = position.partition("/")
        parts.setdefault(wamid, {})[int(index)] = count
        totals[wamid] = int(total)
    complete = {w for w in wamids if w in totals and set(parts[w]) == set(range(1, totals[w] + 1))}
    duplicated = {w for w, p in parts.items() if any(c > 1 for c in p.values())}
    duplicated |= {w for w, c in reads.items() if c > 1}
    return {
        "complete": complete,
        "duplicated": duplicated,
        "unexpected": set(parts) - wamids,
        "unread": {
            w
            for w in wamids
            if reads[w] == 0
            and not (
                senders and w in senders and latest_read.get(senders[w][0], -1) >= senders[w][1]
            )
        },
    }


async def blast(
    session: aiohttp.ClientSession,
    url: str,
    bodies: list[tuple[bytes, dict[str, str]]],
    concurrency: int,
) -> tuple[list[float], Counter[int], float]:
    """POST every body with at most `concurrency` in flight: (latencies ms, statuses, seconds).
    The same generator measures the bot and the bare aiohttp baseline."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    slots = asyncio.Semaphore(concurrency)

    async def deliver(raw: bytes, headers: dict[str, str]) -> None:
        async with slots:
            started = time.perf_counter()
            async with session.post(url, data=raw, headers=headers) as response:
                await response.read()
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[response.status] += 1

    began = time.perf_counter()
    await asyncio.gather(*(deliver(raw, headers) for raw, headers in bodies))
    return latencies, statuses, time.perf_counter() - began


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a running process, in MB; 0 where /proc is missing."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []


async def run_burst(
    n: int = 1000,
    concurrency: int = 50,
    users: int | None = None,
    graph_delay_s: float = 0.0,
    answer_timeout_s: float = 120.0,
    database_url: str = "",
) -> dict[str, Any]:
    """Run one burst end to end and return its figures (the benchmark suite calls this).
    `database_url` (postgresql://…) runs it on the shared store instead of SQLite."""
    users = max(1, min(users or n // 4, n))
    secret = secrets.token_hex(16)
    graph = FakeGraphAPI()
    if graph_delay_s:
        # A Graph API with real-world latency: the acknowledgements must not feel it.
        graph.delay_next(10 * n, graph_delay_s)
    fake_runner, fake_port = await _start_fake(graph)
    port = _free_port()
    run_id = secrets.token_hex(4)
    tmp = Path(tempfile.mkdtemp(prefix="wa-burst-"))
    stderr_path = tmp / "bot.stderr"
    proc: asyncio.subprocess.Process | None = None
    try:
        data_dir = tmp / "data"
        data_dir.mkdir()
        knowledge = ROOT / "data" / "knowledge.db"
        if knowledge.is_file():
            # A copy saves the build; the bot rebuilds it anyway when a source is newer.
            shutil.copy2(knowledge, data_dir / "knowledge.db")
        env = {
            **os.environ,
            "BOT_DATA_DIR": str(data_dir),
            "BOT_SECRET_SALT": secrets.token_hex(16),
            "BOT_LOG_LEVEL": "WARNING",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WHATSAPP_VERIFY_TOKEN": "bench-verify",
            "WHATSAPP_APP_SECRET": secret,
            "WHATSAPP_ACCESS_TOKEN": graph.access_token,
            "WHATSAPP_PHONE_NUMBER_ID": graph.phone_number_id,
            "WHATSAPP_API_URL": f"http://127.0.0.1:{fake_port}/{graph.version}",
            # Only the WhatsApp channel, whatever a local .env says.
            "TELEGRAM_BOT_TOKEN": "",
            "TELEGRAM_WEBHOOK_URL": "",
            "BOT_DATABASE_URL": database_url,
        }
        with stderr_path.open("wb") as stderr:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                cwd=ROOT,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=stderr,
            )
        base = f"http://127.0.0.1:{port}"
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as session:
            await _wait_healthy(session, f"{base}/healthz", proc)
            bodies = []
            senders: dict[str, tuple[str, int]] = {}
            for i in range(n):
                phone = f"62899{i % users:07d}"
                question = f"{QUESTIONS[i % len(QUESTIONS)]} {i}"
                bodies.append(signed(text_webhook(phone, f"wamid.{run_id}.{i}", question), secret))
                senders[f"wamid.{run_id}.{i}"] = (phone, i)
            wamids = set(senders)
            burst_started = time.perf_counter()
            latencies, statuses, burst_s = await blast(
                session, f"{base}/webhook/whatsapp", bodies, concurrency
            )

            deadline = time.monotonic() + answer_timeout_s
            while time.monotonic() < deadline:
                if len(_completion(graph, wamids, senders)["complete"]) == n:
                    break
                await asyncio.sleep(0.05)
            answered_s = time.perf_counter() - burst_started
            # A moment of quiet, so that a late duplicate would still be counted.
            await asyncio.sleep(0.5)
            done = _completion(graph, wamids, senders)
            # `serve` answers in a child process (`python -m bot work`): count both.
            rss_mb = round(
                peak_rss_mb(proc.pid) + sum(peak_rss_mb(c) for c in children(proc.pid)), 1
            )
        return {
            "backend": "postgresql" if database_url else "sqlite",
            "messages": n,
            "users": users,
            "concurrency": concurrency,
            "graph_delay_ms": round(graph_delay_s * 1000, 1),
            "acked_200": statuses[200],
            "other_statuses": {str(k): v for k, v in statuses.items() if k != 200},
            "ack_p50_ms": round(percentile(latencies, 0.50), 2),
            "ack_p90_ms": round(percentile(latencies, 0.90), 2),
            "ack_p99_ms": round(percentile(latencies, 0.99), 2),
            "ack_max_ms": round(max(latencies), 2),
            "ack_mean_ms": round(statistics.fmean(latencies), 2),
            "acks_per_s": round(n / burst_s, 1),
            "all_answered_s": round(answered_s, 2),
            "answered": len(done["complete"]),
            "missing": n - len(done["complete"]),
            "duplicated": len(done["duplicated"]),
            "unexpected": len(done["unexpected"]),
            "sends": len(graph.delivered),
            "reads": len(graph.reads),
            "rss_peak_mb": rss_mb,
            "exactly_once": len(done["complete"]) == n
            and not done["duplicated"]
            and not done["unexpected"]
            and not done["unread"],
        }
    finally:
        if proc is not None and proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        if proc is not None and proc.returncode not in (0, -signal.SIGTERM):
            tail = stderr_path.read_text(errors="replace")[-2000:] if stderr_path.exists() else ""
            print(f"bot exited with {proc.returncode}:\n{tail}", file=sys.stderr)
        await fake_runner.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


def _print(figures: dict[str, Any]) -> None:
    print(
        f"[{figures['backend']}] {figures['messages']} signed webhooks from {figures['users']} users, "
        f"{figures['concurrency']} at a time"
        + (
            f", Graph API latency {figures['graph_delay_ms']} ms"
            if figures["graph_delay_ms"]
            else ""
        )
    )
    print(
        f"acknowledged 200: {figures['acked_200']}"
        + (f" (other: {figures['other_statuses']})" if figures["other_statuses"] else "")
    )
    print(
        f"ack latency ms: p50 {figures['ack_p50_ms']}  p90 {figures['ack_p90_ms']}  "
        f"p99 {figures['ack_p99_ms']}  max {figures['ack_max_ms']}"
    )
    print(f"acks per second: {figures['acks_per_s']}")
    print(
        f"answered: {figures['answered']}/{figures['messages']} in {figures['all_answered_s']} s "
        f"({figures['sends']} sends, {figures['reads']} mark-as-read); "
        f"duplicated {figures['duplicated']}, missing {figures['missing']}"
    )
    print(f"every message answered exactly once: {'yes' if figures['exactly_once'] else 'NO'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--users", type=int, help="distinct senders (default: messages / 4)")
    parser.add_argument(
        "--graph-delay-ms", type=float, default=0.0, help="latency of the fake Graph API"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--database-url", default="", help="postgresql://… to run on PostgreSQL (default SQLite)"
    )
    args = parser.parse_args(argv)
    figures = asyncio.run(
        run_burst(
            args.messages,
            args.concurrency,
            args.users,
            args.graph_delay_ms / 1000,
            database_url=args.database_url,
        )
    )
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        _print(figures)
    return 0 if figures["exactly_once"] else 1


if __name__ == "__main__":
    sys.exit(main())
