"""Properties of the whole text pipeline on arbitrary input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine import Engine
from core.session import Session

from .conftest import TODAY

WORDS = st.sampled_from(
    [
        "iuran",
        "jht",
        "brp",
        "klaim",
        "2jt",
        "Rp16.800",
        "kupang",
        "😀",
        "manggarai",
        "ga",
        "?",
        "1,5 jt",
    ]
)
MESSAGES = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=5000),
    st.lists(WORDS, max_size=12).map(" ".join),
    st.just(""),
    st.text(alphabet="🙏😀👍🇮🇩\u200b\u0000\n\t ", max_size=50),
)


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=MESSAGES)
def test_answer_never_raises_and_never_returns_an_empty_text(engine: Engine, text: str) -> None:
    session = Session()
    reply = engine.answer(text, session, TODAY)
    assert reply.text.strip()
    assert len(reply.text) <= 4096
    assert 0.0 <= reply.confidence <= 1.0
    # A second message in the same session must work too (sessions carry state).
    again = engine.answer(text[:50], session, TODAY)
    assert again.text.strip()


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(option=st.text(max_size=80))
def test_any_option_id_is_answered_without_raising(engine: Engine, option: str) -> None:
    reply = engine.select(option, Session(), TODAY)
    assert reply.text.strip()
