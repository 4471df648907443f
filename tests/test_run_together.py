"""Words typed without spaces on a cheap phone ("brpiuranbpjstk") are read as the known words
they run together; gibberish, place names and ordinary derived words stay whole."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.normalize import Normalizer

from .test_session_memory import talk


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("brpiuranbpjstk", "berapa iuran bpjs ketenagakerjaan"),
        ("tglbrpjatuhtempo", "tanggal berapa jatuh tempo"),
        ("carabayarbpjstkmandirilewatbri", "cara bayar bpjs ketenagakerjaan mandiri lewat bri"),
    ],
)
def test_a_run_together_message_reads_as_its_words(engine: Engine, typed: str, read: str) -> None:
    assert engine.normalize(typed) == read


@pytest.mark.parametrize(
    ("typed", "intent"),
    [
        ("brpiuranbpjstk utk ojek pangkalan sebln", "iuran_bpu"),
        ("carabayarbpjstkmandirilewatbri", "bayar_cara"),
        ("oksipmksh", "terima_kasih"),
    ],
)
def test_a_run_together_question_is_answered(engine: Engine, typed: str, intent: str) -> None:
    (outcome,) = talk(engine, typed)
    assert outcome.reply.intent == intent


@pytest.mark.parametrize(
    "whole",
    [
        "asdfghjklqwe",  # keyboard mash: no reading into known words
        "tanjungpandan",  # a place written as one word, not "tanjung" + "pandan"
        "kalimantan",  # the first word of a province's name, not "kali" + "mantan"
        "pertanian",  # a derived word, not "per" + "tani" + "an"
        "dilaporkan",
    ],
)
def test_gibberish_places_and_derived_words_stay_whole(engine: Engine, whole: str) -> None:
    assert engine.normalize(whole) == whole


def test_keyboard_mash_still_falls_back(engine: Engine) -> None:
    (outcome,) = talk(engine, "asdfghjklqwe")
    assert outcome.kind == "fallback"


def test_nothing_is_split_until_the_vocabulary_is_complete() -> None:
    """The examples are read before the vocabulary is gathered: splitting them with a partial
    one would store a different reading of the same words than a message gets."""
    normalizer = Normalizer({"brp": "berapa"}, vocabulary=["iuran", "bayar"])
    assert normalizer("brpiuranbayar") == "brpiuranbayar"
    normalizer.split_run_together(whole={"iuranbayar"}.__contains__)
    assert normalizer("brpiuranbayar") == "berapa iuran bayar"
    # A word the caller keeps whole stays so.
    assert normalizer("iuranbayar") == "iuranbayar"


def test_a_flood_of_letters_is_not_searched_for_words() -> None:
    """Past RUN_TOGETHER_MAX letters a word is no typing: left whole, however it could split."""
    normalizer = Normalizer({}, vocabulary=["iuran", "bayar"])
    normalizer.split_run_together(whole=lambda word: False)
    assert normalizer("iuranbayar") == "iuran bayar"
    flood = "iuranbayar" * 5
    assert normalizer(flood) == flood
