"""The stores write a session with bot.state_sql.session_json: the very text of
Session.to_json(), which reading it back (Session.from_json) has always taken."""

from __future__ import annotations

import random

from bot.state import SqliteState
from bot.state_sql import session_json
from core.reply import Option
from core.session import Session, Topic


def _random_session(rng: random.Random) -> Session:
    words = ["jht", "Kota Medan", "é ü 漢字", 'kutip "ganda"', "\\", "", "\n", "🙂"]

    def text() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(0, 3)))

    def options() -> list[Option]:
        return [Option(text(), text()) for _ in range(rng.randint(0, 3))]

    return Session(
        last_intent=rng.choice([None, text()]),
        last_topic=rng.choice([None, text()]),
        pending_intent=rng.choice([None, text()]),
        options=options(),
        memory={text(): text() for _ in range(rng.randint(0, 4))},
        recent=[
            Topic(
                intent=text(),
                topic=text(),
                worker=text(),
                amounts=[rng.randint(0, 10**12) for _ in range(rng.randint(0, 3))],
                region=text(),
                elsewhere=[text() for _ in range(rng.randint(0, 2))],
                options=options(),
                fresh=rng.random() < 0.5,
            )
            for _ in range(rng.randint(0, 3))
        ],
        numbered=[text() for _ in range(rng.randint(0, 3))],
        updated_at=rng.choice([0.0, rng.random() * 2e9]),
    )


def test_the_same_text_as_to_json() -> None:
    rng = random.Random(16)
    for _ in range(500):
        session = _random_session(rng)
        assert session_json(session) == session.to_json()
    assert session_json(Session()) == Session().to_json()


def test_a_saved_session_reads_back_whole(tmp_path) -> None:
    state = SqliteState(tmp_path / "state.db")
    try:
        session = _random_session(random.Random(3))
        session.recent = [Topic("jht", amounts=[5_000_000], options=[Option("a:b", "Pilih")])]
        state.save_session("wh_user", session, 1000.0)
        loaded = state.load_session("wh_user", 1000.0)
        assert loaded == session
        assert loaded.to_json() == session.to_json()
    finally:
        state.close()
