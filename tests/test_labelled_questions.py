"""The users' labelled questions as a knowledge source (knowledge/labelled.py): validated like the
other sources, a change rebuilds the database, only single-intent questions train the learned
model, and the sets measured as unseen never become training data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.evaluate import DATA_DIR, QUESTIONS_DIR, labelled_set, read_conversations, read_examples
from bot.matcher import Matcher
from handlers import HANDLERS
from knowledge import Knowledge, KnowledgeError, build, load
from knowledge.build import is_stale
from knowledge.text import fold

# Measured as unseen: never in the knowledge, never trained on. (The held-out sets' lines are
# compared with the training data by tests/test_devset.py alone.)
UNSEEN = (
    "tuneset4.tsv",
    "tuneset5.tsv",
    "conversations_tune12.tsv",
    "conversations_tune14.tsv",
    "conversations_tune15.tsv",
    "conversations_tune16.tsv",
    "conversations_tune17.tsv",
    "conversations_tune18.tsv",
)
FROZEN = ("heldout.tsv", "conversations_heldout.tsv")


def _write_questions(sources: Path, text: str) -> Path:
    folder = sources / "questions"
    folder.mkdir(exist_ok=True)
    path = folder / "mine.tsv"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(sources: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        build(sources.parent / "out.db", sources, set(HANDLERS))
    return [str(p) for p in caught.value.problems]


def test_a_broken_question_line_is_named_by_file_and_line(sources: Path) -> None:
    _write_questions(
        sources,
        "# a comment\n"
        "brp iuran bpu\tiuran_bpu\n"
        "no tab here\n"
        "apa itu jht\tjht_tidak_ada\n"
        "klaim dan iuran\tjht_apa+\n",
    )
    problems = _problems(sources)
    assert len(problems) == 3
    assert any("mine.tsv" in p and "line 3" in p and "TAB" in p for p in problems)
    assert any("line 4" in p and "no intent jht_tidak_ada" in p for p in problems)
    assert any("line 5" in p and "empty part" in p for p in problems)


def test_only_single_intent_questions_are_stored_for_training(
    sources: Path, tmp_path: Path
) -> None:
    _write_questions(
        sources,
        "brp iuran bpu\tiuran_bpu\n"
        "jht atau jp\tjht_apa|jp_apa\n"
        "iuran dan klaim\tiuran_bpu+jht_cek_saldo\n"
        "resep rendang\t-\n",
    )
    db = tmp_path / "k.db"
    build(db, sources, set(HANDLERS))
    assert load(db).labelled_questions() == [("brp iuran bpu", "iuran_bpu")]


def test_a_changed_question_file_rebuilds_the_database(sources: Path, tmp_path: Path) -> None:
    path = _write_questions(sources, "brp iuran bpu\tiuran_bpu\n")
    db = tmp_path / "k.db"
    build(db, sources, set(HANDLERS))
    assert not is_stale(db, sources)
    later = db.stat().st_mtime + 5
    path.write_text("brp iuran bpu\tiuran_bpu\ncara klaim jht\tklaim_jht\n", encoding="utf-8")
    os.utime(path, (later, later))
    assert is_stale(db, sources)


def test_users_questions_are_matched_when_a_conversation_starts_and_not_within_one() -> None:
    examples = [("iuran jht", "iuran_jht"), ("iuran bpu", "iuran_bpu")]
    questions = [("duit cair kapan", "iuran_jht"), ("cair berapa lama", "iuran_jht")]
    plain = Matcher(examples)
    taught = Matcher(examples, asked=questions)
    # "cair" is a word only the questions use: read on its own, the message meets them ...
    assert taught.rank("kapan duit cair")[0].intent == "iuran_jht"
    assert taught.rank("kapan duit cair")[0].example == "duit cair kapan"
    assert plain.rank("kapan duit cair") == []
    # ... and the vocabulary grows by their words, so a misspelling of one is read too.
    assert taught.vocabulary == plain.vocabulary | {"duit", "cair", "kapan", "berapa", "lama"}
    # Within a conversation only the curated examples are compared with.
    within = taught.rank("duit cair kapan iuran", asked=False)
    assert within and {c.example for c in within} <= {t for t, _ in examples}
    # A question of fewer than three words trains the model only: one rare word would carry it.
    short = Matcher(examples, asked=[("duit cair", "iuran_jht")])
    assert short.tables()["texts"] == plain.tables()["texts"]
    assert short.vocabulary == plain.vocabulary
    assert short.tables()["model"] != plain.tables()["model"]
    # A question that repeats an example is not a second copy of it.
    again = Matcher(examples, asked=[("iuran bpu", "iuran_bpu")])
    assert again.tables()["texts"] == plain.tables()["texts"]
    assert again.tables()["curated"] == 2


def test_the_real_knowledge_trains_on_the_tuning_sets(knowledge: Knowledge) -> None:
    assert len(knowledge.labelled_questions()) > 1500
    assert {p.name for p in QUESTIONS_DIR.glob("*.tsv")} >= {"devset.tsv", "tuneset3.tsv"}
    assert labelled_set("devset.tsv").parent == QUESTIONS_DIR


def test_the_sets_measured_as_unseen_are_never_trained_on(knowledge: Knowledge) -> None:
    trained = {fold(text) for text, _ in knowledge.labelled_questions()}
    for name in FROZEN:
        assert not (QUESTIONS_DIR / name).exists()
        assert (DATA_DIR / name).is_file()
    for name in UNSEEN:
        assert not (QUESTIONS_DIR / name).exists()
        path = DATA_DIR / name
        if "conversations" in name:
            asked = [e.question for turns in read_conversations(path) for e in turns]
        else:
            asked = [e.question for e in read_examples(path)]
        # Independent writers coincide on plain questions ("jht itu apa", "makasih min", a
        # recipe as off-topic): 40 of the 400 of tuneset4, 6 of 126 turns. Copying the set
        # into the training data would make it most of them.
        coincide = sum(fold(q) in trained for q in asked)
        assert coincide / len(asked) <= 0.11, f"{name}: {coincide} of {len(asked)}"
