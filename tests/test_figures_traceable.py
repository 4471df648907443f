"""Every rupiah amount and percentage the bot states comes from a knowledge row or a calculation.

Handlers format figures only through the knowledge renderer or handlers.common.Figures, which
record them in Reply.figures; a figure typed into code or text would be missing from that set.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.engine import Engine
from bot.evaluate import DEFAULT_DEVSET, read_examples
from core.session import Session
from knowledge import Knowledge

FIGURE = re.compile(r"Rp-?\d{1,3}(?:\.\d{3})*(?:,\d+)?(?: (?:miliar|juta))?|\d+(?:,\d+)?%")
DAYS = (date(2025, 6, 1), date(2026, 11, 21), date(2027, 6, 1))


def stated_figures(text: str) -> set[str]:
    return set(FIGURE.findall(text))


def test_the_pattern_finds_figures_in_house_style() -> None:
    assert stated_figures("Iuran Rp16.800 atau 5,7% dan Rp8.400; 50% diskon; Rp10,08 miliar") == {
        "Rp16.800", "5,7%", "Rp8.400", "50%", "Rp10,08 miliar"
    }  # fmt: skip


def _untraced(engine: Engine, text: str, today: date, session: Session | None = None) -> set[str]:
    reply = engine.answer(text, session or Session(), today)
    return stated_figures(reply.text + "\n" + reply.details) - reply.figures


@pytest.mark.parametrize("today", DAYS)
def test_every_intent_states_only_traceable_figures(
    engine: Engine, knowledge: Knowledge, today: date
) -> None:
    problems = {}
    for intent_id, intent in knowledge.intents.items():
        for example in intent.examples[:3]:
            if untraced := _untraced(engine, example, today):
                problems[(intent_id, example)] = untraced
        reply = engine.select(intent_id, Session(), today)
        if untraced := stated_figures(reply.text + "\n" + reply.details) - reply.figures:
            problems[(intent_id, "<selected>")] = untraced
    assert not problems


def test_every_dev_set_question_states_only_traceable_figures(engine: Engine) -> None:
    problems = {}
    for example in read_examples(DEFAULT_DEVSET):
        if untraced := _untraced(engine, example.question, date(2026, 11, 21)):
            problems[example.question] = untraced
    assert not problems


@pytest.mark.parametrize(
    "question",
    [
        "iuran untuk 5 orang masing-masing 1,5 juta",
        "iuran 3 orang: 1 juta, 2 juta dan 3,5 juta",
        "hitung iuran karyawan gaji 12 juta kelompok risiko 4",
        "hitung iuran jakon nilai kontrak 7 miliar",
        "hitung jkp gaji 7 juta",
        "santunan kecelakaan kerja gaji 3 juta",
        "iuran ojol penghasilan 2,5 jt",
    ],
)
def test_calculations_state_only_what_they_computed(engine: Engine, question: str) -> None:
    for today in DAYS:
        assert not _untraced(engine, question, today)


# A proper name as answers write one: an acronym or a name with inner capitals (JMO, SIAPkerja),
# a web address, or a phone number (175, +62 ...).
PROPER_NAME = re.compile(
    r"\b(?:[A-Z][A-Za-z]*[A-Z][A-Za-z]*|[A-Z]{2,})\b"
    r"|\b[\w.-]+\.(?:go\.id|co\.id|com|id)\b|\+62[\d -]{8,}\d|\b175\b"
)


def stated_names(text: str) -> set[str]:
    return set(PROPER_NAME.findall(text))


def test_the_name_pattern_finds_services_numbers_and_addresses() -> None:
    found = stated_names("Hubungi 175, buka JMO, SIAPkerja atau bpjsketenagakerjaan.go.id.")
    assert found == {"175", "JMO", "SIAPkerja", "bpjsketenagakerjaan.go.id"}


@pytest.mark.parametrize("today", DAYS)
def test_every_proper_name_in_an_answer_has_a_source_row(
    engine: Engine, knowledge: Knowledge, today: date
) -> None:
    """A named service, phone number or address comes from tables/names.csv with a dated
    source (the build checks the source); a name missing there, such as a chat service nobody
    sourced, fails here."""
    unknown: dict[str, set[str]] = {}
    for intent_id, intent in knowledge.intents.items():
        replies = [engine.select(intent_id, Session(), today)]
        replies += [engine.answer(e, Session(), today) for e in intent.examples[:3]]
        for reply in replies:
            for name in stated_names(reply.text + "\n" + reply.details):
                if name not in knowledge.names:
                    unknown.setdefault(name, set()).add(intent_id)
    assert not unknown
    services = [n for n, (kind, _s) in knowledge.names.items() if kind == "service"]
    assert all(knowledge.names[n][1] for n in services)
