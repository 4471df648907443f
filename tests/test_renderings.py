"""Answers that depend only on the intent and the day are rendered once per engine and day, and
are still the day's: a figure that changes, a row missing that day, a reply that reads the
message (handlers.renderings)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.engine import Engine
from core.context import Context
from core.entities import Entities
from core.reply import Reply
from core.session import Session
from handlers import HANDLERS, notices
from handlers.renderings import MAX_KEPT, Renderings
from knowledge import Knowledge
from knowledge import format as fmt
from knowledge.model import Intent
from knowledge.text import PLACEHOLDER

from .conftest import TODAY

CHANGE_DAY = TODAY + timedelta(days=1)


def _static_with_figure(knowledge: Knowledge) -> tuple[Intent, str]:
    """An intent answered by its text alone that states an amount in rupiah, and its key."""
    for intent in knowledge.intents.values():
        for match in PLACEHOLDER.finditer(intent.answer if intent.handler == "static" else ""):
            rows = knowledge.facts[match.group("key")]
            plain = not match.group("case") and not match.group("part")
            if plain and len(rows) == 1 and rows[0].unit == "rupiah":
                return intent, match.group("key")
    raise AssertionError("no static intent states an amount")


def _said(reply: Reply) -> str:
    return f"{reply.text}\n{reply.details}"


def _engine_with_rows(engine: Engine, key: str, rows: list[object]) -> Engine:
    facts = {**engine.knowledge.facts, key: rows}
    knowledge = replace(engine.knowledge, facts=facts)
    return Engine(knowledge, prepared=engine.tables)


def test_a_figure_that_changes_overnight_is_the_new_one_the_next_day(engine: Engine) -> None:
    intent, key = _static_with_figure(engine.knowledge)
    (row,) = engine.knowledge.facts[key]
    before = replace(row, valid_from=None, valid_to=TODAY)
    after = replace(row, value=row.value + Decimal(1234), valid_from=CHANGE_DAY, valid_to=None)
    changing = _engine_with_rows(engine, key, [before, after])
    old_figure, new_figure = (fmt.figure(r.value, r.unit) for r in (before, after))

    first = changing.select(intent.id, Session(), TODAY)
    second = changing.select(intent.id, Session(), CHANGE_DAY)
    again = changing.select(intent.id, Session(), TODAY)

    assert old_figure in _said(first) and new_figure not in _said(first)
    assert new_figure in _said(second) and old_figure not in _said(second)
    assert again == first


def test_a_day_without_a_figure_is_not_remembered_as_an_answer(engine: Engine) -> None:
    intent, key = _static_with_figure(engine.knowledge)
    (row,) = engine.knowledge.facts[key]
    later = replace(row, valid_from=CHANGE_DAY, valid_to=None)
    missing = _engine_with_rows(engine, key, [later])

    assert missing.select(intent.id, Session(), TODAY).text == notices.MISSING_FIGURE_TEXT
    shown = missing.select(intent.id, Session(), CHANGE_DAY)
    assert fmt.figure(later.value, later.unit) in _said(shown)
    assert missing.select(intent.id, Session(), TODAY).text == notices.MISSING_FIGURE_TEXT


def test_an_answer_read_from_the_message_is_computed_for_each_message(engine: Engine) -> None:
    small = engine.answer("iuran bpu kalau penghasilan 1 juta", Session(), TODAY)
    large = engine.answer("iuran bpu kalau penghasilan 5 juta", Session(), TODAY)
    assert small.intent == large.intent
    assert small.text != large.text


def _context(knowledge: Knowledge, intent: Intent, today: date) -> Context:
    return Context(intent, "", "", Entities(), knowledge, today, Session())


def test_a_kept_reply_is_rendered_once_per_intent_and_day(knowledge: Knowledge) -> None:
    calls: list[tuple[str, date]] = []

    def counted(ctx: Context) -> Reply:
        calls.append((ctx.intent.id, ctx.today))
        return HANDLERS["static"](ctx)

    renderings = Renderings(by_day=frozenset({counted}))
    intent, _key = _static_with_figure(knowledge)
    for day in (TODAY, TODAY, CHANGE_DAY, TODAY):
        reply = renderings.reply(counted, _context(knowledge, intent, day))
        assert reply == HANDLERS["static"](_context(knowledge, intent, day))
    assert calls == [(intent.id, TODAY), (intent.id, CHANGE_DAY)]


def test_handlers_outside_the_kept_ones_run_every_time(knowledge: Knowledge) -> None:
    calls: list[str] = []

    def reads_the_message(ctx: Context) -> Reply:
        calls.append(ctx.question)
        return Reply(text=ctx.question)

    renderings = Renderings()
    intent = next(iter(knowledge.intents.values()))
    for question in ("satu", "satu", "dua"):
        ctx = replace(_context(knowledge, intent, TODAY), question=question)
        assert renderings.reply(reads_the_message, ctx).text == question
    assert calls == ["satu", "satu", "dua"]


@pytest.mark.parametrize("days", [MAX_KEPT + 5])
def test_the_kept_replies_stay_bounded(knowledge: Knowledge, days: int) -> None:
    renderings = Renderings()
    intent = next(i for i in knowledge.intents.values() if i.handler == "smalltalk.menu")
    for offset in range(days):
        ctx = _context(knowledge, intent, TODAY + timedelta(days=offset))
        renderings.reply(HANDLERS["smalltalk.menu"], ctx)
    assert len(renderings._kept) <= MAX_KEPT
