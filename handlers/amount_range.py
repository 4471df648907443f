"""A plausible range for each kind of amount a calculator takes, and the kind answer outside it.

A calculator fed "upah Rp9.999.999.999.999.999" answers with absurd figures, and one fed a
29-digit amount used to crash. The bounds are sanity limits on what a person could mean, not
facts about BPJS: they are far wider than any real income, wage or construction contract, so a
real question is never refused, and narrow enough that every figure computed from an amount inside
them stays exact in Decimal arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.context import Context, Handler
from core.reply import Reply
from knowledge import format as fmt

# kind -> (lowest, highest) whole rupiah. Monthly for an income or a wage; the whole project
# for a contract value.
PLAUSIBLE: dict[str, tuple[int, int]] = {
    "income": (1_000, 1_000_000_000),
    "wage": (1_000, 1_000_000_000),
    "contract": (1_000, 100_000_000_000_000),
}

_WHAT = {
    "income": ("penghasilan sebulan", "penghasilan 2 juta"),
    "wage": ("upah sebulan", "upah 4,5 juta"),
    "contract": ("nilai kontrak", "kontrak 750 juta"),
}
# Past this many digits an amount is not repeated back: nobody reads a 29-digit figure.
_ECHO_LIMIT = 10**15


def implausible(kind: str, amounts: Iterable[int]) -> int | None:
    """The first amount outside the plausible range of `kind`, or None when all are inside."""
    bounds = PLAUSIBLE.get(kind)
    if bounds is None:
        return None
    low, high = bounds
    return next((a for a in amounts if not low <= a <= high), None)


def out_of_range_text(kind: str, value: int) -> str:
    what, example = _WHAT[kind]
    low, high = PLAUSIBLE[kind]
    shown = fmt.rupiah(value) if abs(value) < _ECHO_LIMIT else "angka itu"
    size = "terlalu besar" if value > high else "terlalu kecil"
    return (
        f"Maaf, {shown} sepertinya {size} untuk {what}, jadi belum saya hitung. "
        f"Saya bisa menghitung untuk {what} dari {fmt.rupiah(low)} sampai {fmt.rupiah(high)}. "
        f'Mohon periksa lagi angkanya, lalu kirim ulang, misalnya "{example}".'
    )


def guard(kind: str, handler: Handler) -> Handler:
    """The handler, answering amounts outside the range of `kind` kindly instead of computing.

    The session keeps waiting for the amount, so that "2 juta" next is calculated."""

    def guarded(ctx: Context) -> Reply:
        value = implausible(kind, ctx.entities.amounts)
        if value is None:
            return handler(ctx)
        ctx.session.pending_intent = ctx.intent.id
        return Reply(text=out_of_range_text(kind, value), intent=ctx.intent.id, confidence=1.0)

    guarded.__doc__ = handler.__doc__
    return guarded
