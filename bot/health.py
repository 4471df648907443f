"""GET /healthz: is the state database writable, is the worker alive, is the inbox keeping up.

200 when every check passes, 503 when one fails, with the same JSON either way:

    {"status": "ok" | "fail",
     "checks": {"database": {"ok": true},
                "worker": {"ok": true, "age_s": 1.2},              (only where a worker runs)
                "backlog": {"ok": true, "pending": 0, "oldest_age_s": null},
                "webhook_store": {"ok": false, "error": "..."}}}  (only when webhooks fail to store)

The database is checked in a thread with a short lock timeout, so that a locked database makes
the check fail quickly instead of holding the event loop (and every webhook) while it waits.
Workers write a heartbeat into the state database, so `serve` reports on the worker process it
supervises, and several servers sharing one database report on the same workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from bot import appkeys
from bot.config import Settings
from bot.state_protocols import StateError

# How long the database may take to grant a write lock before it counts as locked.
PROBE_TIMEOUT_S = 0.25
# The whole check answers within this, whatever the database does.
CHECK_TIMEOUT_S = 2.0
# Heartbeat names: the WhatsApp inbox worker (its own process under `serve`) and the Telegram
# poller. A worker beats at most this often.
WHATSAPP_WORKER = "whatsapp-worker"
TELEGRAM_POLLER = "telegram-poller"
BEAT_EVERY_S = 5.0


class HealthStore(Protocol):
    """What the health check needs of a state store (SqliteState implements it)."""

    def beat(self, name: str, now: float) -> None: ...
    def stop_beating(self, name: str) -> None: ...
    def heartbeats(self) -> dict[str, float]: ...
    def backlog(self) -> tuple[int, float | None]: ...
    def probe(self, timeout_s: float) -> None: ...


def expected_workers(settings: Settings) -> list[str]:
    """The heartbeats this configuration must show."""
    names = []
    if settings.whatsapp_enabled:
        names.append(WHATSAPP_WORKER)
    if settings.telegram_enabled and not settings.telegram_webhook_mode:
        names.append(TELEGRAM_POLLER)
    return names


class Heartbeat:
    """Writes one worker's heartbeat, at most every BEAT_EVERY_S, and never raises: a worker
    must keep answering while the database is briefly locked."""

    def __init__(self, state: HealthStore, name: str) -> None:
        self.state = state
        self.name = name
        self._last = float("-inf")

    def due(self, now: float) -> bool:
        """Whether `beat(now)` would write (the caller may skip a database call otherwise)."""
        return now - self._last >= BEAT_EVERY_S

    def beat(self, now: float) -> None:
        if not self.due(now):
            return
        try:
            self.state.beat(self.name, now)
            self._last = now
        except StateError:
            pass  # the health check reports the database itself

    def stop(self) -> None:
        with contextlib.suppress(StateError):
            self.state.stop_beating(self.name)


async def beat_while(heartbeat: Heartbeat, running: Callable[[], bool]) -> None:
    """Beat for a worker that has no loop of its own to beat in (PTB's poller), until
    cancelled; then say it stopped."""
    try:
        while True:
            if running():
                heartbeat.beat(time.time())
            await asyncio.sleep(BEAT_EVERY_S / 2)
    finally:
        heartbeat.stop()


def backlog_problem(
    pending: int, oldest_age_s: float | None, alarm_size: int, alarm_age_s: float
) -> str | None:
    """What is wrong with the inbox backlog, or None: more messages waiting than `alarm_size`,
    or the oldest waiting longer than `alarm_age_s` (BOT_HEALTH_BACKLOG and
    BOT_HEALTH_PENDING_AGE_S; the same alarm is logged by bot.backpressure)."""
    if pending > alarm_size:
        return f"{pending} messages wait for an answer (alarm at {alarm_size})"
    if oldest_age_s is not None and oldest_age_s > alarm_age_s:
        return (
            f"the oldest unanswered message waits {oldest_age_s:.0f} s "
            f"(alarm at {alarm_age_s:g} s); is the worker running?"
        )
    return None


@dataclass(frozen=True)
class Report:
    ok: bool
    checks: dict[str, dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {"status": "ok" if self.ok else "fail", "checks": self.checks}


def assess(state: HealthStore, settings: Settings, now: float) -> Report:
    """Every check, synchronously (callers run it in a thread)."""
    checks: dict[str, dict[str, Any]] = {}
    try:
        state.probe(PROBE_TIMEOUT_S)
        checks["database"] = {"ok": True}
        beats = state.heartbeats()
        pending, oldest = state.backlog()
    except StateError as exc:
        reason = "locked" if "locked" in str(exc) else "error"
        checks["database"] = {"ok": False, "error": reason}
        return Report(False, checks)
    for name in expected_workers(settings):
        at = beats.get(name)
        if at is None:
            checks[name] = {"ok": False, "error": "no heartbeat: stopped or not started"}
        else:
            age = round(max(0.0, now - at), 1)
            checks[name] = {"ok": age <= settings.health_heartbeat_s, "age_s": age}
    oldest_age = round(max(0.0, now - oldest), 1) if oldest is not None else None
    problem = backlog_problem(
        pending, oldest_age, settings.health_backlog, settings.health_pending_age_s
    )
    checks["backlog"] = {"ok": problem is None, "pending": pending, "oldest_age_s": oldest_age}
    if problem is not None:
        checks["backlog"]["error"] = problem
    return Report(all(c["ok"] for c in checks.values()), checks)


async def healthz(request: web.Request) -> web.Response:
    app = request.app
    work = asyncio.to_thread(assess, app[appkeys.STATE], app[appkeys.SETTINGS], time.time())
    try:
        report = await asyncio.wait_for(work, CHECK_TIMEOUT_S)
    except TimeoutError:
        report = Report(False, {"database": {"ok": False, "error": "not answering"}})
    gate = app.get(appkeys.DB_GATE)
    refused = gate.problem() if gate is not None else None
    if refused is not None:
        # The webhooks' own experience of the database (read without touching it): they
        # answer 503 and the platforms redeliver later.
        report = Report(False, {**report.checks, "webhook_store": {"ok": False, "error": refused}})
    return web.json_response(report.as_json(), status=200 if report.ok else 503)
