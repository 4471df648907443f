"""Building blocks shared by the handlers: rendering intent texts and assembling replies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import lru_cache

from core.context import Context
from core.reply import Option, Reply
from handlers.present import FIRST_MESSAGE_CHARS, split_first
from knowledge import format as fmt
from knowledge import lifecycle
from knowledge.model import Fact
from knowledge.store import Rendered

OFFICIAL_CHANNELS = "Saluran resmi: telepon 175, aplikasi JMO, atau bpjsketenagakerjaan.go.id."
UNVERIFIED_NOTE = (
    "Catatan: sebagian angka di atas belum terverifikasi penuh. Pastikan dulu ke 175 atau kantor "
    "cabang sebelum dipakai."
)
HOW_TO_CHECK = "Cek di JMO, 175 atau bpjsketenagakerjaan.go.id."


def _changes_when(fact: Fact) -> str:
    _fixed, month = lifecycle.parse_review(fact.review_by)
    if month is not None:
        return f"; angka ini diperbarui setiap {fmt.MONTHS[month - 1]} dan"
    return " dan"


def stale_note(facts: Iterable[Fact]) -> str:
    """A plain warning for figures past their review date: still the latest known, not current."""
    rows = list(dict.fromkeys(facts))
    if not rows:
        return ""
    shown = " dan ".join(fmt.figure(f.value, f.unit) for f in rows)
    since = rows[0].valid_from
    when = f" (sejak {fmt.long_date(since)})" if since and len(rows) == 1 else ""
    return (
        f"Perhatian: {shown}{when} adalah angka terakhir yang saya tahu{_changes_when(rows[0])} "
        f"mungkin sudah berubah. {HOW_TO_CHECK}"
    )


def first_and_details(body: str, notes: Iterable[str], details: str = "") -> tuple[str, str]:
    """The phone-sized first message (the answer, then its warnings) and the rest."""
    tail = "\n\n".join(n for n in notes if n)
    budget = FIRST_MESSAGE_CHARS - (len(tail) + 2 if tail else 0)
    first, rest = split_first(body, max(budget, 160))
    text = first + ("\n\n" + tail if tail else "")
    more = "\n\n".join(p for p in (rest, details.strip()) if p)
    return text, more


def followup_options(ctx: Context, ids: Iterable[str] | None = None) -> tuple[Option, ...]:
    options = []
    for target in ctx.intent.followups if ids is None else ids:
        intent = ctx.knowledge.intents.get(target.split(":", 1)[0])
        if intent is not None and intent.valid_on(ctx.today):
            options.append(Option(target, intent.title))
    return tuple(options)


def intent_sources(ctx: Context) -> list[str]:
    labels: list[str] = []
    for ref in ctx.intent.sources:
        labels.extend(ctx.knowledge.source_label(ref))
    return labels


def merge_sources(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(label for group in groups for label in group))


def reply_from(
    ctx: Context,
    parts: Iterable[Rendered | str],
    *,
    options: tuple[Option, ...] | None = None,
    extra_sources: Iterable[str] = (),
    share: str | None = None,
    details: str = "",
) -> Reply:
    """Join rendered pieces into one Reply, carrying their figures and sources."""
    texts: list[str] = []
    figures: set[str] = set()
    sources: list[str] = []
    unverified = False
    stale: list[Fact] = []
    for part in parts:
        if isinstance(part, Rendered):
            texts.append(part.text)
            figures.update(part.figures)
            sources.extend(part.sources)
            unverified = unverified or part.unverified
            stale.extend(part.stale)
        elif part:
            texts.append(part)
    body = "\n\n".join(t.strip() for t in texts if t.strip())
    notes = (stale_note(stale), UNVERIFIED_NOTE if unverified else "")
    text, more = first_and_details(body, notes, details)
    return Reply(
        text=text,
        options=followup_options(ctx) if options is None else options,
        sources=merge_sources(intent_sources(ctx), sources, extra_sources),
        figures=frozenset(figures),
        share_text=share,
        details=more,
    )


def render_share(ctx: Context) -> Rendered | None:
    if not ctx.intent.share:
        return None
    return ctx.knowledge.render(ctx.intent.share, ctx.today)


def static(ctx: Context) -> Reply:
    """An intent whose answer is its text, with {placeholders} filled for today."""
    body = ctx.knowledge.render(ctx.intent.answer, ctx.today)
    share = render_share(ctx)
    more = ctx.knowledge.render(ctx.intent.details, ctx.today) if ctx.intent.details else None
    reply = reply_from(ctx, [body], share=share.text if share else None)
    if more is None:
        return reply
    return replace(
        reply,
        details="\n\n".join(p for p in (reply.details, more.text) if p),
        figures=reply.figures | more.figures,
        sources=merge_sources(reply.sources, more.sources),
    )


class Figures:
    """Formats the figures a calculator states and remembers them, so that a test can prove each
    figure in a reply came from a knowledge row or a calculation."""

    def __init__(self) -> None:
        self.shown: set[str] = set()
        self.sources: list[str] = []
        self.unverified = False
        self.stale: list[Fact] = []

    def rp(self, value: Decimal | int) -> str:
        text = _rupiah(value)
        self.shown.add(text)
        return text

    def pct(self, value: Decimal) -> str:
        text = fmt.percent(value)
        self.shown.add(text)
        return text

    def num(self, value: Decimal | int) -> str:
        text = _number(value)
        self.shown.add(text)
        return text

    def fact(self, ctx: Context, key: str, applies_to: str = "") -> tuple[Decimal, str]:
        """The value of a fact in force today, formatted; its source joins the reply's."""
        row = ctx.knowledge.fact(key, ctx.today, applies_to)
        self.sources.extend(ctx.knowledge.source_label(row.source))
        if not row.verified:
            self.unverified = True
        stale, text = _row_view(row, ctx.today)
        if stale:
            self.stale.append(row)
        self.shown.add(text)
        return row.value, text


# Two house formats, remembered: each is a function of the value alone (equal values, 16800 and
# Decimal("16800.00"), even 0 and Decimal("-0"), give one text, so the cache cannot mix them
# up), and a calculation formats a dozen figures most calculations share, at about 4 µs a
# rupiah (a decimal context is set up for each). Not the percentages: "-0%" is not "0%".
_rupiah = lru_cache(maxsize=4096)(fmt.rupiah)
_number = lru_cache(maxsize=1024)(fmt.number)


@lru_cache(maxsize=1024)
def _row_view(row: Fact, today: date) -> tuple[bool, str]:
    """(stale on `today`, the figure as shown) of one fact row: a function of the row and the day
    alone, asked again by every calculation (reading the review rule costs more than the sum)."""
    return lifecycle.is_stale(row, today), fmt.figure(row.value, row.unit)


def calculated_reply(
    ctx: Context,
    figures: Figures,
    text: str,
    *,
    options: tuple[Option, ...] | None = None,
    share: str | None = None,
    details: str = "",
) -> Reply:
    """A calculator's answer: `text` leads (split to phone size), `details` holds the working."""
    notes = (stale_note(figures.stale), UNVERIFIED_NOTE if figures.unverified else "")
    first, more = first_and_details(text, notes, details)
    return Reply(
        text=first,
        options=followup_options(ctx) if options is None else options,
        sources=merge_sources(intent_sources(ctx), figures.sources),
        figures=frozenset(figures.shown),
        share_text=share,
        details=more,
    )
