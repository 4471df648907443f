"""Random messages through the engine and every renderer, and the checks each answer must pass.

Shared by tests/test_fuzz.py (a bounded number of examples in `make test`) and bench/fuzz.py
(`make fuzz`: many more, with a report of inputs tried and failures).
"""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from bot.channels import console
from bot.channels.telegram import render as telegram_render
from bot.channels.whatsapp import send as whatsapp_send
from bot.engine import Engine
from core.reply import Reply
from core.session import Session
from knowledge.options import option_ids
from knowledge.text import PLACEHOLDER

WORDS = st.sampled_from(
    [
        "iuran", "jht", "brp", "klaim", "upah", "gaji", "penghasilan", "kontrak", "jakon",
        "jkk", "jkp", "bpu", "kalau", "Rp", "jt", "juta", "miliar", "triliun", "rb", "nik",
        "kpj", "kupang", "😀", "\ud83d", "\u200b", "ga", "?", "1,5 jt", "0812 3456 7891",
        "NIK3201234567890125", "berapa", "cara", "daftar", "kantor", "/", "_", "-",
    ]
)  # fmt: skip
AMOUNTS = st.one_of(
    st.integers(min_value=0, max_value=10**40).map(str),
    st.integers(min_value=0, max_value=10**40).map(lambda n: f"Rp{n:,}".replace(",", ".")),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
)
MESSAGES = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(WORDS, AMOUNTS), max_size=14).map(" ".join),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=900, max_size=3000),
    st.lists(st.text(alphabet="0123456789 .,-/_", max_size=40), max_size=5).map(" ".join),
)
# A short conversation: follow-ups exercise the session (pending questions, typed numbers).
CONVERSATIONS = st.lists(
    st.one_of(MESSAGES, st.sampled_from(["1", "2", "3", "2 juta"])), min_size=1, max_size=4
)


def problems(reply: Reply, codec: telegram_render.CallbackCodec) -> list[str]:
    """Every way this reply breaks a channel's limits or shows an unfilled placeholder."""
    found: list[str] = []
    if not reply.text.strip():
        found.append("empty text")
    if PLACEHOLDER.search(reply.text):
        found.append("placeholder left: " + PLACEHOLDER.search(reply.text).group(0))  # type: ignore[union-attr]
    for piece in telegram_render.render(reply, codec):
        if len(piece.text.encode("utf-16-le")) // 2 > telegram_render.MAX_TEXT:
            found.append("telegram text over 4096")
        for row in piece.keyboard.inline_keyboard if piece.keyboard else ():
            for button in row:
                if len(str(button.callback_data).encode()) > telegram_render.MAX_CALLBACK_BYTES:
                    found.append("telegram callback_data over 64 bytes")
    for message in whatsapp_send.render(reply):
        found.extend(_whatsapp_problems(message))
    if not console.render(reply).strip():
        found.append("empty console text")
    return found


def _whatsapp_problems(message: whatsapp_send.Message) -> list[str]:
    found = []
    if message.get("type") == "text":
        if len(message["text"]["body"]) > whatsapp_send.TEXT_LIMIT:
            found.append("whatsapp text over 4096")
        return found
    interactive = message["interactive"]
    if len(interactive["body"]["text"]) > whatsapp_send.BODY_LIMIT:
        found.append("whatsapp interactive body over 1024")
    action = interactive["action"]
    buttons = action.get("buttons", [])
    if len(buttons) > whatsapp_send.MAX_BUTTONS:
        found.append("more than 3 buttons")
    if any(len(b["reply"]["title"]) > whatsapp_send.BUTTON_TITLE_LIMIT for b in buttons):
        found.append("button title over 20")
    rows = [r for s in action.get("sections", []) for r in s["rows"]]
    if len(rows) > whatsapp_send.MAX_ROWS:
        found.append("more than 10 rows")
    if any(len(r["title"]) > whatsapp_send.ROW_TITLE_LIMIT for r in rows):
        found.append("row title over 24")
    return found


def run_conversation(engine: Engine, messages: list[str], today: date) -> list[str]:
    """The problems of every reply in one conversation; an exception is a problem too."""
    codec = telegram_render.CallbackCodec(lambda: option_ids(engine.knowledge))
    session = Session()
    found: list[str] = []
    for text in messages:
        try:
            reply = engine.answer(text, session, today)
        except Exception as exc:
            return [*found, f"raised {type(exc).__name__} on {text[:80]!r}"]
        found.extend(f"{p} on {text[:80]!r}" for p in problems(reply, codec))
    return found
