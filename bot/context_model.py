"""How people went on after an answer, learned from the users' labelled conversations.

Every later turn of a labelled conversation is an example: the answer just before it (its
intent), the message, and the intent that answers it. For a later turn of a running
conversation, the examples that followed the same answer are compared with the message
(rapidfuzz over the normalised words); a close enough one says what the message asks, as the
same words said after the same answer did before.

It only chooses among what the matcher already found: its intent must be one of the message's
`among` best candidates. Alone, a near match overruled right answers about as often as it
fixed wrong ones (bench/conversation_cv.py: a memory that answers for itself broke as many
turns as it fixed, at every cutoff); as a tie-breaker between the candidates the words allow,
it fixes more than it breaks.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel


@dataclass(frozen=True)
class Continuation:
    """One later turn of a labelled conversation: after `previous`, `text` asked `label`, an
    intent or `a|b` (either answers it)."""

    previous: str
    text: str
    label: str

    @property
    def intents(self) -> list[str]:
        return self.label.split("|")


class ContinuationMemory:
    """The later turns of the labelled conversations, by the answer they followed."""

    def __init__(
        self, continuations: Iterable[Continuation], cutoff: float = 65.0, among: int = 3
    ) -> None:
        # How alike (0..100) the message and a labelled turn must be, and among how many of
        # the matcher's best candidates the memory may choose.
        self.cutoff = cutoff
        self.among = among
        by_previous: dict[str, list[Continuation]] = defaultdict(list)
        for c in continuations:
            if c.text:
                # Intent ids repeat on every row (and read back from JSON, each row has its own
                # copy): one string each.
                by_previous[sys.intern(c.previous)].append(c)
        # Per previous answer, the distinct texts and the intents each asked, counted (a text
        # written twice votes twice; each of `a|b` gets a vote).
        self._texts: dict[str, list[str]] = {}
        self._words: dict[str, list[tuple[str, ...]]] = {}
        self._votes: dict[str, list[Counter[str]]] = {}
        for previous, items in by_previous.items():
            labels: dict[str, Counter[str]] = {}
            for c in items:
                labels.setdefault(c.text, Counter()).update(sys.intern(i) for i in c.intents)
            self._texts[previous] = list(labels)
            self._words[previous] = [tuple(t.split()) for t in labels]
            self._votes[previous] = list(labels.values())

    def rows(self) -> list[list[str]]:
        """The memory as rows (previous, text, intent) that build the same memory again: a turn
        labelled `a|b` is a row for each, a text written twice is its rows twice. For storing
        it (`bot build`): a running engine keeps the memory, not its rows."""
        return [
            [previous, text, intent]
            for previous, texts in self._texts.items()
            for text, votes in zip(texts, self._votes[previous], strict=True)
            for intent, count in votes.items()
            for _ in range(count)
        ]

    def __len__(self) -> int:
        return sum(len(t) for t in self._texts.values())

    def alike(
        self, text: str, words: Sequence[str], other: str, other_words: Sequence[str]
    ) -> float:
        """How alike two texts are, 0..100: the mean of their characters' and their words'
        similarity. By characters alone "kalau nominal" is near "kalau meninggal"; by words
        alone "aktifin" and "aktifkan" are unrelated."""
        by_words = 100 * Indel.normalized_similarity(words, other_words)
        return (fuzz.ratio(text, other) + by_words) / 2

    def recall(self, previous: str | None, text: str, candidates: Sequence[str]) -> str | None:
        """What `text` asked when it (or nearly it) followed the answer `previous`: of the
        intents the closest such turn was labelled with, the matcher's best among its first
        `among` `candidates` (best first); None when no labelled turn after that answer is
        close enough or none of its intents is among them."""
        key = previous or ""
        texts = self._texts.get(key)
        if not texts or not text:
            return None
        words = text.split()
        scores = [
            self.alike(text, words, other, other_words)
            for other, other_words in zip(texts, self._words[key], strict=True)
        ]
        best = max(range(len(scores)), key=scores.__getitem__)
        if scores[best] < self.cutoff:
            return None
        votes = self._votes[key][best]
        most = max(votes.values())
        return next((c for c in candidates[: self.among] if votes.get(c) == most), None)
