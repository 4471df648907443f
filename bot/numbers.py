"""Rupiah amounts and plain numbers in informal Indonesian text.

People type money in many shapes on a phone: "2jt", "2 jt 500 rb", "Rp2.000.000,00", "1,5 juta",
"dua setengah juta", "gaji 3500000". This module turns all of them into whole rupiah, with the
character span they came from, so callers can both read the value and mask the text.

The text is split into tokens (digit runs with their separators, letter runs, "%"), and runs of
adjacent number tokens are read with a small grammar: groups below a thousand ("dua ratus lima
puluh", "500") each optionally followed by a unit (ribu, juta, miliar), units strictly descending.
Only then is each reading judged: a unit or a currency marker makes it money; a bare number is
money only when its shape or its neighbours say so. Everything else is a plain number or nothing.

Pure functions, standard library only, no state between calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

__all__ = ["Amount", "find_amounts", "find_numbers", "parse_amount"]


@dataclass(frozen=True)
class Amount:
    """A rupiah amount found in text.

    The span covers the whole written form, including a leading "Rp"/"IDR" and a trailing
    "rupiah"/"perak", so replacing `text[start:end]` removes the amount cleanly.
    """

    value: int  # rupiah, integer
    start: int  # character span in the input string
    end: int


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------

_THOUSAND = 1_000
_MILLION = 1_000_000
_BILLION = 1_000_000_000
_TRILLION = 1_000_000_000_000

_UNIT_WORDS: dict[str, int] = {
    **dict.fromkeys(("ribu", "rb", "rbu", "rebu", "ribuan", "k"), _THOUSAND),
    **dict.fromkeys(("juta", "jt", "jta", "jutaan", "jtan", "jtaan"), _MILLION),
    # "m" is safe here because it only counts right after a number (see _unit_is_usable).
    **dict.fromkeys(("miliar", "milyar", "miliyar", "milyard", "miliard", "m"), _BILLION),
    **dict.fromkeys(("triliun", "trilyun", "triliyun"), _TRILLION),
}

_SE_UNIT_WORDS: dict[str, int] = {
    "seribu": _THOUSAND,
    "serebu": _THOUSAND,
    "sejuta": _MILLION,
    "semiliar": _BILLION,
    "semilyar": _BILLION,
    "setriliun": _TRILLION,
    "setrilyun": _TRILLION,
}

_DIGIT_WORDS: dict[str, int] = {
    "nol": 0,
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
}

_CURRENCY_PREFIXES = frozenset({"rp", "idr"})
_CURRENCY_SUFFIXES = frozenset({"rupiah", "perak"})

# Words that make a bare number of 1000 or more money: "gaji 3500000", "iuran 16800".
_MONEY_WORDS = frozenset(
    {
        "gaji",
        "gajinya",
        "gajian",
        "upah",
        "upahnya",
        "penghasilan",
        "penghasilannya",
        "pendapatan",
        "pendapatannya",
        "income",
        "salary",
        "iuran",
        "iurannya",
        "bayar",
        "bayarnya",
        "membayar",
        "dibayar",
        "bayaran",
        "pembayaran",
        "kontrak",
        "nilai",
        "rp",
        "idr",
        "omzet",
        "omset",
        "biaya",
        "harga",
        "saldo",
        "tagihan",
        "honor",
        "uang",
        "duit",
        "nominal",
        "sebesar",
        "senilai",
        "thr",
        "bonus",
        "pesangon",
    }
)

# Words after which a bare number is an identifier, never money: "no kpj 12345678901".
_IDENTIFIER_WORDS = frozenset(
    {
        "nomor",
        "nomer",
        "no",
        "nmr",
        "norek",
        "nik",
        "kpj",
        "hp",
        "wa",
        "whatsapp",
        "telp",
        "telpon",
        "telepon",
        "tlp",
        "tel",
        "rekening",
        "rek",
        "kode",
        "pin",
        "otp",
        "npwp",
        "ktp",
        "kk",
        "npp",
        "pos",
        "id",
        "akun",
        "va",
    }
)

# Words after which a four-digit number is a year: "gaji tahun 2026" is about 2026, not Rp2.026.
_DATE_WORDS = frozenset(
    {
        "tahun",
        "thn",
        "th",
        "tgl",
        "tanggal",
        "sejak",
        "since",
        "periode",
        "januari",
        "februari",
        "pebruari",
        "maret",
        "april",
        "mei",
        "juni",
        "juli",
        "agustus",
        "september",
        "oktober",
        "november",
        "nopember",
        "desember",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "agu",
        "agt",
        "agus",
        "sep",
        "sept",
        "okt",
        "nov",
        "des",
    }
)

# Nouns that turn a preceding quantity into a count or a measure: "5 orang", "2 juta pekerja".
# Time words are deliberately absent: "bayar 16800 bulan ini" is still money.
_COUNT_NOUNS = frozenset(
    {
        "orang",
        "org",
        "pekerja",
        "karyawan",
        "buruh",
        "pegawai",
        "tukang",
        "peserta",
        "anggota",
        "anak",
        "jiwa",
        "kepala",
        "tenaga",
        "perusahaan",
        "cabang",
        "kantor",
        "rumah",
        "unit",
        "buah",
        "biji",
        "ekor",
        "lembar",
        "lbr",
        "pcs",
        "item",
        "kg",
        "gram",
        "gr",
        "ton",
        "km",
        "meter",
        "mtr",
        "liter",
        "ltr",
        "hektar",
        "ha",
        "poin",
        "point",
        "derajat",
    }
)

_PERCENT_WORDS = frozenset({"%", "persen", "prsen", "prsn", "percent"})
_NOT_MONEY_AFTER = _COUNT_NOUNS | _PERCENT_WORDS

# "sejuta setengah" is 1.5 million, but "sejuta setengah bulan" is a million over half a month.
_HALF_STOP_WORDS = _COUNT_NOUNS | {
    "hari",
    "minggu",
    "bulan",
    "bln",
    "tahun",
    "thn",
    "jam",
    "menit",
}

# A bare four-digit number in this range reads as a year unless "Rp" or "rupiah" says otherwise.
_FIRST_YEAR = 1900
_LAST_YEAR = 2099

# How many words back a money or identifier word may sit: "penghasilan saya per bulan 3500".
_LOOKBACK_WORDS = 4

# Nobody writes a real amount with this many characters; the cap also keeps int() cheap.
_MAX_NUMERAL_LEN = 40

# ---------------------------------------------------------------------------------------------
# Regular expressions
# ---------------------------------------------------------------------------------------------

# ASCII digits only: other Unicode digits are rare in chat and int() would accept them silently.
_TOKEN_RE = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+|%")
_DIGIT_RE = re.compile(r"[0-9]")
# Indonesian: dots group thousands, an optional comma starts the decimals ("2.000.000,00").
_GROUPED_ID_RE = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]+)?")
# English: commas group thousands. A single comma group is only English when decimals follow.
_GROUPED_EN_RE = re.compile(r"[1-9][0-9]{0,2}(?:(?:,[0-9]{3}){2,}(?:\.[0-9]+)?|,[0-9]{3}\.[0-9]+)")
# "1,500" is 1.5 to an Indonesian and 1500 to an English reader; context decides later.
_AMBIGUOUS_RE = re.compile(r"[1-9][0-9]{0,2},[0-9]{3}")
_DECIMAL_RE = re.compile(r"([0-9]+)[.,]([0-9]+)")
_PREFIX_GAP_RE = re.compile(r"[\s.:]{0,4}")
_SENTENCE_BREAK_RE = re.compile(r"[.!?;\n]")
_RANGE_GAP_RE = re.compile(
    r"\s*(?:-|–|—|~|s/d|s\.d\.?|sd|sampai|sampe|smp|hingga|atau|ato)\s*", re.IGNORECASE
)

# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------


class _Numeral(NamedTuple):
    """One digit run such as "2.000.000,00", read as mantissa / 10**exp. (Tuples, like the
    tokens, readings and hits below: a hostile message has hundreds, and a frozen dataclass
    costs several times more to build.)"""

    kind: str  # "plain", "grouped", "decimal" or "ambiguous"
    mantissa: int
    exp: int
    int_digits: str  # digits before the decimal separator, leading zeros kept
    int_value: int | None  # the value as a whole number, if it reads as one without a unit


class _Token(NamedTuple):
    """A tuple: a message has one per word, and a frozen dataclass costs more to build."""

    text: str  # lower-cased
    start: int
    end: int
    is_digits: bool
    numeral: _Numeral | None  # None for words, and for digit runs that are no number (dates)


def _grouped(int_digits: str, frac: str) -> _Numeral:
    whole = int(int_digits)
    exact = not frac or int(frac) == 0
    return _Numeral(
        "grouped", int(int_digits + frac), len(frac), int_digits, whole if exact else None
    )


@lru_cache(maxsize=1024)
def _parse_numeral(raw: str) -> _Numeral | None:
    """Cached: the same digit runs come back within a message and across messages ("2.000.000",
    "2026"), and telling their shape takes up to four pattern matches."""
    if len(raw) > _MAX_NUMERAL_LEN:
        return None
    if raw.isdigit():
        return _Numeral("plain", int(raw), 0, raw, int(raw))
    if _GROUPED_ID_RE.fullmatch(raw):
        int_part, _, frac = raw.partition(",")
        return _grouped(int_part.replace(".", ""), frac)
    if _GROUPED_EN_RE.fullmatch(raw):
        int_part, _, frac = raw.partition(".")
        return _grouped(int_part.replace(",", ""), frac)
    if _AMBIGUOUS_RE.fullmatch(raw):
        int_part = raw.partition(",")[0]
        digits = raw.replace(",", "")
        # The mantissa/exp pair is the decimal reading (used before a unit); int_value is the
        # grouping reading (used for a bare number in a money context).
        return _Numeral("ambiguous", int(digits), 3, int_part, int(digits))
    if match := _DECIMAL_RE.fullmatch(raw):
        whole, frac = match.group(1), match.group(2)
        return _Numeral("decimal", int(whole + frac), len(frac), whole, None)
    # Several separators in no grouping pattern: "15.03.2026", "1.2.3". Not a quantity.
    return None


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    append = tokens.append
    # tuple.__new__ skips the named tuple's own __new__ (a Python function): a hostile message
    # has hundreds of tokens. ASCII text is lowered once, keeping every offset.
    new = tuple.__new__
    ascii_text = text.isascii()
    for match in _TOKEN_RE.finditer(text.lower() if ascii_text else text):
        raw = match.group()
        start, end = match.span()
        if raw[0] in "0123456789":  # digits and separators only: no case to fold
            append(new(_Token, (raw, start, end, True, _parse_numeral(raw))))
        else:
            append(new(_Token, (raw if ascii_text else raw.lower(), start, end, False, None)))
    return tokens


def _is_space(gap: str) -> bool:
    return gap == "" or gap.isspace()


def _adjacent(text: str, left: _Token, right: _Token) -> bool:
    # Only whitespace may sit inside one written number: "2 juta, 500 ribu" is two amounts.
    return _is_space(text[left.end : right.start])


def _next_word(text: str, tokens: list[_Token], j: int) -> str | None:
    """The token right after tokens[j - 1], if nothing but whitespace separates them."""
    if 0 < j < len(tokens):
        gap = text[tokens[j - 1].end : tokens[j].start]  # _adjacent, inline: asked per number
        if gap == "" or gap.isspace():
            return tokens[j].text
    return None


def _digit_follows(text: str, tokens: list[_Token], j: int) -> bool:
    word = _next_word(text, tokens, j)
    if word is None:
        return False
    numeral = tokens[j].numeral
    if tokens[j].is_digits:
        return numeral is not None and numeral.kind == "plain"
    return _DIGIT_WORDS.get(word) is not None


# ---------------------------------------------------------------------------------------------
# Grammar
# ---------------------------------------------------------------------------------------------

# A word stands for one or more grammar items: "sejuta" is ("se", unit 1e6).
_Item = tuple[str, int]


def _build_lexicon() -> dict[str, tuple[_Item, ...]]:
    lexicon: dict[str, tuple[_Item, ...]] = {}
    for word, digit in _DIGIT_WORDS.items():
        lexicon[word] = (("atom", digit),)
    lexicon["sepuluh"] = (("atom", 10),)
    lexicon["sebelas"] = (("atom", 11),)
    lexicon["belas"] = (("belas", 0),)
    lexicon["puluh"] = (("puluh", 0),)
    lexicon["ratus"] = (("ratus", 0),)
    lexicon["seratus"] = (("se", 0), ("ratus", 0))
    lexicon["setengah"] = (("half", 0),)
    lexicon["koma"] = (("koma", 0),)
    for word, unit in _UNIT_WORDS.items():
        lexicon[word] = (("unit", unit),)
    for word, unit in _SE_UNIT_WORDS.items():
        lexicon[word] = (("se", 0), ("unit", unit))
    return lexicon


_LEXICON = _build_lexicon()


@dataclass
class _State:
    """Reading of a run of number tokens so far.

    `total` holds what is already multiplied by a unit; the current group below a thousand lives
    in `cur` (from words), or `num` (from a digit token), plus `half` for "setengah" and `frac`
    for digits after "koma".
    """

    total: int = 0
    last_unit: int = 0  # 0 until the first unit
    first_coef: tuple[int, int] | None = None  # numerator, denominator of the first group
    first_unit: int = 0
    cur: int = 0
    num: _Numeral | None = None
    half: bool = False
    koma: bool = False  # spoken decimal point: "dua koma lima juta"
    frac: str = ""  # decimal digits read after "koma"
    zero: bool = False  # "nol" stands alone
    closed: bool = False  # "sejuta setengah": nothing may follow
    group_empty: bool = True
    last: str = ""  # kind of the last item applied

    def copy(self) -> _State:
        """A copy to try the next token on (dataclasses.replace costs several times more)."""
        twin = _State.__new__(_State)
        twin.__dict__.update(self.__dict__)
        return twin


def _group_coef(st: _State) -> tuple[int, int]:
    if st.koma:
        scale = 10 ** len(st.frac)
        return st.cur * scale + int(st.frac or "0"), scale
    if st.num is not None:
        numerator, denominator = st.num.mantissa, 10**st.num.exp
    else:
        numerator, denominator = st.cur, 1
    if st.half:
        numerator, denominator = 2 * numerator + denominator, 2 * denominator
    return numerator, denominator


def _single_digit_num(st: _State) -> bool:
    """Whether the group is one digit token 1-9, which may take puluh/belas/ratus ("5 ratus")."""
    num = st.num
    return (
        num is not None
        and num.kind == "plain"
        and num.int_value is not None
        and 1 <= num.int_value <= 9
        and num.int_digits[0] != "0"
    )


def _apply_atom(st: _State, value: int) -> bool:
    if st.koma:
        if value > 9 or st.last == "fracnum":
            return False
        st.frac += str(value)
        st.last = "frac"
        return True
    if st.num is not None or st.half or st.zero or st.closed:
        return False
    if value == 0:
        # "nol" is a number by itself; inside a longer number it would be a phone-style digit.
        if st.last:
            return False
        st.zero = True
    elif st.group_empty:
        st.cur = value
    elif value < 10 and st.cur % 10 == 0 and st.last in ("puluh", "ratus"):
        st.cur += value  # "dua puluh lima", "dua ratus lima"
    elif value < 20 and st.cur % 100 == 0 and st.last == "ratus":
        st.cur += value  # "seratus sebelas"
    else:
        # "dua tiga" is a list of two numbers, not 5 or 23.
        return False
    st.group_empty = False
    st.last = "atom"
    return True


def _apply_multiplier(st: _State, kind: str) -> bool:
    if st.half or st.zero or st.closed or st.koma:
        return False
    if st.last == "num":
        if not _single_digit_num(st):
            return False
        st.num = None  # "5 ratus" continues as if written in words
    elif st.last not in ("atom", "se"):
        return False
    digit = st.cur % 100
    if kind == "ratus":
        if not 1 <= st.cur <= 9:
            return False
        st.cur *= 100
    else:
        if st.last == "se" or not 1 <= digit <= 9:
            return False
        st.cur += digit * 9 if kind == "puluh" else 10
    st.last = kind
    return True


def _apply_unit(st: _State, unit: int) -> bool:
    if (st.zero and not st.koma) or st.closed or st.group_empty:
        return False
    if st.last_unit and unit >= st.last_unit:
        # Units must descend: "500 ribu 2 juta" is two amounts.
        return False
    numerator, denominator = _group_coef(st)
    st.total += numerator * unit // denominator
    if st.first_coef is None:
        st.first_coef = (numerator, denominator)
        st.first_unit = unit
    st.last_unit = unit
    st.cur, st.num, st.half, st.group_empty = 0, None, False, True
    st.koma, st.frac = False, ""
    st.last = "unit"
    return True


def _apply_half(st: _State) -> bool:
    if st.zero or st.closed or st.half or st.koma:
        return False
    if st.group_empty and st.last == "unit":
        # "sejuta setengah", "dua juta setengah": half of the unit just read.
        st.total += st.last_unit // 2
        st.closed = True
    elif st.group_empty:
        st.half = True  # "setengah juta"
        st.group_empty = False
    elif st.num is not None and (st.num.kind != "plain" or st.last != "num"):
        return False  # "1,5 setengah" means nothing
    else:
        st.half = True  # "dua setengah juta", "2 setengah juta"
    st.last = "half"
    return True


def _apply_item(st: _State, item: _Item) -> bool:
    kind, value = item
    if kind == "atom":
        return _apply_atom(st, value)
    if kind == "se":
        # "se-" means one, but only as the first word of a group: "dua ratus seribu" is nonsense.
        if st.num is not None or st.half or st.zero or st.closed or not st.group_empty:
            return False
        st.cur, st.group_empty, st.last = 1, False, "se"
        return True
    if kind in ("belas", "puluh", "ratus"):
        return _apply_multiplier(st, kind)
    if kind == "unit":
        return _apply_unit(st, value)
    if kind == "koma":
        return _apply_koma(st)
    return _apply_half(st)


def _apply_koma(st: _State) -> bool:
    if st.group_empty or st.half or st.koma or st.closed:
        return False
    if st.num is not None:
        if st.num.kind != "plain" or st.num.int_value is None:
            return False
        st.num = None  # "2 koma 5" continues with the whole part in cur
    st.koma = True
    st.last = "koma"
    return True


def _apply_numeral(st: _State, numeral: _Numeral) -> bool:
    if st.koma:
        # "2 koma 25 juta": the digits after "koma" are the decimals, written as one run.
        if st.frac or numeral.kind != "plain":
            return False
        st.frac = numeral.int_digits
        st.last = "fracnum"
        return True
    # A digit token always starts a group: "100 50" is two numbers, never 150.
    if not st.group_empty or st.zero or st.closed:
        return False
    st.num = numeral
    st.cur = numeral.int_value or 0
    st.group_empty = False
    st.last = "num"
    return True


def _apply_token(st: _State, text: str, tokens: list[_Token], j: int) -> bool:
    tok = tokens[j]
    if tok.is_digits:
        return tok.numeral is not None and _apply_numeral(st, tok.numeral)
    items = _LEXICON.get(tok.text)
    if items is None:
        return False
    if tok.text == "m" and text[tok.end : tok.end + 1].isdigit():
        return False  # "36 m2" is square metres, not 36 billion
    if tok.text == "koma" and not _digit_follows(text, tokens, j + 1):
        return False  # a "koma" with no digits after it ends the number before it
    if (
        tok.text == "setengah"
        and st.group_empty
        and st.last == "unit"
        and _next_word(text, tokens, j + 1) in _HALF_STOP_WORDS
    ):
        return False
    return all(_apply_item(st, item) for item in items)


class _Reading(NamedTuple):
    """A maximal run of number tokens, tokens[first:last], read as value_num / value_den."""

    first: int
    last: int
    has_unit: bool
    value_num: int
    value_den: int
    numeral: _Numeral | None  # set when the run is one digit token and nothing else
    first_coef: tuple[int, int] | None
    first_unit: int


def _trailing_value(st: _State) -> int | None:
    """Value of a unit-less group after the last unit, in rupiah, or None if it is not one.

    People drop the last unit: "2jt 500" and "dua juta lima ratus" mean 2.5 million, and
    "2 ribu 500" means 2500. Only hundreds are taken this way, to leave "2 juta 5 orang" alone.
    """
    if st.half or st.closed or st.koma:
        return None
    if st.num is not None:
        num = st.num
        if num.kind != "plain" or num.int_value is None or num.int_digits[0] == "0":
            return None
        amount, from_words = num.int_value, False
    else:
        amount, from_words = st.cur, True
    if st.last_unit == _THOUSAND:
        # Literal for words ("dua ribu lima" is 2005); digits need three of them.
        low = 1 if from_words else 100
        return amount if low <= amount <= 999 else None
    if 100 <= amount <= 999:
        return amount * (st.last_unit // _THOUSAND)
    return None


def _read(text: str, tokens: list[_Token], i: int) -> _Reading | None:
    first = tokens[i]
    if first.is_digits and first.numeral is not None:
        # Most numbers are one digit run that nothing extends: after it, only a number word
        # ("juta", "ratus", "koma", "setengah") written right next to it could continue the
        # run (another digit run never does: a digit token always starts a group).
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if (
            after is None
            or after.is_digits
            or after.text not in _LEXICON
            or not _adjacent(text, first, after)
        ):
            numeral = first.numeral
            return _Reading(i, i + 1, False, numeral.mantissa, 10**numeral.exp, numeral, None, 0)
    st = _State()
    committed_end, committed_total = i, 0
    j = i
    while j < len(tokens):
        if j > i and not _adjacent(text, tokens[j - 1], tokens[j]):
            break
        tok = tokens[j]
        # A word that is no number word ends the run: no copy of the state needed to know it.
        if not (tok.numeral is not None if tok.is_digits else tok.text in _LEXICON):
            break
        # Each token is applied to a copy, so a token that does not fit leaves no trace.
        trial = st.copy()
        if not _apply_token(trial, text, tokens, j):
            break
        st = trial
        j += 1
        if st.last_unit and st.group_empty:
            committed_end, committed_total = j, st.total
    if j == i:
        return None
    if not st.last_unit:
        numerator, denominator = _group_coef(st)
        single = st.num if st.last == "num" and j == i + 1 else None
        return _Reading(i, j, False, numerator, denominator, single, None, 0)
    if not st.group_empty:
        trailing = _trailing_value(st)
        if trailing is not None and _next_word(text, tokens, j) not in _NOT_MONEY_AFTER:
            st.total += trailing
        else:
            # Give the unfinished group back; it is read again as a number of its own.
            j, st.total = committed_end, committed_total
    return _Reading(i, j, True, st.total, 1, None, st.first_coef, st.first_unit)


# ---------------------------------------------------------------------------------------------
# Judging readings
# ---------------------------------------------------------------------------------------------


class _Hit(NamedTuple):
    is_amount: bool
    value: int
    start: int
    end: int


def _context(text: str, tokens: list[_Token], i: int, four_digits: bool) -> str | None:
    """'money' or 'block' from the few words before tokens[i], nearest word first."""
    k = i - 1
    while k >= 0 and i - k <= _LOOKBACK_WORDS:
        if _SENTENCE_BREAK_RE.search(text[tokens[k].end : tokens[k + 1].start]):
            return None
        tok = tokens[k]
        if tok.is_digits:
            return None
        if tok.text in _IDENTIFIER_WORDS or (four_digits and tok.text in _DATE_WORDS):
            return "block"
        if tok.text in _MONEY_WORDS:
            return "money"
        k -= 1
    return None


def _is_identifier(numeral: _Numeral) -> bool:
    # Phone numbers (08..., 62...) and the 16-digit NIK; longer runs are account-like numbers.
    digits = numeral.int_digits
    if numeral.kind == "grouped":
        # A phone number in dotted threes ("628.123.456.789") is not Rp628 miliar: no amount
        # of this domain has 11 digits or more starting 628 (bot.privacy masks these too).
        return numeral.exp == 0 and len(digits) >= 11 and digits.startswith("628")
    if numeral.kind != "plain":
        return False
    return len(digits) >= 16 or (len(digits) >= 10 and digits.startswith(("0", "62")))


def _round(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def _judge_numeral(
    text: str, tokens: list[_Token], reading: _Reading, numeral: _Numeral, counted: bool
) -> tuple[bool, int] | None:
    """(is_amount, value) for a lone digit token with no unit and no currency marker."""
    whole = numeral.int_value
    as_number = None if whole is None or numeral.kind == "ambiguous" else (False, whole)
    if _is_identifier(numeral):
        return None
    if counted:
        return as_number
    digits = numeral.int_digits
    if len(digits) > 1 and digits[0] == "0":
        return as_number  # "05", codes: never money without "Rp"
    context = _context(text, tokens, reading.first, len(digits) == 4)
    if context == "block":
        return as_number
    value = whole if whole is not None else _round(numeral.mantissa, 10**numeral.exp)
    if numeral.kind == "plain" and len(digits) == 4 and _FIRST_YEAR <= value <= _LAST_YEAR:
        # "iuran 2026", "upah minimum 2026": in this domain a year, even after a money word.
        return as_number
    if numeral.kind == "grouped" and value >= _THOUSAND:
        return True, value  # "3.500.000" is money anywhere
    if numeral.kind in ("plain", "decimal") and len(digits) >= 5:
        return True, value
    if context == "money" and value >= _THOUSAND:
        return True, value
    return as_number


def _judge(text: str, tokens: list[_Token], reading: _Reading) -> _Hit | None:
    first, last = tokens[reading.first], tokens[reading.last - 1]
    prefix = None
    if reading.first > 0:
        before = tokens[reading.first - 1]
        if before.text in _CURRENCY_PREFIXES and _PREFIX_GAP_RE.fullmatch(
            text[before.end : first.start]
        ):
            prefix = before
    after = _next_word(text, tokens, reading.last)
    suffix = tokens[reading.last] if after in _CURRENCY_SUFFIXES else None
    numeral = reading.numeral
    if prefix or suffix:
        # The span takes in the currency marker.
        start = prefix.start if prefix else first.start
        end = suffix.end if suffix else last.end
        if numeral is not None and numeral.int_value is not None:
            return _Hit(True, numeral.int_value, start, end)  # "IDR 2,000" reads as grouping
        return _Hit(True, _round(reading.value_num, reading.value_den), start, end)
    if after in _PERCENT_WORDS:
        return None
    counted = after in _COUNT_NOUNS
    whole = reading.value_num // reading.value_den
    if reading.has_unit:
        return _Hit(not counted, whole, first.start, last.end)  # "2 juta pekerja" is a count
    if numeral is None:
        # "dua puluh lima", "satu setengah"
        exact = reading.value_num % reading.value_den == 0
        return _Hit(False, whole, first.start, last.end) if exact else None
    judged = _judge_numeral(text, tokens, reading, numeral, counted)
    return _Hit(judged[0], judged[1], first.start, last.end) if judged else None


def _apply_ranges(
    text: str, tokens: list[_Token], readings: list[_Reading], hits: list[_Hit | None]
) -> None:
    """Give the left end of "2-3 juta" or "dua sampai tiga juta" the unit of the right end."""
    for k in range(len(readings) - 1):
        left, right, right_hit = readings[k], readings[k + 1], hits[k + 1]
        if left.has_unit or right.first_coef is None or left.value_num <= 0:
            continue
        if right_hit is None or not right_hit.is_amount:
            continue
        # The left end may have been judged nothing on its own ("2,5" alone is no integer).
        left_hit = hits[k]
        start = left_hit.start if left_hit else tokens[left.first].start
        end = tokens[left.last - 1].end
        if not _RANGE_GAP_RE.fullmatch(text[end : right_hit.start]):
            continue
        right_num, right_den = right.first_coef
        # Only a rising range: "5 - 3 juta" is more likely a count and an amount.
        if left.value_num * right_den >= right_num * left.value_den:
            continue
        value = left.value_num * right.first_unit // left.value_den
        hits[k] = _Hit(True, value, start, end)


@lru_cache(maxsize=256)
def _scan(text: str) -> tuple[_Hit, ...]:
    """Cached: the engine reads one message's amounts and numbers several times (normalising,
    entities, head counts), and the hits are immutable."""
    if (
        text.isascii()
        and not _DIGIT_RE.search(text)
        and _LEXICON.keys().isdisjoint(_TOKEN_RE.findall(text.lower()))
    ):
        # No digit and no number word: nothing to read (most messages; found in C).
        return ()
    tokens = _tokenize(text)
    readings: list[_Reading] = []
    i = 0
    while i < len(tokens):
        first = tokens[i]
        if not (first.numeral is not None if first.is_digits else first.text in _LEXICON):
            # Most words start no number: known before any reading is tried.
            i += 1
            continue
        reading = _read(text, tokens, i)
        if reading is None:
            i += 1
            continue
        readings.append(reading)
        i = reading.last
    hits = [_judge(text, tokens, reading) for reading in readings]
    _apply_ranges(text, tokens, readings, hits)
    return tuple(h for h in hits if h is not None)


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def find_amounts(text: str) -> list[Amount]:
    """Every rupiah amount written in `text`, in order of appearance."""
    return list(_amounts(text))


@lru_cache(maxsize=256)
def _amounts(text: str) -> tuple[Amount, ...]:
    """Cached beside _scan: normalising and the entities both ask for one message's amounts,
    and a hostile message has a hundred of them to build."""
    return tuple(Amount(h.value, h.start, h.end) for h in _scan(text) if h.is_amount)


def parse_amount(text: str) -> int | None:
    """The first amount in text, or None."""
    amounts = find_amounts(text)
    return amounts[0].value if amounts else None


def find_numbers(text: str) -> list[tuple[int, int, int]]:
    """Plain integers (no money unit), as (value, start, end): ages, years, counts like '5 orang'.

    Number words are read too ("lima", "sebelas", "dua puluh lima"). Amounts, percentages,
    decimals, phone numbers and NIKs are left out.
    """
    return [(h.value, h.start, h.end) for h in _scan(text) if not h.is_amount]
