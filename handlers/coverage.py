"""Regional coverage figures, always with their date and source."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

from core.context import Context
from core.reply import Option, Reply
from handlers.common import Figures, calculated_reply
from handlers.elsewhere import outside_reply
from knowledge import format as fmt
from knowledge.model import CoverageFigure, Region

# A figure older than this is flagged as old, so nobody mistakes 2021 for today.
OLD_AFTER_DAYS = 2 * 365


def resolve_region(ctx: Context) -> tuple[Region | None, Reply | None]:
    """The region the user means, or a reply that asks which one (ambiguous or missing)."""
    regions = ctx.knowledge.regions
    if ctx.argument and ctx.argument in regions:
        return regions[ctx.argument], None
    if ctx.entities.regions:
        return regions[ctx.entities.regions[0]], None
    if ctx.entities.outside and not ctx.entities.ambiguous_regions:
        return None, outside_reply(ctx)
    if ctx.entities.ambiguous_regions:
        choices = ctx.entities.ambiguous_regions[0]
        if (
            ctx.intent.handler == "offices.region"
            and len({regions[r].office for r in choices}) == 1
        ):
            # "Kota or Kabupaten?" only when the answer differs: one office serves both.
            return regions[choices[0]], None
        options = tuple(Option(f"{ctx.intent.id}:{rid}", regions[rid].name[:24]) for rid in choices)
        names = " atau ".join(regions[rid].name for rid in choices)
        text = f"Maksud Bapak/Ibu {names}? Pilih salah satu."
        return None, Reply(text=text, options=options)
    remembered = ctx.session.memory.get("region")
    if remembered in regions:
        return regions[remembered], None
    ctx.session.pending_intent = ctx.intent.id
    return None, Reply(
        text=(
            "Untuk daerah mana? Tulis nama kabupaten, kota atau provinsinya, misalnya "
            '"Manggarai", "Kota Kupang", "NTB" atau "Bangka Belitung".'
        )
    )


# Figures written inside a note come from the same sourced row as the figure itself.
_NOTE_FIGURE = re.compile(r"Rp-?\d{1,3}(?:\.\d{3})*(?:,\d+)?(?: (?:miliar|juta))?|\d+(?:,\d+)?%")
_PLANS = ("target", "rencana", "anggaran")
_HEADLINE = ("cakupan", "peserta aktif", "terdaftar", "terlindungi")


def _value(figs: Figures, fig: CoverageFigure) -> str:
    if fig.unit == "percent":
        return figs.pct(fig.value)
    if fig.unit == "rupiah":
        text = fmt.rupiah_large(fig.value)
        figs.shown.add(text)
        return text
    return figs.num(fig.value)


def _line(figs: Figures, fig: CoverageFigure, today: date) -> str:
    # "25 September 2025 (data tahun 2025)" reads inside brackets as "25 September 2025, data ...".
    when = (fig.as_of_label or fmt.long_date(fig.as_of)).replace(" (", ", ").replace(")", "")
    old = "; angka lama" if (today - fig.as_of).days > OLD_AFTER_DAYS else ""
    figs.shown.update(_NOTE_FIGURE.findall(fig.note))
    note = f" {fig.note[0].upper()}{fig.note[1:]}." if fig.note else ""
    per = "" if when.startswith("sampai") else "per "
    return f"• {fig.metric}: {_value(figs, fig)} ({per}{when}{old}).{note}"


def _rank(fig: CoverageFigure) -> tuple[int, int, int, float]:
    """The curated headline first; then newest year first, coverage and participants before
    plans and budgets."""
    metric = fig.metric.lower()
    kind = (
        2 if any(w in metric for w in _PLANS) else 0 if any(w in metric for w in _HEADLINE) else 1
    )
    return (0 if fig.headline else 1, -fig.as_of.year, kind, -fig.as_of.toordinal())


# Figures as written in a line or a note (53.374, 33,25%, 1,2 juta, 900 ribu, Rp10,08 miliar),
# read back to values: a figure already stated in this answer is not stated again.
_WRITTEN = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?(?!\d)(?![.,]\d)\s*(miliar|juta|ribu)?(?!\s*(?:"
    + "|".join(fmt.MONTHS)
    + r")\b)"
)
_SCALE = {"miliar": 10**9, "juta": 10**6, "ribu": 10**3, None: 1}


def _stated(text: str) -> set[Decimal]:
    found = set()
    for whole, frac, scale in _WRITTEN.findall(text):
        number = Decimal(whole.replace(".", "") + (f".{frac}" if frac else ""))
        if not scale and not frac and 1990 <= number <= 2100:
            continue  # a year, not a figure
        found.add(number * _SCALE[scale or None])
    return found


def _section(
    ctx: Context, figs: Figures, region: Region, said: set[Decimal], limit: int = 6
) -> list[str]:
    rows = sorted(ctx.knowledge.region_figures(region.id), key=_rank)
    lines = [f"{region.name}:"]
    for fig in rows:
        if len(lines) > limit:
            break
        if fig.value in said:
            continue
        note_values = _stated(fig.note)
        if fig.note and note_values and note_values <= said | {fig.value}:
            fig = replace(fig, note="")  # the note only repeats what was said
        lines.append(_line(figs, fig, ctx.today))
        said.add(fig.value)
        said.update(note_values)
        figs.sources.extend(ctx.knowledge.source_label(fig.source))
    return lines if len(lines) > 1 else []


def region(ctx: Context) -> Reply:
    place, ask = resolve_region(ctx)
    if place is None:
        assert ask is not None
        return ask
    ctx.session.memory["region"] = place.id
    figs = Figures()
    said: set[Decimal] = set()
    sections: list[list[str]] = []
    own = _section(ctx, figs, place, said)
    if own:
        sections.append(own)
    # Figures for the larger area this place belongs to, e.g. Manggarai Raya for Manggarai.
    for other in ctx.knowledge.regions.values():
        if (
            other.kind == "wilayah"
            and place.id in other.parts
            and (section := _section(ctx, figs, other, said))
        ):
            sections.append(section)
    if place.kind == "wilayah":
        for part in place.parts:
            if section := _section(ctx, figs, ctx.knowledge.regions[part], said, limit=3):
                sections.append(section)
    newest = max((f.as_of for f in ctx.knowledge.region_figures(place.id)), default=None)
    province = ctx.knowledge.regions.get(place.province)
    # Only old figures for this place: add the province's recent ones for a current picture.
    stale = newest is not None and (ctx.today - newest).days > OLD_AFTER_DAYS
    if own and province and stale and (section := _section(ctx, figs, province, said, limit=3)):
        sections.append(section)
    if not own:
        intro = f"Saya belum punya angka kepesertaan BPJS Ketenagakerjaan untuk {place.name}."
        if province and (section := _section(ctx, figs, province, said, limit=3)):
            sections.append(section)
            intro += " Angka terdekat yang saya punya:"
        else:
            intro += " Tanyakan ke kantor cabang atau 175 untuk data terbaru."
    else:
        intro = "Angka kepesertaan BPJS Ketenagakerjaan (dari berita, per tanggal yang disebut):"
    body = "\n\n".join("\n".join(s) for s in sections)
    text = intro + ("\n\n" + body if body else "")
    share = None
    if own:
        share = f"Kepesertaan BPJS Ketenagakerjaan {place.name}: " + "; ".join(
            line.removeprefix("• ") for line in own[1:3]
        )
    return calculated_reply(ctx, figs, text, share=share)
