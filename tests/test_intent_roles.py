"""The part an intent plays beyond answering is data (`role` in knowledge/intents/*.toml), not a
name in the engine: which intent recognises a message as off-topic, and which one a
programme's name alone asks for. The compiler refuses a role it does not know and two
intros for one topic."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.engine import Engine
from core.session import Session
from handlers import HANDLERS
from knowledge import build, load
from tests.test_knowledge_robust import check, problem_lines

TODAY = date(2026, 11, 21)


def _edit(sources: Path, file: str, old: str, new: str) -> None:
    path = sources / "intents" / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_unknown_role_is_refused_with_the_roles_there_are(sources: Path) -> None:
    _edit(sources, "jht.toml", 'role = "intro"', 'role = "pembuka"')
    result = check(sources)
    assert result.returncode == 2
    # The intent is refused, so the follow-ups pointing at it are reported too.
    (problem,) = [line for line in problem_lines(result) if "role" in line]
    assert "jht_apa" in problem and "'pembuka'" in problem
    assert "off_topic" in problem and "intro" in problem


def test_two_intros_for_one_topic_are_refused(sources: Path) -> None:
    _edit(
        sources,
        "jht.toml",
        'id = "jht_cek_saldo"\ntopic = "jht"\n',
        'id = "jht_cek_saldo"\ntopic = "jht"\nrole = "intro"\n',
    )
    (problem,) = problem_lines(check(sources))
    assert "jht_cek_saldo" in problem and "jht_apa" in problem


def test_the_engine_takes_the_intro_and_the_off_topic_intent_from_the_knowledge(
    sources: Path, tmp_path: Path
) -> None:
    db = tmp_path / "knowledge.db"
    build(db, sources, set(HANDLERS))
    engine = Engine(load(db))
    assert engine.answer("jht", Session(), TODAY).intent == "jht_apa"
    off = engine.respond("siapa presiden indonesia", Session(), TODAY)
    # Recognised as off-topic: an honest reply, counted as not understood.
    assert (off.kind, off.reply.intent) == ("fallback", None)

    # The same sources with the roles moved: the engine follows the data.
    _edit(
        sources,
        "jht.toml",
        'id = "jht_apa"\ntopic = "jht"\nrole = "intro"\n',
        'id = "jht_apa"\ntopic = "jht"\n',
    )
    _edit(
        sources,
        "jht.toml",
        'id = "jht_cek_saldo"\ntopic = "jht"\n',
        'id = "jht_cek_saldo"\ntopic = "jht"\nrole = "intro"\n',
    )
    _edit(sources, "percakapan.toml", 'role = "off_topic"\n', "")
    moved = tmp_path / "moved.db"
    build(moved, sources, set(HANDLERS))
    engine = Engine(load(moved))
    assert engine.answer("jht", Session(), TODAY).intent == "jht_cek_saldo"
    # Without the role the same intent is an ordinary answer.
    off = engine.respond("siapa presiden indonesia", Session(), TODAY)
    assert (off.kind, off.reply.intent) == ("answer", "di_luar_topik")
