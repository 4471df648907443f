"""Rank intents for a normalised message with rapidfuzz and a weighted word overlap.

Two signals, blended:
- rapidfuzz's token-set similarity between the message and each example question: tolerant of
  word order, repeated words and extra words;
- an IDF-weighted cosine over words, after correcting misspelt words to the nearest known word
  (rapidfuzz again): rare, telling words such as "jht" or "beasiswa" count for more than
  "bpjs", and words the bot has never seen pull the score down, which is what sends off-topic
  messages and gibberish to the fallback instead of the nearest intent.

Speed: a word index picks the candidates before any fuzzy scoring. Each word's list of examples
is ordered by how much the word weighs in the example (short examples first), and only its first
`posting_cap` entries (`common_cap` for words most intents use) are read. The `candidates`
examples with the best partial cosine, plus the best example of each of the first
`intents_scored` intents met, are then scored exactly (cosine and rapidfuzz). The work per
message is bounded by its words and these caps, not by the number of examples.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter
from typing import Any

from rapidfuzz import fuzz, process

from bot.charmodel import CharModel


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
    # ... times this in a message whose known words already say it is about the domain
    # (`rank(anchored=True)`: the engine tells, from the agency's own words such as "jmo",
    # "iuran", "bpjs tk"): there an unknown word is more likely a word the examples lack
    # ("fitur jmo apa saja", "jatuh tempo iuran") than a sign of an off-topic message.
    anchored_unknown_share: float = 0.5
    limit: int = 5
    # Weight of the intent-level similarity (all examples of an intent as one bag of words),
    # which keeps one short, lucky example from outvoting an intent's whole vocabulary.
    intent_weight: float = 0.25
    # Examples scored exactly (cosine and rapidfuzz) per message, picked by the word index;
    # 0 scores every example that shares a word with the message (the unpruned ranking).
    candidates: int = 20
    # Entries read from each word's example list when picking them (0: all of them).
    posting_cap: int = 128
    # ... and only `common_cap` for a word most intents use ("bpjs", "saya", "apa": an IDF
    # under log(1 + 1 / common_share)), which tells little (it still counts in the exact
    # scores).
    common_cap: int = 48
    common_share: float = 0.7
    # Hostile and rambling text: only this many words of a message are matched, and at most
    # this many new misspellings are looked up per message (each is a search of the vocabulary).
    max_words: int = 60
    max_corrections: int = 8
    fuzzy_cutoff: float = 35.0
    # Besides the `candidates` best, the `per_intent` best examples of each of the first
    # `intents_scored` intents (in order of partial cosine): runners-up matter too, since a
    # follow-up's topic lifts one of them.
    per_intent: int = 1
    intents_scored: int = 12
    # The same two without fuzzy scoring (a clause of a message asking two things, where only
    # the best intent counts); 0 scores every example sharing a word, as `candidates`.
    clause_candidates: int = 6
    clause_intents: int = 2
    # The learned signal (bot.charmodel): its share of the final score, and the temperature
    # that turns its raw scores into each intent's confidence relative to the model's best.
    model_weight: float = 0.5
    model_temperature: float = 6.0
    # The users' labelled questions of at least this many words are examples too (`asked`).
    asked_min_words: int = 3


class Matcher:
    def __init__(
        self,
        examples: Iterable[tuple[str, str]],
        knobs: MatcherKnobs | None = None,
        asked: Iterable[tuple[str, str]] = (),
    ) -> None:
        """`examples` are (normalised example text, intent id) pairs; `asked` more of them, the
        users' labelled questions: the learned model trains on both, and both are matched when
        a message starts a conversation; within one (`rank(asked=False)`) only the curated
        examples are, since the follow-up rules read the conversation with them, and a user's
        short question ("kalau meninggal?" labelled as the death benefit) would claim a
        follow-up that the topic gives another meaning."""
        self.knobs = knobs or MatcherKnobs()
        self._texts: list[str] = []
        self._intents: list[str] = []
        seen: set[tuple[str, str]] = set()

        def add(pairs: Iterable[tuple[str, str]]) -> None:
            for text, intent in pairs:
                if text and (text, intent) not in seen:
                    seen.add((text, intent))
                    self._texts.append(text)
                    self._intents.append(intent)

        add(examples)
        # The curated examples are the first `_curated`; a question that repeats one is not added.
        self._curated = len(self._texts)
        # A short question says no more than its words, and one rare word shared with a message
        # would carry it ("ini bot" for "how to make a telegram bot"): the curated examples
        # cover the bare keywords. Short questions train the learned model only.
        asked = list(asked)
        add(q for q in asked if len(q[0].split()) >= self.knobs.asked_min_words)
        learned_only = [q for q in asked if len(q[0].split()) < self.knobs.asked_min_words]
        n_intents = max(1, len(set(self._intents)))
        curated = list(
            zip(self._texts[: self._curated], self._intents[: self._curated], strict=True)
        )
        # A word's weight is set by the curated examples that use it; a word only the users'
        # questions use is weighed over them. So the questions add examples and words without
        # changing how the curated examples weigh (the follow-up rules were measured on those).
        idf = {
            **self._weights(zip(self._texts, self._intents, strict=True), n_intents),
            **self._weights(curated, n_intents),
        }
        self._idf = idf
        norms = [math.sqrt(sum(idf[w] ** 2 for w in set(t.split()))) for t in self._texts]
        postings: dict[str, list[int]] = defaultdict(list)
        for index, text in enumerate(self._texts):
            for word in set(text.split()):
                postings[word].append(index)
        # Shortest examples first: there a shared word weighs most in the cosine.
        self._postings = {
            w: sorted(indices, key=lambda i: (norms[i], i)) for w, indices in postings.items()
        }
        # Intent profiles: sublinear term frequency x IDF over all of an intent's examples.
        # Over the curated examples only, for the same reason.
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for text, intent in curated:
            for word in set(text.split()):
                counts[intent][word] += 1
        self._profiles = {
            intent: {w: (1 + math.log(n)) * idf[w] for w, n in found.items()}
            for intent, found in counts.items()
        }
        self._model = CharModel.train(
            [*zip(self._texts, self._intents, strict=True), *learned_only]
        )
        self._derive()

    @staticmethod
    def _weights(pairs: Iterable[tuple[str, str]], n_intents: int) -> dict[str, float]:
        """Inverse intent frequency of each word of the (text, intent) pairs."""
        intents_by_word: dict[str, set[str]] = defaultdict(set)
        for text, intent in pairs:
            for word in text.split():
                intents_by_word[word].add(intent)
        return {w: math.log(1 + n_intents / len(s)) for w, s in intents_by_word.items()}

    def _derive(self) -> None:
        """What follows from the tables: cheap to compute at every start."""
        idf = self._idf
        # Each example's distinct words are needed only here: kept, they held 1.7 MB.
        words = (frozenset(text.split()) for text in self._texts)
        self._norms = [math.sqrt(sum(idf[w] ** 2 for w in distinct)) for distinct in words]
        self._inverse_norms = [1 / n if n else 0.0 for n in self._norms]
        self._profile_norms = {
            intent: math.sqrt(sum(v * v for v in profile.values()))
            for intent, profile in self._profiles.items()
        }
        n_intents = max(1, len(set(self._intents)))
        self._unknown = self.knobs.unknown_word_weight or math.log(1 + n_intents)
        self._vocabulary = sorted(idf)
        common_idf = math.log(1 + 1 / self.knobs.common_share)
        caps = {w: self.knobs.common_cap for w, v in idf.items() if v < common_idf}
        # Each word's example list as read when picking (its first `cap` entries), as a dict from
        # example to its share of the partial cosine, in the list's order: cut once here, not
        # per message, and in the form the partial cosines take (the longest list seeds them
        # with one C-level copy). The examples past the cap are kept as a set, for the picked
        # ones' exact scores.
        self._heads: dict[str, dict[int, float]] = {}
        self._beyond: dict[str, frozenset[int]] = {}
        inverse = self._inverse_norms
        # One int object per example index, shared by every word's entries: stored tables
        # decoded from JSON give each of the 22,000 entries an int of its own (about 0.5 MB).
        example = list(range(len(self._texts)))
        for word, indices in self._postings.items():
            cap = caps.get(word, self.knobs.posting_cap)
            head = indices[:cap] if cap else indices
            square = idf[word] ** 2
            self._heads[word] = {example[i]: square * inverse[i] for i in head}
            if len(head) < len(indices):
                self._beyond[word] = frozenset(example[i] for i in indices[len(head) :])
        # The whole lists are the heads and the sets past them: kept too, they held 1 MB.
        del self._postings
        self._corrections: dict[str, str | None] = {}

    def postings(self) -> dict[str, list[int]]:
        """Each word's whole example list, shortest example first, as `bot build` stores it."""
        norms = self._norms
        return {
            word: [*head, *sorted(self._beyond.get(word, ()), key=lambda i: (norms[i], i))]
            for word, head in self._heads.items()
        }

    def tables(self) -> dict[str, object]:
        """The matcher's tables as plain JSON-ready data, for `bot build` to store."""
        return {
            "texts": self._texts,
            "intents": self._intents,
            "curated": self._curated,
            "idf": self._idf,
            "postings": self.postings(),
            "profiles": self._profiles,
            "model": self._model.tables(),
        }

    @classmethod
    def from_tables(cls, tables: Mapping[str, Any], knobs: MatcherKnobs | None = None) -> Matcher:
        """A matcher from `tables()` as stored: no example is read again."""
        matcher = cls.__new__(cls)
        matcher.knobs = knobs or MatcherKnobs()
        matcher._texts = list(tables["texts"])
        # One string object per intent: decoded JSON gives each of the 3,700 examples a copy of
        # its intent's id (about 0.2 MB of the worker's heap).
        one_each: dict[str, str] = {}
        matcher._intents = [one_each.setdefault(intent, intent) for intent in tables["intents"]]
        matcher._curated = int(tables.get("curated", len(matcher._texts)))
        matcher._idf = dict(tables["idf"])
        matcher._postings = dict(tables["postings"])
        matcher._profiles = dict(tables["profiles"])
        matcher._model = CharModel.from_tables(tables["model"])
        matcher._derive()
        return matcher

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
            self._corrections[word] = self._nearest(word)
        return self._corrections[word]

    def _nearest(self, word: str) -> str | None:
        # Two letters swapped ("kalim", "iuarn") is the commonest slip on a phone keyboard, and
        # the ratio counts it as two edits: a five-letter word falls under the cutoff.
        for i in range(len(word) - 1):
            swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
            if swapped in self._idf:
                return swapped
        hit = process.extractOne(
            word,
            self._vocabulary,
            scorer=fuzz.ratio,
            score_cutoff=self.knobs.correction_cutoff,
        )
        # Bounded memo: typos repeat, but an attacker's random words must not grow memory.
        if len(self._corrections) > 50_000:
            self._corrections.clear()
        return hit[0] if hit else None

    def remembered(self, word: str) -> str | None:
        """`correct` without a new look-up: the word, or the known word it was read as."""
        return word if word in self._idf else self._corrections.get(word)

    def corrected(self, normalized: str) -> str:
        return " ".join(self.correct(w) or w for w in normalized.split())

    def _read_words(self, words: list[str]) -> list[str | None]:
        """Each word corrected; past `max_corrections` new look-ups a word stays unknown."""
        fixed: list[str | None] = []
        lookups = 0
        idf, corrections = self._idf, self._corrections
        for word in words:
            if word in idf:
                fixed.append(word)
            elif word in corrections:  # only words `correct` may look up are remembered
                fixed.append(corrections[word])
            elif lookups < self.knobs.max_corrections:
                lookups += 1
                fixed.append(self.correct(word))
            else:
                fixed.append(None)
        return fixed

    def _pick(
        self, q_squares: dict[str, float], wanted: int, room: int, asked: bool = True
    ) -> tuple[list[int], dict[int, float]]:
        """The examples worth scoring (best partial cosine over the capped example lists), and
        their exact dot products with the message; `asked=False`: the curated examples only."""
        heads = self._heads
        lists = [heads[word] for word in q_squares]
        # Partial cosines: each example's shares (the word's squared weight times the example's
        # inverse norm, prepared per word) summed over the lists read. The longest list seeds
        # them (a C-level copy), the others add in Python (in 3.11 a plain loop over a dict's
        # items beats map() and zip() over two lists, and dict and set operations, here).
        lists.sort(key=len, reverse=True)  # stable: lists of one length in the message's order
        partial: dict[int, float] = dict(lists[0]) if lists else {}
        get = partial.get
        for head in lists[1:]:
            for index, share in head.items():
                partial[index] = get(index, 0.0) + share
        if not asked and self._curated < len(self._texts):
            curated = self._curated
            partial = {index: value for index, value in partial.items() if index < curated}
        if wanted and len(partial) > wanted:
            # A C sort of a few hundred floats costs less than heapq's Python loop.
            ordered = sorted(partial, key=partial.__getitem__, reverse=True)
            picked = ordered[:wanted]
            if self.knobs.per_intent:
                seen = dict.fromkeys(picked)
                counts: dict[str, int] = {}
                intents, per_intent = self._intents, self.knobs.per_intent
                filled = 0  # intents with their `per_intent` examples
                for index in ordered:
                    intent = intents[index]
                    count = counts.get(intent, 0)
                    if count >= per_intent or (not count and len(counts) >= room):
                        if filled >= room:
                            break
                        continue
                    counts[intent] = count + 1
                    filled += count + 1 == per_intent
                    seen[index] = None
                picked = list(seen)
        else:
            picked = list(partial)
        # Dot products for the picked examples only: their partial cosines times their norms,
        # plus the share of the words whose lists were cut, where those examples were past it.
        norms, beyond = self._norms, self._beyond
        dots = {index: partial[index] * norms[index] for index in picked}
        for word, square in q_squares.items():
            if word in beyond:
                for index in beyond[word].intersection(picked):
                    dots[index] += square
        return picked, dots

    def rank(
        self,
        normalized: str,
        fuzzy: bool = True,
        learned: bool = True,
        anchored: bool = False,
        asked: bool = True,
    ) -> list[Candidate]:
        """Best intents first. `fuzzy=False` skips the token-set comparison (the costly part)
        and ranks by the word overlaps alone: enough to tell which intent a clause is about.
        `learned=False` leaves the learned model out (a follow-up read with its topic);
        `asked=False` the users' questions (a message within a conversation, see `__init__`).
        `anchored`: the message names the domain's own matters (see `anchored_unknown_share`)."""
        words = normalized.split()[: self.knobs.max_words]
        if not words or not self._texts:
            return []
        fixed = self._read_words(words)
        q_weights = {f: self._idf[f] for f in fixed if f is not None}
        unknown = fixed.count(None)
        q_squares = {w: v * v for w, v in q_weights.items()}
        unknown_weight = self._unknown * (self.knobs.anchored_unknown_share if anchored else 1)
        q_norm = math.sqrt(sum(q_squares.values()) + unknown * unknown_weight**2)
        if q_norm == 0 or not q_weights:
            return []
        knobs = self.knobs
        if fuzzy:
            picked, dots = self._pick(q_squares, knobs.candidates, knobs.intents_scored, asked)
        else:
            picked, dots = self._pick(
                q_squares, knobs.clause_candidates, knobs.clause_intents, asked
            )
        texts = self._texts
        fuzzy_scores: dict[int, float] = {}
        read = [f or w for f, w in zip(fixed, words, strict=True)]
        if fuzzy:
            query_text = " ".join(read)
            for _text, score, index in process.extract(
                query_text,
                {i: texts[i] for i in picked},
                scorer=fuzz.token_set_ratio,
                processor=None,
                limit=None,
                score_cutoff=self.knobs.fuzzy_cutoff,
            ):
                fuzzy_scores[index] = score / 100.0
        w_fuzzy = self.knobs.fuzzy_weight if fuzzy else 0.0
        # The best example per intent, as plain floats; Candidates only for the winners.
        top_score: dict[str, float] = {}
        top_index: dict[str, int] = {}
        inverse, intents = self._inverse_norms, self._intents
        for index in picked:
            cos = dots[index] * inverse[index] / q_norm
            score = (1 - w_fuzzy) * cos + w_fuzzy * fuzzy_scores.get(index, 0.0)
            intent = intents[index]
            if score > top_score.get(intent, -1.0) or (
                score == top_score[intent] and index < top_index[intent]
            ):
                top_score[intent] = score
                top_index[intent] = index
        share = knobs.model_weight if learned else 0.0
        confidence = (
            self._model.relative(read, top_score, knobs.model_temperature) if share else None
        )
        return self._blend(top_score, top_index, q_weights, q_norm, share, confidence)

    def _profile_dot(
        self, intent: str, q_items: list[tuple[str, float]], q_words: list[str]
    ) -> float:
        """The dot product of the message's word weights (`q_items`, their words `q_words`)
        with the intent's profile, added in the message's order. Only the words the profile
        holds are multiplied: the others would add 0.0 (every weight is positive), which
        leaves the sum as it is, to the last bit."""
        profile = self._profiles[intent]
        dot = 0.0
        for word, weight in compress(q_items, map(profile.__contains__, q_words)):
            dot += weight * profile[word]
        return dot

    def _blend(
        self,
        top_score: dict[str, float],
        top_index: dict[str, int],
        q_weights: dict[str, float],
        q_norm: float,
        w_model: float = 0.0,
        confidence: dict[str, float] | None = None,
    ) -> list[Candidate]:
        """Each intent's best example blended with the intent's profile, then with the learned
        model's confidence (bot.charmodel), best first.

        The model orders the candidates; it does not say how well the message is understood:
        the scores are shifted so that the best keeps the best plain (unblended) score, and
        the thresholds that send off-topic text and gibberish to the fallback read the same
        level as without the model. A profile similarity and a confidence are at most 1, so
        once an intent's best example cannot lift it into the top `limit` even with perfect
        ones, neither can any intent after it: stop there (an intent that cannot make it with
        its own confidence is skipped). Neither happens while the intent's plain score might
        still be the best one, which sets the level."""
        w_intent, limit = self.knobs.intent_weight, self.knobs.limit
        w_model = w_model if confidence is not None else 0.0
        # The model's share is scaled to the best example's score, the level it orders within.
        reach = w_model * max(top_score.values(), default=0.0)
        final: list[tuple[float, str]] = []
        plain_top = 0.0  # the best plain score among the intents scored
        leaders: list[float] = []  # min-heap of the `limit` best final scores so far
        q_items = list(q_weights.items())
        q_words = list(q_weights)
        # Best first; `reverse` keeps a stable sort's order among equal scores.
        for intent, best in sorted(top_score.items(), key=itemgetter(1), reverse=True):
            score = round(best, 4)
            trust = confidence.get(intent, 0.0) if w_model and confidence is not None else 0.0
            if len(leaders) >= limit:
                # Past the leaders even with a perfect profile (and confidence), and not able
                # to raise the best plain score either.
                ceiling_plain = (1 - w_intent) * score + w_intent
                bound = (1 - w_model) * ceiling_plain
                if ceiling_plain <= plain_top or not w_model:
                    if bound + reach < leaders[0] - 1e-4:
                        break
                    if bound + reach * trust < leaders[0] - 1e-4:
                        continue  # this one cannot make it; one after it, more trusted, might
            if w_intent:
                profile_norm = self._profile_norms[intent]
                dot = self._profile_dot(intent, q_items, q_words)
                sim = dot / (q_norm * profile_norm) if profile_norm else 0.0
                score = round((1 - w_intent) * score + w_intent * sim, 4)
            if w_model and confidence is not None:
                plain_top = max(plain_top, score)
                score = (1 - w_model) * score + reach * trust
            final.append((-score, intent))
            if len(leaders) < limit:
                heapq.heappush(leaders, score)
            elif score > leaders[0]:
                heapq.heapreplace(leaders, score)
        final.sort()
        texts = self._texts
        shift = plain_top + final[0][0] if final and w_model else 0.0
        return [
            Candidate(intent, round(shift - negative, 4), texts[top_index[intent]])
            for negative, intent in final[:limit]
        ]
