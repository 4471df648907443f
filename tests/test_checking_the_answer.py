"""A user checking the answer just given ("berarti bisa ya?", "serius sampai 12 bulan?") gets
that answer again, which says it; a programme of its own named, or a figure quoted from another
answer, is a question of its own."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.followup import asks_to_confirm

from .test_session_memory import talk


@pytest.mark.parametrize(
    ("text", "checks"),
    [
        ("berarti bisa ya?", True),
        ("serius sampai 12 bulan?", True),
        ("bulan depan berarti ya", True),
        ("berarti bisa", False),  # no question asked
        ("berarti kalau saya pindah kerja ke kota lain iuran saya ikut pindah?", False),
    ],
)
def test_a_check_is_short_and_asked(text: str, checks: bool) -> None:
    assert asks_to_confirm(text, text.rstrip("?")) is checks


@pytest.mark.parametrize("check", ["berarti bisa ya?", "serius sampai 12 bulan?", "beneran?"])
def test_checking_the_answer_gives_it_again(engine: Engine, check: str) -> None:
    first, again = talk(engine, "kalau kecelakaan kerja dapat apa aja", check)
    assert first.reply.intent == "jkk_manfaat"
    assert again.reply.intent == "jkk_manfaat"


def test_a_programme_of_its_own_is_its_own_question(engine: Engine) -> None:
    _, other = talk(engine, "kalau kecelakaan kerja dapat apa aja", "berarti jht bisa cair ya?")
    assert other.reply.intent not in (None, "jkk_manfaat")
