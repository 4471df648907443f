"""Normalise informal Indonesian before matching.

Lower case, strip accents and emoji, collapse elongation (`bangettt`), expand reduplication
written with a digit (`anak2`), unify money and percentages, and expand a curated slang map.
No stemming and no stopword removal: question words (berapa, bagaimana, kapan, bisa, belum)
carry the intent, and Indonesian stemmers mangle domain words (iuran -> iur, peserta -> serta).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from bot.numbers import find_amounts

# A token that stands for any rupiah amount, so "iuran kalau 2 juta" matches "iuran kalau 3 juta".
MONEY_TOKEN = "nominal"  # noqa: S105 - a word, not a secret

DROP = "_"
_REDUP = re.compile(r"\b([a-z]{2,})2\b")
_PERCENT = re.compile(r"(\d)\s*%")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_ELONGATED = re.compile(r"([a-z])\1{2,}")
_DOUBLED = re.compile(r"([a-z])\1")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for char in decomposed:
        if unicodedata.combining(char):
            continue
        # Emoji, symbols and control characters become spaces; letters and digits stay.
        kept.append(char if char.isascii() or char.isalnum() else " ")
    return "".join(kept).lower()


class Normalizer:
    def __init__(self, slang: Mapping[str, str], vocabulary: Iterable[str] = ()) -> None:
        self._vocabulary = set(vocabulary)
        self._words: dict[str, str] = {}
        self._phrases: list[tuple[re.Pattern[str], str]] = []
        for slang_form, formal in slang.items():
            if " " in slang_form:
                pattern = re.compile(r"\b" + re.escape(slang_form) + r"\b")
                self._phrases.append((pattern, formal))
            else:
                self._words[slang_form] = formal
        # Longest phrases first, so "bpjs tk" wins over a shorter overlapping phrase.
        self._phrases.sort(key=lambda item: -len(item[0].pattern))
        self._vocabulary.update(self._words.values())

    def extend_vocabulary(self, words: Iterable[str]) -> None:
        self._vocabulary.update(words)

    def _deelongate(self, word: str) -> str:
        if not _ELONGATED.search(word):
            return word
        single = _ELONGATED.sub(r"\1", word)
        double = _ELONGATED.sub(r"\1\1", word)
        # "maaaf" is "maaf", "bangettt" is "banget": prefer whichever the vocabulary knows.
        if double in self._vocabulary and single not in self._vocabulary:
            return double
        return single

    def _declitic(self, word: str) -> str:
        """ "klaimnya" -> "klaim", "bisakah" -> "bisa": only when the bare word is a known word
        and the whole one is not, so this never turns into stemming."""
        if word in self._vocabulary:
            return word
        for clitic in ("nya", "kah", "lah", "pun"):
            stem = word[: -len(clitic)]
            if word.endswith(clitic) and len(stem) >= 3 and stem in self._vocabulary:
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
        lowered = _PERCENT.sub(r"\1 persen", lowered)
        lowered = _REDUP.sub(r"\1 \1", lowered)
        lowered = _NOT_WORD.sub(" ", lowered)
        lowered = _LETTER_DIGIT.sub(" ", lowered)
        joined = " ".join(self._deelongate(w) for w in lowered.split())
        # Phrases first ("what is", "bpjs tk"), then single words, so that a word of a phrase
        # is not rewritten before the phrase is seen.
        for pattern, formal in self._phrases:
            joined = pattern.sub(formal, joined)
        words = [self._words.get(w, w) for w in joined.split()]
        # "_" in the slang map drops an English filler word ("is", "the"): English questions
        # then match Indonesian examples by their telling words.
        return " ".join(self._declitic(w) for w in words if w != DROP)
