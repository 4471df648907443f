"""Building blocks shared by the handlers: rendering intent texts and assembling replies."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from bot.reply import Option, Reply
from handlers.context import Context
from knowledge import format as fmt
from knowledge.store import Rendered

OFFICIAL_CHANNELS = "Saluran resmi: telepon 175, aplikasi JMO, atau bpjsketenagakerjaan.go.id."
UNVERIFIED_NOTE = (
    "Catatan: sebagian angka di atas belum terverifikasi penuh. Pastikan dulu ke 175 atau kantor "
    "cabang sebelum dipakai."
)


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
) -> Reply:
    """Join rendered pieces into one Reply, carrying their figures and sources."""
    texts: list[str] = []
    figures: set[str] = set()
    sources: list[str] = []
    unverified = False
    for part in parts:
        if isinstance(part, Rendered):
            texts.append(part.text)
            figures.update(part.figures)
            sources.extend(part.sources)
            unverified = unverified or part.unverified
        elif part:
            texts.append(part)
    if unverified:
        texts.append(UNVERIFIED_NOTE)
    return Reply(
        text="\n\n".join(t.strip() for t in texts if t.strip()),
        options=followup_options(ctx) if options is None else options,
        sources=merge_sources(intent_sources(ctx), sources, extra_sources),
        figures=frozenset(figures),
        share_text=share,
    )


def render_share(ctx: Context) -> Rendered | None:
    if not ctx.intent.share:
        return None
    return ctx.knowledge.render(ctx.intent.share, ctx.today)


def static(ctx: Context) -> Reply:
    """An intent whose answer is its text, with {placeholders} filled for today."""
    body = ctx.knowledge.render(ctx.intent.answer, ctx.today)
    share = render_share(ctx)
    return reply_from(ctx, [body], share=share.text if share else None)


class Figures:
    """Formats the figures a calculator states and remembers them, so that a test can prove each
    figure in a reply came from a knowledge row or a calculation."""

    def __init__(self) -> None:
        self.shown: set[str] = set()
        self.sources: list[str] = []
        self.unverified = False

    def rp(self, value: Decimal | int) -> str:
        text = fmt.rupiah(value)
        self.shown.add(text)
        return text

    def pct(self, value: Decimal) -> str:
        text = fmt.percent(value)
        self.shown.add(text)
        return text

    def num(self, value: Decimal | int) -> str:
        text = fmt.number(value)
        self.shown.add(text)
        return text

    def fact(self, ctx: Context, key: str, applies_to: str = "") -> tuple[Decimal, str]:
        """The value of a fact in force today, formatted; its source joins the reply's."""
        row = ctx.knowledge.fact(key, ctx.today, applies_to)
        self.sources.extend(ctx.knowledge.source_label(row.source))
        if not row.verified:
            self.unverified = True
        text = fmt.figure(row.value, row.unit)
        self.shown.add(text)
        return row.value, text


def calculated_reply(
    ctx: Context,
    figures: Figures,
    text: str,
    *,
    options: tuple[Option, ...] | None = None,
    share: str | None = None,
) -> Reply:
    body = text.strip()
    if figures.unverified:
        body += "\n\n" + UNVERIFIED_NOTE
    return Reply(
        text=body,
        options=followup_options(ctx) if options is None else options,
        sources=merge_sources(intent_sources(ctx), figures.sources),
        figures=frozenset(figures.shown),
        share_text=share,
    )
