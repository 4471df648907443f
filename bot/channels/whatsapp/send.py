"""WhatsApp Cloud API, outbound side: a Reply rendered as Graph API messages, and the client that
sends them with bounded retries.

Rendering is a pure function (tested with hypothesis against the documented limits); the client
owns no session of its own: the application's one ClientSession is handed in.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.channels.backoff import RetryPolicy
from bot.channels.text import body, numbered_options, split_message
from bot.jsontext import to_json
from bot.metrics import metrics
from core.reply import Option, Reply
from handlers.words import LIST_BUTTON_LABEL, LIST_SECTION_TITLE, SHORT_PROMPT

log = logging.getLogger(__name__)

# Documented limits (protocols.md B1 #14-16).
TEXT_LIMIT = 4096
BODY_LIMIT = 1024
MAX_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
BUTTON_ID_LIMIT = 256
MAX_ROWS = 10
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
ROW_ID_LIMIT = 200
# biz_opaque_callback_data is at most 512 characters.
MARKER_LIMIT = 512

Message = dict[str, Any]


def cut(title: str, limit: int) -> str:
    """Shorten a title to the limit by design: whole words where possible, and an ellipsis."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    head = title[: limit - 1]
    if " " in head and head.rfind(" ") >= limit // 2:
        head = head[: head.rfind(" ")]
    return head.rstrip(" ,.;:-") + "…"


def _text(part: str) -> Message:
    # No link previews: the sources line may carry a URL, and a preview card would push the
    # answer itself off a small screen.
    return {"type": "text", "text": {"body": part, "preview_url": False}}


def _texts(text: str) -> list[Message]:
    return [_text(part) for part in split_message(text, TEXT_LIMIT) if part.strip()]


def interactive_kind(options: tuple[Option, ...]) -> str | None:
    """'button' when every option fits a reply button, 'list' when they fit list rows (titles
    are cut to 24 characters), None when only numbered lines will do."""
    ids = [o.id for o in options]
    if not options or any(not i for i in ids) or len(set(ids)) != len(ids):
        return None
    titles = [" ".join(o.title.split()) for o in options]
    if any(not t for t in titles):
        return None
    if (
        len(options) <= MAX_BUTTONS
        and all(len(t) <= BUTTON_TITLE_LIMIT for t in titles)
        and len(set(titles)) == len(titles)
        and all(len(i) <= BUTTON_ID_LIMIT for i in ids)
    ):
        return "button"
    if len(options) <= MAX_ROWS and all(len(i) <= ROW_ID_LIMIT for i in ids):
        return "list"
    return None


def _interactive(kind: str, text: str, options: tuple[Option, ...]) -> Message:
    if kind == "button":
        buttons = [
            {"type": "reply", "reply": {"id": o.id, "title": " ".join(o.title.split())}}
            for o in options
        ]
        action: dict[str, Any] = {"buttons": buttons}
    else:
        rows = []
        for o in options:
            title = " ".join(o.title.split())
            row: dict[str, str] = {"id": o.id, "title": cut(title, ROW_TITLE_LIMIT)}
            if len(title) > ROW_TITLE_LIMIT:
                # The cut title is completed underneath, so nothing the user needs is lost.
                row["description"] = cut(title, ROW_DESCRIPTION_LIMIT)
            rows.append(row)
        action = {
            "button": LIST_BUTTON_LABEL,
            "sections": [{"title": LIST_SECTION_TITLE, "rows": rows}],
        }
    return {
        "type": "interactive",
        "interactive": {"type": kind, "body": {"text": text}, "action": action},
    }


def render(reply: Reply) -> list[Message]:
    """The Graph API messages (without the recipient) that show this reply, in order."""
    text = body(reply).strip()
    kind = interactive_kind(reply.options)
    if kind is None:
        numbered = numbered_options(reply.options)
        return _texts("\n\n".join(part for part in (text, numbered) if part))
    if text and len(text) <= BODY_LIMIT:
        return [_interactive(kind, text, reply.options)]
    return [*_texts(text), _interactive(kind, SHORT_PROMPT, reply.options)]


# -- sending ---------------------------------------------------------------------------------

# Graph error codes that mean "not now" rather than "never": rate limits (130429 throughput,
# 131056 pair rate, 80007 account, 4 app), and Meta's own temporary failures.
TRANSIENT_CODES = frozenset(
    {"1", "2", "4", "80007", "130429", "131000", "131016", "131056", "133004"}
)


@dataclass(frozen=True)
class SendResult:
    ok: bool
    # Given up for good (e.g. 131047 outside the 24-hour window): do not try again.
    permanent: bool = False
    # The Graph error code, or "http_<status>", "timeout", "network": never any content.
    error: str = ""
    attempts: int = 1
    message_id: str = ""


def _error_code(status: int, data: object) -> str:
    error = data.get("error") if isinstance(data, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    if isinstance(code, int | str) and not isinstance(code, bool) and str(code):
        return str(code)
    return f"http_{status}"


def is_transient(status: int, code: str) -> bool:
    return status >= 500 or status == 429 or code in TRANSIENT_CODES


class GraphClient:
    """POST {api_url}/{phone_number_id}/messages with the access token, retrying what is worth
    retrying. `sleep`, `clock` and `jitter` are parameters so that tests run the real retry logic
    in virtual time."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_url: str,
        phone_number_id: str,
        access_token: str,
        *,
        policy: RetryPolicy | None = None,
        concurrency: int = 8,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.session = session
        self.api_url = api_url.rstrip("/")
        self.url = f"{self.api_url}/{phone_number_id}/messages"
        self._told_wrong_url = False
        # The body goes out as bytes we encode (aiohttp's json= makes a payload object and a
        # new encoder per request), hence the content type here.
        self._headers = {
            "Authorization": f"Bearer {access_token}",
            "Content-Type": "application/json",
        }
        self.policy = policy or RetryPolicy()
        self._timeout = aiohttp.ClientTimeout(total=self.policy.timeout_s)
        # Bounds the requests in flight towards Meta, whatever the number of users waiting.
        self._slots = asyncio.Semaphore(concurrency)
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter

    async def mark_read(self, message_id: str) -> SendResult:
        """Blue ticks for the user's message. Cosmetic, so one attempt and no retries: an outage
        should not delay the answer itself."""
        payload = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
        return await self._attempt(payload, attempt=1)

    async def typing(self, message_id: str) -> SendResult:
        """The typing indicator on the chat of the user's message `message_id` (it also marks
        the message read); WhatsApp clears it with our next message, or after 25 seconds.
        Cosmetic: one attempt."""
        payload = {
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": message_id,
            "typing_indicator": {"type": "text"},
        }
        return await self._attempt(payload, attempt=1)

    async def send(
        self,
        address_field: str,
        address: str,
        message: Message,
        marker: str = "",
        typing_for: str = "",
    ) -> SendResult:
        """Send one message, retrying what is worth retrying. While a retry waits, the user
        sees the typing indicator on `typing_for` (the message being answered), not silence."""
        payload: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            address_field: address,
            **message,
        }
        if marker and len(marker) <= MARKER_LIMIT:
            # Meta echoes this in the status webhooks of this message.
            payload["biz_opaque_callback_data"] = marker
        return await self._with_retries(payload, typing_for)

    async def _with_retries(self, payload: dict[str, Any], typing_for: str = "") -> SendResult:
        policy = self.policy
        started = self._clock()
        attempt = 1
        while True:
            sent_at = time.perf_counter()
            result = await self._attempt(payload, attempt)
            metrics().sent("whatsapp", time.perf_counter() - sent_at, result.error)
            if result.ok or result.permanent or attempt >= policy.max_attempts:
                return result
            delay = policy.delay(attempt, self._jitter())
            if self._clock() - started + delay > policy.budget_s:
                return result
            log.info(
                "whatsapp send: %s, retrying in %.1f s (attempt %d/%d)",
                result.error,
                delay,
                attempt,
                policy.max_attempts,
            )
            if typing_for:
                await self.typing(typing_for)
            await self._sleep(delay)
            attempt += 1

    async def _attempt(self, payload: dict[str, Any], attempt: int) -> SendResult:
        timeout = self._timeout
        try:
            async with (
                self._slots,
                self.session.post(
                    self.url,
                    data=to_json(payload).encode(),
                    headers=self._headers,
                    timeout=timeout,
                ) as response,
            ):
                raw = await response.read()
                status = response.status
        except TimeoutError:
            return SendResult(ok=False, error="timeout", attempts=attempt)
        except aiohttp.ClientError as exc:
            # The exception text may name the host; the type is enough and never holds a secret.
            log.debug("whatsapp send: %s", type(exc).__name__)
            return SendResult(ok=False, error="network", attempts=attempt)
        try:
            data: object = json.loads(raw) if raw else {}
        except ValueError:
            data = {}
        if 200 <= status < 300:
            return SendResult(ok=True, attempts=attempt, message_id=_sent_id(data))
        code = _error_code(status, data)
        if is_transient(status, code):
            return SendResult(ok=False, error=code, attempts=attempt)
        if code.startswith("http_") and status in (404, 405) and not self._told_wrong_url:
            # Not even a Graph error: nothing that speaks the Graph API lives at this address.
            self._told_wrong_url = True
            log.error(
                "whatsapp: POST %s/<WHATSAPP_PHONE_NUMBER_ID>/messages answered %d without a "
                "Graph API error; check WHATSAPP_API_URL=%s (server and version, e.g. %s)",
                self.api_url,
                status,
                self.api_url,
                "https://graph.facebook.com/v23.0",
            )
        if status in (401, 403) or code == "190":
            log.error(
                "whatsapp: the Graph API refused the access token (%s); check WHATSAPP_ACCESS_TOKEN",
                code,
            )
        return SendResult(ok=False, permanent=True, error=code, attempts=attempt)


def _sent_id(data: object) -> str:
    messages = data.get("messages") if isinstance(data, dict) else None
    if isinstance(messages, list) and messages and isinstance(messages[0], dict):
        value = messages[0].get("id")
        return value if isinstance(value, str) else ""
    return ""
