"""Premium (iuran) calculators: informal workers (BPU), wage workers (PU), construction (Jakon).

Every rate, cap and discount comes from a facts.csv row in force on `today`; nothing here is a
figure of its own.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from core.context import Context
from core.reply import Reply
from handlers.common import Figures, calculated_reply, static
from handlers.discounts import discount_end_text, month_start, next_month, period
from knowledge import format as fmt

HUNDRED = Decimal(100)
ASK_INCOME = (
    'Berapa penghasilan Bapak/Ibu per bulan? Tulis saja angkanya, misalnya "2 juta", '
    "nanti saya hitungkan iurannya."
)
ASK_WAGE = (
    'Berapa upah (gaji pokok + tunjangan tetap) per bulan? Tulis angkanya, misalnya "5 juta", '
    "nanti saya hitungkan bagian perusahaan dan bagian pekerja."
)


def _clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(high, value))


def _discount_rows(ctx: Context) -> dict[str, tuple[Decimal, date | None, date | None]]:
    """The PP 50/2025-style discounts in force today, by sector ("transport", "umum")."""
    found = {}
    for sector in ("transport", "umum"):
        row = ctx.knowledge.fact_or_none("bpu_discount", ctx.today, sector)
        if row is not None:
            found[sector] = (row.value, row.valid_from, row.valid_to)
    return found


def _bpu_one(
    ctx: Context, figs: Figures, income: Decimal
) -> tuple[Decimal, Decimal, Decimal, list[str]]:
    """(JKK, JKM, JHT) for one declared income, and the working lines."""
    jkk_rate, jkk_rate_text = figs.fact(ctx, "bpu_jkk_rate")
    jkm, jkm_text = figs.fact(ctx, "bpu_jkm")
    jht_rate, jht_rate_text = figs.fact(ctx, "bpu_jht_rate")
    low = ctx.knowledge.value("bpu_jkk_min", ctx.today)
    high = ctx.knowledge.value("bpu_jkk_max", ctx.today)
    jht_low = ctx.knowledge.value("bpu_jht_min", ctx.today)
    jht_high = ctx.knowledge.value("bpu_jht_max", ctx.today)
    raw_jkk = income * jkk_rate / HUNDRED
    raw_jht = income * jht_rate / HUNDRED
    jkk = _clamp(raw_jkk, low, high)
    jht = _clamp(raw_jht, jht_low, jht_high)
    lines = [
        f"JKK {jkk_rate_text} × {figs.rp(income)} = {figs.rp(raw_jkk)}"
        + _limit_note(figs, raw_jkk, jkk, low)
        + f"; JKM tetap {jkm_text}.",
        f"JHT (pilihan) {jht_rate_text} × {figs.rp(income)} = {figs.rp(raw_jht)}"
        + _limit_note(figs, raw_jht, jht, jht_low)
        + ".",
    ]
    return jkk, jkm, jht, lines


def _limit_note(figs: Figures, raw: Decimal, used: Decimal, low: Decimal) -> str:
    """The official table has a lowest and a highest income step: say when one applied."""
    if raw == used:
        return ""
    which = "paling sedikit" if used == low else "paling banyak"
    return f", dihitung {which} {figs.rp(used)}"


def bpu(ctx: Context) -> Reply:
    """Iuran for informal workers, for one or several declared incomes, today's discount included."""
    figs = Figures()
    ents = ctx.entities
    memory = ctx.session.memory
    if ents.sector and ents.occupation:
        memory["sector"], memory["occupation"] = ents.sector, ents.occupation
    sector = ents.sector or memory.get("sector")
    occupation = ents.occupation or memory.get("occupation")
    incomes = [Decimal(a) for a in ents.amounts]
    asked_minimum = not incomes
    if asked_minimum:
        incomes = [ctx.knowledge.value("bpu_income_min", ctx.today)]
    # "5 orang, masing-masing 1,5 juta" or "10 petani penghasilan 1 juta": one income, several.
    counted = ents.workers or _occupation_count(ctx)
    # "6 bulan berape" alone (reached right after a premium) is those months too.
    months_ahead = months_to_pay_ahead(ctx.normalized) or months_alone(ctx.normalized)
    if months_ahead:
        return pay_ahead(
            ctx, figs, incomes[0], sector or "umum", months_ahead, occupation, counted or 1
        )
    workers = counted if counted and len(incomes) == 1 else len(incomes)
    discounts = _discount_rows(ctx)
    if sector is not None:
        applicable = discounts.get(sector)
    else:
        # Sector unknown: a discount is shown as the price only when every sector has one today;
        # otherwise the note says who gets it.
        applicable = discounts.get("umum") if len(discounts) == 2 else None

    normal_total = discounted_total = jht_total = Decimal(0)
    working: list[str] = []
    per_worker: list[str] = []
    for income in incomes:
        jkk, jkm, jht, lines = _bpu_one(ctx, figs, income)
        normal = jkk + jkm
        discounted = normal * (HUNDRED - applicable[0]) / HUNDRED if applicable else normal
        count = workers if len(incomes) == 1 else 1
        normal_total += normal * count
        discounted_total += discounted * count
        jht_total += jht * count
        if len(incomes) == 1:
            working.extend(lines)
        else:
            per_worker.append(
                f"• penghasilan {figs.rp(income)}: JKK + JKM {figs.rp(discounted)}"
                f" (JHT pilihan +{figs.rp(jht)})"
            )
    if len(incomes) == 1 and workers > 1:
        working.append(f"Untuk {figs.num(workers)} orang: dikali {figs.num(workers)}.")

    who = f" ({occupation})" if occupation else ""
    if asked_minimum and workers > 1:
        # The total for a group must say it is a group's: Rp168.000 read as one weaver's
        # premium is ten times the real one.
        head = (
            f"Iuran BPJS Ketenagakerjaan paling murah untuk {figs.num(workers)} pekerja "
            f"mandiri{who}, total per bulan:"
        )
    elif asked_minimum:
        head = f"Iuran BPJS Ketenagakerjaan paling murah untuk pekerja mandiri{who}, per bulan:"
    elif workers > 1:
        head = f"Iuran pekerja mandiri{who} untuk {figs.num(workers)} orang, per bulan:"
    else:
        head = f"Iuran pekerja mandiri{who} untuk penghasilan {figs.rp(incomes[0])}, per bulan:"
    summary = [head]
    if applicable:
        summary.append(
            f"• JKK + JKM: {figs.rp(discounted_total)} (diskon {figs.pct(applicable[0])}), "
            + discount_end_text(figs, applicable[2], ctx.today, normal_total)
            + "."
        )
    else:
        summary.append(f"• JKK + JKM: {figs.rp(normal_total)}.")
    with_jht = discounted_total + jht_total
    summary.append(
        f"• Kalau tambah JHT (tidak wajib): {figs.rp(with_jht)}"
        + (" (JHT tidak didiskon)." if applicable else ".")
    )
    summary.extend(per_worker)
    sections = ["\n".join(summary)]
    note = _discount_note(ctx, figs, discounts, sector, applicable is not None, normal_total)
    if note:
        sections.append(note)
    if asked_minimum:
        sections.append(ASK_INCOME)
        ctx.session.pending_intent = ctx.intent.id
    details = ("Cara hitung: " + " ".join(working)) if working else ""
    return calculated_reply(
        ctx,
        figs,
        "\n\n".join(sections),
        share=bpu_share(figs, who, applicable, discounted_total, normal_total, with_jht),
        details=details,
    )


def bpu_share(
    figs: Figures,
    who: str,
    applicable: tuple[Decimal, date | None, date | None] | None,
    discounted: Decimal,
    normal: Decimal,
    with_jht: Decimal,
) -> str:
    """The forwardable premium text: true after it is forwarded, so a discount names its end."""
    if applicable:
        rate, _start, end = applicable
        last = fmt.month_year(end) if end else ""
        after = fmt.month_year(next_month(end)) if end else ""
        price = (
            f"JKK + JKM {figs.rp(discounted)}/bulan (diskon {figs.pct(rate)} PP 50/2025 sampai "
            f"iuran {last}, bulan diskon terakhir; mulai iuran {after} normal {figs.rp(normal)})"
        )
    else:
        price = f"JKK + JKM {figs.rp(normal)}/bulan"
    return (
        f"Iuran BPJS Ketenagakerjaan pekerja mandiri{who}: {price}. Tambah JHT (pilihan) jadi "
        f"{figs.rp(with_jht)}/bulan."
    )


_AHEAD = re.compile(
    r"\b(\d{1,2})\s*(?:bulan|bln)\b(?=.*\b(?:sekaligus|dimuka|muka|depan|kedepan|langsung|"
    r"borongan|advance|ahead)\b)|\b(?:sekaligus|dimuka|di muka|langsung|ke depan)\b.*?\b(\d{1,2})\s*"
    r"(?:bulan|bln)\b"
)


# Years said as such: "bayar setahun sekaligus" is twelve months paid at once.
_YEARS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bsetengah tahun\b"), "6 bulan"),
    (re.compile(r"\b(?:setahun|satu tahun|1 tahun)\b"), "12 bulan"),
    (re.compile(r"\b(?:dua tahun|2 tahun)\b"), "24 bulan"),
)


# A message that is only a duration ("12 bulan", "kalau setahun?"): said right after a premium
# calculation (the only way it reaches this handler), those months paid at once.
_ONLY_MONTHS = re.compile(
    r"^(?:(?:kalau|jika|terus kalau|bayar|kalau bayar)\s+)?(\d{1,2})\s*(?:bulan|bln)"
    r"(?:\s+(?:saja|aja|sekaligus|langsung))?$"
)
# Right after a premium, a duration with only the words that say "paid at once, how much"
# around it ("kl langsung 3 bln?", "6 bulan berape", "how much for 6 months", "klo setaun"):
# read alone, "setahun berapa" is how much a year of that premium costs (in a question of its
# own it may be years of contribution).
_MONTHS_AFTER_PREMIUM = re.compile(
    r"^(?:(?:kalau|jika|terus|bayar|langsung|sekaligus|untuk|buat|berapa|total|jadi)\s+){0,3}"
    r"(\d{1,2})\s*"
    r"(?:bulan|bln)(?:\s+(?:saja|aja|sekaligus|langsung|berapa|jadi|total|totalnya|bayarnya))*$"
)


def months_to_pay_ahead(normalized: str) -> int | None:
    """ "bayar 12 bulan sekaligus", "bayar dimuka 6 bulan", "setahun sekaligus", or a duration
    alone ("12 bulan", "kalau setahun"): how many months are paid at once."""
    return _months(normalized, alone=False)


def months_alone(normalized: str) -> int | None:
    """The months of a message that is only a duration ("12 bulan", "kalau setahun?")."""
    return _months(normalized, alone=True)


def _months(normalized: str, alone: bool) -> int | None:
    for said, as_months in _YEARS:
        normalized = said.sub(as_months, normalized)
    found = (_MONTHS_AFTER_PREMIUM if alone else _ONLY_MONTHS).match(normalized.strip(" ?"))
    if not alone:
        found = _AHEAD.search(normalized) or found
    if not found:
        return None
    months = int(next(g for g in found.groups() if g))
    return months if 2 <= months <= 24 else None


def _occupation_count(ctx: Context) -> int | None:
    """ "10 petani": a count right before an occupation word."""
    for match in re.finditer(r"\b(\d{1,4})\s+([a-z]+)", ctx.normalized):
        if match.group(2) in ctx.knowledge.occupations and int(match.group(1)) > 1:
            return int(match.group(1))
    return None


def pay_ahead(
    ctx: Context,
    figs: Figures,
    income: Decimal,
    sector: str,
    months: int,
    occupation: str | None,
    workers: int = 1,
) -> Reply:
    """Several months paid at once, month by month, so that a discount's end is counted; for
    `workers` people of the same income (an agent paying ahead for a group)."""
    jkk, jkm, _jht, _lines = _bpu_one(ctx, figs, income)
    normal = (jkk + jkm) * workers
    month = month_start(ctx.today)
    runs: list[tuple[date, date, Decimal, int]] = []  # first, last, amount, count
    for _ in range(months):
        row = ctx.knowledge.fact_or_none("bpu_discount", month, sector)
        amount = normal * (HUNDRED - row.value) / HUNDRED if row else normal
        if row:
            figs.sources.extend(ctx.knowledge.source_label(row.source))
        if runs and runs[-1][2] == amount:
            first, _last, _amount, count = runs[-1]
            runs[-1] = (first, month, amount, count + 1)
        else:
            runs.append((month, month, amount, 1))
        month = next_month(month)
    total = sum((amount * count for _f, _l, amount, count in runs), Decimal(0))
    who = (
        f" ({occupation})"
        if occupation
        else (" (sektor transportasi)" if sector == "transport" else "")
    )
    lines = [
        f"Bayar {figs.num(months)} bulan sekaligus mulai iuran {fmt.month_year(month_start(ctx.today))}"
        f", {_people(figs, workers)}{who}, penghasilan {figs.rp(income)}"
        f"{' masing-masing' if workers > 1 else ''}, JKK + JKM:"
    ]
    for first, last, amount, count in runs:
        span = (
            fmt.month_year(first)
            if count == 1
            else f"{fmt.month_year(first)} – {fmt.month_year(last)}"
        )
        label = " (diskon)" if amount != normal else ""
        lines.append(
            f"• {span}: {figs.num(count)} × {figs.rp(amount)}{label} = {figs.rp(amount * count)}"
        )
    lines.append(f"Total: {figs.rp(total)}. JHT (pilihan) dihitung terpisah.")
    if len(runs) > 1:
        lines.append(
            "Diskon hanya untuk bulan iuran dalam masa diskon; bulan sesudahnya harga normal."
        )
    if occupation is None:
        lines.append(
            "Saya hitung untuk sektor selain transportasi; sebut pekerjaan bila ojek/sopir/kurir."
        )
    return calculated_reply(ctx, figs, "\n".join(lines))


def _people(figs: Figures, workers: int) -> str:
    return "satu pekerja mandiri" if workers == 1 else f"{figs.num(workers)} pekerja mandiri"


def _discount_note(
    ctx: Context,
    figs: Figures,
    discounts: dict[str, tuple[Decimal, date | None, date | None]],
    sector: str | None,
    applied: bool,
    normal_total: Decimal,
) -> str:
    labels = {
        "transport": "sektor transportasi (ojek, ojol, sopir, kurir)",
        "umum": "sektor lain",
    }
    for row in ctx.knowledge.fact_rows("bpu_discount"):
        if row.valid_on(ctx.today):
            figs.sources.extend(ctx.knowledge.source_label(row.source))
            break
    if applied:
        return (
            "Diskon otomatis; tidak berlaku bagi peserta yang iurannya dibayar pemerintah "
            "(APBN/APBD)."
        )
    if sector is None and len(discounts) == 1:
        only, (rate, start, end) = next(iter(discounts.items()))
        cut = normal_total * (HUNDRED - rate) / HUNDRED
        who = labels[only] if only == "transport" else "di luar sektor transportasi"
        return (
            f"Pekerja {who} mendapat diskon {figs.pct(rate)} untuk "
            f"{period(start, end)}: JKK + JKM jadi {figs.rp(cut)}. Sebut pekerjaan Anda agar "
            "saya hitung tepat."
        )
    upcoming = [
        r
        for r in ctx.knowledge.fact_rows("bpu_discount")
        if r.valid_from and r.valid_from > ctx.today and (sector is None or r.applies_to == sector)
    ]
    if upcoming:
        first = upcoming[0]
        figs.sources.extend(ctx.knowledge.source_label(first.source))
        return (
            f"Akan ada diskon {figs.pct(first.value)} untuk {labels.get(first.applies_to, 'peserta')}: "
            f"{period(first.valid_from, first.valid_to)}."
        )
    return ""


def pu(ctx: Context) -> Reply:
    """Iuran for wage workers: each programme, employer and worker shares, JP capped."""
    figs = Figures()
    group = ctx.entities.risk_group or ctx.session.memory.get("risk_group")
    if ctx.entities.risk_group:
        ctx.session.memory["risk_group"] = ctx.entities.risk_group
    jkm_rate, jkm_text = figs.fact(ctx, "pu_jkm_rate")
    _jht, jht_text = figs.fact(ctx, "pu_jht_rate")
    jht_er, jht_er_text = figs.fact(ctx, "pu_jht_employer")
    jht_wk, jht_wk_text = figs.fact(ctx, "pu_jht_worker")
    _jp, jp_text = figs.fact(ctx, "pu_jp_rate")
    jp_er, jp_er_text = figs.fact(ctx, "pu_jp_employer")
    jp_wk, jp_wk_text = figs.fact(ctx, "pu_jp_worker")
    cap_row = ctx.knowledge.fact("jp_wage_cap", ctx.today)
    _cap, cap_text = figs.fact(ctx, "jp_wage_cap")
    groups = {g: figs.fact(ctx, "pu_jkk_rate", g) for g in ("I", "II", "III", "IV", "V")}

    cap_since = fmt.long_date(cap_row.valid_from) if cap_row.valid_from else ""
    jp_line = (
        f"• JP {jp_text}: {jp_er_text} perusahaan + {jp_wk_text} pekerja, dari upah paling tinggi "
        f"{cap_text}"
    )
    if not ctx.entities.amounts:
        lines = [
            "Iuran karyawan (penerima upah), dari upah sebulan:",
            f"• JKK {groups['I'][1]} sampai {groups['V'][1]} (perusahaan, menurut risiko usaha)",
            f"• JKM {jkm_text} (perusahaan)",
            f"• JHT {jht_text}: {jht_er_text} perusahaan + {jht_wk_text} pekerja",
            jp_line + ".",
            'Sebut upahnya (misalnya "5 juta"), saya hitungkan.',
        ]
        ctx.session.pending_intent = ctx.intent.id
        details = (
            f"Batas upah JP {cap_text} berlaku sejak {cap_since}; batas ini disesuaikan setiap "
            "tahun. JKP (Jaminan Kehilangan Pekerjaan): pekerja tidak membayar tambahan."
        )
        return calculated_reply(ctx, figs, "\n".join(lines), details=details)

    wage = Decimal(ctx.entities.amounts[0])
    chosen = group or "I"
    jkk_rate, jkk_text = groups[chosen]
    jp_base = min(wage, cap_row.value)
    jkk = wage * jkk_rate / HUNDRED
    jkm = wage * jkm_rate / HUNDRED
    jht_e = wage * jht_er / HUNDRED
    jht_w = wage * jht_wk / HUNDRED
    jp_e = jp_base * jp_er / HUNDRED
    jp_w = jp_base * jp_wk / HUNDRED
    employer = jkk + jkm + jht_e + jp_e
    worker = jht_w + jp_w
    working = [
        f"• JKK {jkk_text}: {figs.rp(jkk)} (perusahaan)",
        f"• JKM {jkm_text}: {figs.rp(jkm)} (perusahaan)",
        f"• JHT: {figs.rp(jht_e)} perusahaan ({jht_er_text}) + {figs.rp(jht_w)} pekerja ({jht_wk_text})",
        f"• JP: {figs.rp(jp_e)} perusahaan ({jp_er_text}) + {figs.rp(jp_w)} pekerja ({jp_wk_text})"
        f", dari {figs.rp(jp_base)}",
    ]
    lines = []
    if _asks_about_cap(ctx.normalized) and wage != cap_row.value:
        # "iuran jp dari gaji maksimal 10 juta ya": correct the cap before computing anything.
        lines.append(
            f"Batas upah JP bukan {figs.rp(wage)}, tetapi {cap_text} (sejak {cap_since}). "
            f"Iuran JP paling banyak {jp_text} × {cap_text} = "
            f"{figs.rp(cap_row.value * (jp_er + jp_wk) / HUNDRED)} sebulan."
        )
    lines += [
        f"Iuran untuk upah {figs.rp(wage)} sebulan (JKK kelompok risiko {chosen}):",
        f"• dibayar perusahaan: {figs.rp(employer)}",
        f"• dipotong dari gaji pekerja: {figs.rp(worker)} (JHT {jht_wk_text} + JP {jp_wk_text})",
    ]
    if wage > cap_row.value:
        lines.append(f"JP dihitung dari batas upah {cap_text}, bukan dari seluruh upah.")
    if group is None:
        working.append(
            f"Kelompok risiko belum disebut, jadi saya pakai kelompok I ({groups['I'][1]}). "
            f"Usaha berisiko tinggi bisa sampai {groups['V'][1]}: sebut kelompoknya untuk hitung ulang."
        )
    return calculated_reply(ctx, figs, "\n".join(lines), details="Rincian:\n" + "\n".join(working))


# ("maksud saya" is no maximum: a correction would read as a question about the cap)
_CAP_WORDS = re.compile(r"\b(?:maks(?!ud)\w*|max\w*|batas\w*|paling tinggi|plafon|tertinggi)\b")


def _asks_about_cap(normalized: str) -> bool:
    return bool(_CAP_WORDS.search(normalized))


def jakon(ctx: Context) -> Reply:
    """Construction projects: progressive tiers over the contract value."""
    figs = Figures()
    tiers = [t for t in ctx.knowledge.jakon_tiers if t.valid_on(ctx.today)]
    if not ctx.entities.amounts:
        rows = []
        for t in tiers:
            upper = f"sampai {figs.rp(t.upper)}" if t.upper is not None else "selebihnya"
            rows.append(f"• bagian {upper}: JKK {figs.pct(t.jkk)} + JKM {figs.pct(t.jkm)}")
        _r, jkk_text = figs.fact(ctx, "jakon_upah_jkk")
        _m, jkm_text = figs.fact(ctx, "jakon_upah_jkm")
        text = "\n".join(
            [
                "Iuran jasa konstruksi (Jakon) didaftarkan per proyek oleh pemilik atau pelaksana proyek.",
                f"Bila upah pekerja tercantum di kontrak: JKK {jkk_text} + JKM {jkm_text} dari upah sebulan.",
                "Bila upah tidak diketahui, dihitung bertingkat dari nilai kontrak (sebelum PPN):",
                *rows,
                "",
                'Sebut nilai kontraknya (misalnya "kontrak 750 juta"), saya hitungkan.',
            ]
        )
        if any(not t.verified for t in tiers):
            figs.unverified = True
        ctx.session.pending_intent = ctx.intent.id
        return calculated_reply(ctx, figs, text)
    value = Decimal(ctx.entities.amounts[0])
    total_jkk = total_jkm = Decimal(0)
    working: list[str] = []
    for t in tiers:
        if value <= t.lower:
            break
        top = value if t.upper is None else min(value, t.upper)
        slice_ = top - t.lower
        jkk = slice_ * t.jkk / HUNDRED
        jkm = slice_ * t.jkm / HUNDRED
        total_jkk += jkk
        total_jkm += jkm
        if not t.verified:
            figs.unverified = True
        working.append(
            f"• {figs.rp(slice_)} × ({figs.pct(t.jkk)} + {figs.pct(t.jkm)}) = {figs.rp(jkk + jkm)}"
        )
        figs.sources.extend(ctx.knowledge.source_label(t.source))
    text = "\n".join(
        [
            f"Iuran Jakon untuk nilai kontrak {figs.rp(value)} (cara bertingkat):",
            *working,
            "",
            f"Total: JKK {figs.rp(total_jkk)} + JKM {figs.rp(total_jkm)} = {figs.rp(total_jkk + total_jkm)} "
            "untuk seluruh masa proyek. Bisa dibayar bertahap (termin).",
        ]
    )
    return calculated_reply(ctx, figs, text)


RISK_GROUP_EXAMPLES = {
    "I": "sangat rendah, misalnya kantor, bank, jasa, pendidikan",
    "II": "rendah, misalnya toko dan perdagangan",
    "III": "sedang, misalnya industri ringan",
    "IV": "tinggi, misalnya konstruksi",
    "V": "sangat tinggi, misalnya pertambangan",
}


def risk_groups(ctx: Context) -> Reply:
    """The five JKK risk groups for employers; with a wage, the full wage-worker calculation."""
    if ctx.entities.amounts:
        return pu(ctx)
    figs = Figures()
    chosen = ctx.entities.risk_group
    lines = [
        "Iuran JKK untuk pekerja penerima upah dibayar penuh oleh perusahaan, menurut kelompok risiko usahanya:"
    ]
    for group, example in RISK_GROUP_EXAMPLES.items():
        _rate, text = figs.fact(ctx, "pu_jkk_rate", group)
        marker = "→" if chosen == group else "•"
        lines.append(f"{marker} Kelompok {group}: {text} dari upah sebulan ({example})")
    lines += [
        "",
        "Kelompok risiko ditetapkan BPJS Ketenagakerjaan menurut jenis usaha; contoh di atas hanya "
        'gambaran. Sebut upah sebulan dan kelompoknya (misalnya "upah 4 juta kelompok III") untuk '
        "menghitung seluruh iuran.",
    ]
    ctx.session.pending_intent = ctx.intent.id
    return calculated_reply(ctx, figs, "\n".join(lines))


def bayar(ctx: Context) -> Reply:
    """How to pay; "bayar 12 bulan sekaligus" is answered with the month-by-month amount."""
    if months_to_pay_ahead(ctx.normalized):
        return bpu(ctx)
    return static(ctx)
