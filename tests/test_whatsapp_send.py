"""The Graph API client against the fake Graph API: retries, backoff, permanent errors."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import pytest

from bot.channels.backoff import RetryPolicy
from bot.channels.whatsapp.send import GraphClient
from tests.fakes.graph_api import DEFAULT_ACCESS_TOKEN, DEFAULT_PHONE_NUMBER_ID, FakeGraphAPI

TEXT = {"type": "text", "text": {"body": "Halo", "preview_url": False}}


@dataclass
class VirtualTime:
    """A clock that only moves when the code under test sleeps: retries run in no real time."""

    offset: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def now(self) -> float:
        return time.monotonic() + self.offset

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.offset += seconds
        await asyncio.sleep(0)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def clock() -> VirtualTime:
    return VirtualTime()


def client(
    session: aiohttp.ClientSession,
    url: str,
    clock: VirtualTime,
    policy: RetryPolicy | None = None,
    token: str = DEFAULT_ACCESS_TOKEN,
) -> GraphClient:
    return GraphClient(
        session,
        url,
        DEFAULT_PHONE_NUMBER_ID,
        token,
        policy=policy,
        sleep=clock.sleep,
        clock=clock.now,
        jitter=lambda: 0.5,
    )


async def test_a_send_carries_the_token_the_recipient_and_the_marker(
    graph: FakeGraphAPI, graph_url: str, session: aiohttp.ClientSession, clock: VirtualTime
) -> None:
    result = await client(session, graph_url, clock).send(
        "to", "6281200000001", TEXT, "wamid.IN#1/1"
    )
    assert result.ok and result.message_id.startswith("wamid.out")
    [call] = graph.calls
    assert call.path == f"/v23.0/{DEFAULT_PHONE_NUMBER_ID}/messages"
    assert call.authorization == f"Bearer {DEFAULT_ACCESS_TOKEN}"
    assert call.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "6281200000001",
        "type": "text",
        "text": {"body": "Halo", "preview_url": False},
        "biz_opaque_callback_data": "wamid.IN#1/1",
    }


async def test_503_then_success_is_delivered_once_after_a_backoff(
    graph: FakeGraphAPI, graph_url: str, session: aiohttp.ClientSession, clock: VirtualTime
) -> None:
    graph.fail_next(2, 503)
    result = await client(session, graph_url, clock).send("to", "6281200000001", TEXT)
    assert result.ok and result.attempts == 3
    assert [c.status for c in graph.calls] == [503, 503, 200]
    assert len(graph.delivered) == 1
    # Exponential: 0.5 then 1.0 ceilings, halved plus half the jitter (0.5).
    assert clock.sleeps == [0.375, 0.75]


async def test_rate_limit_130429_is_retried(
    graph: FakeGraphAPI, graph_url: str, session: aiohttp.ClientSession, clock: VirtualTime
) -> None:
    graph.rate_limit_next(1)
    result = await client(session, graph_url, clock).send("to", "6281200000001", TEXT)
    assert result.ok and result.attempts == 2
    assert [c.status for c in graph.calls] == [429, 200]


@pytest.mark.parametrize(
    ("status", "code"), [(400, 131047), (400, 131026), (400, 131051), (400, 100), (404, 100)]
)
async def test_permanent_errors_are_not_retried(
    graph: FakeGraphAPI,
    graph_url: str,
    session: aiohttp.ClientSession,
    clock: VirtualTime,
    status: int,
    code: int,
) -> None:
    graph.fail_next(1, status, code)
    result = await client(session, graph_url, clock).send("to", "6281200000001", TEXT)
    assert (result.ok, result.permanent, result.error) == (False, True, str(code))
    assert len(graph.calls) == 1
    assert clock.sleeps == []


async def test_a_rejected_token_is_permanent(
    graph: FakeGraphAPI, graph_url: str, session: aiohttp.ClientSession, clock: VirtualTime
) -> None:
    result = await client(session, graph_url, clock, token="wrong").send("to", "1", TEXT)
    assert (result.permanent, result.error) == (True, "190")


async def test_a_graph_api_that_keeps_failing_is_given_up_after_five_attempts(
    graph: FakeGraphAPI, graph_url: str, session: aiohttp.ClientSession, clock: VirtualTime
) -> None:
    graph.fail_next(100, 503)
    result = await client(session, graph_url, clock).send("to", "6281200000001", TEXT)
    assert (result.ok, result.permanent, result.error, result.attempts) == (False, False, "503", 5)
    assert len(graph.calls) == 5
    assert clock.sleeps == sorted(clock.sleeps)
    assert sum(clock.sleeps) < 60


async def test_retries_stop_within_the_time_budget(
    graph: FakeGraphAPI, graph_url: str, session: aiohttp.ClientSession, clock: VirtualTime
) -> None:
    graph.fail_next(100, 503)
    policy = RetryPolicy(max_attempts=50, base_delay_s=1.0, max_delay_s=8.0, budget_s=30.0)
    result = await client(session, graph_url, clock, policy).send("to", "1", TEXT)
    assert not result.ok and result.attempts < 50
    assert sum(clock.sleeps) <= 30.0
    assert max(clock.sleeps) <= 8.0


async def test_network_errors_are_retried_and_bounded(
    session: aiohttp.ClientSession, clock: VirtualTime
) -> None:
    # A port nobody listens on: every connection is refused.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = await client(session, f"http://127.0.0.1:{port}/v23.0", clock).send("to", "1", TEXT)
    assert (result.ok, result.permanent, result.error, result.attempts) == (
        False,
        False,
        "network",
        5,
    )
    assert len(clock.sleeps) == 4


async def test_a_timeout_is_retried(
    graph: FakeGraphAPI, graph_url: str, session: aiohttp.ClientSession, clock: VirtualTime
) -> None:
    release = graph.hold_next(1)
    policy = RetryPolicy(max_attempts=2, timeout_s=0.05)
    result = await client(session, graph_url, clock, policy).send("to", "1", TEXT)
    release.set()
    assert result.ok and result.attempts == 2
    assert len(graph.calls) == 2
    assert (graph.calls[1].status, graph.calls[1].answered) == (200, True)


async def test_mark_read_is_one_attempt_only(
    graph: FakeGraphAPI, graph_url: str, session: aiohttp.ClientSession, clock: VirtualTime
) -> None:
    graph.fail_next(1, 503, only="read")
    result = await client(session, graph_url, clock).mark_read("wamid.IN")
    assert not result.ok
    assert [c.body for c in graph.calls] == [
        {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.IN"}
    ]
