"""Webhook figures that hold still: our server, a bare baseline and a toy peer, interleaved.

    .venv/bin/python bench/webhook_cycles.py [--cycles 4] [--acks 1500] [--answers 400]

Everything runs at once for the whole measurement, so that every cycle sees the same neighbours
for each pair of figures it compares:

- `serve` on an empty inbox (the "main" server and its worker);
- `serve` on an inbox holding 100,000 finished rows (the "full" server and its worker);
- bench/baseline_app.py: signature check, JSON parse, durable SQLite insert, nothing else;
- bench/toy_peer.py: an inline rapidfuzz answerer without durability;
- the fake Graph API of tests/fakes, in this process, with the load generator.

Each cycle runs, in alternating order (ours first in even cycles, the reference first in odd):

1. ack: a burst of signed webhooks to the main server with its worker paused (SIGSTOP, taken
   only while it holds no database lock), so that the server's CPU per acknowledgement is the
   server's alone;
2. baseline: the same number of webhooks to the baseline app. The two are sent in halves, in
   the order ours, baseline, baseline, ours (or the reverse in odd cycles): the machine's speed,
   which changes by half within seconds on a shared host, and the advantage of not being the
   first burst after a drain fall on both alike. Then the main worker resumes and drains the
   inbox (its rate is reported too);
3. answers: a burst to the main server with its worker running, timed until the last reply has
   reached the fake Graph API: answers per second at saturation, CPU (server plus worker) per
   answer, and the acknowledgement latency while the worker answers;
4. toy: the same burst to the toy peer;
5. full: the same burst to the full server, for inbox_100k_ratio.

Before the first cycle a warm-up is run and not counted: a small answered burst each to the main
server and the toy, and a whole acknowledgement burst each to the main server and the baseline
(a process's first burst also grows its heap, page cache and WAL file). Whatever is not being
measured in a step is paused (idle workers poll their inbox). CPU comes from
/proc/<pid>/task/*/schedstat; each step also records how much CPU the rest of the machine used
(its foreign load), and cycles where that exceeded HEAVY_FOREIGN_CORES are listed. Every figure is
the median of its cycles, with its spread (lowest, highest).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import procstat  # noqa: E402
from bench.memory import split  # noqa: E402
from bench.whatsapp_burst import QUESTIONS, _start_fake, blast, percentile  # noqa: E402
from tests.fakes.graph_api import FakeGraphAPI, signed, text_webhook  # noqa: E402
from tests.processes import BotProcess, clean_env, free_port  # noqa: E402

HEAVY_FOREIGN_CORES = 0.5
ANSWER_TIMEOUT_S = 180.0


def wamid_like(phone: str, batch: int, index: int) -> str:
    """A message id shaped like Meta's: "wamid." and base64 of the sender's number and an id
    of its own that follows no order (here a hash of the burst and position, so that runs
    repeat). Counters ("wamid.b3.17") made every insert of the baseline's UNIQUE index an
    append at its right edge, which no real stream of wamids gives; the bot's own index is on a
    salted hash, in no order either way. The senders' numbers differ, so ids from different
    senders are spread over the index as they are in production."""
    own = hashlib.sha256(f"{batch}.{index}".encode()).digest()[:15]
    return "wamid.HBgN" + base64.b64encode(phone.encode() + b"\x15\x02\x00\x12\x18" + own).decode()


# -- the replies reaching the fake Graph API ---------------------------------------------------


class Replies:
    """Scans the fake's calls as they come: when each inbound message got its last reply part,
    and whether any part arrived twice."""

    def __init__(self, graph: FakeGraphAPI) -> None:
        self.graph = graph
        self.scanned = 0
        self.finished: dict[str, float] = {}
        self.parts: Counter[str] = Counter()

    def scan(self) -> None:
        calls = self.graph.calls
        now = time.monotonic()
        for call in calls[self.scanned :]:
            marker = call.marker
            if not marker or call.is_status:
                continue
            self.parts[marker] += 1
            wamid, _, position = marker.partition("#")
            index, _, total = position.partition("/")
            if index == total:
                self.finished.setdefault(wamid, now)
        self.scanned = len(calls)

    async def wait(self, wamids: list[str]) -> float:
        """Until every message has its reply; the moment (monotonic) the last one arrived."""
        deadline = time.monotonic() + ANSWER_TIMEOUT_S
        while True:
            self.scan()
            if all(w in self.finished for w in wamids):
                return max(self.finished[w] for w in wamids)
            if time.monotonic() > deadline:
                missing = sum(w not in self.finished for w in wamids)
                raise RuntimeError(f"{missing} of {len(wamids)} messages were never answered")
            await asyncio.sleep(0.01)

    def doubles(self) -> int:
        self.scan()
        return sum(1 for count in self.parts.values() if count > 1)

    def forget(self) -> None:
        """Drop what was seen so far (the fake's call list would grow for the whole run)."""
        self.scan()
        self.graph.calls.clear()
        self.scanned = 0
        self.finished.clear()


# -- the processes -----------------------------------------------------------------------------


@dataclass
class Server:
    """One `python -m bot serve` with its worker child, on a data folder of its own."""

    name: str
    bot: BotProcess
    state_db: Path
    paused: bool = False

    @property
    def pid(self) -> int:
        assert self.bot.proc is not None
        return self.bot.proc.pid

    @property
    def worker(self) -> int:
        workers = procstat.children(self.pid)
        if len(workers) != 1:
            raise RuntimeError(f"{self.name}: expected one worker process, found {workers}")
        return workers[0]

    def pids(self) -> list[int]:
        return [self.pid, self.worker]

    async def pause_worker(self) -> None:
        """SIGSTOP the worker, once it has recorded every outcome (no open row: no reply in
        flight) and at a moment it holds no write lock on the inbox (stopped inside one of its
        transactions, it would make every insert wait). A step ends when the last reply reached
        the fake Graph API, a little before the worker has read the API's answers: stopped
        then, and resumed more than the send time-out (10 s) later, the worker found that send
        timed out and sent it again, a double that no live process shows."""
        if self.paused:
            return
        for _ in range(3000):  # the worker records its last outcomes in milliseconds
            if not self.open_rows():
                break
            await asyncio.sleep(0.01)
        worker = self.worker
        for _ in range(500):
            os.kill(worker, signal.SIGSTOP)
            probe = sqlite3.connect(self.state_db, timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                self.paused = True
                return
            except sqlite3.OperationalError:
                os.kill(worker, signal.SIGCONT)
                await asyncio.sleep(0.01)
            finally:
                probe.close()
        raise RuntimeError(f"{self.name}: the worker never let go of the database lock")

    def resume_worker(self) -> None:
        if self.paused:
            os.kill(self.worker, signal.SIGCONT)
            self.paused = False

    def clear_finished(self) -> None:
        """Keep the main inbox empty between cycles: finished rows only, the worker is idle."""
        with contextlib.closing(sqlite3.connect(self.state_db, timeout=10)) as conn, conn:
            conn.execute("DELETE FROM inbox WHERE status IN ('done', 'failed')")

    def open_rows(self) -> int:
        """Messages not yet finished (pending, or claimed and being answered)."""
        with contextlib.closing(sqlite3.connect(self.state_db, timeout=10)) as conn:
            return int(
                conn.execute(
                    "SELECT COUNT(*) FROM inbox WHERE status IN ('pending', 'working')"
                ).fetchone()[0]
            )

    def finished_rows(self) -> int:
        with contextlib.closing(sqlite3.connect(self.state_db, timeout=10)) as conn:
            return int(
                conn.execute("SELECT COUNT(*) FROM inbox WHERE status = 'done'").fetchone()[0]
            )


def fill_inbox(state_db: Path, rows: int) -> None:
    """`rows` finished WhatsApp messages, answered an hour ago (inside any retention period)."""
    from bot.state import SqliteState

    SqliteState(state_db).close()  # the schema, as the bot creates it
    now = time.time()
    with contextlib.closing(sqlite3.connect(state_db)) as conn, conn:
        conn.executemany(
            "INSERT INTO inbox (channel, message_id, user_key, payload, status, attempts, "
            "received_at, lease_until, done_at) VALUES ('whatsapp', ?, ?, NULL, 'done', 1, ?, 0, ?)",
            (
                (f"wamid.old.{i}", f"wh_{i % 20000:08x}", now - 7200 + i * 0.01, now - 3600)
                for i in range(rows)
            ),
        )


@dataclass
class Peer:
    """A bench app (baseline or toy) in its own process."""

    name: str
    proc: asyncio.subprocess.Process
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def start_peer(name: str, script: str, *args: str) -> Peer:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bench" / script), str(port), *args,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    return Peer(name, proc, port)


async def wait_up(session: aiohttp.ClientSession, url: str) -> None:
    for _ in range(1200):  # waiting for start-up, not timing anything
        with contextlib.suppress(aiohttp.ClientError):
            async with session.get(f"{url}/healthz") as response:
                if response.status == 200:
                    return
        await asyncio.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


# -- one step of a cycle -----------------------------------------------------------------------


@dataclass
class Rig:
    session: aiohttp.ClientSession
    graph: FakeGraphAPI
    replies: Replies
    secret: str
    concurrency: int
    main: Server
    full: Server
    baseline: Peer
    toy: Peer
    batch: int = 0
    foreign: list[float] = field(default_factory=list)
    # The wamids of the last acknowledgement burst, until drain_step answers them.
    undrained: list[str] = field(default_factory=list)

    def ours(self) -> list[int]:
        pids = [os.getpid(), self.baseline.proc.pid, self.toy.proc.pid]
        return pids + self.main.pids() + self.full.pids()

    def bodies(self, n: int) -> tuple[list[str], list[tuple[bytes, dict[str, str]]]]:
        """`n` signed webhooks with fresh ids, from n/4 senders asking several times each."""
        self.batch += 1
        users = max(1, n // 4)
        phones = [f"628{self.batch:04d}{i % users:06d}" for i in range(n)]
        wamids = [wamid_like(phone, self.batch, i) for i, phone in enumerate(phones)]
        bodies = [
            signed(
                text_webhook(phone, wamid, f"{QUESTIONS[i % len(QUESTIONS)]} {i}"),
                self.secret,
            )
            for i, (phone, wamid) in enumerate(zip(phones, wamids, strict=True))
        ]
        return wamids, bodies

    @contextlib.contextmanager
    def metered(self) -> Iterator[procstat.Meter]:
        meter = procstat.Meter(self.ours()).start()
        yield meter
        _wall, foreign = meter.stop()
        self.foreign.append(foreign)

    async def post(
        self, url: str, bodies: list[tuple[bytes, dict[str, str]]]
    ) -> tuple[list[float], float]:
        latencies, statuses, seconds = await blast(
            self.session, f"{url}/webhook/whatsapp", bodies, self.concurrency
        )
        if statuses[200] != len(bodies):
            raise RuntimeError(f"{url}: not every webhook was acknowledged: {dict(statuses)}")
        return latencies, seconds

    async def quiet(self, *running: Server) -> None:
        """Pause every worker but those of `running`."""
        for server in (self.main, self.full):
            if server in running:
                server.resume_worker()
            else:
                await server.pause_worker()

    async def ack_pair(self, n: int, ours_first: bool) -> dict[str, float]:
        """`n` webhooks to the main server with its worker paused, and `n` to the baseline,
        each in two halves, in the order ABBA (ours first) or BAAB: the two are compared over
        the same seconds, and whatever favours a burst for where it stands (the first one after
        a drain ran slower, by a tenth, whichever app it was) falls on both alike. The drain is
        `drain_step`, after both."""
        halves = (n // 2, n - n // 2)
        order = ("ours", "base", "base", "ours") if ours_first else ("base", "ours", "ours", "base")
        cpu = {"ours": 0.0, "base": 0.0}
        seconds = {"ours": 0.0, "base": 0.0}
        latencies: list[float] = []
        for position, who in enumerate(order):
            size = halves[position // 2]
            await self.quiet()
            wamids, bodies = self.bodies(size)
            bot = who == "ours"
            pid = self.main.pid if bot else self.baseline.proc.pid
            with self.metered():
                before = procstat.cpu_s(pid)
                times, took = await self.post(
                    self.main.bot.url if bot else self.baseline.url, bodies
                )
                cpu[who] += procstat.cpu_s(pid) - before
            seconds[who] += took
            if bot:
                latencies += times
                self.undrained += wamids
        return {
            "ack_cpu_us": cpu["ours"] / n * 1e6,
            "acks_per_s": n / seconds["ours"],
            "ack_p50_ms": percentile(latencies, 0.50),
            "ack_p99_ms": percentile(latencies, 0.99),
            "baseline_ack_cpu_us": cpu["base"] / n * 1e6,
            "baseline_acks_per_s": n / seconds["base"],
        }

    async def drain_step(self) -> dict[str, float]:
        """The worker alone answers what the acknowledgement burst piled up."""
        wamids, self.undrained = self.undrained, []
        with self.metered():
            before = procstat.cpu_of(self.main.pids())
            began = time.monotonic()
            self.main.resume_worker()
            last = await self.replies.wait(wamids)
            drain_cpu = procstat.cpu_of(self.main.pids()) - before
        self.replies.forget()
        self.main.clear_finished()
        return {
            "drain_answered_per_s": len(wamids) / (last - began),
            "drain_cpu_ms_per_answer": drain_cpu / len(wamids) * 1000,
        }

    async def answer_step(self, server: Server, n: int) -> dict[str, float]:
        """A burst with the worker running: until the last reply is out."""
        await self.quiet(server)
        wamids, bodies = self.bodies(n)
        with self.metered():
            before = {pid: procstat.cpu_s(pid) for pid in server.pids()}
            began = time.monotonic()
            latencies, _seconds = await self.post(server.bot.url, bodies)
            last = await self.replies.wait(wamids)
            server_cpu = procstat.cpu_s(server.pid) - before[server.pid]
            worker_cpu = procstat.cpu_s(server.worker) - before[server.worker]
        self.replies.forget()
        if server is self.main:
            self.main.clear_finished()
        return {
            "answered_per_s": n / (last - began),
            "cpu_ms_per_answer": (server_cpu + worker_cpu) / n * 1000,
            "server_cpu_ms_per_answer": server_cpu / n * 1000,
            "worker_cpu_ms_per_answer": worker_cpu / n * 1000,
            "ack_p99_busy_ms": percentile(latencies, 0.99),
        }

    async def toy_step(self, n: int) -> dict[str, float]:
        await self.quiet()
        wamids, bodies = self.bodies(n)
        pid = self.toy.proc.pid
        with self.metered():
            before = procstat.cpu_s(pid)
            began = time.monotonic()
            await self.post(self.toy.url, bodies)
            last = await self.replies.wait(wamids)
            cpu = procstat.cpu_s(pid) - before
        self.replies.forget()
        return {
            "toy_answered_per_s": n / (last - began),
            "toy_cpu_ms_per_answer": cpu / n * 1000,
        }

    async def cycle(self, number: int, acks: int, answers: int) -> dict[str, float]:
        self.foreign = []
        load_before = procstat.load_1min()
        figures: dict[str, float] = {}
        ours_first = number % 2 == 0
        figures.update(await self.ack_pair(acks, ours_first))
        figures.update(await self.drain_step())
        Step = Callable[[], Awaitable[dict[str, float]]]
        ours: Step = lambda: self.answer_step(self.main, answers)  # noqa: E731
        reference: Step = lambda: self.toy_step(answers)  # noqa: E731
        for step in (ours, reference) if ours_first else (reference, ours):
            figures.update(await step())
        full = await self.answer_step(self.full, answers)
        figures["full_answered_per_s"] = full["answered_per_s"]
        figures["ack_cpu_ratio"] = figures["ack_cpu_us"] / figures["baseline_ack_cpu_us"]
        figures["answered_vs_toy"] = figures["answered_per_s"] / figures["toy_answered_per_s"]
        figures["inbox_100k_ratio"] = figures["full_answered_per_s"] / figures["answered_per_s"]
        figures["foreign_cores"] = statistics.fmean(self.foreign)
        figures["foreign_cores_max"] = max(self.foreign)
        figures["load_1min"] = max(load_before, procstat.load_1min())
        return figures


# -- the whole run -----------------------------------------------------------------------------


def summarise(cycles: list[dict[str, float]]) -> dict[str, Any]:
    """Median of every figure over the cycles, with its spread [lowest, highest]."""
    summary: dict[str, Any] = {}
    for key in cycles[0]:
        values = [c[key] for c in cycles]
        digits = 3 if key.endswith(("ratio", "vs_toy", "cores", "cores_max")) else 2
        summary[key] = round(statistics.median(values), digits)
        summary[f"{key}_spread"] = [round(min(values), digits), round(max(values), digits)]
    return summary


def memory(server: Server) -> dict[str, Any]:
    server_pid, worker_pid = server.pids()
    return {
        "pss_mb": round(procstat.pss_mb(server_pid) + procstat.pss_mb(worker_pid), 1),
        "server_pss_mb": procstat.pss_mb(server_pid),
        "worker_pss_mb": procstat.pss_mb(worker_pid),
        "server_rss_mb": procstat.rss_mb(server_pid),
        "worker_rss_mb": procstat.rss_mb(worker_pid),
        "rss_mb": round(procstat.peak_rss_mb(server_pid) + procstat.peak_rss_mb(worker_pid), 1),
        "memory_split": {"server": split(server_pid), "worker": split(worker_pid)},
    }


def bot_env(data_dir: Path, secret: str, graph: FakeGraphAPI, fake_port: int) -> dict[str, str]:
    return clean_env(
        BOT_DATA_DIR=str(data_dir),
        BOT_SECRET_SALT=secrets.token_hex(16),
        BOT_LOG_LEVEL="WARNING",
        # The load sends a few messages per sender per burst, for several bursts a minute.
        BOT_RATE_LIMIT="1000000",
        WHATSAPP_VERIFY_TOKEN="bench-verify",  # noqa: S106 - a throwaway bench value
        WHATSAPP_APP_SECRET=secret,
        WHATSAPP_ACCESS_TOKEN=graph.access_token,
        WHATSAPP_PHONE_NUMBER_ID=graph.phone_number_id,
        WHATSAPP_API_URL=f"http://127.0.0.1:{fake_port}/{graph.version}",
    )


async def run_cycles(
    cycles: int = 4,
    acks: int = 1500,
    answers: int = 400,
    concurrency: int = 32,
    full_rows: int = 100_000,
) -> dict[str, Any]:
    from bot.prepared import prepare_database
    from handlers import HANDLERS
    from knowledge import build
    from knowledge.build import SOURCE_DIR

    secret = secrets.token_hex(16)
    graph = FakeGraphAPI()
    fake_runner, fake_port = await _start_fake(graph)
    tmp = Path(tempfile.mkdtemp(prefix="webhook-cycles-"))
    started: list[BotProcess] = []
    peers: list[Peer] = []
    try:
        knowledge = tmp / "knowledge.db"
        # As `bot build` builds it: with the engine's prepared tables, which a deployed worker
        # reads instead of computing (and storing) them at its first start.
        build(knowledge, SOURCE_DIR, set(HANDLERS), prepare_database)
        servers: dict[str, Server] = {}
        for name, rows in (("main", 0), ("full", full_rows)):
            data_dir = tmp / name
            data_dir.mkdir()
            shutil.copy2(knowledge, data_dir / "knowledge.db")
            if rows:
                fill_inbox(data_dir / "state.db", rows)
            bot = BotProcess(bot_env(data_dir, secret, graph, fake_port))
            started.append(bot)
            servers[name] = Server(name, bot, data_dir / "state.db")
        graph_url = f"http://127.0.0.1:{fake_port}/{graph.version}/{graph.phone_number_id}/messages"
        baseline = await start_peer("baseline", "baseline_app.py", secret, str(tmp / "base.db"))
        peers.append(baseline)
        toy = await start_peer(
            "toy", "toy_peer.py", secret, str(knowledge), graph_url, graph.access_token
        )
        peers.append(toy)
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as session:
            for bot in started:
                await bot.start(session)
            for peer in peers:
                await wait_up(session, peer.url)
            main, full = servers["main"], servers["full"]
            rig = Rig(
                session, graph, Replies(graph), secret, concurrency, main, full, baseline, toy
            )
            # One small round first: connections, caches and the workers' first claims.
            await rig.answer_step(rig.main, 100)
            await rig.toy_step(100)
            # And one whole acknowledgement burst each, not counted: a server's first burst
            # also grows its heap, its page cache and its WAL file to their working sizes, which
            # cost the first cycle's figure up to half again more than the cycles after it.
            await rig.ack_pair(acks, ours_first=True)
            await rig.drain_step()
            per_cycle = [await rig.cycle(n, acks, answers) for n in range(cycles)]
            await rig.quiet(rig.main)
            figures = summarise(per_cycle)
            figures.update(memory(rig.main))
            figures["full_rows_at_end"] = rig.full.finished_rows()
            figures["answered_exactly_once"] = rig.replies.doubles() == 0
            figures["heavy_foreign_cycles"] = [
                n for n, c in enumerate(per_cycle) if c["foreign_cores"] > HEAVY_FOREIGN_CORES
            ]
            figures["cycles"] = cycles
            figures["per_cycle"] = [{k: round(v, 3) for k, v in c.items()} for c in per_cycle]
            for server in servers.values():
                server.resume_worker()
            return figures
    finally:
        for bot in started:
            with contextlib.suppress(Exception):
                for pid in procstat.children(bot.proc.pid if bot.proc else 0):
                    os.kill(pid, signal.SIGCONT)
                await bot.stop()
        for peer in peers:
            if peer.proc.returncode is None:
                peer.proc.terminate()
                await peer.proc.wait()
        await fake_runner.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cycles", type=int, default=4)
    parser.add_argument("--acks", type=int, default=1500, help="webhooks per acknowledgement burst")
    parser.add_argument("--answers", type=int, default=400, help="webhooks per answered burst")
    parser.add_argument("--full-rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    figures = asyncio.run(
        run_cycles(args.cycles, args.acks, args.answers, full_rows=args.full_rows)
    )
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
