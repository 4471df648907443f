"""Coming back to an earlier answer: "balik ke yg tadi soal jht", "ok skrg yg 1".

The session keeps the last few answers (core.session.Topic) and the intents of the questions the
user numbered. A short message that points back ("yang tadi", "balik ke", "sebelumnya") asks
again an answer given before the one on screen, the one about the programme it names if it names
one; one asking again ("ulang", "ulang yg jkk") the one on screen or the latest about that
programme; a short message naming a position ("skrg yg 1", "pertanyaan kedua") after the user
numbered their questions asks the question the user gave that number.
"""

from __future__ import annotations

from bot.followup import ORDINALS

# Words that point back to something said earlier (normalised: "td" and "sblm" are read as
# "tadi" and "sebelum" by the slang map, "sebelumnya" loses its clitic).
BACK_WORDS = frozenset(
    # ("lalu" is not one: "lalu jht nya?" is "and then", a new question)
    ["tadi", "sebelum", "balik", "kembali", "previous", "earlier", "back", "semula"]
)
# Words around a reference back or a position that ask nothing themselves.
_AROUND = frozenset(
    [
        "ke", "yang", "soal", "tentang", "pertanyaan", "tanya", "lagi", "lanjut", "oke", "ok",
        "ya", "sekarang", "terus", "trus", "nomor", "no", "dong", "aja", "saja", "jawab",
        "jelaskan", "bahas", "itu", "dulu", "go", "to", "the", "question", "now", "number",
        "topik", "yg", "mau", "sama", "kalau", "kak", "min", "yuk", "bagaimana", "gimana",
        # "eh maksud sy no 2": a correction pointing at the user's own number
        "eh", "maksud", "maksudnya", "saya", "aku", "bukan", "salah",
    ]
)  # fmt: skip


def points_back(normalized: str, topic_words: frozenset[str]) -> bool:
    """True when a short message only points back to an earlier answer, maybe naming its
    programme or topic ("balik ke yg tadi soal jht", "yang sebelumnya")."""
    return _only_refers(normalized, BACK_WORDS, topic_words)


def _only_refers(normalized: str, cues: frozenset[str], topic_words: frozenset[str]) -> bool:
    """True when the message holds a cue and, besides the words around it, names at most one
    topic word."""
    words = normalized.split()
    if not any(w in cues for w in words):
        return False
    rest = [w for w in words if w not in cues and w not in _AROUND]
    return len(rest) <= 1 and all(w in topic_words for w in rest)


# Words asking for an answer again ("ulang", "ulangi yg jkk", "repeat please"): the one on
# screen, or the latest about the programme named.
REPEAT_WORDS = frozenset(["ulang", "ulangi", "diulang", "repeat", "again"])


def asks_again(normalized: str, topic_words: frozenset[str]) -> bool:
    """True when a short message asks for an answer again, maybe naming its programme."""
    return _only_refers(
        " ".join(w for w in normalized.split() if w != "please"), REPEAT_WORDS, topic_words
    )


def numbered_position(normalized: str) -> int | None:
    """The position a short message names ("ok skrg yg 1", "pertanyaan kedua"), or None."""
    words = normalized.split()
    rest = [w for w in words if w not in _AROUND and w not in BACK_WORDS]
    if len(rest) != 1 or rest[0] not in ORDINALS or rest == words:
        return None
    return ORDINALS[rest[0]]
