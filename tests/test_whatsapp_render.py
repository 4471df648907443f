"""A Reply as WhatsApp messages: reply buttons, lists, numbered text, always within the limits."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.text import body
from bot.channels.whatsapp.send import (
    BODY_LIMIT,
    BUTTON_ID_LIMIT,
    BUTTON_TITLE_LIMIT,
    LIST_BUTTON_LABEL,
    MAX_BUTTONS,
    MAX_ROWS,
    ROW_DESCRIPTION_LIMIT,
    ROW_ID_LIMIT,
    ROW_TITLE_LIMIT,
    SHORT_PROMPT,
    TEXT_LIMIT,
    cut,
    render,
)
from core.reply import Option, Reply


def options(*titles: str) -> tuple[Option, ...]:
    return tuple(Option(f"opt_{i}", t) for i, t in enumerate(titles, 1))


def test_a_reply_without_options_is_one_text_message_with_its_sources() -> None:
    reply = Reply(text="JHT = Jaminan Hari Tua.", sources=("PP 46/2015",))
    assert render(reply) == [
        {
            "type": "text",
            "text": {
                "body": "JHT = Jaminan Hari Tua.\n\nSumber: PP 46/2015.",
                "preview_url": False,
            },
        }
    ]


def test_up_to_three_short_options_become_reply_buttons() -> None:
    reply = Reply(
        text="Pilih:", options=options("Cara klaim JKM", "Beasiswa anak", "Iuran mandiri")
    )
    [message] = render(reply)
    interactive = message["interactive"]
    assert interactive["type"] == "button"
    assert interactive["body"] == {"text": "Pilih:"}
    assert interactive["action"]["buttons"] == [
        {"type": "reply", "reply": {"id": "opt_1", "title": "Cara klaim JKM"}},
        {"type": "reply", "reply": {"id": "opt_2", "title": "Beasiswa anak"}},
        {"type": "reply", "reply": {"id": "opt_3", "title": "Iuran mandiri"}},
    ]


def test_a_button_title_of_exactly_twenty_characters_still_fits() -> None:
    title = "Klaim JHT resign/PHK"
    assert len(title) == BUTTON_TITLE_LIMIT
    [message] = render(Reply(text="x", options=options(title)))
    assert message["interactive"]["type"] == "button"


def test_more_than_three_options_become_a_list() -> None:
    titles = ("Apa itu BPJS TK", "Iuran pekerja mandiri", "Cara daftar", "Cara bayar iuran")
    [message] = render(Reply(text="Menu", options=options(*titles)))
    interactive = message["interactive"]
    assert interactive["type"] == "list"
    action = interactive["action"]
    assert action["button"] == LIST_BUTTON_LABEL
    assert [r["title"] for r in action["sections"][0]["rows"]] == list(titles)
    assert [r["id"] for r in action["sections"][0]["rows"]] == ["opt_1", "opt_2", "opt_3", "opt_4"]


def test_a_title_too_long_for_a_button_makes_a_list_instead() -> None:
    [message] = render(
        Reply(text="x", options=options("Iuran pekerja mandiri (BPU)", "Cara daftar"))
    )
    assert message["interactive"]["type"] == "list"


def test_list_titles_are_cut_by_design_and_completed_in_the_description() -> None:
    long_title = "Jumlah peserta di Kabupaten Timor Tengah Selatan"
    [message] = render(Reply(text="x", options=options(long_title, "a", "b", "c")))
    row = message["interactive"]["action"]["sections"][0]["rows"][0]
    assert len(row["title"]) <= ROW_TITLE_LIMIT
    assert row["title"].endswith("…")
    assert row["description"] == long_title


def test_ten_options_still_fit_a_list_but_eleven_become_numbered_text() -> None:
    ten = render(Reply(text="x", options=options(*(f"Topik {i}" for i in range(1, 11)))))
    assert ten[0]["interactive"]["type"] == "list"
    eleven = render(
        Reply(text="Pilih topik", options=options(*(f"Topik {i}" for i in range(1, 12))))
    )
    assert [m["type"] for m in eleven] == ["text"]
    text = eleven[0]["text"]["body"]
    assert text.startswith("Pilih topik\n\n1. Topik 1\n")
    assert "11. Topik 11" in text
    assert "(balas 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 atau 11)" in text


def test_duplicate_option_ids_fall_back_to_numbered_text() -> None:
    reply = Reply(text="x", options=(Option("a", "Satu"), Option("a", "Dua")))
    assert [m["type"] for m in render(reply)] == ["text"]


def test_an_answer_longer_than_an_interactive_body_goes_first_then_a_short_menu() -> None:
    text = "Kalimat jawaban yang panjang. " * 50
    assert len(text) > BODY_LIMIT
    messages = render(Reply(text=text, options=options("Satu", "Dua")))
    assert [m["type"] for m in messages] == ["text", "interactive"]
    assert messages[0]["text"]["body"] == text.strip()
    assert messages[1]["interactive"]["body"] == {"text": SHORT_PROMPT}


def test_a_very_long_answer_is_split_never_cut() -> None:
    paragraphs = [f"Paragraf {i}: " + "kata " * 150 for i in range(12)]
    reply = Reply(text="\n\n".join(paragraphs))
    messages = render(reply)
    assert len(messages) > 1
    bodies = [m["text"]["body"] for m in messages]
    assert all(len(b) <= TEXT_LIMIT for b in bodies)
    assert "".join(bodies).replace("\n", "").replace(" ", "") == body(reply).replace(
        "\n", ""
    ).replace(" ", "")


def test_an_empty_reply_sends_nothing_and_options_alone_get_a_prompt() -> None:
    assert render(Reply(text="")) == []
    [message] = render(Reply(text=" ", options=options("Satu")))
    assert message["interactive"]["body"] == {"text": SHORT_PROMPT}


def test_cut_keeps_titles_within_the_limit() -> None:
    assert cut("Pendek", 24) == "Pendek"
    assert cut("Kata " * 20, 24).endswith("…")
    assert len(cut("x" * 100, 24)) == 24


# -- limits, for any reply -------------------------------------------------------------------

_title = st.text(min_size=0, max_size=40)
_id = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_:-0123456789", min_size=0, max_size=260)


def _check_limits(message: dict[str, Any]) -> list[str]:
    """Every documented limit holds; returns the option titles shown (full or cut)."""
    if message["type"] == "text":
        text = message["text"]["body"]
        assert 0 < len(text) <= TEXT_LIMIT and text.strip()
        return []
    interactive = message["interactive"]
    assert 0 < len(interactive["body"]["text"]) <= BODY_LIMIT
    action = interactive["action"]
    if interactive["type"] == "button":
        buttons = action["buttons"]
        assert 1 <= len(buttons) <= MAX_BUTTONS
        titles = [b["reply"]["title"] for b in buttons]
        assert all(0 < len(t) <= BUTTON_TITLE_LIMIT for t in titles)
        assert len(set(titles)) == len(titles)
        assert all(0 < len(b["reply"]["id"]) <= BUTTON_ID_LIMIT for b in buttons)
        return titles
    assert interactive["type"] == "list"
    assert 0 < len(action["button"]) <= BUTTON_TITLE_LIMIT
    rows = [r for s in action["sections"] for r in s["rows"]]
    assert 1 <= len(rows) <= MAX_ROWS
    assert all(0 < len(r["title"]) <= ROW_TITLE_LIMIT for r in rows)
    assert all(len(r.get("description", "")) <= ROW_DESCRIPTION_LIMIT for r in rows)
    assert all(0 < len(r["id"]) <= ROW_ID_LIMIT for r in rows)
    return [r["title"] for r in rows]


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(max_size=6000),
    opts=st.lists(st.tuples(_id, _title), max_size=14),
    sources=st.lists(st.text(min_size=1, max_size=80), max_size=5),
)
def test_any_reply_renders_within_the_whatsapp_limits(
    text: str, opts: list[tuple[str, str]], sources: list[str]
) -> None:
    reply = Reply(text=text, options=tuple(Option(i, t) for i, t in opts), sources=tuple(sources))
    messages = render(reply)
    shown = [title for m in messages for title in _check_limits(m)]
    interactive = [m for m in messages if m["type"] == "interactive"]
    assert len(interactive) <= 1
    if interactive:
        # Options are offered as buttons or rows, every one of them.
        assert len(shown) == len(reply.options)
    elif reply.options:
        # Or as numbered lines, every one of them.
        joined = "\n".join(m["text"]["body"] for m in messages)
        assert f"{len(reply.options)}. " in joined
