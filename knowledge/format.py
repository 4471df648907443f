"""House-style formatting of figures in Bahasa Indonesia: Rp16.800, 5,7%, 15 Maret 2026."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def _group(whole: int) -> str:
    return f"{whole:,}".replace(",", ".")


def _whole(value: Decimal) -> int:
    """Round half up to whole units, exactly, however many digits: quantize in the default
    28-digit context raises InvalidOperation from 10^28 on, so give it the digits it needs."""
    with localcontext() as ctx:
        ctx.prec = max(28, value.adjusted() + 3)
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rupiah(value: Decimal | int) -> str:
    """Whole rupiah with dot thousands: Rp16.800. Half a rupiah rounds up, as BPJS bills do."""
    amount = _whole(Decimal(value))
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{_group(abs(int(amount)))}"


def rupiah_large(value: Decimal | int) -> str:
    """Rp10,08 miliar for reported totals of a billion rupiah or more; Rp846.000.000 below."""
    amount = Decimal(value)
    if abs(amount) >= 1_000_000_000:
        with localcontext() as ctx:
            ctx.prec = max(28, amount.adjusted() + 3)
            billions = (amount / 1_000_000_000).quantize(Decimal("0.01"))
        return f"Rp{number(billions.normalize())} miliar"
    return rupiah(amount)


def number(value: Decimal | int) -> str:
    """A count or decimal with Indonesian separators: 53.374, 1,5."""
    dec = Decimal(value)
    if dec == dec.to_integral_value():
        return _group(int(dec))
    whole, _, frac = f"{dec.normalize():f}".partition(".")
    return f"{_group(int(whole))},{frac}"


def percent(value: Decimal | int) -> str:
    """5,7%, 0,24%, 50%: no trailing zeros, comma decimals."""
    text = f"{Decimal(value).normalize():f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


def long_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def month_year(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def figure(value: Decimal, unit: str) -> str:
    if unit == "rupiah":
        return rupiah(value)
    if unit == "percent":
        return percent(value)
    if unit == "years":
        return f"{number(value)} tahun"
    if unit == "months":
        return f"{number(value)} bulan"
    if unit == "days":
        return f"{number(value)} hari"
    if unit == "age":
        return f"{number(value)} tahun"
    return number(value)
