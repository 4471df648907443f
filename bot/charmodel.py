"""A learned signal beside the matcher: a linear model over the letters of the words.

An averaged perceptron over character 2-5-grams of each word, padded at the word's edges
(" klaim " gives " k", "kl", ..., " klai", ..., "aim "), trained on the example questions by
`bot build`. Where the matcher compares a message with one example at a time, the model weighs
every word against all intents at once: a word that one intent's examples use often and the
others rarely pulls towards that intent, however many near-identical examples the others have,
so one short, lucky example cannot outvote an intent's vocabulary. Trained on letters rather than
whole words, related forms share their weight ("klaim", "klaimnya", "diklaim").

A message's score is the sum of its words' scores, so each known word's scores for all intents
are summed once at build time and stored (16-bit, packed, one row per intent): scoring an
intent is one C-level gather of the message's words from its row and a sum. A word the examples never use (and the matcher could not correct) adds nothing
but dilutes the score. Training and scoring are deterministic: fixed order, each epoch shuffled by
a hash of each example (see _order), no iteration over sets.
"""

from __future__ import annotations

import base64
import hashlib
import math
from array import array
from collections.abc import Iterable, Mapping
from operator import itemgetter
from typing import Any

SIZES = range(2, 6)
EPOCHS = 4
SEED = 20261202
# An example counts as learnt once its intent leads by this much (in the scores of messages,
# which are scaled by 1 / sqrt(n-grams)); below it, the perceptron still updates.
MARGIN = 0.5


def grams(word: str) -> list[str]:
    """A word's character n-grams, padded at its edges (repeats kept: a score sums them)."""
    padded = f" {word} "
    found = [padded[i : i + n] for n in SIZES for i in range(len(padded) - n + 1)]
    return found or [padded]


def _order(pairs: list[tuple[str, str]], epoch: int) -> list[int]:
    """The examples' order in an epoch: shuffled by a hash of each example itself rather than
    by a seeded shuffle of positions, so that adding or removing one example leaves every other
    example's place in the order as it was. (A seeded shuffle deals a wholly new order when the
    count changes: one curator's added example used to move dozens of unrelated answers.)"""

    def key(row: int) -> tuple[bytes, int]:
        text, intent = pairs[row]
        seed = f"{SEED}/{epoch}/{intent}/{text}".encode()
        return hashlib.blake2b(seed, digest_size=8).digest(), row

    return sorted(range(len(pairs)), key=key)


def _pack(values: array[Any]) -> str:
    return base64.b64encode(values.tobytes()).decode("ascii")


def _unpack(code: str, raw: str) -> array[Any]:
    values = array(code)
    values.frombytes(base64.b64decode(raw))
    return values


class CharModel:
    """Per-intent scores of a message's words: `train` at build time, `from_tables` at start."""

    def __init__(self, tables: Mapping[str, Any]) -> None:
        """From the stored form (`tables()`): a packed array and a joined string, so that the
        stored tables a start keeps hold no second copy of the words or their scores."""
        self._tables = tables
        self.intents: list[str] = list(tables["intents"])
        words = tables["words"].split(" ")
        self._words = {word: i for i, word in enumerate(words)}
        # Per intent, every known word's score: one packed array each (no float objects
        # kept), so that a message's score for an intent is one C-level gather and sum.
        packed, size = _unpack("h", tables["word_scores"]), len(words)
        self._rows = {
            intent: packed[i * size : (i + 1) * size] for i, intent in enumerate(self.intents)
        }
        self._unit = float(tables["unit"])

    def tables(self) -> Mapping[str, Any]:
        """The model as JSON-ready data, for `bot build` to store."""
        return self._tables

    @classmethod
    def from_tables(cls, tables: Mapping[str, Any]) -> CharModel:
        return cls(tables)

    # -- building ------------------------------------------------------------------------------

    @classmethod
    def train(cls, examples: Iterable[tuple[str, str]]) -> CharModel:
        """An averaged perceptron over (normalised text, intent) pairs."""
        pairs = [(text, intent) for text, intent in examples if text.split()]
        intents = sorted({intent for _, intent in pairs})
        by_intent = {intent: i for i, intent in enumerate(intents)}
        ids: dict[str, int] = {}
        rows: list[tuple[list[int], int]] = []
        for text, intent in pairs:
            features = [ids.setdefault(g, len(ids)) for w in text.split() for g in grams(w)]
            rows.append((features, by_intent[intent]))
        n_classes, n_features = len(intents), len(ids)
        # Feature-major (one row of class weights per n-gram): a message's scores for all
        # classes are then a column sum over its rows, done in C by zip and sum.
        weights = [[0.0] * n_classes for _ in range(n_features)]
        # The averaging trick: `totals` holds each update times its step, so that the average
        # of the weights over all steps is weights - totals / steps.
        totals = [[0.0] * n_classes for _ in range(n_features)]
        step = 1
        for epoch in range(EPOCHS):
            for row in _order(pairs, epoch):
                features, gold = rows[row]
                scores: list[float] = list(
                    map(sum, zip(*[weights[f] for f in features], strict=True))
                )
                scale = math.sqrt(len(features))
                scores[gold] -= MARGIN * scale
                best = max(range(n_classes), key=scores.__getitem__)
                if best != gold:
                    value = 1 / scale
                    for f in features:
                        weight, total = weights[f], totals[f]
                        weight[gold] += value
                        weight[best] -= value
                        total[gold] += step * value
                        total[best] -= step * value
                step += 1
        averaged = [
            [w - t / step for w, t in zip(ws, ts, strict=True)]
            for ws, ts in zip(weights, totals, strict=True)
        ]
        return cls._from_weights(intents, list(ids), averaged, pairs)

    @classmethod
    def _from_weights(
        cls,
        intents: list[str],
        features: list[str],
        weights: list[list[float]],
        pairs: list[tuple[str, str]],
    ) -> CharModel:
        index = {gram: i for i, gram in enumerate(features)}
        # Known words: their full scores, summed once.
        words = sorted({w for text, _ in pairs for w in text.split()})
        by_word = [
            list(map(sum, zip(*[weights[index[g]] for g in grams(word)], strict=True)))
            for word in words
        ]
        # Intent by intent, as 16-bit integers in units of `unit` (half the size of floats;
        # sums of them stay exact).
        unit = max((abs(v) for row in by_word for v in row), default=0.0) / 32_000 or 1.0
        word_scores = array(
            "h", [round(row[c] / unit) for c in range(len(intents)) for row in by_word]
        )
        return cls(
            {
                "intents": intents,
                "unit": unit,
                "words": " ".join(words),
                "word_scores": _pack(word_scores),
            }
        )

    # -- scoring -------------------------------------------------------------------------------

    def _raw(self, words: list[str], intents: Iterable[str]) -> dict[str, int]:
        """The message's score for each of `intents`, in `unit`s and unscaled: the sum of its
        known words' entries in the intent's row (one C-level gather and sum). A word the
        examples never use (and the matcher could not correct) adds nothing; it still counts
        in `_gram_count`, so it dilutes the score, as it does in the cosine."""
        known, rows = self._words, self._rows
        found = [known[w] for w in words if w in known]
        if not found:
            return dict.fromkeys(intents, 0)
        if len(found) == 1:
            (only,) = found
            return {intent: rows[intent][only] for intent in intents}
        pick = itemgetter(*found)
        return {intent: sum(pick(rows[intent])) for intent in intents}

    @staticmethod
    def _gram_count(words: list[str]) -> int:
        """sum(len(grams(w)) for w in words), without making them: a word of L >= 2 letters
        has 4L - 2, a one-letter word 3."""
        lengths = list(map(len, words))
        return 4 * sum(lengths) - 2 * len(lengths) + lengths.count(1)

    def _factor(self, words: list[str]) -> float:
        """What turns a raw sum into a score: features count 1 / sqrt(n-grams), so that a long
        message weighs no more than a short one."""
        return self._unit / math.sqrt(self._gram_count(words)) if words else 0.0

    def scores(self, words: list[str]) -> list[float]:
        """The message's score for each intent (in the order of `intents`)."""
        factor = self._factor(words)
        return [factor * s for s in self._raw(words, self.intents).values()]

    def relative(
        self, words: list[str], intents: Iterable[str], temperature: float
    ) -> dict[str, float]:
        """Each of `intents`' confidence relative to the best of them, 0..1 (1 for the best):
        exp((score - best score) / temperature)."""
        raw = self._raw(words, intents)
        if not raw:
            return {}
        top = max(raw.values())
        factor = self._factor(words) / temperature
        exp = math.exp
        return {intent: exp((s - top) * factor) for intent, s in raw.items()}
