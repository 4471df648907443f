"""`bot eval` measures honestly: a clarification is no answer, labels may name two intents, and
conversations run turn by turn in one session."""

from __future__ import annotations

from pathlib import Path

from bot.engine import Engine, Outcome
from bot.evaluate import (
    Label,
    evaluate,
    evaluate_conversations,
    format_report,
    read_conversations,
    read_examples,
)
from core.reply import Option, Reply

from .conftest import TODAY


def outcome(intent: str | None, kind: str = "answer", options: tuple[str, ...] = ()) -> Outcome:
    reply = Reply("...", options=tuple(Option(o, o) for o in options), intent=intent)
    return Outcome(reply, "", (), kind, answered=(intent,) if intent else ())


def test_a_clarification_is_not_an_answer_even_when_it_names_the_right_intent() -> None:
    assert Label.parse("jht_apa").judge(outcome("jht_apa"))
    assert not Label.parse("jht_apa").judge(outcome("jht_apa", kind="clarify"))


def test_either_label_accepts_both_intents() -> None:
    label = Label.parse("jht_apa|jht_klaim_berhenti")
    assert label.judge(outcome("jht_klaim_berhenti"))
    assert not label.judge(outcome("jkm_manfaat"))


def test_two_question_label_needs_the_other_answered_or_offered() -> None:
    label = Label.parse("daftar_cara+iuran_bpu")
    assert label.judge(outcome("daftar_cara", options=("iuran_bpu", "bagikan")))
    assert label.judge(outcome("iuran_bpu", options=("daftar_cara",)))
    assert not label.judge(outcome("daftar_cara", options=("bayar_cara",)))


def test_fallback_label_needs_no_intent() -> None:
    assert Label.parse("-").judge(outcome(None))
    assert not Label.parse("-").judge(outcome("salam"))


def test_the_report_counts_asks_and_labels_the_knowledge_lacks(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "set.tsv"
    path.write_text(
        "# comment\napa itu jht\tjht_apa\nxqzv wpl\t-\nlupa nomor kpj\tno_such_intent\n",
        encoding="utf-8",
    )
    report = evaluate(engine, read_examples(path), TODAY, name="set")
    assert report.total == 3
    assert report.correct == 2
    assert report.unknown_label == 1
    assert report.known_accuracy == 1.0
    assert report.ask_rate == 0.0
    assert "ask rate" in format_report(report, show_errors=True)


def test_conversations_run_in_one_session_turn_by_turn(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "conversations_tune.tsv"
    path.write_text(
        "conversation_id\tturn\tmessage\tlabel\n"
        "c1\t1\tcara klaim jkm\tjkm_klaim\n"
        "c1\t2\tsyaratnya?\tjkm_klaim\n"
        "c2\t1\tsyaratnya?\tdaftar_syarat|jkm_klaim|-\n",
        encoding="utf-8",
    )
    conversations = read_conversations(path)
    assert [len(c) for c in conversations] == [2, 1]
    report = evaluate_conversations(engine, conversations, TODAY, name="conversations_tune")
    assert report.per_turn[2] == [1, 1]


def test_held_out_failures_are_never_listed(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "heldout.tsv"
    path.write_text("zzqq vvkk\tjht_apa\n", encoding="utf-8")
    report = evaluate(engine, read_examples(path), TODAY, name="heldout")
    text = format_report(report, show_errors=True)
    assert "zzqq" not in text
    assert "not listed" in text
