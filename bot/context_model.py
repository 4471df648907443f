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

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process


@dataclass(frozen=True)
class Continuation:
    """One later turn of a labelled conversation: after `previous`, `text` asked `intent`."""

    previous: str
    text: str
    intent: str


class ContinuationMemory:
    """The later turns of the labelled conversations, by the answer they followed."""

    def __init__(
        self, continuations: Iterable[Continuation], cutoff: float = 70.0, among: int = 3
    ) -> None:
        # How alike (rapidfuzz ratio, 0..100) the message and a labelled turn must be, and
        # among how many of the matcher's best candidates the memory may choose.
        self.cutoff = cutoff
        self.among = among
        by_previous: dict[str, list[Continuation]] = defaultdict(list)
        for c in continuations:
            if c.text:
                by_previous[c.previous].append(c)
        # Per previous answer, the distinct texts and what each asked (a text written twice
        # with two labels votes by count).
        self._texts: dict[str, list[str]] = {}
        self._intents: dict[str, list[Counter[str]]] = {}
        for previous, items in by_previous.items():
            labels: dict[str, Counter[str]] = {}
            for c in items:
                labels.setdefault(c.text, Counter())[c.intent] += 1
            self._texts[previous] = list(labels)
            self._intents[previous] = list(labels.values())

    def __len__(self) -> int:
        return sum(len(t) for t in self._texts.values())

    def recall(self, previous: str | None, text: str, candidates: Sequence[str]) -> str | None:
        """The intent `text` asked when it (or nearly it) followed the answer `previous`, if
        it is one of the first `among` of `candidates` (the matcher's, best first); None when
        no labelled turn after that answer is close enough."""
        texts = self._texts.get(previous or "")
        if not texts or not text:
            return None
        found = process.extractOne(text, texts, scorer=fuzz.ratio, score_cutoff=self.cutoff)
        if found is None:
            return None
        votes = self._intents[previous or ""][found[2]]
        (intent, count), *rest = votes.most_common(2)
        if rest and rest[0][1] == count:
            return None  # the same words asked two things: the memory does not know
        return intent if intent in candidates[: self.among] else None
