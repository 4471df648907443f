"""`make bench`: measure the bot on this machine, print a table, write bench/results.json.

- engine_p50_ms, engine_p99_ms, answers_per_s: answer() over the whole labelled set, warm;
- cold_start_s: process start to the first answer of `python -m bot ask` (median of 5);
- webhook_rps, webhook_p99_ms: signed WhatsApp webhooks acknowledged by `python -m bot serve`
  under a bounded loopback load; aiohttp_baseline_rps: the same load against a bare aiohttp app;
  webhook_ratio = webhook_rps / aiohttp_baseline_rps;
- rss_mb: peak resident memory of `python -m bot serve` after that load;
- answered_exactly_once: every message of the load answered once, by the fake Graph API's count.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.engine_bench import cold_start, engine_figures  # noqa: E402
from bench.whatsapp_burst import _free_port, blast, run_burst  # noqa: E402
from tests.fakes.graph_api import signed, text_webhook  # noqa: E402

TARGETS = {
    "engine_p99_ms": ("<=", 5.0),
    "cold_start_s": ("<=", 2.0),
    "rss_mb": ("<=", 120.0),
    "webhook_ratio": (">=", 0.5),
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
