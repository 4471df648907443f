"""`make bench`: measure the bot on this machine, print every figure with its target, and
write bench/results.json (not kept in git; the README shows a dated example).

- engine_*: answer() over the labelled sets, warm, CPU time per call (bench/engine_bench.py):
  engine_p50_ms, engine_p99_ms; engine_long_p99_ms over messages longer than 150 characters and
  hostile text; engine_4x_ratio, the mean cost with every example cloned 4x over the cost at 1x;
- cold_start_s: process start to the first answer of `python -m bot ask` (median of 5), with
  cold_start_cpu_s the CPU time of that process;
- webhook figures in interleaved cycles (bench/webhook_cycles.py), each the median of its cycles
  with its spread: ack_cpu_ratio (server CPU per acknowledgement, worker paused, over a bare
  aiohttp app's doing the same signature check, JSON parse and durable insert), answered_per_s
  and cpu_ms_per_answer (server plus worker) at saturation, toy_answered_per_s and
  answered_vs_toy against an inline rapidfuzz toy, ack_p99_busy_ms while the worker answers,
  inbox_100k_ratio (answers/s with 100,000 finished rows stored over an empty inbox);
  webhook_rps, webhook_p50_ms, webhook_p99_ms (acknowledgements with the worker paused),
  aiohttp_baseline_rps and webhook_ratio are the older wall-clock figures, kept for comparison;
- pss_mb: proportional set size of server plus worker after the load, beside each one's RSS;
  rss_mb their summed peak RSS; memory_by_import: what each group of imports adds;
- answered_exactly_once: no reply part reached the fake Graph API twice in any cycle;
- *_postgres: a burst on a throwaway PostgreSQL cluster; multi_*: two `serve` (each with its
  `work`) on one PostgreSQL with kill -9 mid-burst (tests/multi_instance.py);
- telegram_*: 50 Telegram updates during a 20 s Bot API outage (bench/telegram_outage.py), and
  the SIGTERM stop time while the Bot API is down.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.engine_bench import cold_start_figures, engine_figures  # noqa: E402
from bench.memory import import_memory  # noqa: E402
from bench.webhook_cycles import run_cycles  # noqa: E402
from bench.whatsapp_burst import run_burst  # noqa: E402
from handlers import HANDLERS  # noqa: E402
from knowledge import build  # noqa: E402
from knowledge.build import SOURCE_DIR  # noqa: E402

# (comparison, limit) of each figure that has a target; issue 16's are the first eight.
TARGETS: dict[str, tuple[str, float]] = {
    "engine_p99_ms": ("<=", 1.0),
    "engine_long_p99_ms": ("<=", 2.0),
    "engine_4x_ratio": ("<=", 1.5),
    "cold_start_s": ("<=", 0.3),
    "pss_mb": ("<=", 70.0),
    "ack_cpu_ratio": ("<=", 1.1),
    "answered_vs_toy": (">=", 1.0),
    "inbox_100k_ratio": (">=", 0.9),
    "rss_mb": ("<=", 120.0),
    "multi_lost": ("<=", 0),
    "multi_out_of_order": ("<=", 0),
    # A double only from a reply part in flight when the worker died: at most the default
    # BOT_SENDS_IN_FLIGHT (16) for the one killed worker.
    "multi_doubles": ("<=", 16),
    "multi_sigterm_stop_s": ("<=", 10.0),
    "telegram_outage_lost": ("<=", 0),
    "telegram_sigterm_stop_s": ("<=", 10.0),
}
# Shown in the table (in this order) beside the targeted figures; the rest is in the JSON.
SHOWN = (
    "engine_p50_ms",
    "engine_long_p50_ms",
    "answers_per_s",
    "ack_cpu_us",
    "baseline_ack_cpu_us",
    "answered_per_s",
    "cpu_ms_per_answer",
    "server_cpu_ms_per_answer",
    "worker_cpu_ms_per_answer",
    "toy_answered_per_s",
    "toy_cpu_ms_per_answer",
    "full_answered_per_s",
    "drain_answered_per_s",
    "ack_p99_busy_ms",
    "webhook_rps",
    "webhook_p50_ms",
    "webhook_p99_ms",
    "aiohttp_baseline_rps",
    "webhook_ratio",
    "server_pss_mb",
    "worker_pss_mb",
    "server_rss_mb",
    "worker_rss_mb",
    "foreign_cores",
    "answered_exactly_once",
    "webhook_rps_postgres",
    "webhook_p99_ms_postgres",
    "answered_exactly_once_postgres",
    "multi_sends_in_flight",
    "multi_all_answered_s",
    "telegram_outage_doubles",
    "telegram_answered_after_outage_s",
)


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
        "multi_sends_in_flight": multi["sends_in_flight"],
        "multi_killed_workers": multi["killed_workers"],
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


def webhook_figures(cycles: int, concurrency: int) -> dict[str, Any]:
    figures = asyncio.run(run_cycles(cycles=cycles, concurrency=concurrency))
    # The older wall-clock names, for comparison with earlier results.
    figures["webhook_rps"] = figures["acks_per_s"]
    figures["webhook_p50_ms"] = figures["ack_p50_ms"]
    figures["webhook_p99_ms"] = figures["ack_p99_ms"]
    figures["aiohttp_baseline_rps"] = figures["baseline_acks_per_s"]
    figures["webhook_ratio"] = round(figures["acks_per_s"] / figures["baseline_acks_per_s"], 3)
    return figures


def verdict(key: str, value: Any) -> str:
    target = TARGETS.get(key)
    if target is None:
        return ""
    op, limit = target
    ok = value <= limit if op == "<=" else value >= limit
    return f"{op} {limit:<6} {'ok' if ok else 'MISSED'}"


def print_table(results: dict[str, Any]) -> None:
    print(f"{'figure':<32} {'value':>10}  {'spread over cycles':<20} target")
    for key in [*TARGETS, *SHOWN]:
        if key not in results:
            continue
        spread = results.get(f"{key}_spread")
        shown = f"{spread[0]} – {spread[1]}" if spread else ""
        print(f"{key:<32} {results[key]!s:>10}  {shown:<20} {verdict(key, results[key])}")
    print("\nper cycle (foreign = CPU cores used by other processes of the machine):")
    for n, c in enumerate(results.get("per_cycle", [])):
        print(
            f"  cycle {n}: ack_cpu_ratio {c['ack_cpu_ratio']:.2f}  answered/s {c['answered_per_s']:.0f}"
            f"  toy/s {c['toy_answered_per_s']:.0f}  100k/s {c['full_answered_per_s']:.0f}"
            f"  foreign {c['foreign_cores']:.2f} (max {c['foreign_cores_max']:.2f})"
            f"  load {c['load_1min']:.2f}"
        )
    if results.get("heavy_foreign_cycles"):
        print(f"  heavy foreign load in cycle(s) {results['heavy_foreign_cycles']}")
    memory = results.get("memory_by_import", {})
    if memory:
        print("\nresident memory added by each group of imports (MB, a fresh interpreter):")
        for label, mb in memory["steps"]:
            print(f"  {mb:>6}  {label}")
        print(
            f"  {memory['total_mb']:>6}  total; importing bot.server loads {memory['server_imports']}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description="Tanya Jamsos benchmarks")
    parser.add_argument(
        "--messages", type=int, default=1000, help="webhooks in the PostgreSQL load"
    )
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight")
    parser.add_argument("--cycles", type=int, default=4, help="interleaved webhook cycles")
    args = parser.parse_args()

    began = time.monotonic()
    results: dict[str, Any] = {}
    results.update(engine_figures())
    results.update(cold_start_figures())
    results.update(webhook_figures(args.cycles, args.concurrency))
    results["memory_by_import"] = import_memory()
    results.update(postgres_figures(args.messages, args.concurrency))
    results.update(telegram_outage_figures())
    results.update(
        {
            "load_messages": args.messages,
            "load_concurrency": args.concurrency,
            "machine": machine(),
            "load_1min_at_end": float(Path("/proc/loadavg").read_text().split()[0]),
            "bench_s": round(time.monotonic() - began, 1),
            "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )
    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(results)
    print(
        f"\nmachine: {results['machine']}; {results['bench_s']} s\nwritten: {out.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
