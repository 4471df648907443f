"""The shortcuts that make reading a message cheap give what the long way gives.

A message with no digit and no number word skips the amount parser, and a digit run that no
number word extends skips its grammar; non-ASCII text is mapped to plain characters through a
table filled as characters are met (and kept bounded), and words are split by another; a text
holding none of the amount words' endings skips their pattern; the second-question search stops
once the clauses left cannot give two intents.
"""

from __future__ import annotations

import re
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


@pytest.mark.parametrize(
    ("text", "amounts", "numbers"),
    [
        # A digit run that nothing extends is read without the grammar; one that a number
        # word extends ("2 juta", "2juta 500", "5 koma 5 juta") still goes through it.
        ("iuran 16.800 25 Maret 2026", [16_800], [25, 2026]),
        ("gaji 2 juta", [2_000_000], []),
        ("gaji 2juta 500", [2_500_000], []),
        ("upah 5 koma 5 juta", [5_500_000], []),
        ("penghasilan 2 setengah juta", [2_500_000], []),
        ("iuran 16800, 5 orang", [16_800], [5]),
        ("Rp 2.000.000,00 per bulan", [2_000_000], []),
        ("umur 45 tahun gaji 3500000", [3_500_000], [45]),
        ("100 50 ribu", [50_000], [100]),
        ("2-3 juta", [2_000_000, 3_000_000], []),
        ("GAJI 2 JUTA, UMUR 45", [2_000_000], [45]),
    ],
)
def test_lone_digit_runs_read_as_the_grammar_reads_them(
    text: str, amounts: list[int], numbers: list[int]
) -> None:
    assert [a.value for a in find_amounts(text)] == amounts
    assert [value for value, _, _ in find_numbers(text)] == numbers


def test_every_amount_word_holds_one_of_the_endings_that_let_a_text_skip_them() -> None:
    for word in normalize.AMOUNT_WORDS:
        assert any(ending in word for ending in normalize.AMOUNT_WORD_ENDINGS), word


@pytest.mark.parametrize(
    "text",
    ["iuran GOCENG sebulan", "sejuta setengah", "bayar cepek ceng", "iuran goceng 😀", "jht saja"],
)
def test_amount_words_are_spelt_as_the_pattern_alone_spells_them(text: str) -> None:
    spelt = normalize._AMOUNT_WORDS.sub(lambda m: normalize.AMOUNT_WORDS[m.group(1).lower()], text)
    assert normalize.spell_amounts(text) == spelt


@pytest.mark.parametrize(
    "text",
    ["iuran, jht!! 5,7%", "a\tb\nc", "БПЖС пенсия jht", "e\u0301 ① ² ٣ jht2", "  ", "x_y-z"],
)
def test_word_characters_split_as_the_pattern_splits_them(text: str) -> None:
    lowered = normalize._plain(text)
    by_pattern = re.sub(r"[^a-z0-9]+", " ", lowered).split()
    assert lowered.translate(normalize._WORD_CHARS).split() == by_pattern
