"""Benefit calculators: scholarships, JKK from a wage, JKP from a wage, JP eligibility and age."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from core.context import Context
from core.reply import Reply
from handlers.common import Figures, calculated_reply

HUNDRED = Decimal(100)
LEVELS = (
    ("tk", "TK"),
    ("sd", "SD"),
    ("smp", "SMP"),
    ("sma", "SMA/SMK"),
    ("pt", "kuliah (S1) atau pelatihan kerja"),
)


def scholarship(ctx: Context) -> Reply:
    figs = Figures()
    _n, children = figs.fact(ctx, "beasiswa_anak_max")
    _t, total = figs.fact(ctx, "beasiswa_max_total")
    _y, years = figs.fact(ctx, "beasiswa_masa_iur")
    _a, age = figs.fact(ctx, "beasiswa_usia_max")
    rows = []
    for key, label in LEVELS:
        _v, per_year = figs.fact(ctx, "beasiswa_per_tahun", key)
        _d, duration = figs.fact(ctx, "beasiswa_durasi", key)
        marker = "→ " if ctx.entities.school_level == key else "• "
        rows.append(f"{marker}{label}: {per_year} per tahun, paling lama {duration}")
    text = "\n".join(
        [
            f"Beasiswa pendidikan dari BPJS Ketenagakerjaan, untuk paling banyak {children} anak, "
            f"total paling banyak {total}:",
            *rows,
            "",
            f"Syarat: peserta meninggal dunia atau cacat total tetap. Bila meninggal bukan karena "
            f"kecelakaan kerja, peserta harus sudah membayar iuran minimal {years}; bila karena "
            "kecelakaan kerja, tidak ada syarat lama iuran.",
            f"Beasiswa berhenti saat anak berusia {age}, menikah, atau bekerja. Anak yang belum "
            "sekolah menerimanya saat mulai sekolah. Klaim diajukan setiap tahun.",
        ]
    )
    return calculated_reply(ctx, figs, text)


def _ask_wage(ctx: Context, text: str) -> Reply:
    ctx.session.pending_intent = ctx.intent.id
    return calculated_reply(ctx, Figures(), text)


def jkk(ctx: Context) -> Reply:
    """JKK benefits; with a wage, the death and total-disability lump sums."""
    figs = Figures()
    death_x, _ = figs.fact(ctx, "jkk_kematian_kali_upah")
    disab_x, _ = figs.fact(ctx, "jkk_cacat_total_kali_upah")
    _s1, stmb_first = figs.fact(ctx, "jkk_stmb_awal")
    _m, stmb_months = figs.fact(ctx, "jkk_stmb_awal_bulan")
    _s2, stmb_after = figs.fact(ctx, "jkk_stmb_lanjut")
    _h, home_care = figs.fact(ctx, "jkk_home_care_max")
    overview = [
        "JKK = Jaminan Kecelakaan Kerja. Bila celaka saat kerja (termasuk di jalan pergi-pulang "
        "kerja) atau sakit karena pekerjaan:",
        "• biaya berobat sesuai kebutuhan medis, tanpa batas biaya, rawat inap kelas I;",
        f"• upah selama tidak bisa bekerja: {stmb_first} upah untuk {stmb_months} pertama, "
        f"lalu {stmb_after} sampai sembuh;",
        f"• perawatan di rumah paling banyak {home_care};",
        f"• cacat total tetap: {figs.num(disab_x)} × upah sebulan;",
        f"• meninggal karena kecelakaan kerja: {figs.num(death_x)} × upah sebulan, ditambah "
        "biaya pemakaman dan santunan berkala, serta beasiswa anak.",
    ]
    _j, hours = figs.fact(ctx, "jkk_lapor_jam")
    report = (
        f"Laporkan kecelakaan paling lambat {hours} jam (2 × 24 jam) lewat pemberi kerja, atau "
        "sendiri bila peserta mandiri."
    )
    if not ctx.entities.amounts:
        ctx.session.pending_intent = ctx.intent.id
        lines = [*overview, "", "Sebut upah atau penghasilan sebulan untuk menghitung santunannya."]
        return calculated_reply(ctx, figs, "\n".join(lines), details=report)
    wage = Decimal(ctx.entities.amounts[0])
    lines = [
        f"Santunan JKK untuk upah (atau penghasilan yang dilaporkan) {figs.rp(wage)}:",
        f"• meninggal karena kecelakaan kerja: {figs.num(death_x)} × {figs.rp(wage)} = "
        f"{figs.rp(death_x * wage)}, ditambah biaya pemakaman dan santunan berkala;",
        f"• cacat total tetap: {figs.num(disab_x)} × {figs.rp(wage)} = {figs.rp(disab_x * wage)}.",
    ]
    example = ctx.knowledge.fact_or_none("jkk_kematian_total_contoh", ctx.today, str(int(wage)))
    if example is not None:
        # The reported total for this declared income, which includes the funeral and periodic
        # payments that the multiple above leaves out.
        _e, total = figs.fact(ctx, "jkk_kematian_total_contoh", example.applies_to)
        lines.append(
            f"Untuk penghasilan {figs.rp(wage)}, total santunan kematian karena kecelakaan kerja "
            f"dilaporkan {total} (Kepala BPJS Ketenagakerjaan NTT, Januari 2026)."
        )
    lines.append(report)
    return calculated_reply(ctx, figs, "\n".join(lines), details="\n".join(overview))


def jkp(ctx: Context) -> Reply:
    """JKP cash benefit from a wage: a percentage of the capped wage for some months."""
    figs = Figures()
    rate, rate_text = figs.fact(ctx, "jkp_manfaat_rate")
    months, months_text = figs.fact(ctx, "jkp_manfaat_bulan")
    cap, cap_text = figs.fact(ctx, "jkp_batas_upah")
    _k, claim_text = figs.fact(ctx, "jkp_klaim_batas")
    _i, paid_text = figs.fact(ctx, "jkp_syarat_iur")
    _b, row_text = figs.fact(ctx, "jkp_syarat_beruntun")
    lines = [
        "JKP = Jaminan Kehilangan Pekerjaan, untuk pekerja penerima upah yang kena PHK "
        "(bukan yang mengundurkan diri, pensiun, atau kontraknya habis).",
        f"• Uang tunai {rate_text} dari upah per bulan, paling lama {months_text}; upah dihitung "
        f"paling tinggi {cap_text}.",
        "• Informasi lowongan kerja dan pelatihan kerja (lewat SIAPkerja Kemnaker).",
        f"• Syarat: sudah membayar iuran minimal {paid_text} dalam 24 bulan, termasuk {row_text} "
        "berturut-turut sebelum PHK.",
        f"• Ajukan paling lambat {claim_text} setelah PHK.",
    ]
    if ctx.entities.amounts:
        wage = Decimal(ctx.entities.amounts[0])
        base = min(wage, cap)
        monthly = base * rate / HUNDRED
        # What was asked first: the first message of a phone-sized answer (handlers.present)
        # holds about 500 characters, and the general lines alone fill it.
        worked = [
            f"Uang JKP untuk upah {figs.rp(wage)}: {rate_text} × {figs.rp(base)} = "
            f"{figs.rp(monthly)} per bulan, selama {months_text}: total "
            f"{figs.rp(monthly * months)}."
        ]
        if wage > cap:
            worked.append(f"(Upah di atas {cap_text} dihitung {cap_text}.)")
        lines = [*worked, "", *lines]
    else:
        ctx.session.pending_intent = ctx.intent.id
        lines += ["", "Sebut upah terakhir Anda untuk menghitung uang JKP."]
    return calculated_reply(ctx, figs, "\n".join(lines))


# "kurang 15 tahun", "belum sampai 15 tahun", "di bawah 15 tahun": a limit not reached.
_LESS = re.compile(
    r"\b(?:kurang(?:\s+dari)?|belum(?:\s+sampai|\s+genap)?|(?:tidak|tdk|gak|ga|nggak)\s+sampai|"
    r"di\s*bawah)\s+(\d{1,2})\s+tahun"
)


def _less_than(normalized: str, years: int) -> bool:
    """True when the years in the question are a limit not reached, not the years paid."""
    found = _LESS.search(normalized)
    return found is not None and int(found.group(1)) == years


def retirement_year(ctx: Context, birth_year: int) -> tuple[int, int] | None:
    """(year, age) at which someone born in `birth_year` reaches the JP retirement age."""
    for year in range(birth_year + 40, birth_year + 80):
        row = ctx.knowledge.fact_or_none("jp_usia_pensiun", date(year, 1, 1))
        if row is not None and year - birth_year >= int(row.value):
            return year, int(row.value)
    return None


def jp(ctx: Context) -> Reply:
    """JP: the 15-year rule, today's retirement age and the schedule, eligibility from years."""
    figs = Figures()
    _m, min_years = figs.fact(ctx, "jp_masa_iur_min")
    min_value = ctx.knowledge.value("jp_masa_iur_min", ctx.today)
    age_row = ctx.knowledge.fact("jp_usia_pensiun", ctx.today)
    _a, age_today = figs.fact(ctx, "jp_usia_pensiun")
    schedule = [
        r
        for r in ctx.knowledge.fact_rows("jp_usia_pensiun")
        if r.valid_from and r.valid_from > ctx.today
    ][:3]
    personal: list[str] = []
    ents = ctx.entities
    if ents.years is not None:
        if ents.years >= min_value and not _less_than(ctx.normalized, ents.years):
            personal.append(
                f"Dengan {figs.num(ents.years)} tahun iuran, Anda berhak atas uang pensiun bulanan."
            )
        elif _less_than(ctx.normalized, ents.years):
            personal.append(
                f"Kurang dari {min_years} iuran: JP tidak dibayar bulanan, tetapi iuran dan hasil "
                "pengembangannya dibayar sekaligus saat usia pensiun."
            )
        else:
            personal.append(
                f"Dengan {figs.num(ents.years)} tahun iuran (kurang dari {min_years}), JP dibayar "
                "sekaligus, bukan bulanan."
            )
    if ents.birth_year is not None:
        found = retirement_year(ctx, ents.birth_year)
        if found:
            year, age = found
            personal.append(
                f"Lahir tahun {ents.birth_year}: usia pensiun Anda {figs.num(age)} tahun, yaitu tahun {year}."
            )
    rule = (
        f"• Uang pensiun bulanan bila sudah membayar iuran minimal {min_years}. Kurang dari itu, "
        "iuran dan hasil pengembangannya dibayar sekaligus."
    )
    lines = [
        *personal,
        "JP = Jaminan Pensiun, uang bulanan saat pensiun. Hanya untuk pekerja penerima upah "
        "(karyawan); pekerja mandiri tidak bisa ikut JP.",
        f"• Usia pensiun tahun {ctx.today.year}: {age_today}.",
        # Already answered for the years asked about: the general rule would say it twice.
        *(() if ents.years is not None else (rule,)),
    ]
    details = ""
    if schedule:
        nxt = ", ".join(
            f"{figs.num(int(r.value))} tahun mulai {r.valid_from.year}"
            for r in schedule
            if r.valid_from
        )
        details = f"Usia pensiun naik satu tahun setiap tiga tahun: {nxt}."
    if ents.years is not None:
        details = "\n".join(p for p in (rule, details) if p)
    del age_row
    return calculated_reply(ctx, figs, "\n".join(lines), details=details)
