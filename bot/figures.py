"""The figures an answer showed, and the ones a message quotes back.

"332.500 itu sekali bayar?", "56 itu umur sy atau lama kerja?", "59? bkn 56?": a user who
quotes a figure the last answer gave asks about that answer, whatever the other words of the
message would match alone. The answer's figures are its `Reply.figures` ("Rp332.500", "56
tahun", "3,7%"); the message's are its amounts and its bare numbers, as the normaliser leaves
them. Both are reduced to one plain form ("332500", "56", "3.7") to compare.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# The first number of a figure as an answer writes it: "Rp1.000.000", "3,7%", "56 tahun".
_SHOWN = re.compile(r"\d{1,3}(?:\.\d{3})+(?![\d,])|\d+(?:,\d+)?")
# A bare number the message points at, as a normalised message keeps it: "56 itu ...", "59
# bukan 56", "yg 59 tadi" (amounts are the extractor's). A number before a unit is a count of
# the user's own ("anak 2 masih SD", "blm 15 thn", "telat 2 bulan"), and a day is a date ("lewat
# tgl 15"), not the answer's figure.
_QUOTED = re.compile(
    r"(?<![\w,.])(?<!tanggal )(?<!tgl )(?<!jam )(\d+(?:,\d+)?)"
    r"(?=\s+(?:itu|tu|tadi|td|ini|bukan|ya|kah|persen)\b|\s*$)"
)


def _plain(number: str) -> str:
    """ "1.000.000" -> "1000000", "3,7" -> "3.7", "05" -> "5"."""
    if "," in number:
        whole, _, fraction = number.partition(",")
        whole = whole.replace(".", "")
        fraction = fraction.rstrip("0")
        return f"{int(whole or 0)}.{fraction}" if fraction else str(int(whole or 0))
    return str(int(number.replace(".", "")))


def shown(figures: Iterable[str]) -> str:
    """The answer's figures in plain form, space-separated, for the session's memory."""
    values: dict[str, None] = {}
    for figure in figures:
        if match := _SHOWN.search(figure):
            values[_plain(match.group())] = None
    return " ".join(values)


def quoted(normalized: str, amounts: Iterable[int]) -> frozenset[str]:
    """The figures a message names: its amounts and the bare numbers of its words."""
    found = {str(a) for a in amounts}
    found.update(_plain(m.group(1)) for m in _QUOTED.finditer(normalized))
    return frozenset(found)


def quotes_shown(normalized: str, amounts: Iterable[int], remembered: str) -> bool:
    """True when the message names a figure the last answer showed."""
    return bool(remembered) and not quoted(normalized, amounts).isdisjoint(remembered.split())
