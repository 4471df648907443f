"""A fake of Meta's side of WhatsApp for tests and benchmarks, over loopback.

`FakeGraphAPI` serves POST /{version}/{phone_number_id}/messages like the Cloud API: it records
every call with its JSON, answers {"messages": [{"id": "wamid.out..."}]}, and can be told to answer
503, 429 (code 130429), 400 (code 131047), slowly, or only when released, for the next N calls.

The webhook builders make the envelopes Meta posts to the bot, signed like Meta signs them.
Standard library and aiohttp only: the burst benchmark imports this module too.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

DEFAULT_VERSION = "v23.0"
DEFAULT_PHONE_NUMBER_ID = "100000000000001"
DEFAULT_ACCESS_TOKEN = "test-access-token"


@dataclass
class Call:
    """One request the fake received, and what it answered."""

    path: str
    body: dict[str, Any]
    authorization: str
    status: int = 200
    answered: bool = False
    # Positions in the fake's one sequence of events: when the call arrived, when it was answered.
    arrived_at: int = 0
    answered_at: int = 0

    @property
    def is_status(self) -> bool:
        """A mark-as-read or a typing indicator (both are status calls, not messages)."""
        return self.body.get("status") == "read"

    @property
    def is_typing(self) -> bool:
        return self.is_status and "typing_indicator" in self.body

    @property
    def is_read(self) -> bool:
        """A plain mark-as-read (without a typing indicator)."""
        return self.is_status and not self.is_typing

    @property
    def recipient(self) -> str:
        return str(self.body.get("to") or self.body.get("recipient") or "")

    @property
    def marker(self) -> str:
        return str(self.body.get("biz_opaque_callback_data") or "")

    @property
    def text(self) -> str:
        """What the user sees: the text body, or the interactive body plus option titles."""
        if self.body.get("type") == "text":
            return str(self.body.get("text", {}).get("body", ""))
        interactive = self.body.get("interactive", {})
        parts = [str(interactive.get("body", {}).get("text", ""))]
        action = interactive.get("action", {})
        parts += [b["reply"]["title"] for b in action.get("buttons", [])]
        parts += [r["title"] for s in action.get("sections", []) for r in s.get("rows", [])]
        return "\n".join(parts)


@dataclass
class _Plan:
    status: int
    code: int | None
    delay_s: float
    release: asyncio.Event | None
    only: str  # "send", "read" or "any"
    remaining: int


@dataclass
class FakeGraphAPI:
    version: str = DEFAULT_VERSION
    phone_number_id: str = DEFAULT_PHONE_NUMBER_ID
    access_token: str = DEFAULT_ACCESS_TOKEN
    calls: list[Call] = field(default_factory=list)
    _plans: deque[_Plan] = field(default_factory=deque)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _sequence: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    # The most calls that were ever waiting for an answer at the same time.
    max_in_flight: int = 0
    _in_flight: int = 0

    # -- what the tests tell it ------------------------------------------------------------------

    def fail_next(
        self, n: int, status: int = 503, code: int | None = None, only: str = "send"
    ) -> None:
        """Answer the next `n` matching calls with this HTTP status (and Graph error code)."""
        self._plans.append(_Plan(status, code, 0.0, None, only, n))

    def rate_limit_next(self, n: int, only: str = "send") -> None:
        self.fail_next(n, 429, 130429, only)

    def reject_next(self, n: int, code: int = 131047, only: str = "send") -> None:
        self.fail_next(n, 400, code, only)

    def delay_next(self, n: int, seconds: float, only: str = "any") -> None:
        self._plans.append(_Plan(200, None, seconds, None, only, n))

    def hold_next(self, n: int, only: str = "any") -> asyncio.Event:
        """The next `n` matching calls are recorded on arrival but answered only once the
        returned event is set (a Graph API that is slow for as long as the test wants)."""
        release = asyncio.Event()
        self._plans.append(_Plan(200, None, 0.0, release, only, n))
        return release

    def clear_plans(self) -> None:
        """Forget every planned failure or hold: from now on the Graph API answers at once."""
        self._plans.clear()

    # -- what the tests read ---------------------------------------------------------------------

    @property
    def sends(self) -> list[Call]:
        """Messages sent to users (not mark-as-read or typing calls)."""
        return [c for c in self.calls if not c.is_status]

    @property
    def delivered(self) -> list[Call]:
        """Sends that the fake accepted and answered with a message id."""
        return [c for c in self.sends if c.status == 200 and c.answered]

    @property
    def reads(self) -> list[Call]:
        return [c for c in self.calls if c.is_read]

    @property
    def typings(self) -> list[Call]:
        return [c for c in self.calls if c.is_typing]

    def delivered_to(self, recipient: str) -> list[Call]:
        return [c for c in self.delivered if c.recipient == recipient]

    def markers(self) -> Counter[str]:
        """How often each (inbound message, part) marker was delivered: 1 means exactly once."""
        return Counter(c.marker for c in self.delivered if c.marker)

    async def wait_for(self, condition: Callable[[], bool], limit_s: float = 10.0) -> None:
        """Until `condition()` holds; event-driven, the time limit only stops a broken test."""
        async with asyncio.timeout(limit_s):
            while not condition():
                self._changed.clear()
                await self._changed.wait()

    # -- the server ------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/{version}/{phone_number_id}/messages", self._messages)
        return app

    def _plan_for(self, call: Call) -> _Plan | None:
        for plan in self._plans:
            kind = "read" if call.is_status else "send"
            if plan.only in ("any", kind):
                plan.remaining -= 1
                if plan.remaining <= 0:
                    self._plans.remove(plan)
                return plan
        return None

    def _notify(self) -> None:
        self._changed.set()

    async def _messages(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, 100, "Invalid JSON")
        call = Call(
            request.path,
            body if isinstance(body, dict) else {},
            request.headers.get("Authorization", ""),
            arrived_at=next(self._sequence),
        )
        self.calls.append(call)
        self._in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            return await self._answer(request, call)
        finally:
            self._in_flight -= 1

    async def _answer(self, request: web.Request, call: Call) -> web.Response:
        if (
            request.match_info["version"] != self.version
            or request.match_info["phone_number_id"] != self.phone_number_id
        ):
            call.status, call.answered, call.answered_at = 404, True, next(self._sequence)
            self._notify()
            return _error(404, 100, "Unknown path")
        if call.authorization != f"Bearer {self.access_token}":
            call.status, call.answered, call.answered_at = 401, True, next(self._sequence)
            self._notify()
            return _error(401, 190, "Invalid OAuth access token")
        plan = self._plan_for(call)
        self._notify()
        if plan is not None and plan.release is not None:
            await plan.release.wait()
        if plan is not None and plan.delay_s:
            await asyncio.sleep(plan.delay_s)
        call.status = plan.status if plan is not None else 200
        call.answered, call.answered_at = True, next(self._sequence)
        self._notify()
        if call.status != 200:
            code = plan.code if plan is not None and plan.code is not None else call.status
            return _error(call.status, code, "Injected failure")
        if call.is_status:
            return web.json_response({"success": True})
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": call.recipient, "wa_id": call.recipient}],
                "messages": [{"id": f"wamid.out{next(self._ids)}"}],
            }
        )


def _error(status: int, code: int, message: str) -> web.Response:
    return web.json_response(
        {
            "error": {
                "message": message,
                "type": "OAuthException",
                "code": code,
                "fbtrace_id": "Afake",
            }
        },
        status=status,
    )


# -- webhooks as Meta posts them ---------------------------------------------------------------


def envelope(
    messages: list[dict[str, Any]] | None = None,
    contacts: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
    phone_number_id: str = DEFAULT_PHONE_NUMBER_ID,
) -> dict[str, Any]:
    """One entry with one "messages" change, the documented envelope."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000000", "phone_number_id": phone_number_id},
    }
    if contacts is not None:
        value["contacts"] = contacts
    if messages is not None:
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}],
    }


def contact(wa_id: str, user_id: str | None = None, name: str = "Pengguna") -> dict[str, Any]:
    entry: dict[str, Any] = {"profile": {"name": name}, "wa_id": wa_id}
    if user_id is not None:
        entry["user_id"] = user_id
    return entry


def text_message(sender: str, message_id: str, body: str) -> dict[str, Any]:
    return {
        "from": sender,
        "id": message_id,
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": body},
    }


def text_webhook(
    sender: str, message_id: str, body: str, user_id: str | None = None
) -> dict[str, Any]:
    return envelope([text_message(sender, message_id, body)], [contact(sender, user_id)])


def sign(raw: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()


def signed(payload: dict[str, Any], app_secret: str) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers of a webhook POST, signed with the app secret."""
    raw = json.dumps(payload).encode()
    return raw, {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, app_secret)}
