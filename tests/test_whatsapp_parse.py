"""Inbound WhatsApp webhooks as pure functions: signature, verification, lenient parsing."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.whatsapp.parse import (
    SignatureCheck,
    _one_text_message,
    _parse_any,
    check_signature,
    parse_webhook,
    sign,
    verify_challenge,
)
from tests.fakes.graph_api import contact, envelope

FIXTURES = Path(__file__).parent / "fixtures" / "whatsapp"
MESSAGES: dict[str, Any] = json.loads((FIXTURES / "messages.json").read_text(encoding="utf-8"))
STATUSES: dict[str, Any] = json.loads((FIXTURES / "statuses.json").read_text(encoding="utf-8"))
SECRET = "1222e786b144d0e85b9f365372d93676"


def fixture(name: str) -> dict[str, Any]:
    return copy.deepcopy(MESSAGES[name])


# -- signature ---------------------------------------------------------------------------------


def test_a_body_signed_with_the_app_secret_is_accepted() -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    assert check_signature(body, sign(body, SECRET), SECRET) is SignatureCheck.OK


def test_the_hex_digest_is_compared_case_insensitively() -> None:
    body = b"{}"
    header = "sha256=" + sign(body, SECRET).removeprefix("sha256=").upper()
    assert check_signature(body, header, SECRET) is SignatureCheck.OK


def test_one_changed_byte_breaks_the_signature() -> None:
    body = b'{"entry":[1]}'
    assert check_signature(b'{"entry":[2]}', sign(body, SECRET), SECRET) is SignatureCheck.INVALID


def test_a_missing_signature_is_reported_as_missing() -> None:
    assert check_signature(b"{}", None, SECRET) is SignatureCheck.MISSING
    assert check_signature(b"{}", "", SECRET) is SignatureCheck.MISSING


@pytest.mark.parametrize("header", ["sha1=abc", "abc", "sha256=", "sha256=zz\u00e9"])
def test_a_malformed_signature_header_is_invalid(header: str) -> None:
    assert check_signature(b"{}", header, SECRET) is SignatureCheck.INVALID


def test_without_a_configured_secret_nothing_is_valid() -> None:
    body = b"{}"
    assert check_signature(body, sign(body, ""), "") is SignatureCheck.INVALID


# -- verification ------------------------------------------------------------------------------


def test_the_challenge_is_returned_for_the_right_token() -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "1158201444"}
    assert verify_challenge(params, "tok") == "1158201444"


@pytest.mark.parametrize(
    ("params", "configured"),
    [
        ({"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"}, "tok"),
        ({"hub.mode": "unsubscribe", "hub.verify_token": "tok", "hub.challenge": "1"}, "tok"),
        ({"hub.verify_token": "tok", "hub.challenge": "1"}, "tok"),
        ({"hub.mode": "subscribe", "hub.verify_token": "tok"}, "tok"),
        ({"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}, ""),
    ],
)
def test_the_challenge_is_refused_otherwise(params: dict[str, str], configured: str) -> None:
    assert verify_challenge(params, configured) is None


# -- message kinds -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "text", "choice"),
    [
        ("text", "text", "apa itu jht", None),
        ("text_reply", "text", "cara klaimnya?", None),
        ("text_forwarded", "text", "berapa iuran bpu", None),
        ("button_reply", "button_reply", None, "jkm_klaim"),
        ("list_reply", "list_reply", None, "kontak_resmi"),
        ("interactive_without_reply", "unsupported", None, None),
        ("quick_reply", "quick_reply", "Apa itu JHT", "jht_apa"),
        ("quick_reply_free_payload", "quick_reply", "berapa iuran bpu", "PROMO-2026-STOP"),
        ("image", "image", None, None),
        ("image_caption", "image", "apa itu jht", None),
        ("audio", "audio", None, None),
        ("voice", "voice", None, None),
        ("video", "video", None, None),
        ("document", "document", None, None),
        ("sticker", "sticker", None, None),
        ("location", "location", None, None),
        ("contacts", "contacts", None, None),
        ("reaction", "reaction", None, None),
        ("reaction_removed", "reaction_removed", None, None),
        ("unsupported", "unsupported", None, None),
        ("unknown", "unsupported", None, None),
        ("system", "system", None, None),
        ("future_type", "unsupported", None, None),
    ],
)
def test_every_documented_message_kind_is_recognised(
    name: str, kind: str, text: str | None, choice: str | None
) -> None:
    message = fixture(name)
    parsed = parse_webhook(envelope([message], [contact("6281200000001")]))
    assert parsed.skipped == 0
    [inbound] = parsed.messages
    assert (inbound.kind, inbound.text, inbound.choice) == (kind, text, choice)
    assert inbound.message_id == message["id"]
    assert inbound.address == "6281200000001"


@pytest.mark.parametrize("name", ["reaction", "reaction_removed", "system"])
def test_reactions_and_system_messages_need_no_reply(name: str) -> None:
    [inbound] = parse_webhook(envelope([fixture(name)])).messages
    assert not inbound.needs_reply


def test_statuses_are_parsed_with_their_error_codes() -> None:
    statuses = [copy.deepcopy(STATUSES[n]) for n in ("sent", "delivered", "read", "failed_131047")]
    parsed = parse_webhook(envelope(statuses=statuses))
    assert parsed.messages == []
    assert [(s.status, s.error_codes) for s in parsed.statuses] == [
        ("sent", ()),
        ("delivered", ()),
        ("read", ()),
        ("failed", ("131047",)),
    ]


# -- who the user is ---------------------------------------------------------------------------


def test_the_business_scoped_user_id_identifies_the_user_when_present() -> None:
    message = fixture("text")
    parsed = parse_webhook(
        envelope([message], [contact("6281200000001", "ID.13491208655302741918")])
    )
    [inbound] = parsed.messages
    assert inbound.user_id == "ID.13491208655302741918"
    # The reply still goes to the number WhatsApp gave as the sender.
    assert (inbound.address, inbound.address_field) == ("6281200000001", "to")


def test_a_user_who_hides_the_number_is_answered_by_bsuid() -> None:
    message = fixture("text")
    message["from"] = "ID.13491208655302741918"
    parsed = parse_webhook(
        envelope([message], [{"profile": {"name": "A"}, "user_id": "ID.13491208655302741918"}])
    )
    [inbound] = parsed.messages
    assert inbound.user_id == "ID.13491208655302741918"
    assert (inbound.address, inbound.address_field) == ("ID.13491208655302741918", "recipient")


def test_without_contacts_the_sender_number_identifies_the_user() -> None:
    [inbound] = parse_webhook(envelope([fixture("text")])).messages
    assert inbound.user_id == "6281200000001"


def test_each_message_is_matched_to_its_own_contact() -> None:
    first, second = fixture("text"), fixture("text")
    second["from"], second["id"] = "6281200000002", "wamid.OTHER"
    contacts = [contact("6281200000001", "ID.1"), contact("6281200000002", "ID.2")]
    parsed = parse_webhook(envelope([first, second], contacts))
    assert [m.user_id for m in parsed.messages] == ["ID.1", "ID.2"]


# -- leniency ----------------------------------------------------------------------------------


def test_every_entry_and_every_change_is_read() -> None:
    one, two = fixture("text"), fixture("voice")
    payload = envelope([one])
    payload["entry"].append(envelope([two])["entry"][0])
    payload["entry"][0]["changes"].append({"field": "account_update", "value": {"event": "X"}})
    parsed = parse_webhook(payload)
    assert [m.kind for m in parsed.messages] == ["text", "voice"]
    assert parsed.skipped == 1


def test_messages_without_id_or_sender_are_skipped_not_fatal() -> None:
    no_id, no_sender = fixture("text"), fixture("text")
    del no_id["id"]
    del no_sender["from"]
    parsed = parse_webhook(envelope([no_id, no_sender, "junk", None]))  # type: ignore[list-item]
    assert parsed.messages == []
    assert parsed.skipped == 4


def test_wrong_types_are_tolerated() -> None:
    message = fixture("text")
    message["id"] = 12345
    message["text"] = "not an object"
    [inbound] = parse_webhook(envelope([message])).messages
    assert (inbound.message_id, inbound.kind, inbound.text) == ("12345", "text", "")


@pytest.mark.parametrize("payload", [None, [], "x", 3, {"entry": "x"}, {"entry": [{"changes": 5}]}])
def test_payloads_of_the_wrong_shape_give_nothing(payload: object) -> None:
    parsed = parse_webhook(payload)
    assert parsed.messages == [] and parsed.statuses == []


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "entry",
                    "changes",
                    "value",
                    "messages",
                    "statuses",
                    "contacts",
                    "from",
                    "id",
                    "type",
                    "text",
                    "body",
                    "interactive",
                    "button_reply",
                    "list_reply",
                    "button",
                    "payload",
                    "audio",
                    "voice",
                    "errors",
                    "code",
                    "status",
                    "user_id",
                    "wa_id",
                    "field",
                    "reaction",
                    "emoji",
                    "image",
                    "caption",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(_json)
def test_parsing_never_raises(payload: object) -> None:
    parse_webhook(payload)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(k for k in MESSAGES if not k.startswith("_"))),
    _json,
    st.text(max_size=12),
)
def test_parsing_a_real_message_with_a_field_replaced_never_raises(
    name: str, junk: object, key: str
) -> None:
    message = fixture(name)
    target = message
    for part in (name.split("_")[0], key):
        if isinstance(target.get(part), dict):
            target = target[part]
    target[key or "type"] = junk
    parse_webhook(envelope([message], [contact("6281200000001")]))


# -- the common shape's short way ----------------------------------------------------------------


def _agrees(payload: object) -> None:
    """The short way reads a payload as the general walk does, or leaves it to the walk."""
    short = _one_text_message(payload)
    assert short is None or short == _parse_any(payload)


def test_one_text_message_takes_the_short_way_and_reads_as_the_walk_does() -> None:
    payload = envelope([fixture("text")], [contact(fixture("text")["from"])])
    short = _one_text_message(payload)
    assert short is not None and short.messages
    assert short == _parse_any(payload) == parse_webhook(payload)
    broken = copy.deepcopy(payload)
    broken["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] = "apa \ud83d itu"
    assert _one_text_message(broken) == _parse_any(broken)
    assert parse_webhook(broken).messages[0].text == "apa \ufffd itu"


def test_other_shapes_are_left_to_the_general_walk() -> None:
    text = fixture("text")
    for payload in (
        envelope([text], [contact(text["from"], "US.1234567890")]),  # a BSUID
        envelope([text, fixture("text")], [contact(text["from"])]),  # two messages
        envelope([text], []),  # no contact
        envelope([fixture("image")], [contact(text["from"])]),  # not text
    ):
        assert _one_text_message(payload) is None
        _agrees(payload)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(k for k in MESSAGES if not k.startswith("_"))),
    _json,
    st.text(max_size=12),
    st.sampled_from(["message", "contact", "value", "change", "entry"]),
)
def test_the_short_way_and_the_walk_agree_on_damaged_payloads(
    name: str, junk: object, key: str, where: str
) -> None:
    message = fixture(name)
    payload = envelope([message], [contact(str(message.get("from", "6281200000001")))])
    change = payload["entry"][0]["changes"][0]
    target = {
        "message": message,
        "contact": change["value"]["contacts"][0],
        "value": change["value"],
        "change": change,
        "entry": payload["entry"][0],
    }[where]
    target[key or "type"] = junk
    _agrees(payload)
    _agrees(envelope([message], [contact("6281200000001")]))
