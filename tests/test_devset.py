"""The labelled sets: understanding must not drop below what the bot reaches today.

The dev set (tests/data/devset.tsv) was written next to the intents' example questions; the two
tuning sets and their conversations (tuneset.tsv, tuneset2.tsv, conversations_tune*.tsv) were
written blind to them. No question of any is also an example (tests below keep it that way), so
they measure how well the bot understands new phrasings. A clarification counts as a non-answer.
Thresholds sit a few points under the figures measured when they were set (dev set 96.4%,
fallback precision 97.4% and recall 98.7%, no clarification; tuning set 88.4%, fallback
94.1%/94.1%; second tuning set 88.7%, fallback 89.2%/87.9%; tuning conversations 91.2% and 87.9%
of turns), so a change that makes understanding worse fails here.

The held-out sets are reported by `python -m bot eval`, never used as a threshold here: a
threshold on them would be tuning on them.
"""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.evaluate import DEFAULT_DEVSET, evaluate, read_examples
from knowledge import Knowledge
from knowledge.text import fold

from .conftest import TODAY

MIN_ACCURACY = 0.95
MIN_FALLBACK_PRECISION = 0.95
MIN_FALLBACK_RECALL = 0.97
MAX_ASK_RATE = 0.03
# Since 2026-12-02 the learned model trains on the dev and first three tuning sets
# (knowledge/questions/): 98.9%, 98.9%, 98.8%, 99.8% then, against 98.6%, 96.2%, 97.1%, 98.0% before.
MIN_TUNE_ACCURACY = 0.95
MIN_TUNE_FALLBACK_PRECISION = 0.95
MIN_TUNE_FALLBACK_RECALL = 0.95
MIN_TUNE_CONVERSATION_TURNS = 0.92
# The second tuning set (tuneset2.tsv, conversations_tune2.tsv).
MIN_TUNE2_ACCURACY = 0.95
MIN_TUNE2_FALLBACK_PRECISION = 0.95
MIN_TUNE2_FALLBACK_RECALL = 0.95
MIN_TUNE2_CONVERSATION_TURNS = 0.91
# The third tuning set (tuneset3.tsv, conversations_tune3.tsv), written blind on 2026-12-02:
# 94.5%, fallback 97.4%/97.4%, 92.3% of conversation turns when these floors were set.
MIN_TUNE3_ACCURACY = 0.95
MIN_TUNE3_FALLBACK_PRECISION = 0.93
MIN_TUNE3_FALLBACK_RECALL = 0.93
MIN_TUNE3_CONVERSATION_TURNS = 0.88
# The fourth writer's 60 conversations about follow-ups (conversations_tune4.tsv, 2026-12-02):
# 76.4% of turns at first look (main the same), 92.7% when this floor was set.
MIN_TUNE4_CONVERSATION_TURNS = 0.9
# The fifth writer's set (tuneset4.tsv, conversations_tune5.tsv), written blind on 2026-12-02 and
# measured before anyone read a failure: 92.0%, fallback 79.2%/100%, 88.9% of turns; questions
# never trained on: 94.0%, fallback 80.9%/100% once the learned model trained on the other sets;
# 93.7% of turns after the conversation round that tuned on them (branch conv); 95.8%, fallback
# 90.5%/100% once the users' longer questions were matcher examples too.
MIN_TUNE5_ACCURACY = 0.93
MIN_TUNE5_FALLBACK_PRECISION = 0.86
MIN_TUNE5_FALLBACK_RECALL = 0.95
MIN_TUNE5_CONVERSATION_TURNS = 0.9
# The sixth writer's set (tuneset5.tsv, conversations_tune6.tsv), written blind on 2026-12-02 and
# measured before anyone read a failure: 89.0%, fallback 73.6%/97.5%, 81.5% of turns at the start
# of that day's third round; 91.8%, fallback 78.0%/97.5%, 80.2% of turns at its end.
MIN_TUNE6_ACCURACY = 0.89
MIN_TUNE6_FALLBACK_PRECISION = 0.74
MIN_TUNE6_FALLBACK_RECALL = 0.95
MIN_TUNE6_CONVERSATION_TURNS = 0.76
# The seventh round's blind conversations (2026-12-02, fourth session), never learned from: the
# eighth writer's hard follow-ups, 75.6% of turns at first look and 81.6% at the round's end (its
# rules read it from 78.0% on); the ninth writer's, never read, 82.3% at first look and 83.0% at
# the end.
# Both now teach the continuation memory (training figures). The eighth round's (2026-12-02,
# fifth session): the tenth writer's village talks, 71.6% at first look, read and tuned on to
# 82.2%, then taught (85.5%); the eleventh writer's town talks, never read, 76.1% at first look.
MIN_CONVERSATION_TURNS = {
    "conversations_tune8.tsv": 0.86,
    "conversations_tune9.tsv": 0.87,
    "conversations_tune10.tsv": 0.79,
    # The ninth round's (2026-12-02, sixth session): the eleventh
    # writer's, read and tuned on from 79.3% to 85.9%, then taught (89.5%); the thirteenth
    # writer's cases worked through, 64.8% on eeeca34, 65.9% at first look, read and tuned on to
    # 73.6%, then taught (80.1%).
    "conversations_tune11.tsv": 0.86,
    "conversations_tune13.tsv": 0.76,
    # The twelfth writer's hurried follow-ups, never read: 79.0% on bad4e7a, 81.2% at the
    # eighth round's end, 82.7% at the ninth's.
    "conversations_tune12.tsv": 0.78,
    # The fourteenth writer's (2026-12-03): 74.8% on 57847e7 (the tenth round's start), 76.0%
    # at first look; read and tuned on in the twelfth round from 76.4% to 81.1%.
    "conversations_tune14.tsv": 0.77,
    # The fifteenth writer's (2026-12-03, twelfth round): 72.7% at first look on 93958b5 (that
    # round's start); read and tuned on in the thirteenth round from 74.2% to 80.1%.
    "conversations_tune15.tsv": 0.77,
    # The sixteenth writer's (2026-12-03, thirteenth round): 74.2% at first look on 2b7e92b
    # (that round's start), 75.0% at its end; read and tuned on in the fourteenth round to 85.9%.
    "conversations_tune16.tsv": 0.83,
    # The seventeenth writer's (2026-12-04, fourteenth round), never read: 80.1% at first look
    # on 75764b3 (that round's start) and at its end.
    "conversations_tune17.tsv": 0.83,
    "conversations_tune18.tsv": 0.76,
}
# Greetings, thanks and goodbyes are closed sets of formulas ("hi", "terima kasih"): knowing them
# by heart is the right behaviour, so they may appear in both.
FORMULAIC = {"salam", "terima_kasih", "pamit", "menu"}


def test_the_dev_set_is_large_and_covers_every_intent(knowledge: Knowledge) -> None:
    examples = read_examples(DEFAULT_DEVSET)
    assert len(examples) >= 400
    labelled = {e.expected for e in examples}
    missing = {i for i in knowledge.intents if i not in labelled} - {
        "di_luar_topik",
        "bagikan",
        "rincian",
        "sumber",
        "daftar_peserta_baru",
    }
    assert not missing
    assert sum(1 for e in examples if e.expected is None) >= 40


def test_dev_set_questions_are_not_training_examples(knowledge: Knowledge) -> None:
    training = {fold(text) for text, intent in knowledge.examples if intent not in FORMULAIC}
    leaked = [e.question for e in read_examples(DEFAULT_DEVSET) if fold(e.question) in training]
    assert not leaked


def test_understanding_stays_above_the_measured_threshold(engine: Engine) -> None:
    report = evaluate(engine, read_examples(DEFAULT_DEVSET), TODAY)
    assert report.accuracy >= MIN_ACCURACY, f"accuracy {report.accuracy:.1%}"
    assert report.fallback_precision >= MIN_FALLBACK_PRECISION
    assert report.fallback_recall >= MIN_FALLBACK_RECALL
    assert report.ask_rate <= MAX_ASK_RATE


@pytest.mark.parametrize(
    ("questions", "conversations", "floors"),
    [
        (
            "tuneset.tsv",
            "conversations_tune.tsv",
            (
                MIN_TUNE_ACCURACY,
                MIN_TUNE_FALLBACK_PRECISION,
                MIN_TUNE_FALLBACK_RECALL,
                MIN_TUNE_CONVERSATION_TURNS,
            ),
        ),
        (
            "tuneset2.tsv",
            "conversations_tune2.tsv",
            (
                MIN_TUNE2_ACCURACY,
                MIN_TUNE2_FALLBACK_PRECISION,
                MIN_TUNE2_FALLBACK_RECALL,
                MIN_TUNE2_CONVERSATION_TURNS,
            ),
        ),
        (
            "tuneset3.tsv",
            "conversations_tune3.tsv",
            (
                MIN_TUNE3_ACCURACY,
                MIN_TUNE3_FALLBACK_PRECISION,
                MIN_TUNE3_FALLBACK_RECALL,
                MIN_TUNE3_CONVERSATION_TURNS,
            ),
        ),
        (
            "tuneset4.tsv",
            "conversations_tune5.tsv",
            (
                MIN_TUNE5_ACCURACY,
                MIN_TUNE5_FALLBACK_PRECISION,
                MIN_TUNE5_FALLBACK_RECALL,
                MIN_TUNE5_CONVERSATION_TURNS,
            ),
        ),
        (
            "tuneset5.tsv",
            "conversations_tune6.tsv",
            (
                MIN_TUNE6_ACCURACY,
                MIN_TUNE6_FALLBACK_PRECISION,
                MIN_TUNE6_FALLBACK_RECALL,
                MIN_TUNE6_CONVERSATION_TURNS,
            ),
        ),
    ],
)
def test_understanding_of_the_blind_tuning_sets_stays_above_the_measured_threshold(
    engine: Engine, questions: str, conversations: str, floors: tuple[float, float, float, float]
) -> None:
    from bot.evaluate import evaluate_conversations, labelled_set, read_conversations

    accuracy, precision, recall, turn_accuracy = floors
    report = evaluate(engine, read_examples(labelled_set(questions)), TODAY)
    assert report.accuracy >= accuracy, f"accuracy {report.accuracy:.1%}"
    assert report.ask_rate <= MAX_ASK_RATE
    assert report.fallback_precision >= precision
    assert report.fallback_recall >= recall
    turns = evaluate_conversations(engine, read_conversations(labelled_set(conversations)), TODAY)
    assert turns.accuracy >= turn_accuracy, f"turns {turns.accuracy:.1%}"


@pytest.mark.parametrize("name", sorted(MIN_CONVERSATION_TURNS))
def test_the_newest_blind_conversations_stay_above_the_measured_threshold(
    engine: Engine, name: str
) -> None:
    from bot.evaluate import evaluate_conversations, labelled_set, read_conversations

    turns = evaluate_conversations(engine, read_conversations(labelled_set(name)), TODAY)
    assert turns.accuracy >= MIN_CONVERSATION_TURNS[name], f"turns {turns.accuracy:.1%}"
    assert turns.ask_rate <= MAX_ASK_RATE


def test_the_follow_up_conversations_stay_above_the_measured_threshold(
    engine: Engine, knowledge: Knowledge
) -> None:
    from bot.evaluate import evaluate_conversations, labelled_set, read_conversations

    conversations = read_conversations(labelled_set("conversations_tune4.tsv"))
    assert len(conversations) >= 60
    training = {fold(text) for text, intent in knowledge.examples if intent not in FORMULAIC}
    assert not [e.question for t in conversations for e in t if fold(e.question) in training]
    turns = evaluate_conversations(engine, conversations, TODAY)
    assert turns.accuracy >= MIN_TUNE4_CONVERSATION_TURNS, f"turns {turns.accuracy:.1%}"
    assert turns.ask_rate <= MAX_ASK_RATE


# Questions of the second tuning set that were already example questions when it was written
# (its writer did not see the examples; plain questions coincide).
TUNE2_ALREADY_EXAMPLES = {
    "Bagaimana penetapan tingkat risiko lingkungan kerja untuk iuran JKK?",
    "gmn cara liat saldo jht sy",
    "cara klaim kecelakaan kerja",
    "jp itu apa",
    "link lapak asik",
    "berapa peserta bpjs tk di manggarai",
}

# ... and of the fifth writer's set, and the sixth's.
TUNE4_ALREADY_EXAMPLES = {"DAFTAR BPJS TK DIMANA"}
TUNE5_ALREADY_EXAMPLES = {
    "Apa yang dimaksud dengan Jaminan Hari Tua?",
    "meninggal karena kecelakaan kerja santunannya berapa",
    "anak sy 3 orang, semua dapat beasiswa?",
}


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("tuneset.tsv", set()),
        ("tuneset2.tsv", TUNE2_ALREADY_EXAMPLES),
        # A one-word command the fourth writer typed as users do.
        ("tuneset3.tsv", {"bagikan"}),
        ("tuneset4.tsv", TUNE4_ALREADY_EXAMPLES),
        ("tuneset5.tsv", TUNE5_ALREADY_EXAMPLES),
    ],
)
def test_tuning_set_questions_are_not_training_examples(
    knowledge: Knowledge, name: str, allowed: set[str]
) -> None:
    from bot.evaluate import labelled_set

    training = {fold(text) for text, intent in knowledge.examples if intent not in FORMULAIC}
    leaked = [e.question for e in read_examples(labelled_set(name)) if fold(e.question) in training]
    assert set(leaked) <= allowed


def test_no_held_out_question_is_a_training_example(knowledge: Knowledge) -> None:
    """The held-out sets are frozen and reported, never learned: none of their questions may be
    an example (greetings and thanks excepted, as above)."""
    from bot.evaluate import DATA_DIR, read_conversations

    training = {fold(text) for text, intent in knowledge.examples if intent not in FORMULAIC}
    held = [e.question for e in read_examples(DATA_DIR / "heldout.tsv")]
    held += [
        e.question
        for turns in read_conversations(DATA_DIR / "conversations_heldout.tsv")
        for e in turns
    ]
    assert not [q for q in held if fold(q) in training]
