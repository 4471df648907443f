"""Rank intents for a normalised message with rapidfuzz and a weighted word overlap.

Two signals, blended:
- rapidfuzz's token-set similarity between the message and each example question: tolerant of
  word order, repeated words and extra words;
- an IDF-weighted cosine over words, after correcting misspelt words to the nearest known word
  (rapidfuzz again): rare, telling words such as "jht" or "beasiswa" count for more than
  "bpjs", and words the bot has never seen pull the score down, which is what sends off-topic
  messages and gibberish to the fallback instead of the nearest intent.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process


@dataclass(frozen=True)
class Candidate:
    intent: str
    score: float  # 0..1
    example: str


@dataclass(frozen=True)
class MatcherKnobs:
    fuzzy_weight: float = 0.5
    # How close a misspelt word must be to a known word to be read as that word (0..100).
    correction_cutoff: float = 82.0
    min_correctable_length: int = 4
    # Weight of a word no example uses: as rare as the rarest known word.
    unknown_word_weight: float | None = None
    limit: int = 5
    # Weight of the intent-level similarity (all examples of an intent as one bag of words),
    # which keeps one short, lucky example from outvoting an intent's whole vocabulary.
    intent_weight: float = 0.25
    # Only examples sharing a word used by at most this share of intents get a fuzzy score.
    telling_share: float = 0.5


class Matcher:
    def __init__(
        self, examples: Iterable[tuple[str, str]], knobs: MatcherKnobs | None = None
    ) -> None:
        """`examples` are (normalised example text, intent id) pairs."""
        self.knobs = knobs or MatcherKnobs()
        self._texts: list[str] = []
        self._intents: list[str] = []
        seen: set[tuple[str, str]] = set()
        for text, intent in examples:
            if text and (text, intent) not in seen:
                seen.add((text, intent))
                self._texts.append(text)
                self._intents.append(intent)
        intents_by_word: dict[str, set[str]] = defaultdict(set)
        for text, intent in zip(self._texts, self._intents, strict=True):
            for word in set(text.split()):
                intents_by_word[word].add(intent)
        n_intents = max(1, len(set(self._intents)))
        self._idf = {w: math.log(1 + n_intents / len(s)) for w, s in intents_by_word.items()}
        self._unknown = self.knobs.unknown_word_weight or math.log(1 + n_intents)
        self._vocabulary = sorted(self._idf)
        self._vectors: list[dict[str, float]] = []
        self._norms: list[float] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        for index, text in enumerate(self._texts):
            vector = {w: self._idf[w] for w in set(text.split())}
            self._vectors.append(vector)
            self._norms.append(math.sqrt(sum(v * v for v in vector.values())))
            for word in vector:
                self._postings[word].append(index)
        self._choices = dict(enumerate(self._texts))
        # Intent profiles: sublinear term frequency x IDF over all of an intent's examples.
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for text, intent in zip(self._texts, self._intents, strict=True):
            for word in set(text.split()):
                counts[intent][word] += 1
        self._profiles: dict[str, dict[str, float]] = {}
        self._profile_norms: dict[str, float] = {}
        for intent, words in counts.items():
            profile = {w: (1 + math.log(n)) * self._idf[w] for w, n in words.items()}
            self._profiles[intent] = profile
            self._profile_norms[intent] = math.sqrt(sum(v * v for v in profile.values()))
        self._corrections: dict[str, str | None] = {}
        # A word used by at most this share of intents narrows the fuzzy comparison.
        self._telling_idf = math.log(1 + 1 / self.knobs.telling_share)

    def _fuzzy_choices(self, q_weights: dict[str, float]) -> dict[int, str]:
        """The examples worth a fuzzy comparison: those sharing a telling word with the message
        (a word index before fuzzy scoring). Words most intents use ("bpjs", "berapa") do not
        narrow anything; a message made only of such words is compared with every example."""
        telling = [w for w, idf in q_weights.items() if idf >= self._telling_idf]
        if not telling:
            return self._choices
        indices: set[int] = set()
        for word in telling:
            indices.update(self._postings.get(word, ()))
        if len(indices) * 2 > len(self._texts):
            return self._choices
        return {i: self._texts[i] for i in indices}

    @property
    def vocabulary(self) -> set[str]:
        return set(self._idf)

    def correct(self, word: str) -> str | None:
        """The known word a misspelt word stands for, or None when none is close enough."""
        if word in self._idf:
            return word
        if len(word) < self.knobs.min_correctable_length or word.isdigit():
            return None
        if word not in self._corrections:
            hit = process.extractOne(
                word,
                self._vocabulary,
                scorer=fuzz.ratio,
                score_cutoff=self.knobs.correction_cutoff,
            )
            # Bounded memo: typos repeat, but an attacker's random words must not grow memory.
            if len(self._corrections) > 50_000:
                self._corrections.clear()
            self._corrections[word] = hit[0] if hit else None
        return self._corrections[word]

    def corrected(self, normalized: str) -> str:
        return " ".join(self.correct(w) or w for w in normalized.split())

    def rank(self, normalized: str, fuzzy: bool = True) -> list[Candidate]:
        """Best intents first. `fuzzy=False` skips the token-set comparison (the costly part)
        and ranks by the word overlaps alone: enough to tell which intent a clause is about."""
        words = normalized.split()
        if not words or not self._texts:
            return []
        fixed = [self.correct(w) for w in words]
        query_words = {f for f in fixed if f is not None}
        unknown = sum(1 for f in fixed if f is None)
        q_weights = {w: self._idf[w] for w in query_words}
        q_norm = math.sqrt(sum(v * v for v in q_weights.values()) + unknown * self._unknown**2)
        if q_norm == 0:
            return []
        cosine: dict[int, float] = defaultdict(float)
        for word, weight in q_weights.items():
            for index in self._postings.get(word, ()):
                cosine[index] += weight * weight
        query_text = " ".join(f or w for f, w in zip(fixed, words, strict=True))
        similar = (
            process.extract(
                query_text,
                self._fuzzy_choices(q_weights),
                scorer=fuzz.token_set_ratio,
                processor=None,
                limit=60,
                score_cutoff=35,
            )
            if fuzzy
            else []
        )
        fuzzy_scores = {index: score / 100.0 for _text, score, index in similar}
        best: dict[str, Candidate] = {}
        w_fuzzy = self.knobs.fuzzy_weight if fuzzy else 0.0
        for index in set(cosine) | set(fuzzy_scores):
            cos = (
                cosine.get(index, 0.0) / (q_norm * self._norms[index])
                if self._norms[index]
                else 0.0
            )
            score = (1 - w_fuzzy) * cos + w_fuzzy * fuzzy_scores.get(index, 0.0)
            intent = self._intents[index]
            if intent not in best or score > best[intent].score:
                best[intent] = Candidate(intent, round(score, 4), self._texts[index])
        if self.knobs.intent_weight:
            w_intent = self.knobs.intent_weight
            for intent, cand in list(best.items()):
                profile = self._profiles[intent]
                dot = sum(weight * profile.get(word, 0.0) for word, weight in q_weights.items())
                sim = (
                    dot / (q_norm * self._profile_norms[intent])
                    if self._profile_norms[intent]
                    else 0.0
                )
                best[intent] = Candidate(
                    intent, round((1 - w_intent) * cand.score + w_intent * sim, 4), cand.example
                )
        ranked = sorted(best.values(), key=lambda c: (-c.score, c.intent))
        return ranked[: self.knobs.limit]
