"""Prometheus metrics (prometheus-client), summed over the server and its worker process.

`serve` answers in a second process, so counters live where they are counted: inside
`shared_across_processes(folder)` (entered by `serve` before anything is counted, and inherited
by the worker through PROMETHEUS_MULTIPROC_DIR) every process writes its values into that
folder, and GET /metrics reads them all. Any other process (polling, the console, tests) counts in
memory and serves its own values.

Metrics are process-wide by nature (Prometheus' own design), so this module keeps one `Metrics`
object per process, created on first use. Labels are channels, outcomes and error codes: never
a user, a message or a text.
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import os
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Protocol

from aiohttp import web
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from bot.state_protocols import StateError

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
PREFIX = "tanya_jamsos"
# Engine time per turn is a few milliseconds; a send to Telegram or Meta takes tens to hundreds.
ANSWER_BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0)
NETWORK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Outcomes of the engine that count as answered (clarify asks back; fallback did not understand).
ANSWERED = frozenset({"answer", "followup", "select"})


class Metrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

        def per_channel(name: str, documentation: str) -> Counter:
            return Counter(f"{PREFIX}_{name}", documentation, ["channel"], registry=registry)

        self.questions = per_channel(
            "questions", "Messages and button presses handled (the ask rate is its rate())"
        )
        self.answers = per_channel(
            "answers", "Turns answered with an intent (answer, follow-up or a chosen option)"
        )
        self.clarifications = per_channel(
            "clarifications", "Turns answered with a question back (two close candidates)"
        )
        self.fallbacks = per_channel(
            "fallbacks", "Turns the bot did not understand (the fallback reply)"
        )
        self.answer_seconds = Histogram(
            f"{PREFIX}_answer_seconds",
            "Time to compute one reply (engine, session, question log)",
            ["channel"],
            buckets=ANSWER_BUCKETS,
            registry=registry,
        )
        self.send_seconds = Histogram(
            f"{PREFIX}_send_seconds",
            "Time of one API call that sends a reply (each attempt)",
            ["channel"],
            buckets=NETWORK_BUCKETS,
            registry=registry,
        )
        self.send_errors = Counter(
            f"{PREFIX}_send_errors",
            "Failed send attempts by error code (Graph API code, HTTP status, timeout, network)",
            ["channel", "code"],
            registry=registry,
        )
        # Kept in this process's memory, not in prometheus' shared files (see WebhookTimes).
        self.webhook_times = WebhookTimes()

    def turn(self, channel: str, kind: str, seconds: float) -> None:
        self.questions.labels(channel).inc()
        if kind in ANSWERED:
            self.answers.labels(channel).inc()
        elif kind == "clarify":
            self.clarifications.labels(channel).inc()
        elif kind == "fallback":
            self.fallbacks.labels(channel).inc()
        self.answer_seconds.labels(channel).observe(seconds)

    def webhook(self, channel: str, status: int, seconds: float) -> None:
        self.webhook_times.observe(channel, status, seconds)

    def sent(self, channel: str, seconds: float, error: str = "") -> None:
        self.send_seconds.labels(channel).observe(seconds)
        if error:
            self.send_errors.labels(channel, error).inc()


_metrics: Metrics | None = None
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def metrics() -> Metrics:
    """This process's metrics."""
    global _metrics
    if _metrics is None:
        _metrics = Metrics(CollectorRegistry())
    return _metrics


def timed_webhook(channel: str, handler: Handler) -> Handler:
    """`handler` (a channel's POST /webhook/<channel>) with its acknowledgement time recorded
    in the webhook histogram, by status (an HTTPException's too; 500 for anything else raised).

    A wrapper of the one route, not an application middleware: any middleware at all makes
    aiohttp run its middleware chain (and one of its own) on every request."""

    async def timed(request: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            metrics().webhook(channel, status, time.perf_counter() - started)

    return timed


@contextlib.contextmanager
def shared_across_processes(folder: Path) -> Iterator[None]:
    """Inside the block this process, and every process it starts, writes its values into
    `folder` (which must be empty: stale files would add old counts); after it, this process
    counts in memory again."""
    global _metrics
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(folder)
    # prometheus-client picks its value store when it is imported; pick again now that the
    # folder is known, and start counting afresh in it.
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
    _metrics = None
    try:
        yield
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
        _metrics = None


class WebhookTimes(Collector):
    """The acknowledgement time of every webhook: tanya_jamsos_webhook_seconds, a histogram by
    channel and status (NETWORK_BUCKETS), kept in the memory of the process that receives the
    webhooks and served by that process's GET /metrics.

    Not a prometheus-client Histogram: inside `shared_across_processes` each of its observations
    writes two values into a memory-mapped file (about 1.9 us against 0.3 here, on every
    webhook), so that another process could read them. Webhooks are received, and /metrics
    served, by one process (`serve`'s server; its worker process receives none), so nothing
    needs to cross."""

    NAME = f"{PREFIX}_webhook_seconds"
    DOCUMENTATION = "Time from a webhook request to its acknowledgement"

    def __init__(self, buckets: tuple[float, ...] = NETWORK_BUCKETS) -> None:
        self.buckets = buckets
        self._lock = threading.Lock()  # /metrics reads from a thread
        # Per (channel, status): a count per bucket (the last one +Inf), then the sum.
        self._series: dict[tuple[str, int], list[float]] = {}

    def observe(self, channel: str, status: int, seconds: float) -> None:
        # bisect_left: the first bound >= seconds, as a bucket counts what is <= its bound.
        bucket = bisect.bisect_left(self.buckets, seconds)
        with self._lock:
            counts = self._series.get((channel, status))
            if counts is None:
                counts = self._series[(channel, status)] = [0.0] * (len(self.buckets) + 2)
            counts[bucket] += 1
            counts[-1] += seconds

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            series = {key: list(counts) for key, counts in self._series.items()}
        family = HistogramMetricFamily(self.NAME, self.DOCUMENTATION, labels=["channel", "status"])
        bounds = [repr(float(b)) for b in self.buckets] + ["+Inf"]  # as prometheus-client writes
        for (channel, status), counts in series.items():
            cumulative = list(itertools.accumulate(counts[:-1]))
            family.add_metric(
                [channel, str(status)], list(zip(bounds, cumulative, strict=True)), counts[-1]
            )
        yield family


class BacklogStore(Protocol):
    def backlog(self) -> tuple[int, float | None]: ...


class InboxCollector(Collector):
    """The backlog, read from the state database at each scrape (so any process can tell)."""

    def __init__(self, state: BacklogStore) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        try:
            pending, oldest = self.state.backlog()
        except StateError:
            return
        yield GaugeMetricFamily(
            f"{PREFIX}_inbox_backlog", "Messages stored and not yet answered", value=pending
        )
        age = max(0.0, time.time() - oldest) if oldest is not None else 0.0
        yield GaugeMetricFamily(
            f"{PREFIX}_inbox_oldest_age_seconds",
            "Age of the oldest message waiting for its answer (0 when none waits)",
            value=age,
        )


class _Own(Collector):
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Metric]:
        yield from self.registry.collect()


def exposition(state: BacklogStore) -> bytes:
    """The text format of every metric of this process (or of all processes sharing a folder)."""
    registry = CollectorRegistry()
    folder = os.environ.get(MULTIPROC_ENV)
    if folder:
        MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Own(metrics().registry))
    registry.register(metrics().webhook_times)
    registry.register(InboxCollector(state))
    return generate_latest(registry)
