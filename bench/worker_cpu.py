"""The worker's CPU per answer, alone: the real answering path in this process, nothing else.

    .venv/bin/python bench/worker_cpu.py [--messages 400] [--rounds 5] [--profile FILE]

What `python -m bot work` runs for WhatsApp (the runtime, `answering`: the inbox worker, the
responder, the Graph client over loopback, metrics written to a multiprocess folder as under
`serve`), against the fake Graph API of tests/fakes in a child process (its CPU is not ours).
Each round stores a burst shaped like bench/webhook_cycles.py's answered burst (400 messages
from 100 senders, the bench's questions) through the WhatsApp route's own `_store`, then wakes
the worker and waits until it is idle: the CPU of this process (every thread) over that drain,
per answer. Storing is not counted; the claim batches are the worker's own, as in the bench
where the backlog outgrows the worker's capacity within milliseconds.

`--profile FILE` writes cProfile statistics (each thread's own CPU time, time.thread_time) of the
drains (the event loop, the turn thread and the database threads, merged; cProfile slows
everything, so read it for shares, not totals). `--split` times the synchronous parts (each
call's own thread CPU) and reports CPU per answer by thread.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import logging
import os
import pstats
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.whatsapp_burst import QUESTIONS  # noqa: E402
from tests.fakes.graph_api import FakeGraphAPI, text_webhook  # noqa: E402


def serve_fake() -> None:
    """The child process: the fake Graph API on a free port, printed on stdout."""
    from bench.whatsapp_burst import _start_fake

    async def run() -> None:
        graph = FakeGraphAPI()
        _runner, port = await _start_fake(graph)
        print(port, flush=True)
        while True:
            await asyncio.sleep(5)
            graph.calls.clear()  # nobody reads them; keep the child small

    asyncio.run(run())


def bursts(batch: int, n: int, users: int) -> list[dict[str, Any]]:
    phones = [f"628{batch:04d}{i % users:06d}" for i in range(n)]
    return [
        text_webhook(phone, f"wamid.b{batch}.{i}.{secrets.token_hex(6)}", f"{QUESTIONS[i % 8]} {i}")
        for i, phone in enumerate(phones)
    ]


_PROFILES: dict[int, cProfile.Profile] = {}


def thread_cpu() -> dict[str, float]:
    """CPU seconds so far of this process's threads, by kind: the event loop, the turn thread,
    the database threads (from the kernel's schedstat of each)."""
    kinds: dict[str, float] = {}
    for thread in threading.enumerate():
        name = thread.name
        kind = "loop" if name == "MainThread" else name.split("_")[0]
        try:
            raw = Path(f"/proc/self/task/{thread.native_id}/schedstat").read_text()
        except OSError:
            continue
        kinds[kind] = kinds.get(kind, 0.0) + int(raw.split()[0]) / 1e9
    return kinds


# Synchronous parts of the path, timed with each call's own thread CPU (--split).
SPLIT: dict[str, float] = {}


def timed(owner: Any, attribute: str, label: str) -> None:
    function = getattr(owner, attribute)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            SPLIT[label] = SPLIT.get(label, 0.0) + time.thread_time() - began

    setattr(owner, attribute, wrapper)


def split_timers() -> None:
    from bot import conversation, inbox, metrics, state
    from bot.channels.whatsapp import responder
    from bot.engine import Engine
    from bot.sealing import Sealer

    timed(Engine, "respond", "engine.respond")
    timed(Engine, "choose", "engine.choose")
    timed(conversation.Conversation, "handle", "conversation.handle (turn)")
    timed(state.SqliteState, "load_session", "state.load_session")
    timed(state.SqliteState, "save_session", "state.save_session (held)")
    timed(state.SqliteState, "log_question", "state.log_question (held)")
    timed(state.SqliteState, "claim", "state.claim")
    timed(state.SqliteState, "with_held", "state.with_held (commit of record)")
    timed(state.SqliteState, "at_once", "state.at_once (any)")
    timed(state.SqliteState, "finish", "state.finish")
    timed(state.SqliteState, "update_payload", "state.update_payload")
    timed(metrics.Metrics, "turn", "metrics.turn")
    timed(metrics.Metrics, "sent", "metrics.sent")
    timed(Sealer, "seal", "sealer.seal")
    timed(Sealer, "open", "sealer.open")
    timed(responder, "render", "whatsapp render")
    timed(inbox.TurnWrites, "collect", "turn thread call (collect)")


async def profiling(
    loop: asyncio.AbstractEventLoop,
    profiles: list[cProfile.Profile],
    turn: ThreadPoolExecutor,
    database: ThreadPoolExecutor,
    *,
    on: bool,
) -> None:
    """cProfile on (or off) in the event loop's thread, the turn thread and every database
    thread: each thread profiles itself, so a barrier makes each of the four database calls
    run in a thread of its own."""
    barrier = threading.Barrier(4)

    def toggle(wait: bool) -> None:
        if wait:
            barrier.wait(timeout=10)
        ident = threading.get_ident()
        if on:
            profile = _PROFILES[ident] = cProfile.Profile(time.thread_time)
            profiles.append(profile)
            profile.enable()
        else:
            _PROFILES.pop(ident).disable()

    if not on:
        toggle(False)
    await loop.run_in_executor(turn, toggle, False)
    await asyncio.gather(*(loop.run_in_executor(database, toggle, True) for _ in range(4)))
    if on:
        toggle(False)


async def drain(args: argparse.Namespace, tmp: Path, port: int) -> dict[str, Any]:
    from bot.app import open_runtime
    from bot.channels import whatsapp
    from bot.channels.whatsapp.parse import parse_webhook
    from bot.channels.whatsapp.responder import answering
    from bot.channels.whatsapp.routes import _store
    from bot.config import load_settings
    from bot.inbox import _DB_THREADS, _TURN_THREAD
    from bot.logs import setup_logging

    graph = FakeGraphAPI()
    env = {
        "BOT_DATA_DIR": str(tmp / "data"),
        "BOT_SECRET_SALT": secrets.token_hex(16),
        "BOT_LOG_LEVEL": "WARNING",
        "BOT_RATE_LIMIT": "1000000",
        "WHATSAPP_VERIFY_TOKEN": "bench-verify",
        "WHATSAPP_APP_SECRET": secrets.token_hex(16),
        "WHATSAPP_ACCESS_TOKEN": graph.access_token,
        "WHATSAPP_PHONE_NUMBER_ID": graph.phone_number_id,
        "WHATSAPP_API_URL": f"http://127.0.0.1:{port}/{graph.version}",
    }
    settings = load_settings(env, tmp / "no.env")
    setup_logging(settings.log_level, settings.log_format, sys.stderr)
    profiles: list[cProfile.Profile] = []
    per_round: list[float] = []
    per_thread: dict[str, list[float]] = {}
    parts: dict[str, list[float]] = {}
    if args.split:
        split_timers()
    with open_runtime(settings) as runtime:
        state = runtime.state
        runtime.engine  # noqa: B018
        if args.freeze:
            gc.collect()
            gc.freeze()
        options = whatsapp.WhatsAppOptions(
            poll_s=settings.worker_poll_s,
            lease_s=settings.inbox_lease_s,
            sends_in_flight=settings.sends_in_flight,
        )
        async with answering(
            settings, state, runtime.conversation, options, runtime.salt
        ) as worker:
            loop = asyncio.get_running_loop()
            for number in range(args.rounds + 1):  # round 0 warms up, unmeasured
                for data in bursts(number, args.messages, args.users):
                    _store(state, parse_webhook(data), runtime.salt, time.time())
                measured = number > 0
                if measured and args.profile:
                    await profiling(loop, profiles, _TURN_THREAD, _DB_THREADS, on=True)
                gc.collect()
                SPLIT.clear()
                threads_before = thread_cpu()
                began = time.process_time()
                worker.wake()
                await worker.wait_idle()
                spent = time.process_time() - began
                threads_after = thread_cpu()
                if measured and args.profile:
                    await profiling(loop, profiles, _TURN_THREAD, _DB_THREADS, on=False)
                if measured:
                    per_round.append(spent / args.messages * 1e6)
                    for kind, value in threads_after.items():
                        used = value - threads_before.get(kind, 0.0)
                        per_thread.setdefault(kind, []).append(used / args.messages * 1e6)
                    for label, value in SPLIT.items():
                        parts.setdefault(label, []).append(value / args.messages * 1e6)
    if args.profile and profiles:
        stats: pstats.Stats | None = None
        for profile in profiles:
            profile.create_stats()
            if stats is None:
                stats = pstats.Stats(profile)
            else:
                stats.add(profile)
        assert stats is not None
        stats.dump_stats(args.profile)
    return {
        "worker_cpu_us_per_answer": round(statistics.median(per_round), 1),
        "spread": [round(min(per_round), 1), round(max(per_round), 1)],
        "rounds": [round(v, 1) for v in per_round],
        "profiled": bool(args.profile),
        "threads_us_per_answer": {k: round(statistics.median(v), 1) for k, v in per_thread.items()},
        "split_us_per_answer": {k: round(statistics.median(v), 1) for k, v in parts.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", default="")
    parser.add_argument("--freeze", action="store_true", help="gc.freeze() after the engine loads")
    parser.add_argument("--split", action="store_true", help="time the synchronous parts")
    parser.add_argument("--fake-graph", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.fake_graph:
        serve_fake()
        return 0
    from bot.prepared import prepare_database
    from handlers import HANDLERS
    from knowledge import build
    from knowledge.build import SOURCE_DIR

    tmp = Path(tempfile.mkdtemp(prefix="worker-cpu-"))
    fake = subprocess.Popen(
        [sys.executable, __file__, "--fake-graph"], stdout=subprocess.PIPE, text=True
    )
    try:
        (tmp / "data").mkdir()
        build(tmp / "data" / "knowledge.db", SOURCE_DIR, set(HANDLERS), prepare_database)
        assert fake.stdout is not None
        port = int(fake.stdout.readline())
        from bot import metrics

        with metrics.shared_across_processes(tmp / "metrics"):
            figures = asyncio.run(drain(args, tmp, port))
        print(json.dumps(figures, indent=2))
    finally:
        fake.terminate()
        fake.wait()
        shutil.rmtree(tmp, ignore_errors=True)
        logging.shutdown()
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
