"""Normalise informal Indonesian before matching.

Lower case, strip accents and emoji, collapse elongation (`bangettt`), expand reduplication
written with a digit (`anak2`), unify money and percentages, and expand a curated slang map.
No stemming and no stopword removal: question words (berapa, bagaimana, kapan, bisa, belum)
carry the intent, and Indonesian stemmers mangle domain words (iuran -> iur, peserta -> serta).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping

from bot.numbers import find_amounts

# A token that stands for any rupiah amount, so "iuran kalau 2 juta" matches "iuran kalau 3 juta".
MONEY_TOKEN = "nominal"  # noqa: S105 - a word, not a secret

DROP = "_"
# Work per message is capped: at most this many words are read, the first ones and the last
# TAIL_WORDS. Real questions, even long ones wrapped in greetings and stories, stay well below.
MAX_WORDS = 64
TAIL_WORDS = 24
# Whole words that only end like a clitic: "masalah" is not "masa" + "-lah".
ENDS_LIKE_A_CLITIC = frozenset(
    ["masalah", "sekolah", "salah", "kalah", "jumlah", "istilah", "sebelah", "lelah", "olah",
     "langkah", "nikah", "sedekah", "mahkamah"]
)  # fmt: skip
# Run-together typing from cheap phones ("brpiuranbpjstk", "tglbrpjatuhtempo"): a word this
# long that nobody writes whole is read as the fewest known words it is made of. Affixes are
# not words of their own ("per|tani|an" is "pertanian"), nor are two-letter pieces other than
# the slang map's abbreviations ("sy", "tk").
RUN_TOGETHER_MIN = 8
# Longer is no typing but a flood ("aaaa...", pasted junk): not searched, whatever it holds.
RUN_TOGETHER_MAX = 40
RUN_TOGETHER_MAX_PIECE = 14
AFFIXES = frozenset(["kan", "nya", "nye", "per", "ter", "ber", "mem", "men", "pen", "pem", "lah",
                     "kah", "pun"])  # fmt: skip
_REDUP = re.compile(r"\b([a-z]{2,})2\b")
_PERCENT = re.compile(r"(\d)\s*%")
_ASCII_DIGIT = re.compile(r"[0-9]")
_ROMAN_NUMERALS = frozenset(["ii", "iii"])
_ELONGATED = re.compile(r"([a-z])\1{2,}")
_DOUBLED = re.compile(r"([a-z])\1")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")


# Street words for amounts (Hokkien via Betawi, said across the country) and Javanese forms,
# written out as rupiah so that the amount parser reads them like any other amount.
AMOUNT_WORDS = {
    "cepek": "Rp100", "gopek": "Rp500", "seceng": "Rp1.000", "noceng": "Rp2.000",
    "goceng": "Rp5.000", "ceban": "Rp10.000", "noban": "Rp20.000", "goban": "Rp50.000",
    "cepek ceng": "Rp100.000", "cepekceng": "Rp100.000", "gopek ceng": "Rp500.000",
    "gopekceng": "Rp500.000", "sejuta setengah": "1,5 juta", "sejuta lima ratus": "1,5 juta",
    "setengah jeti": "500 ribu", "sejeti": "1 juta", "sepuluh ewu": "10 ribu",
    "seket ewu": "50 ribu", "satus ewu": "100 ribu", "limang atus ewu": "500 ribu",
}  # fmt: skip
_AMOUNT_WORDS = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, AMOUNT_WORDS), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


# Each amount word ends with one of these: a text holding none of them holds no amount word,
# which a few substring tests in C tell faster than the regular expression's scan.
AMOUNT_WORD_ENDINGS = ("cepek", "gopek", "ceng", "ceban", "noban", "goban", "setengah", "ratus",
                       "jeti", "ewu")  # fmt: skip


def spell_amounts(text: str) -> str:
    """ "iuran goceng" -> "iuran Rp5.000": amount words as the amount parser knows them."""
    if text.isascii():
        lowered = text.lower()
        if not any(ending in lowered for ending in AMOUNT_WORD_ENDINGS):
            return text
    return _AMOUNT_WORDS.sub(lambda m: AMOUNT_WORDS[m.group(1).lower()], text)


class _PlainChars(dict[int, str]):
    """str.translate's table for _plain, filled as characters are met: combining marks are
    dropped; emoji, symbols and control characters become spaces; letters and digits stay.
    Looked up in C for every character after the first of its kind."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if unicodedata.combining(char):
            plain = ""
        else:
            plain = char if char.isascii() or char.isalnum() else " "
        if len(self) > 20_000:  # bounded: an attacker's characters must not grow memory
            self.clear()
        self[code] = plain
        return plain


_PLAIN_CHARS = _PlainChars()


class _WordChars(dict[int, str]):
    """str.translate's table that turns every character but a-z and 0-9 into a space (what
    re.sub("[^a-z0-9]+", " ") does, before a split), filled as characters are met."""

    def __missing__(self, code: int) -> str:
        kept = chr(code) if 97 <= code <= 122 or 48 <= code <= 57 else " "
        if len(self) > 20_000:  # bounded, as _PlainChars
            self.clear()
        self[code] = kept
        return kept


_WORD_CHARS = _WordChars()


def _plain(text: str) -> str:
    if text.isascii():  # nothing to decompose or drop: the common case, fast
        return text.lower()
    return unicodedata.normalize("NFKD", text).translate(_PLAIN_CHARS).lower()


class Normalizer:
    def __init__(self, slang: Mapping[str, str], vocabulary: Iterable[str] = ()) -> None:
        self._vocabulary = set(vocabulary)
        self._stems: set[str] = set()
        self._words: dict[str, str] = {}
        # (literal phrase, replacement): the literal is a cheap test for whether its pattern can
        # match at all, and the pattern is compiled the first time it can (a faster start).
        self._phrases: list[tuple[str, str]] = []
        self._patterns: dict[str, re.Pattern[str]] = {}
        for slang_form, formal in slang.items():
            if " " in slang_form:
                self._phrases.append((slang_form, formal))
            else:
                self._words[slang_form] = formal
        # Longest phrases first, so "bpjs tk" wins over a shorter overlapping phrase.
        self._phrases.sort(key=lambda item: -len(re.escape(item[0])))
        self._vocabulary.update(self._words.values())
        # word -> the word without its clitic: the same words come back message after message.
        self._bare: dict[str, str] = {}
        # Words never split as run-together typing (see split_run_together); None: no splitting.
        self._whole: Callable[[str], bool] | None = None

    def extend_vocabulary(self, words: Iterable[str]) -> None:
        self._vocabulary.update(words)
        self._bare.clear()

    def extend_stems(self, words: Iterable[str]) -> None:
        """Bare words a clitic may come off to reach (see _declitic), beyond the vocabulary."""
        self._stems.update(words)
        self._bare.clear()

    def split_run_together(self, whole: Callable[[str], bool]) -> None:
        """From now on read a long unknown word as the known words it runs together, except
        the words `whole` keeps (place names: "tanjungpandan" is a name, not two words). Off
        while the examples are read, whose vocabulary is still being gathered."""
        self._whole = whole
        self._bare.clear()

    def _pieces(self, word: str) -> list[str] | None:
        """The fewest known words `word` is made of, or None (dynamic programming over the
        word's ends; a piece is at most RUN_TOGETHER_MAX_PIECE letters)."""
        vocabulary, abbreviations = self._vocabulary, self._words
        best: list[list[str] | None] = [None] * (len(word) + 1)
        best[0] = []
        for start in range(len(word)):
            before = best[start]
            if before is None:
                continue
            for end in range(start + 2, min(len(word), start + RUN_TOGETHER_MAX_PIECE) + 1):
                piece = word[start:end]
                known = abbreviations.get(piece, DROP) != DROP or (
                    len(piece) > 2 and piece in vocabulary and piece not in AFFIXES
                )
                reached = best[end]
                if known and (reached is None or len(reached) > len(before) + 1):
                    best[end] = [*before, piece]
        found = best[len(word)]
        return found if found and len(found) > 1 else None

    def _deelongate(self, word: str) -> str:
        # "kelompok III" is a risk group, no "i" drawn out: read as "i" it priced group I.
        if not _ELONGATED.search(word) or word in _ROMAN_NUMERALS:
            return word
        single = _ELONGATED.sub(r"\1", word)
        double = _ELONGATED.sub(r"\1\1", word)
        # "maaaf" is "maaf", "bangettt" is "banget": prefer whichever the vocabulary knows.
        if double in self._vocabulary and single not in self._vocabulary:
            return double
        return single

    def _declitic(self, word: str) -> str:
        """ "klaimnya" -> "klaim", "bisakah" -> "bisa", "telpnya" -> "telepon": only when the
        bare word is a known word (or a slang abbreviation), so this never turns into stemming.
        "-lah" comes off only words the vocabulary does not know whole."""
        known = word in self._vocabulary
        if word in ENDS_LIKE_A_CLITIC:
            return word
        # "-nye" (Bangka Malay) and "-ne" (Sasak, Javanese) are "-nya": "saldonye", "programne".
        for clitic in ("nya", "nye", "ne", "kah", "lah", "pun"):
            stem = word[: -len(clitic)]
            # "-lah" ends many whole words ("masalah", "sekolah"): a known word keeps it.
            if known and clitic == "lah":
                continue
            if not word.endswith(clitic) or len(stem) < 2:
                continue
            # "telpnya": an abbreviation with a clitic reads as the abbreviation does.
            if clitic != "lah" and stem in self._words and self._words[stem] != DROP:
                return self._words[stem]
            if len(stem) >= 3 and (stem in self._vocabulary or stem in self._stems):
                return stem
        return word

    def __call__(self, text: str) -> str:
        if not text:
            return ""
        raw = text[:2000]
        # Money first, on the raw text, where "Rp2.000.000" and "1,5 jt" still look like money.
        pieces: list[str] = []
        last = 0
        for amount in find_amounts(raw):
            pieces.append(raw[last : amount.start])
            pieces.append(f" {MONEY_TOKEN} ")
            last = amount.end
        pieces.append(raw[last:])
        lowered = _plain("".join(pieces))
        # Each step only where its pattern can match: the tests are scans in C, the
        # substitutions' own scans of a long message cost tens of microseconds each.
        if "%" in lowered:
            lowered = _PERCENT.sub(r"\1 persen", lowered)
        if "2" in lowered:
            lowered = _REDUP.sub(r"\1 \1", lowered)
        lowered = lowered.translate(_WORD_CHARS)
        if _ASCII_DIGIT.search(lowered):
            lowered = _LETTER_DIGIT.sub(" ", lowered)
        words = lowered.split()
        if len(words) > MAX_WORDS:
            # Floods and rambling: the opening and the end of a message carry its question.
            words = words[: MAX_WORDS - TAIL_WORDS] + words[-TAIL_WORDS:]
        joined = " ".join(words)
        if _ELONGATED.search(joined):  # three letters alike in a row lie within one word
            joined = " ".join(self._deelongate(w) for w in words)
        # Phrases first ("what is", "bpjs tk"), then single words, so that a word of a phrase
        # is not rewritten before the phrase is seen.
        for phrase, formal in self._phrases:
            if phrase in joined:
                joined = self._pattern(phrase).sub(formal, joined)
        slang, known = self._words.get, self._bare
        words = [slang(w, w) for w in joined.split()]
        # "_" in the slang map drops an English filler word ("is", "the"): English questions
        # then match Indonesian examples by their telling words. (A word met before is read
        # from the memo here, without a call.)
        return " ".join(
            [known[w] if w in known else self._bare_word(w) for w in words if w != DROP]
        )

    def _pattern(self, phrase: str) -> re.Pattern[str]:
        pattern = self._patterns.get(phrase)
        if pattern is None:
            pattern = self._patterns[phrase] = re.compile(r"\b" + re.escape(phrase) + r"\b")
        return pattern

    def _bare_word(self, word: str) -> str:
        bare = self._bare.get(word)
        if bare is None:
            if len(self._bare) > 20_000:  # bounded: random words must not grow memory
                self._bare.clear()
            bare = self._declitic(word)
            if bare == word and self._splits(word) and (pieces := self._pieces(word)):
                slang = self._words.get
                read = (slang(p, p) for p in pieces)
                bare = " ".join(self._declitic(p) for p in read if p != DROP)
            self._bare[word] = bare
        return bare

    def _splits(self, word: str) -> bool:
        whole = self._whole
        return (
            whole is not None
            and RUN_TOGETHER_MIN <= len(word) <= RUN_TOGETHER_MAX
            and word not in self._vocabulary
            and word.isalpha()
            and not whole(word)
        )
