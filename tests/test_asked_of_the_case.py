"""What people ask of the answer on screen and of the case they told (the fifteenth writer's
conversations showed each of these failing): where the answer's figures come from, asked in the
words of rules and citations."""

from __future__ import annotations

import pytest

from bot.engine import Engine

from .test_session_memory import talk


@pytest.mark.parametrize(
    "asked",
    [
        "dasar aturannya pp nomor berapa?",
        "sumbernya dr mana, mau sy kutip",
        "where can I read the regulation for this?",
    ],
)
def test_the_rule_behind_an_answer_is_its_sources(engine: Engine, asked: str) -> None:
    answer, source = talk(engine, "iuran karyawan gaji 4 juta brp", asked)
    assert source.reply.intent == "sumber"
    # The sources of the premium just computed, not a new reading of the question.
    assert "Permenaker" in source.reply.text or "PP" in source.reply.text
    assert answer.reply.intent == "iuran_pu"


def test_a_rule_of_a_named_matter_is_that_matter(engine: Engine) -> None:
    # The late payment's rule is asked of the late payment, whatever was on screen.
    _, late = talk(engine, "iuran karyawan gaji 4 juta brp", "aturan telat bayar gimana")
    assert late.reply.intent == "bayar_telat"
