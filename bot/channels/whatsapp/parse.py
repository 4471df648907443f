"""WhatsApp Cloud API webhooks, inbound side: verification, signatures and lenient parsing.

Pure functions with no I/O, so that every documented payload shape (and every malformed one) can be
tested directly. Parsing never raises: Meta adds fields and types over time (schema drift broke
strict parsers elsewhere), so anything unexpected becomes an "unsupported" message or is skipped.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from bot.intake import repair
from bot.privacy import hmac_hex

SIGNATURE_HEADER = "X-Hub-Signature-256"
_SIGNATURE_PREFIX = "sha256="

# Kinds that get a reply, and the ones that are only recorded.
TEXT_KINDS = frozenset({"text", "button_reply", "list_reply", "quick_reply", "welcome"})
MEDIA_KINDS = frozenset(
    {"image", "audio", "voice", "video", "document", "sticker", "location", "contacts"}
)
SILENT_KINDS = frozenset({"reaction", "reaction_removed", "system"})
# A phone number as WhatsApp writes it (country code and digits, no plus); anything else in
# `from` is a business-scoped user id (BSUID) such as "US.13491208655302741918".
_PHONE = re.compile(r"^\+?\d{5,20}$")


class SignatureCheck(Enum):
    OK = "ok"
    MISSING = "missing"
    INVALID = "invalid"


def check_signature(raw_body: bytes, header: str | None, app_secret: str) -> SignatureCheck:
    """Compare X-Hub-Signature-256 with the HMAC-SHA256 of the raw body, in constant time.

    Without a configured secret nothing is valid: the webhook fails closed."""
    if not header:
        return SignatureCheck.MISSING
    if not app_secret or not header.startswith(_SIGNATURE_PREFIX):
        return SignatureCheck.INVALID
    # Keyed once per app secret, copied for each body (bot.privacy.hmac_hex).
    expected = hmac_hex(app_secret, raw_body)
    given = header[len(_SIGNATURE_PREFIX) :].strip().lower()
    if hmac.compare_digest(expected.encode(), given.encode("ascii", "replace")):
        return SignatureCheck.OK
    return SignatureCheck.INVALID


def sign(raw_body: bytes, app_secret: str) -> str:
    """The header value Meta sends for this body (used by the fakes, the tests and the bench)."""
    return _SIGNATURE_PREFIX + hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()


def verify_challenge(params: Mapping[str, str], verify_token: str) -> str | None:
    """The challenge to echo when the subscription request is genuine, else None (answer 403)."""
    mode = params.get("hub.mode", "")
    token = params.get("hub.verify_token", "")
    challenge = params.get("hub.challenge")
    if not verify_token or mode != "subscribe" or challenge is None:
        return None
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    return challenge


@dataclass(frozen=True)
class InboundMessage:
    """One user message, reduced to what the bot needs.

    `address` is where the reply goes (the `from` of the message); `user_id` is what identifies
    the person for our keys: the BSUID when WhatsApp gives one, else the phone number. Both are
    raw identifiers: they are hashed before storing or logging, and `address` is kept only in the
    inbox payload until the reply is sent."""

    message_id: str
    kind: str
    address: str
    user_id: str
    text: str | None = None
    choice: str | None = None

    @property
    def address_field(self) -> str:
        """Phone numbers go in `to`; a BSUID (user hid the number) goes in `recipient`."""
        return "to" if _PHONE.match(self.address) else "recipient"

    @property
    def needs_reply(self) -> bool:
        return self.kind not in SILENT_KINDS


@dataclass(frozen=True)
class StatusUpdate:
    """The outcome of one of our sends: sent, delivered, read or failed (with error codes)."""

    message_id: str
    status: str
    error_codes: tuple[str, ...] = ()


@dataclass
class ParsedWebhook:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    # Entries, changes or messages that could not be used (no id, no sender, wrong shape).
    skipped: int = 0


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: object) -> str:
    """A string field; numbers are accepted (some senders write ids as numbers), else ''.

    Lone surrogates ("\\ud83d" escaped in the JSON) are repaired to U+FFFD: they cannot be
    encoded, stored or hashed, and used to fail the whole webhook with a 500."""
    if isinstance(value, str):
        return repair(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def parse_webhook(data: object) -> ParsedWebhook:
    """Every message and status in every entry and change; never raises."""
    common = _one_text_message(data)
    if common is not None:
        return common
    return _parse_any(data)


def _one_text_message(data: object) -> ParsedWebhook | None:
    """The shape nearly every webhook has (one entry, one change, one contact without a BSUID,
    one text message, no status), read without the general walk; None for any other shape,
    which `_parse_any` reads. Both read this shape alike (tests/test_whatsapp_parse.py)."""
    if type(data) is not dict:
        return None
    entries = data.get("entry")
    if type(entries) is not list or len(entries) != 1 or type(entries[0]) is not dict:
        return None
    changes = entries[0].get("changes")
    if type(changes) is not list or len(changes) != 1 or type(changes[0]) is not dict:
        return None
    change = changes[0]
    value = change.get("value")
    if change.get("field") != "messages" or type(value) is not dict or "statuses" in value:
        return None
    messages, contacts = value.get("messages"), value.get("contacts")
    if type(messages) is not list or len(messages) != 1 or type(messages[0]) is not dict:
        return None
    if type(contacts) is not list or len(contacts) != 1 or type(contacts[0]) is not dict:
        return None
    message = messages[0]
    if (
        message.get("type") != "text"
        or "from_user_id" in message
        or "user_id" in message
        or "user_id" in contacts[0]
    ):
        return None
    message_id, sender, text = message.get("id"), message.get("from"), message.get("text")
    if type(message_id) is not str or type(sender) is not str or not message_id or not sender:
        return None
    body = text.get("body") if type(text) is dict else None
    if type(body) is not str:
        return None
    sender = repair(sender)
    return ParsedWebhook([InboundMessage(repair(message_id), "text", sender, sender, repair(body))])


def _parse_any(data: object) -> ParsedWebhook:
    """Every message and status of a webhook of any shape (the general walk)."""
    parsed = ParsedWebhook()
    for entry in _list(_dict(data).get("entry")):
        changes = _list(_dict(entry).get("changes"))
        if not changes:
            parsed.skipped += 1
        for change in changes:
            change = _dict(change)
            value = _dict(change.get("value"))
            field_name = _str(change.get("field"))
            if field_name and field_name != "messages":
                # Account updates, template status changes...: nothing for a Q&A bot to do.
                parsed.skipped += 1
                continue
            _parse_value(value, parsed)
    return parsed


def _parse_value(value: dict[str, Any], parsed: ParsedWebhook) -> None:
    contacts = [_dict(c) for c in _list(value.get("contacts"))]
    for raw in _list(value.get("messages")):
        message = _parse_message(_dict(raw), contacts)
        if message is None:
            parsed.skipped += 1
        else:
            parsed.messages.append(message)
    for raw in _list(value.get("statuses")):
        status = _parse_status(_dict(raw))
        if status is None:
            parsed.skipped += 1
        else:
            parsed.statuses.append(status)


def _user_id(sender: str, message: dict[str, Any], contacts: list[dict[str, Any]]) -> str:
    """The BSUID when present (stable even when the user hides the number), else the sender."""
    direct = _str(message.get("from_user_id")) or _str(message.get("user_id"))
    if direct:
        return direct
    matching = [
        c for c in contacts if sender and sender in (_str(c.get("wa_id")), _str(c.get("user_id")))
    ]
    if not matching and len(contacts) == 1:
        # One contact per change is the documented shape; trust it even if wa_id is formatted
        # differently from `from` (a leading plus, for instance).
        matching = contacts
    for contact in matching:
        bsuid = _str(contact.get("user_id"))
        if bsuid:
            return bsuid
    return sender


def _parse_message(
    message: dict[str, Any], contacts: list[dict[str, Any]]
) -> InboundMessage | None:
    message_id = _str(message.get("id"))
    sender = _str(message.get("from"))
    if not sender:
        only = contacts[0] if len(contacts) == 1 else {}
        sender = _str(only.get("wa_id")) or _str(only.get("user_id"))
    if not message_id or not sender:
        return None
    user_id = _user_id(sender, message, contacts)
    kind, text, choice = _classify(message)
    return InboundMessage(message_id, kind, sender, user_id, text, choice)


def _classify(message: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """(kind, text, choice) of one message; unknown shapes are "unsupported"."""
    kind = _str(message.get("type"))
    if kind == "text":
        return "text", _str(_dict(message.get("text")).get("body")), None
    if kind == "interactive":
        interactive = _dict(message.get("interactive"))
        for reply_kind in ("button_reply", "list_reply"):
            reply = _dict(interactive.get(reply_kind))
            if reply:
                option_id = _str(reply.get("id"))
                title = _str(reply.get("title"))
                if option_id:
                    return reply_kind, None, option_id
                if title:
                    return reply_kind, title, None
        # An interactive message without a reply object (or a Flow response): nothing to use.
        return "unsupported", None, None
    if kind == "button":
        # A template quick-reply button: not "interactive". The payload is ours when we set it;
        # the worker decides whether it is an option id, otherwise the visible text is used.
        button = _dict(message.get("button"))
        payload = _str(button.get("payload"))
        title = _str(button.get("text"))
        if payload or title:
            return "quick_reply", title or payload, payload or None
        return "unsupported", None, None
    if kind == "audio":
        return (
            ("voice" if _dict(message.get("audio")).get("voice") is True else "audio"),
            None,
            None,
        )
    if kind in ("image", "video", "document"):
        # A caption is something the user typed: answer it as a question.
        caption = _str(_dict(message.get(kind)).get("caption")).strip()
        return kind, caption or None, None
    if kind == "reaction":
        # An empty emoji means the user took a reaction back; neither gets a reply.
        emoji = _str(_dict(message.get("reaction")).get("emoji"))
        return ("reaction" if emoji else "reaction_removed"), None, None
    if kind in ("sticker", "location", "contacts", "system"):
        return kind, None, None
    if kind == "request_welcome":
        # The user opened the chat for the first time: greet them.
        return "welcome", None, None
    return "unsupported", None, None


def _parse_status(status: dict[str, Any]) -> StatusUpdate | None:
    message_id = _str(status.get("id"))
    state = _str(status.get("status"))
    if not message_id or not state:
        return None
    codes = tuple(
        code for code in (_str(_dict(e).get("code")) for e in _list(status.get("errors"))) if code
    )
    return StatusUpdate(message_id, state, codes)
