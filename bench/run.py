"""`make bench`: measure the bot on this machine, print a table, write bench/results.json.

- engine_p50_ms, engine_p99_ms, answers_per_s: answer() over the whole labelled set, warm;
- cold_start_s: process start to the first answer of `python -m bot ask` (median of 5);
- webhook_rps, webhook_p99_ms: signed WhatsApp webhooks acknowledged by `python -m bot serve`
  under a bounded loopback load; aiohttp_baseline_rps: the same load against a bare aiohttp app;
  webhook_ratio = webhook_rps / aiohttp_baseline_rps;
- rss_mb: peak resident memory of `python -m bot serve` after that load;
- answered_exactly_once: every message of the load answered once, by the fake Graph API's count;
- *_postgres: the same load with BOT_DATABASE_URL on a throwaway PostgreSQL cluster;
- multi_*: two `serve` (each with its `work`) on one PostgreSQL, 1,000 messages split across
  them, kill -9 of one server and of the other's worker mid-burst (tests/multi_instance.py):
  lost, doubles, out-of-order replies, time to answer all, SIGTERM stop time of the survivor;
- telegram_*: 50 Telegram updates during a 20 s Bot API outage (bench/telegram_outage.py), and
  the SIGTERM stop time while the Bot API is down.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.engine_bench import cold_start, engine_figures  # noqa: E402
from bench.whatsapp_burst import _free_port, blast, run_burst  # noqa: E402
from handlers import HANDLERS  # noqa: E402
from knowledge import build  # noqa: E402
from knowledge.build import SOURCE_DIR  # noqa: E402
from tests.fakes.graph_api import signed, text_webhook  # noqa: E402

TARGETS = {
    "engine_p99_ms": ("<=", 5.0),
    "cold_start_s": ("<=", 2.0),
    "rss_mb": ("<=", 120.0),
    "webhook_ratio": (">=", 0.5),
    "multi_lost": ("<=", 0),
    "multi_out_of_order": ("<=", 0),
    "multi_sigterm_stop_s": ("<=", 10.0),
    "telegram_outage_lost": ("<=", 0),
    "telegram_sigterm_stop_s": ("<=", 10.0),
}


async def baseline_rps(n: int, concurrency: int) -> float:
    """The same generator and bodies against a minimal aiohttp app answering 200."""
    port = _free_port()
    proc = subprocess.Popen(  # noqa: ASYNC220 - started once, before the measured load
        [sys.executable, str(ROOT / "bench" / "baseline_app.py"), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        secret = secrets.token_hex(16)
        bodies = [
            signed(
                text_webhook(f"62899{i % 250:07d}", f"wamid.base.{i}", f"apa itu jht {i}"), secret
            )
            for i in range(n)
        ]
        url = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=concurrency)
        ) as session:
            for _ in range(200):
                try:
                    async with session.get(f"{url}/healthz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                # Not up yet, or up and 503 until the worker's first heartbeat.
                await asyncio.sleep(0.05)
            _lat, statuses, seconds = await blast(
                session, f"{url}/webhook/whatsapp", bodies, concurrency
            )
        assert statuses[200] == n, statuses
        return round(n / seconds, 1)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu or platform.processor()}, Python {platform.python_version()}, {platform.system()}"


def postgres_figures(messages: int, concurrency: int) -> dict[str, Any]:
    """The same WhatsApp burst on PostgreSQL, and two servers plus two workers sharing it with
    kill -9 of one server and one worker mid-burst (1,000 messages). A throwaway cluster of the
    installed PostgreSQL, as the tests start it; skipped (and said so) where there is none."""
    from tests.multi_instance import run_split_burst
    from tests.postgres import Cluster, PostgresMissing

    try:
        cluster = Cluster().start()
    except (PostgresMissing, RuntimeError) as exc:
        print(f"PostgreSQL figures skipped: {exc}", file=sys.stderr)
        return {"postgres": "skipped"}
    try:
        burst = asyncio.run(
            run_burst(messages, concurrency, database_url=cluster.url(cluster.create_database()))
        )
        workdir = Path(tempfile.mkdtemp(prefix="multi-"))
        try:
            knowledge = workdir / "knowledge.db"
            build(knowledge, SOURCE_DIR, set(HANDLERS))
            multi = asyncio.run(
                run_split_burst(
                    cluster.url(cluster.create_database()),
                    workdir,
                    knowledge,
                    messages=1000,
                    users=100,
                )
            )
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    finally:
        cluster.stop()
    return {
        "webhook_rps_postgres": burst["acks_per_s"],
        "webhook_p99_ms_postgres": burst["ack_p99_ms"],
        "answered_exactly_once_postgres": bool(burst["exactly_once"]),
        "multi_messages": multi["messages"],
        "multi_failovers": multi["failovers"],
        "multi_lost": multi["lost"],
        "multi_doubles": multi["doubles"],
        "multi_out_of_order": multi["out_of_order"],
        "multi_all_answered_s": multi["all_answered_s"],
        "multi_sigterm_stop_s": multi["sigterm_stop_s"],
    }


def telegram_outage_figures() -> dict[str, Any]:
    """50 Telegram updates during a 20-second Bot API outage; SIGTERM while it is down."""
    from bench.telegram_outage import run_outage

    figures = asyncio.run(run_outage(50, 20.0))
    return {
        "telegram_outage_lost": figures["lost"],
        "telegram_outage_doubles": figures["doubles"],
        "telegram_answered_after_outage_s": figures["answered_after_outage_s"],
        "telegram_sigterm_stop_s": figures["sigterm_stop_s"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="Tanya Jamsos benchmarks")
    parser.add_argument("--messages", type=int, default=2000, help="webhooks in the load")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight")
    args = parser.parse_args()

    results: dict[str, Any] = {}
    results.update(engine_figures())
    results["cold_start_s"] = cold_start()
    burst = asyncio.run(run_burst(args.messages, args.concurrency))
    base = asyncio.run(baseline_rps(args.messages, args.concurrency))
    results.update(postgres_figures(args.messages, args.concurrency))
    results.update(telegram_outage_figures())
    results.update(
        {
            "webhook_rps": burst["acks_per_s"],
            "webhook_p99_ms": burst["ack_p99_ms"],
            "webhook_p50_ms": burst["ack_p50_ms"],
            "aiohttp_baseline_rps": base,
            "webhook_ratio": round(burst["acks_per_s"] / base, 3) if base else 0.0,
            "rss_mb": burst["rss_peak_mb"],
            "answered_exactly_once": bool(burst["exactly_once"]),
            "load_messages": args.messages,
            "load_concurrency": args.concurrency,
            "machine": machine(),
            "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )
    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")

    print(f"{'metric':<24} {'value':>12}  target")
    for key, value in results.items():
        if key in ("machine", "taken_at"):
            continue
        target = TARGETS.get(key)
        verdict = ""
        if target:
            op, limit = target
            ok = value <= limit if op == "<=" else value >= limit
            verdict = f"{op} {limit}  {'ok' if ok else 'MISSED'}"
        print(f"{key:<24} {value!s:>12}  {verdict}")
    print(f"\nmachine: {results['machine']}\nwritten: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
