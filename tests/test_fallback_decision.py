"""When a message falls back: a real question with a word the examples lack is answered, while
off-topic messages and gibberish still get "maaf, belum paham".

Fresh questions use words the examples never do (bench/fallback_sim.py measures how often that
sends one to the fallback). A message naming the agency's own matters (JMO, iuran, KPJ...) is
about the domain, so its unknown words pull its score down less and its bar is lower; a typo of
two swapped letters is read as the word meant.
"""

from __future__ import annotations

import pytest

from bot.engine import Engine
from core.session import Session

from .conftest import TODAY


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        # slang the examples lack beside the app's name
        ("jmo ngelag parah min", "jmo_aplikasi"),
        ("aplikasi jmo sy ngehang mulu", "jmo_aplikasi"),
        # two letters swapped in the only word that tells
        ("iuarn brp", "iuran_bpu"),
        # (a bare "how do I claim" names no programme: JHT, JKK and JKM claims score within a
        # few hundredths of each other, and which wins is no part of what is tested here)
        ("kalim jht gmn caranya", "jht_klaim_berhenti"),
        # English: the agency's matters in English words count as naming the domain
        ("my membership lapsed last year, what now", "bayar_reaktivasi"),
        # the bot itself: no word of the agency, yet a question the bot answers
        ("who are you", "tentang_bot"),
        ("is this chatbot run by the government", "tentang_bot"),
    ],
)
def test_a_real_question_with_unknown_words_is_answered(
    engine: Engine, message: str, intent: str
) -> None:
    outcome = engine.respond(message, Session(), TODAY)
    assert outcome.kind != "fallback"
    assert outcome.reply.intent == intent


@pytest.mark.parametrize(
    "message",
    [
        "asdfgh qwerty zxcv",
        "xqzv jmo wkwk lorem ipsum dolor",
        "resep rendang padang",
        "lagu dangdut terbaru",
        "cara daftar blt dana desa",
        # "kios" is close to "kis" (the BPJS Kesehatan card): a correction must not make a
        # message about fertiliser one about the agency.
        "pupuk subsidi di kios kok habis terus",
        # English off-topic, though "bot", "insurance" and "job" are words of the domain
        # or of the bot itself
        "who won the football match yesterday",
        "how to make a telegram bot",
        "car insurance for my motorbike",
        "job vacancy in kupang",
    ],
)
def test_off_topic_and_gibberish_still_fall_back(engine: Engine, message: str) -> None:
    outcome = engine.respond(message, Session(), TODAY)
    assert outcome.reply.intent is None


def test_two_swapped_letters_are_read_as_the_word_meant(engine: Engine) -> None:
    assert engine.matcher.correct("kalim") == "klaim"
    assert engine.matcher.correct("iuarn") == "iuran"


def test_an_unknown_word_weighs_less_once_the_message_names_the_agency(engine: Engine) -> None:
    matcher = engine.matcher
    with_unknown = "jmo ngelag parah"
    plain = matcher.rank(with_unknown)[0]
    anchored = matcher.rank(with_unknown, anchored=True)[0]
    assert anchored.intent == plain.intent == "jmo_aplikasi"
    assert anchored.score > plain.score
    # Without unknown words there is nothing to weigh less.
    assert matcher.rank("aplikasi jmo", anchored=True) == matcher.rank("aplikasi jmo")


def test_thanking_the_bot_is_still_a_closing(engine: Engine) -> None:
    # "bot" tells a question about the bot itself, not a matter of the agency: a thanks that
    # names it is a closing still.
    outcome = engine.respond("makasih ya bot", Session(), TODAY)
    assert outcome.reply.intent == "terima_kasih"
