"""Temporary discounts told completely: who gets one, the last discounted month, the warning in
that month, and plainly when a discount has ended (PP 50/2025 for informal workers; PP 7/2025 and
PP 36/2025 for labour-intensive employers). Every period is a facts.csv row, never code.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.context import Context
from core.reply import Reply
from handlers.common import Figures, calculated_reply
from knowledge import format as fmt

HUNDRED = Decimal(100)


def period(start: date | None, end: date | None) -> str:
    if start and end:
        return f"iuran {fmt.month_year(start)} sampai {fmt.month_year(end)}"
    if end:
        return f"sampai iuran {fmt.month_year(end)}"
    return "sementara"


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_start(day: date) -> date:
    return day.replace(day=1)


def in_last_month(end: date | None, today: date) -> bool:
    return end is not None and (end.year, end.month) == (today.year, today.month)


def discount_end_text(
    figs: Figures, end: date | None, today: date, normal: Decimal, forwarded: bool = False
) -> str:
    """The last discounted month, named; in that month, the warning that the normal amount
    applies from the next one. A forwarded text never says "this month": it is read later."""
    if end is None:
        return ""
    after = fmt.month_year(next_month(end))
    if in_last_month(end, today) and not forwarded:
        return (
            f"bulan ini ({fmt.month_year(end)}) bulan diskon terakhir; mulai iuran {after} "
            f"normal {figs.rp(normal)}"
        )
    return (
        f"sampai iuran {fmt.month_year(end)} (bulan diskon terakhir); mulai iuran {after} "
        f"normal {figs.rp(normal)}"
    )


def _discount_status(
    figs: Figures,
    ctx: Context,
    sector: str,
    label: str,
    normal: Decimal,
    forwarded: bool = False,
) -> str:
    rows = [r for r in ctx.knowledge.fact_rows("bpu_discount") if r.applies_to == sector]
    for row in rows:
        figs.sources.extend(ctx.knowledge.source_label(row.source))
        cut = normal * (HUNDRED - row.value) / HUNDRED
        span = period(row.valid_from, row.valid_to)
        if row.valid_on(ctx.today):
            return (
                f"• {label}: {figs.rp(cut)}, "
                + discount_end_text(figs, row.valid_to, ctx.today, normal, forwarded)
                + "."
            )
        if row.valid_from and row.valid_from > ctx.today:
            return (
                f"• {label}: sekarang {figs.rp(normal)}; diskon jadi {figs.rp(cut)} untuk {span}."
            )
    last = rows[-1] if rows else None
    if last is not None and last.valid_to is not None and forwarded:
        return (
            f"• {label}: diskon berakhir dengan iuran {fmt.month_year(last.valid_to)}; mulai "
            f"iuran {fmt.month_year(next_month(last.valid_to))} normal {figs.rp(normal)}."
        )
    if last is not None and last.valid_to is not None:
        return (
            f"• {label}: diskon sudah berakhir (bulan diskon terakhir iuran "
            f"{fmt.month_year(last.valid_to)}); sekarang normal {figs.rp(normal)}."
        )
    return f"• {label}: {figs.rp(normal)}."


def discount(ctx: Context) -> Reply:
    """Temporary discounts, told for today: who, how much, the last discounted month, and
    plainly when one has ended (PP 50/2025 for informal workers; PP 7/2025 and PP 36/2025 for
    labour-intensive employers)."""
    figs = Figures()
    if "padat karya" in ctx.normalized or "padat-karya" in ctx.normalized:
        return _labour_intensive(ctx, figs)
    _n, _normal_text = figs.fact(ctx, "bpu_iuran_min")
    normal = ctx.knowledge.value("bpu_iuran_min", ctx.today)
    _r, rate_text = figs.fact(ctx, "pp50_diskon_rate")
    lines = [
        f"Diskon PP 50/2025: iuran JKK + JKM pekerja mandiri {rate_text}, otomatis. Iuran "
        "paling murah:",
        _discount_status(figs, ctx, "transport", "ojol, ojek, sopir, kurir", normal),
        _discount_status(figs, ctx, "umum", "sektor lain (petani, nelayan, dll.)", normal),
        "JHT tidak didiskon.",
    ]
    details = (
        "JKK = Jaminan Kecelakaan Kerja, JKM = Jaminan Kematian, JHT = Jaminan Hari Tua. "
        "Diskon berlaku untuk peserta lama maupun baru, tanpa mendaftar. Tidak berlaku bagi "
        "peserta yang iurannya dibayar pemerintah (APBN/APBD), misalnya pekerja rentan yang "
        "dibayari Pemda."
    )
    forwarded = [
        lines[0],
        _discount_status(figs, ctx, "transport", "ojol, ojek, sopir, kurir", normal, True),
        _discount_status(figs, ctx, "umum", "sektor lain (petani, nelayan, dll.)", normal, True),
        lines[-1],
    ]
    share = "\n".join(forwarded)
    return calculated_reply(ctx, figs, "\n".join(lines), details=details, share=share)


def _labour_intensive(ctx: Context, figs: Figures) -> Reply:
    row = ctx.knowledge.fact_rows("pu_padat_karya_diskon")[-1]
    figs.sources.extend(ctx.knowledge.source_label(row.source))
    rate = figs.pct(row.value)
    low = figs.fact(ctx, "pu_jkk_rate", "I")[1]
    high = figs.fact(ctx, "pu_jkk_rate", "V")[1]
    span = period(row.valid_from, row.valid_to)
    if row.valid_on(ctx.today):
        head = (
            f"Diskon {rate} iuran JKK untuk industri padat karya tertentu masih berlaku, untuk "
            f"{span} (PP 7/2025, diperpanjang PP 36/2025). "
            + (
                f"Bulan ini bulan diskon terakhir; mulai iuran {fmt.month_year(next_month(row.valid_to))} normal."
                if row.valid_to and in_last_month(row.valid_to, ctx.today)
                else ""
            )
        )
    else:
        after = fmt.month_year(next_month(row.valid_to)) if row.valid_to else ""
        head = (
            f"Diskon {rate} iuran JKK untuk industri padat karya sudah berakhir: bulan diskon "
            f"terakhir iuran {fmt.month_year(row.valid_to) if row.valid_to else '-'} (PP 7/2025, "
            f"diperpanjang PP 36/2025). Mulai iuran {after} JKK kembali normal, {low} sampai "
            f"{high} dari upah menurut kelompok risiko."
        )
    text = head + (
        "\n\nDiskon ini untuk perusahaan (pemberi kerja) padat karya tertentu, bukan untuk "
        "pekerja mandiri. Denda telat bayar tetap berlaku."
    )
    return calculated_reply(ctx, figs, text)
