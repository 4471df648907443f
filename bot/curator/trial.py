"""Try a question: the reply as `ask --json` gives it, and everything a curator needs to judge it
(intent, confidence, runner-up candidates, entities, the source of every figure, and the
messages each channel's real renderer would send)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from bot.channels.telegram import render as telegram_render
from bot.channels.whatsapp import send as whatsapp_send
from bot.engine import Engine
from core.entities import Entities
from core.reply import Reply, reply_json
from core.session import Session
from knowledge import format as fmt
from knowledge.options import option_ids
from knowledge.store import Knowledge
from knowledge.text import PLACEHOLDER

# Where an amount the user typed comes from.
QUESTION_SOURCE = "dari pertanyaan (jumlah yang ditulis pengguna)"
# How many candidates the page shows: the winner and its runners-up.
SHOWN_CANDIDATES = 5


@dataclass(frozen=True)
class FigureSource:
    """Where one figure of the answer comes from: the knowledge rows that state it on the day
    asked; none means the handler computed it from such rows."""

    figure: str
    rows: tuple[str, ...]  # e.g. "bpu_jkm (facts.csv): Permenaker 5/2021 (...)"


@dataclass(frozen=True)
class Trial:
    question: str
    today: date
    kind: str  # answer, clarify, fallback, followup
    reply: dict[str, Any]  # exactly `ask --json`
    candidates: tuple[tuple[str, str, float], ...]  # intent id, title, score
    entities: dict[str, Any]
    figures: tuple[FigureSource, ...]
    telegram: tuple[dict[str, Any], ...]  # {"text": HTML as sent, "buttons": [[titles]]}
    whatsapp: tuple[dict[str, Any], ...]  # Graph API message objects, as sent
    # What each option of the answer brings when tapped (the details, a follow-up, "Bagikan").
    taps: tuple[dict[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["today"] = self.today.isoformat()
        data["candidates"] = [{"intent": i, "title": t, "score": s} for i, t, s in self.candidates]
        data["figures"] = [{"figure": f.figure, "rows": list(f.rows)} for f in self.figures]
        return data


def _shown_forms(value: Decimal, unit: str) -> set[str]:
    forms = {fmt.figure(value, unit), fmt.number(value)}
    if unit == "rupiah":
        forms.add(fmt.rupiah_large(value))
    if unit == "percent":
        forms.add(fmt.percent(value))
    return forms


@dataclass(frozen=True)
class _Row:
    shown: str
    where: str
    key: str
    labels: tuple[str, ...]


def _rows_stating(knowledge: Knowledge, entities: Entities, today: date) -> Iterator[_Row]:
    """Every knowledge row in force that the answer may quote, in each form it can be shown."""
    for rows in knowledge.facts.values():
        for fact in rows:
            if fact.valid_on(today):
                labels = tuple(knowledge.source_label(fact.source))
                case = f"@{fact.applies_to}" if fact.applies_to else ""
                where = f"{fact.key}{case} (facts.csv): " + "; ".join(labels)
                for shown in _shown_forms(fact.value, fact.unit):
                    yield _Row(shown, where, fact.key, labels)
    for tier in knowledge.jakon_tiers:
        if tier.valid_on(today):
            labels = tuple(knowledge.source_label(tier.source))
            where = "jakon_tiers.csv: " + "; ".join(labels)
            for value in (tier.jkk, tier.jkm):
                yield _Row(fmt.percent(value), where, "", labels)
    regions = set(entities.regions)
    for region in list(regions):
        regions.update(knowledge.children(region))
    for region in sorted(regions):
        for row in knowledge.region_figures(region):
            labels = tuple(knowledge.source_label(row.source))
            when = row.as_of_label or row.as_of.isoformat()
            where = f"{row.metric} {region} per {when} (coverage.csv): " + "; ".join(labels)
            for shown in _shown_forms(row.value, row.unit):
                yield _Row(shown, where, "", labels)


def figure_sources(
    knowledge: Knowledge, reply: Reply, entities: Entities, today: date
) -> tuple[FigureSource, ...]:
    """For each figure: the rows that state it, narrowed to the likeliest ones (rows the
    intent's text names, else rows whose sources the answer cites); an amount the user typed is
    said to come from the question."""
    intent = knowledge.intents.get(reply.intent or "")
    named = (
        {m.group("key") for m in PLACEHOLDER.finditer(f"{intent.answer}\n{intent.share}")}
        if intent
        else set()
    )
    cited = set(reply.sources)
    typed = {fmt.rupiah(a) for a in entities.amounts}
    found: dict[str, list[_Row]] = {f: [] for f in reply.figures}
    for row in _rows_stating(knowledge, entities, today):
        if row.shown in found and row.where not in (r.where for r in found[row.shown]):
            found[row.shown].append(row)
    out = []
    for figure in sorted(reply.figures):
        rows = found[figure]
        if figure in typed:
            out.append(FigureSource(figure, (QUESTION_SOURCE,)))
            continue
        for narrower in (
            [r for r in rows if r.key in named],
            [r for r in rows if r.labels and set(r.labels) <= cited],
        ):
            if narrower:
                rows = narrower
                break
        out.append(FigureSource(figure, tuple(r.where for r in rows)))
    return tuple(out)


def render_reply(
    reply: Reply, knowledge: Knowledge | None
) -> tuple[tuple[dict[str, Any], ...], tuple[dict[str, Any], ...]]:
    """The messages the real Telegram and WhatsApp renderers make of this reply."""
    # Rendering only encodes; the knowledge would resolve shortened buttons read back.
    codec = telegram_render.CallbackCodec(
        (lambda: option_ids(knowledge)) if knowledge is not None else None
    )
    telegram = []
    for message in telegram_render.render(reply, codec):
        rows = message.keyboard.inline_keyboard if message.keyboard else ()
        telegram.append({"text": message.text, "buttons": [[b.text for b in row] for row in rows]})
    return tuple(telegram), tuple(whatsapp_send.render(reply))


def _entities(entities: Entities) -> dict[str, Any]:
    return {k: v for k, v in asdict(entities).items() if v not in (None, (), {}, "")}


def _taps(
    engine: Engine, reply: Reply, session: Session, today: date
) -> tuple[dict[str, Any], ...]:
    taps = []
    for option in reply.options:
        # Each tap from the same moment of the conversation, as if it were the only one.
        tapped = engine.choose(option.id, copy.deepcopy(session), today).reply
        telegram, whatsapp = render_reply(tapped, engine.knowledge)
        taps.append(
            {
                "option": option.id,
                "title": option.title,
                "reply": json.loads(reply_json(tapped)),
                "telegram": telegram,
                "whatsapp": whatsapp,
            }
        )
    return tuple(taps)


def run_trial(engine: Engine, question: str, today: date) -> Trial:
    """One question, a fresh session, as `ask` answers it; then each of its options tapped."""
    session = Session()
    outcome = engine.respond(question, session, today)
    reply = outcome.reply
    intents = engine.knowledge.intents
    telegram, whatsapp = render_reply(reply, engine.knowledge)
    candidates = tuple(
        (c.intent, intents[c.intent].title if c.intent in intents else c.intent, round(c.score, 4))
        for c in outcome.candidates[:SHOWN_CANDIDATES]
    )
    return Trial(
        question=question,
        today=today,
        kind=outcome.kind,
        reply=json.loads(reply_json(reply)),
        candidates=candidates,
        entities=_entities(outcome.entities),
        figures=figure_sources(engine.knowledge, reply, outcome.entities, today),
        telegram=telegram,
        whatsapp=whatsapp,
        taps=_taps(engine, reply, session, today),
    )
