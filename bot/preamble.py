"""Strip the courtesies around a question: greetings, addresses, preambles and sign-offs.

"assalamualaikum, mau tanya cara klaim jht" asks how to claim JHT, "tabe kraeng, sy mau tanya
soal jht" asks about JHT, and "iuran bpu berapa ya min, terima kasih sebelumnya" asks for the BPU
premium: the courtesies are polite, not the question. They are removed from the normalised text
(after the slang map, so "sy mau nanya" is already "saya mau tanya") before matching. A message
that is nothing but courtesies is left alone, so that a greeting is answered as a greeting.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.domain import names_domain

# Greetings, in every religion's and region's form users write them (after the slang map).
GREETINGS = (
    "assalamualaikum", "assalamualaikum warahmatullahi wabarakatuh", "waalaikumsalam",
    "assalamualaikum warahmatullahi", "assalamualaikum warahmatullah",
    "waalaikumsalam warahmatullahi wabarakatuh",
    "salam", "salam sejahtera", "salam kenal", "salam sehat", "shalom", "om swastiastu",
    "namo buddhaya", "halo", "hai", "hello", "hi", "hey", "hei", "selamat pagi",
    "selamat siang", "selamat sore", "selamat malam", "pagi", "siang", "sore",
    "malam", "permisi", "good morning", "good afternoon", "good evening", "dear", "punten",
    "sampurasun", "horas", "salam hormat", "dengan hormat", "yth",
)  # fmt: skip
# Ways to address the reader: only stripped next to a greeting, a preamble or a sign-off,
# because "bapak saya meninggal" starts with a word that is the question's subject.
ADDRESSES = (
    "admin", "min", "kakak", "abang", "agan", "bapak", "ibu", "bapak ibu", "ibu bapak",
    "om", "tante", "mas", "mbak", "bro", "sis", "sob", "bos", "boss", "bapa", "mama",
    "kraeng", "nana", "enu", "kawan", "teman", "sahabat", "semua", "sekalian", "tim",
    "bpjs", "bpjs ketenagakerjaan", "cs", "customer service", "pak", "bu", "sir", "madam",
    "adik", "dik", "om admin", "kakak admin", "gan", "kk", "kang", "teteh", "akang", "nak",
    "ama", "ina", "mama", "bapa", "ite", "nona", "nyong", "ibu ibu", "bapak bapak",
)  # fmt: skip
# The opening of a question: "mau tanya", "mohon info", "izin bertanya soal".
PREAMBLES = (
    "saya mau tanya", "saya ingin tanya", "saya ingin bertanya", "saya mau bertanya",
    "saya tanya", "mau tanya", "ingin tanya", "ingin bertanya", "mau bertanya", "tanya",
    "bertanya", "boleh tanya", "boleh bertanya", "izin tanya", "ijin tanya", "izin bertanya",
    "ijin bertanya", "numpang tanya", "mohon info", "minta info", "mohon informasi",
    "minta informasi", "mohon infonya", "minta infonya", "mohon bantuan", "mohon bantu",
    "mohon penjelasan", "mohon pencerahan", "minta tolong", "tolong", "mohon", "sedikit",
    "dong", "nih", "ya", "soal", "tentang", "mengenai", "perihal", "terkait",
    "i want to ask", "i would like to ask", "can i ask", "may i ask", "question", "quick question",
    "please", "excuse me", "permisi mau tanya", "sebelumnya", "maaf", "maaf mengganggu",
    "mau tanya dong", "tanya dong", "tanya tanya", "dan", "terus", "lalu", "and", "also",
    "satu lagi", "terus kalau", "oh ya",
)  # fmt: skip
# Closings after the question.
SIGN_OFFS = (
    "terima kasih", "terima kasih sebelum", "terima kasih sebelumnya", "terima kasih banyak",
    "terima kasih banyak sebelum", "makasih", "thanks", "thank you", "thanks before", "tq",
    "mohon dibantu", "mohon bantuan", "mohon bantu", "mohon pencerahan", "mohon penjelasan",
    "mohon info", "mohon infonya", "mohon jawaban", "mohon jawabannya", "mohon balas",
    "tuhan berkati", "gbu", "salam", "wassalam", "wassalamualaikum", "sebelum", "sebelumnya",
    "ya", "dong", "nih", "sih", "kah", "deh", "tolong", "please", "pls", "plis", "mohon",
    "maaf", "maaf mengganggu", "tuhan memberkati", "berkah dalem", "matur nuwun",
    "regards", "best regards", "hormat saya",
)  # fmt: skip


# "iuran untuk bapak": after these words an address is the question's subject, not a courtesy.
_OWNERS = frozenset(
    [
        "untuk",
        "buat",
        "bagi",
        "dari",
        "ke",
        "sama",
        "dengan",
        "punya",
        "milik",
        "orang",
        "suami",
        "istri",
        "anak",
        "keluarga",
    ]
)


_ACKNOWLEDGEMENTS = frozenset(
    [
        "ok",
        "oke",
        "okay",
        "okey",
        "sip",
        "siap",
        "baik",
        "mantap",
        "ya",
        "iya",
        "nah",
        "oh",
        "yes",
        "good",
        "great",
        "noted",
    ]
)


class _Table(dict[tuple[str, ...], int]):
    """Phrases as word tuples -> their length, with the words they start and end with: most
    words of a message start or end none, which is known before any tuple is built."""

    def __init__(self, phrases: tuple[str, ...]) -> None:
        super().__init__((tuple(p.split()), len(p.split())) for p in phrases)
        self.firsts = frozenset(words[0] for words in self if words)
        self.lasts = frozenset(words[-1] for words in self if words)


def _table(phrases: tuple[str, ...]) -> _Table:
    return _Table(phrases)


_GREETINGS = _table(GREETINGS)
_ADDRESSES = _table(ADDRESSES)
_PREAMBLES = _table(PREAMBLES)
_SIGN_OFFS = _table(SIGN_OFFS)
_LONGEST = 6


def _head(words: list[str], start: int, table: _Table) -> int:
    """Length of the longest phrase of `table` at words[start:], or 0."""
    if start >= len(words) or words[start] not in table.firsts:
        return 0
    for size in range(min(_LONGEST, len(words) - start), 0, -1):
        if tuple(words[start : start + size]) in table:
            return size
    return 0


def _tail(words: list[str], end: int, table: _Table) -> int:
    """Length of the longest phrase of `table` ending at words[:end], or 0."""
    if end <= 0 or words[end - 1] not in table.lasts:
        return 0
    for size in range(min(_LONGEST, end), 0, -1):
        if tuple(words[end - size : end]) in table:
            return size
    return 0


def strip_courtesies(normalized: str) -> str:
    """The question without the courtesies around it; the whole text when nothing else is left."""
    words = normalized.split()
    start, end = 0, len(words)
    courteous = False  # the last thing stripped was a greeting or preamble
    while start < end:
        size = _head(words, start, _GREETINGS) or _head(words, start, _PREAMBLES)
        if size and words[start + size - 1 : start + size + 1] == ["tanya", "jamsos"]:
            # "tanya jamsos ini punya siapa": the bot's own name, not "(mau) tanya".
            size -= 1
        if size:
            start += size
            courteous = True
            continue
        size = _head(words, start, _ADDRESSES)
        if size and (
            courteous
            or _head(words, start + size, _GREETINGS)
            or _head(words, start + size, _PREAMBLES)
        ):
            start += size
            continue
        break
    signed = False
    while end > start:
        size = _tail(words, end, _SIGN_OFFS)
        if size:
            end -= size
            signed = True
            continue
        size = _tail(words, end, _ADDRESSES)
        before = words[end - size - 1] if end - size - 1 >= start else ""
        if (
            size
            and before not in _OWNERS
            and (signed or _tail(words, end - size, _SIGN_OFFS) or end == len(words))
        ):
            # "iuran bpu berapa ya min": an address at the very end is a courtesy too.
            end -= size
            continue
        break
    if start >= end or all(w in _ACKNOWLEDGEMENTS for w in words[start:end]):
        # "ok makasih" is thanks, not "ok": nothing but courtesies and a nod.
        return normalized
    return " ".join(words[start:end])


# A conversation's closing: thanks or a goodbye among a few words that ask nothing ("sip makasih
# min, lanjut narik dulu", "sdh dulu, sa mau masuk shift. dadah"). Thanks wins over a goodbye
# beside it ("su, terima kasih bu"). A message naming the domain is a question ("makasih, nanti
# sy daftar").
THANKS = ("terima kasih", "thank you", "matur nuwun", "nuhun", "hatur nuhun", "tampiasih")
_THANKS = _table(THANKS)
GOODBYES = (
    "dadah", "bye", "pamit", "wassalamualaikum", "sampai jumpa", "sampai nanti", "see you",
    "selamat tinggal", "sudah dulu", "cukup dulu", "good bye", "goodbye",
)  # fmt: skip
_GOODBYES = _table(GOODBYES)
# The time-of-day greetings, which take leave after a nod ("ok, selamat malam").
_TIMES = _table(("selamat pagi", "selamat siang", "selamat sore", "selamat malam"))
# What may follow a goodbye ("pamit dulu", "pamit ya min").
_LATER = _table(("dulu", "ya", "ya min", "min", "kak", "ya kak", "dulu ya"))
# Words that make a message ask something, so that it is no closing ("makasih, kalau jkm?").
_ASKING = frozenset([
    "apa", "apakah", "berapa", "bagaimana", "gimana", "kapan", "mana", "dimana", "siapa",
    "kenapa", "mengapa", "bisa", "boleh", "kalau", "how", "what", "when", "where", "can",
])  # fmt: skip
MAX_CLOSING_WORDS = 10
# A wish or a request is no closing, a thing done may be: see closing().
_WANTING = frozenset(["mau", "ingin", "pengen", "tolong", "mohon", "minta", "want"])
_DONE = frozenset(["sudah", "berhasil", "beres", "selesai", "done"])


def _phrases(words: list[str], phrases: tuple[str, ...]) -> list[str]:
    text = f" {' '.join(words)} "
    return [p for p in phrases if f" {p} " in text]


def closing(normalized: str, in_talk: bool = False) -> str | None:
    """The thanks or the goodbye a closing message says, to be answered as such; None when the
    message is no closing (it asks something, or is long). `in_talk`: the bot has answered
    something in this conversation already."""
    words = normalized.split()
    if len(words) > MAX_CLOSING_WORDS or any(w in _ASKING for w in words):
        return None
    nod = len(words) > 1 and words[0] in _ACKNOWLEDGEMENTS
    if in_talk and nod and _head(words, 1, _TIMES) == len(words) - 1:
        # "baik, selamat malam" after an answer: the nod says the talk is done, so the time of
        # day takes leave rather than greets.
        return "selamat tinggal"
    leaving = _tail(words, len(words) - _tail(words, len(words), _LATER), _GOODBYES)
    done = bool(_head(words, 0, _THANKS) and _DONE & set(words)) and not _WANTING & set(words)
    if names_domain(words) and not done and not leaving:
        # "makasih, jht nya mau sy urus" asks on; "terima kasih kemarin info daftarnya, saya
        # sudah terdaftar" thanks for what is done. (A goodbye at the end closes whatever plan
        # precedes it: "sy coba daftar di JMO nanti malam. pamit dulu".)
        return None
    said = _phrases(words, THANKS) or _phrases(words, GOODBYES)
    return said[0] if said else None


# The announcement a greeting may end with before the question comes ("selamat sore, sy pedagang
# di pasar mau tanya2"): the user introduces themself and has not asked yet.
ANNOUNCEMENTS = (
    "mau tanya", "mau tanya tanya", "tanya tanya", "mau bertanya", "ingin tanya",
    "ingin bertanya", "mau tanya sedikit", "mau konsultasi", "mau tanya dong", "tanya dong",
)  # fmt: skip
_ANNOUNCEMENTS = _table(ANNOUNCEMENTS)
# A self-introduction before the announcement is short ("saya pedagang di pasar kodok tabanan").
MAX_INTRODUCTION_WORDS = 8
_AGENT_TITLE = frozenset(["agen", "perisai"])


def lone_greeting(
    normalized: str, introduced: Callable[[list[str]], bool] | None = None
) -> str | None:
    """The greeting a message opens with, when it asks nothing yet: courtesies alone ("tabe
    kraeng, sa mau tanya soal bpjs tenaga kerja"), or a short self-introduction that ends by
    announcing a question ("selamat sore, sy pedagang di pasar Kodok mau tanya2"). None when
    the message asks something (the greeting is then a courtesy around the question).
    `introduced` tells a self-introduction that says only who and where the user is."""
    words = normalized.split()
    size = _head(words, 0, _GREETINGS)
    if not size or any(w in _ASKING for w in words):
        return None
    opening = " ".join(words[:size])
    core = strip_courtesies(normalized)
    if core == normalized:
        # Nothing but courtesies: the greeting is not stripped when it is all there is.
        return opening
    rest = core.split()
    announced = _tail(rest, len(rest), _ANNOUNCEMENTS)
    introduction = rest[: len(rest) - announced]
    if (
        introduction[:1] == ["saya"]
        and len(introduction) <= MAX_INTRODUCTION_WORDS
        # An agent's title says who they are, not what they ask ("ku agen perisai di kurau").
        and not names_domain([w for w in introduction if w not in _AGENT_TITLE])
        # Without the announcement, only who and where the user is ("salam min, sy dr lombok
        # timur"), as the caller reads it.
        and (announced or (introduced is not None and introduced(introduction)))
    ):
        return opening
    return None


# "bukan itu, maksud saya yang karyawan": the user corrects the last answer.
CORRECTIONS = (
    "bukan itu", "bukan yang itu", "bukan", "salah", "salah itu", "keliru", "maksud saya",
    "maksudnya", "maksud aku", "yang saya maksud", "saya maksud", "bukan begitu", "no",
    "not that", "i mean", "i meant", "tidak bukan", "bukan bukan", "eh", "maaf", "sorry",
    # a slip of the user's own: "salah ketik, 20 org"
    "salah ketik", "salah tulis", "typo",
)  # fmt: skip
_CORRECTIONS = _table(CORRECTIONS)


def strip_correction(core: str) -> tuple[str, bool]:
    """(the corrected question, True) when the message starts by rejecting the last answer."""
    words = core.split()
    start = 0
    rejected = False
    while start < len(words):
        size = _head(words, start, _CORRECTIONS)
        if not size:
            break
        phrase = " ".join(words[start : start + size])
        rejected = rejected or phrase.startswith(("bukan", "salah", "keliru", "not", "no", "typo"))
        rejected = rejected or phrase.startswith("maksud")
        start += size
    if not rejected or start >= len(words):
        return core, False
    return " ".join(words[start:]), True


# "btw tarif ojol naik ga", "ngomong2 jht bisa cair kapan": the user turns to another subject,
# so the message is read on its own, not as a follow-up of the answer before it. ("by the way"
# reaches here as "by way": the normaliser drops "the".)
SUBJECT_CHANGES = ("btw", "by way", "ngomong ngomong", "omong omong", "anyway")
_SUBJECT_CHANGES = _table(SUBJECT_CHANGES)


def strip_subject_change(core: str) -> tuple[str, bool]:
    """(the rest, True) when the message starts by turning to another subject."""
    words = core.split()
    size = _head(words, 0, _SUBJECT_CHANGES)
    if not size or size >= len(words):
        return core, False
    return " ".join(words[size:]), True


# "sy kena phk, ada uang dr bpjs selain jht": the programme named after "selain" is what the
# user has heard of already, not what they ask about.
_BESIDES = re.compile(r"\b(?:selain|besides|other than|kecuali)\s+(jht|jkm|jkk|jkp|jp)\b")


def strip_besides(core: str) -> tuple[str, frozenset[str]]:
    """The message without "selain <programme>", and the programmes so set aside."""
    named = frozenset(_BESIDES.findall(core))
    if not named:
        return core, named
    rest = " ".join(_BESIDES.sub(" ", core).split())
    return (rest or core), named


# "sy agen perisai di kalabahi, hari ini mau daftarkan 6 org, syaratnya sama semua?": who the
# user is, said before the question. A user who says they are an agent does not ask what an agent
# is or how to become one, unless the rest asks about the agent's own work (their pay, their
# tasks).
AGENT_INTRODUCTIONS = (
    "saya agen perisai", "saya kader perisai", "saya mitra perisai", "saya seorang agen perisai",
    "saya adalah agen perisai", "saya sebagai agen perisai", "saya ini agen perisai",
    "kami agen perisai", "kami kader perisai", "aku agen perisai",
)  # fmt: skip
_AGENT_INTRODUCTIONS = _table(AGENT_INTRODUCTIONS)
_AGENT_OWN_MATTERS = frozenset(
    ["komisi", "insentif", "fee", "honor", "imbalan", "bonus", "upah", "gaji", "penghasilan",
     "tugas", "jadi", "menjadi", "perisai", "agen", "target", "pelatihan", "sertifikat", "akun"]
)  # fmt: skip


def introduces_agent(core: str) -> bool:
    """True when the user says they are an agent and asks about something else than being one."""
    words = core.split()
    for start in range(len(words)):
        if size := _head(words, start, _AGENT_INTRODUCTIONS):
            rest = words[:start] + words[start + size :]
            return len(rest) >= 2 and not _AGENT_OWN_MATTERS & set(rest)
    return False
