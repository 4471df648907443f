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

import contextlib
import os
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
from prometheus_client.core import GaugeMetricFamily, Metric
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
        self._webhook_children: dict[tuple[str, int], Histogram] = {}
        self.webhook_seconds = Histogram(
            f"{PREFIX}_webhook_seconds",
            "Time from a webhook request to its acknowledgement",
            ["channel", "status"],
            buckets=NETWORK_BUCKETS,
            registry=registry,
        )

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
        # The labelled child looked up once per (channel, status): this runs on every webhook.
        child = self._webhook_children.get((channel, status))
        if child is None:
            child = self.webhook_seconds.labels(channel, str(status))
            self._webhook_children[(channel, status)] = child
        child.observe(seconds)

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
    registry.register(InboxCollector(state))
    return generate_latest(registry)
