"""The shortcuts that make reading a message cheap give what the long way gives.

A message with no digit and no number word skips the amount parser; non-ASCII text is mapped
to plain characters through a table filled as characters are met (and kept bounded); the
second-question search stops once the clauses left cannot give two intents.
"""

from __future__ import annotations

import unicodedata

import pytest

from bot import normalize
from bot.engine import Engine
from bot.numbers import find_amounts, find_numbers
from core.session import Session

from .conftest import TODAY


def _plain_the_long_way(text: str) -> str:
    kept = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char):
            continue
        kept.append(char if char.isascii() or char.isalnum() else " ")
    return "".join(kept).lower()


@pytest.mark.parametrize(
    "text",
    [
        "Iuran Café 😀🙏🏽 JHT",
        "e\u0301" * 20,
        "بي جي اس jht",
        "БПЖС пенсия",
        "保险 養老金",
        "berapa iuran\u200b\u200c\u200d",
        "ǅ ﬁ ① Ⅻ ²",
    ],
)
def test_non_ascii_text_reads_as_character_by_character(text: str) -> None:
    assert normalize._plain(text) == _plain_the_long_way(text)


def test_the_plain_character_table_stays_bounded() -> None:
    flood = "".join(chr(code) for code in range(0x4E00, 0x4E00 + 30_000))
    assert normalize._plain(flood) == _plain_the_long_way(flood)
    assert len(normalize._PLAIN_CHARS) <= 20_001


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("cara klaim jht gimana", []),
        ("GAJI DUA JUTA iurannya brp", [2_000_000]),
        ("penghasilan sejuta setengah", [1_500_000]),
        ("upah 3,5jt", [3_500_000]),
    ],
)
def test_amounts_with_and_without_number_words(text: str, amounts: list[int]) -> None:
    assert [a.value for a in find_amounts(text)] == amounts


def test_number_words_in_capitals_are_still_read() -> None:
    assert [value for value, _, _ in find_numbers("umur LIMA PULUH tahun")] == [50]


def test_clauses_that_ask_nothing_leave_one_question(engine: Engine) -> None:
    # The greeting gives no intent of its own: the search stops before the last clause, and
    # the message is one question.
    outcome = engine.respond("selamat pagi admin, cara klaim jht gimana", Session(), TODAY)
    single = engine.respond("cara klaim jht gimana", Session(), TODAY)
    assert outcome.reply.intent == single.reply.intent
    assert set(outcome.answered) <= {single.reply.intent}
