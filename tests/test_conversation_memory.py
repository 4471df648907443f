"""The users' labelled conversations as a knowledge source (knowledge/conversations.py) and the
continuation memory the engine learns from them (bot/context_model.py): validated like the
other sources, a change rebuilds the database, each later turn is taught with the answer
before it, and the memory only chooses among what the matcher found."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.context_model import Continuation, ContinuationMemory
from bot.engine import Engine
from bot.evaluate import CONVERSATIONS_DIR, DATA_DIR, labelled_set, read_conversations
from core.session import Session
from handlers import HANDLERS
from knowledge import Knowledge, KnowledgeError, build, load
from knowledge.build import is_stale
from knowledge.text import fold

from .conftest import TODAY

# The blind conversation sets still measured as unseen: never learned from. (Tunes 5-11 and 13
# were, and then moved to knowledge/conversations/ as the README of tests/data says a measured set
# may.)
UNSEEN = (
    "conversations_tune12.tsv",
    "conversations_tune14.tsv",
    "conversations_tune15.tsv",
    "conversations_tune16.tsv",
    "conversations_tune17.tsv",
    "conversations_tune18.tsv",
)


def _write(sources: Path, text: str) -> Path:
    folder = sources / "conversations"
    folder.mkdir(exist_ok=True)
    path = folder / "mine.tsv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_broken_conversation_line_is_named_by_file_and_line(sources: Path) -> None:
    _write(
        sources,
        "conversation_id\tturn\tmessage\tlabel\n"
        "a\t1\tbrp iuran bpu\tiuran_bpu\n"
        "a\t2\tno label here\n"
        "a\tdua\tcaranya\tbayar_cara\n"
        "a\t3\tapa itu jht\tjht_tidak_ada\n"
        "a\t1\tlagi\tiuran_bpu\n",
    )
    with pytest.raises(KnowledgeError) as caught:
        build(sources.parent / "out.db", sources, set(HANDLERS))
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 4
    assert all("mine.tsv" in p for p in problems)
    assert any("line 3" in p and "TAB" in p for p in problems)
    assert any("line 4" in p and "not a number" in p for p in problems)
    assert any("line 5" in p and "no intent jht_tidak_ada" in p for p in problems)
    assert any("line 6" in p and "turn 1 twice" in p for p in problems)


def test_each_later_turn_is_stored_with_the_answer_before_it(sources: Path, tmp_path: Path) -> None:
    _write(
        sources,
        "# turns out of order are read in order\n"
        "a\t2\tsyaratnya?\tjht_klaim_berhenti\n"
        "a\t1\tcara cairin jht\tjht_klaim_berhenti\n"
        "a\t3\tasdfgh\t-\n"
        "a\t4\tbisa lewat hp?\tjht_klaim_jmo|jmo_aplikasi\n"
        "a\t5\tmakasih, iurannya brp\tterima_kasih+iuran_bpu\n"
        "a\t6\tok\tterima_kasih\n"
        "b\t1\tasdfgh\t-\n"
        "b\t2\tjht itu apa\tjht_apa\n",
    )
    db = tmp_path / "k.db"
    build(db, sources, set(HANDLERS))
    assert load(db).labelled_continuations() == [
        # A first turn, and a turn after nothing but a fallback, follow no answer.
        ("jht_klaim_berhenti", "syaratnya?", "jht_klaim_berhenti"),
        # The fallback teaches nothing, and the answer before it is still the last one.
        ("jht_klaim_berhenti", "bisa lewat hp?", "jht_klaim_jmo|jmo_aplikasi"),
        # Two questions teach nothing; the first of them is what the next turn follows.
        ("terima_kasih", "ok", "terima_kasih"),
    ]


def test_a_changed_conversation_file_rebuilds_the_database(sources: Path, tmp_path: Path) -> None:
    path = _write(sources, "a\t1\tjht itu apa\tjht_apa\n")
    db = tmp_path / "k.db"
    build(db, sources, set(HANDLERS))
    assert not is_stale(db, sources)
    later = db.stat().st_mtime + 5
    path.write_text("a\t1\tjht itu apa\tjht_apa\na\t2\tcairnya?\tjht_klaim_berhenti\n")
    os.utime(path, (later, later))
    assert is_stale(db, sources)


def _memory(*turns: tuple[str, str, str]) -> ContinuationMemory:
    return ContinuationMemory(Continuation(*turn) for turn in turns)


def test_the_memory_answers_a_near_repeat_after_the_same_answer_only() -> None:
    memory = _memory(("bayar_telat", "cara aktifin lagi", "bayar_reaktivasi"))
    candidates = ["bayar_cara", "bayar_reaktivasi", "bayar_telat"]
    assert memory.recall("bayar_telat", "cara aktifin lagi dong", candidates) == (
        "bayar_reaktivasi"
    )
    # After another answer, or with nothing answered yet, the same words teach nothing.
    assert memory.recall("jht_apa", "cara aktifin lagi dong", candidates) is None
    assert memory.recall(None, "cara aktifin lagi dong", candidates) is None
    # Words that are not nearly the labelled turn's.
    assert memory.recall("bayar_telat", "bayar di indomaret bisa", candidates) is None


def test_the_memory_chooses_only_among_the_matchers_best() -> None:
    memory = _memory(("bayar_telat", "cara aktifin lagi", "bayar_reaktivasi"))
    assert memory.recall("bayar_telat", "cara aktifin lagi", ["bayar_cara"]) is None
    far = ["bayar_cara", "iuran_bpu", "bayar_telat", "bayar_reaktivasi"]
    assert memory.recall("bayar_telat", "cara aktifin lagi", far) is None


def test_alike_needs_the_words_too_not_only_the_characters() -> None:
    memory = _memory(("iuran_bpu", "kalau meninggal", "jkm_manfaat"))
    assert memory.recall("iuran_bpu", "kalau nominal", ["jkm_manfaat"]) is None
    assert memory.recall("iuran_bpu", "kalo meninggal", ["jkm_manfaat"]) == "jkm_manfaat"


def test_either_label_leaves_the_choice_to_the_matchers_order() -> None:
    memory = _memory(("jht_apa", "bisa lewat hp", "jht_klaim_jmo|jmo_aplikasi"))
    assert memory.recall("jht_apa", "bisa lewat hp", ["jmo_aplikasi", "jht_klaim_jmo"]) == (
        "jmo_aplikasi"
    )
    assert memory.recall("jht_apa", "bisa lewat hp", ["jht_klaim_jmo", "jmo_aplikasi"]) == (
        "jht_klaim_jmo"
    )


def _talk(engine: Engine, *messages: str) -> list[str | None]:
    session = Session()
    return [engine.respond(m, session, TODAY).reply.intent for m in messages]


def test_the_engine_answers_what_people_asked_after_the_same_answer(engine: Engine) -> None:
    messages = ("udh 4 bulan ga bayar iuran, kena denda ga", "cara aktifin lagi kek mane")
    plain = Engine(engine.knowledge, prepared=engine.tables)
    plain.learn_continuations([])
    before = _talk(plain, *messages)
    assert before[0] == "bayar_telat"
    taught = Engine(engine.knowledge, prepared=engine.tables)
    taught.learn_continuations([("bayar_telat", "cara aktifin lagi", "bayar_reaktivasi")])
    assert _talk(taught, *messages) == ["bayar_telat", "bayar_reaktivasi"]
    # Taught an intent the matcher does not find for the message, the memory stays silent.
    taught.learn_continuations([("bayar_telat", "cara aktifin lagi", "jkm_beasiswa")])
    assert _talk(taught, *messages) == before


def test_the_stored_tables_carry_the_memory(engine: Engine, knowledge: Knowledge) -> None:
    assert len(knowledge.labelled_continuations()) > 500
    assert engine.continuations is not None
    stored = Engine(knowledge, prepared=engine.tables)
    assert stored.continuations is not None
    assert len(stored.continuations) == len(engine.continuations)
    assert stored.tables["continuations"] == engine.tables["continuations"]


def test_the_blind_conversation_sets_are_never_learned_from(knowledge: Knowledge) -> None:
    assert {p.name for p in CONVERSATIONS_DIR.glob("*.tsv")} >= {"conversations_tune4.tsv"}
    assert labelled_set("conversations_tune4.tsv").parent == CONVERSATIONS_DIR
    taught = {fold(text) for _, text, _ in knowledge.labelled_continuations()}
    for name in ("conversations_heldout.tsv",):
        assert not (CONVERSATIONS_DIR / name).exists()
    for name in UNSEEN:
        assert not (CONVERSATIONS_DIR / name).exists()
        assert labelled_set(name) == DATA_DIR / name
        later = [e.question for turns in read_conversations(DATA_DIR / name) for e in turns[1:]]
        # Independent writers coincide on plain short turns ("ok makasih", "syaratnya?"): 36
        # of the eighth set's 262 later turns with tunes 1-7 taught (18 of the fifth set's 96
        # with tunes 1-4). A copy of the set among the taught turns would make it all of them.
        coincide = sum(fold(q) in taught for q in later)
        assert coincide / len(later) <= 0.2, f"{name}: {coincide} of {len(later)}"


def test_a_near_repeat_naming_another_programme_is_not_the_remembered_intent(
    engine: Engine,
) -> None:
    # Taught that "klo jp umur brp bs cair" after what JP is asks JP's retirement age, the
    # memory must not give that answer to the same words about JHT.
    taught = Engine(engine.knowledge, prepared=engine.tables)
    taught.learn_continuations([("jp_apa", "klo jp umur brp bs cair", "jp_usia_pensiun")])
    assert _talk(taught, "jp itu apa", "klo jp umur brp bs cair")[1] == "jp_usia_pensiun"
    answered = _talk(taught, "jp itu apa", "klo jht umur brp bs cair")[1]
    assert answered is not None and answered.startswith("jht_")


def test_the_memory_stored_as_rows_builds_the_same_memory_again() -> None:
    taught = [
        Continuation("jkm_manfaat", "syaratnya apa", "jkm_klaim"),
        Continuation("jkm_manfaat", "syaratnya apa", "jkm_klaim"),
        Continuation("jkm_manfaat", "anak dapat juga", "jkm_beasiswa|jht_ahli_waris"),
        Continuation("iuran_bpu", "kalau dua juta", "iuran_bpu_hitung"),
    ]
    memory = ContinuationMemory(taught)
    again = ContinuationMemory(Continuation(*row) for row in memory.rows())
    assert again.rows() == memory.rows()
    assert len(again) == len(memory) == 3
    # Votes survive: the a|b turn still lets the matcher's order choose between its intents.
    for candidates in (["jht_ahli_waris", "jkm_beasiswa"], ["jkm_beasiswa", "jht_ahli_waris"]):
        assert again.recall("jkm_manfaat", "anak dapat juga", candidates) == candidates[0]
    assert again.recall("jkm_manfaat", "syaratnya apa", ["jkm_klaim"]) == "jkm_klaim"
