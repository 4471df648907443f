"""The matcher's fast paths give exactly what the plain computation gives.

`Matcher._pick` merges the capped example lists with a prepared dict per word, and an intent's
profile similarity multiplies only the message's words the profile holds. Both claim the very same floats, in the
very same order, as adding every share one by one and every word's product (zero or not): the
references below are those plain loops, and any difference, however small, fails here.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from bot.engine import Engine
from bot.evaluate import labelled_set, read_examples
from bot.matcher import Matcher
from handlers.common import Figures
from knowledge import format as fmt

TUNABLE = ("devset.tsv", "tuneset.tsv", "tuneset2.tsv", "tuneset3.tsv", "tuneset4.tsv")


def _messages(engine: Engine) -> list[str]:
    questions = [e.question for name in TUNABLE for e in read_examples(labelled_set(name))]
    # Every question, and its long form (more and longer example lists to merge).
    long = [f"{a} {b}" for a, b in zip(questions[::7], questions[3::7], strict=False)]
    return [engine.extractor.mask_places(engine.normalize(q)) for q in questions + long]


def _squares(matcher: Matcher, normalized: str) -> dict[str, float]:
    fixed = matcher._read_words(normalized.split()[: matcher.knobs.max_words])
    return {f: matcher._idf[f] ** 2 for f in fixed if f is not None}


def _plain_pick(
    matcher: Matcher,
    postings: dict[str, list[int]],
    q_squares: dict[str, float],
    wanted: int,
    room: int,
) -> tuple[list[int], dict[int, float]]:
    """The pick as first written: every share added one at a time, the whole order sorted."""
    knobs, inverse = matcher.knobs, matcher._inverse_norms
    lists = []
    for word, square in q_squares.items():
        head = postings[word]
        cap = matcher.knobs.posting_cap
        if matcher._idf[word] < math.log(1 + 1 / knobs.common_share):
            cap = knobs.common_cap
        head = head[:cap] if cap else head
        lists.append([(i, square * inverse[i]) for i in head])
    lists.sort(key=lambda entries: -len(entries))
    partial: dict[int, float] = {}
    for entries in lists:
        for index, share in entries:
            partial[index] = partial.get(index, 0.0) + share
    picked = list(partial)
    if wanted and len(partial) > wanted:
        ordered = sorted(partial, key=lambda i: -partial[i])
        seen = dict.fromkeys(ordered[:wanted])
        met: list[str] = []
        for index in ordered:
            intent = matcher._intents[index]
            if intent in met:
                if len(met) >= room:
                    break
                continue
            if len(met) >= room:
                break
            met.append(intent)
            seen[index] = None
        picked = list(seen)
    dots = {i: partial[i] * matcher._norms[i] for i in picked}
    for word, square in q_squares.items():
        for index in picked:
            if index in matcher._beyond.get(word, ()):
                dots[index] += square
    return picked, dots


@pytest.mark.parametrize("fuzzy", [True, False])
def test_the_picked_examples_and_their_dot_products_are_the_plain_ones(
    engine: Engine, fuzzy: bool
) -> None:
    matcher, knobs = engine.matcher, engine.matcher.knobs
    assert knobs.per_intent == 1  # the reference walks one example per intent
    wanted, room = (
        (knobs.candidates, knobs.intents_scored)
        if fuzzy
        else (knobs.clause_candidates, knobs.clause_intents)
    )
    checked = 0
    postings = matcher.postings()
    for normalized in _messages(engine):
        squares = _squares(matcher, normalized)
        if not squares:
            continue
        # Equal floats, equal order: `==` on the lists and dicts, no tolerance.
        assert matcher._pick(squares, wanted, room) == _plain_pick(
            matcher, postings, squares, wanted, room
        )
        checked += 1
    assert checked > 1000


def test_a_profile_dot_product_is_the_sum_over_every_word(engine: Engine) -> None:
    """Every word of the message multiplied in, absent ones as 0.0, in the message's order."""
    matcher = engine.matcher
    compared = 0
    for normalized in _messages(engine)[::4]:
        weights = {w: math.sqrt(square) for w, square in _squares(matcher, normalized).items()}
        items, words = list(weights.items()), list(weights)
        for intent, profile in matcher._profiles.items():
            dot = 0.0
            for word, weight in items:
                dot += weight * profile.get(word, 0.0)
            assert matcher._profile_dot(intent, items, words) == dot
            compared += 1
    assert compared > 10_000


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (Decimal("16800"), Decimal("16800.00")),
        (16800, Decimal("16800")),
        (0, Decimal("-0")),
        (Decimal("1.50"), Decimal("1.5")),
        (Decimal("1E+3"), 1000),
    ],
)
def test_remembered_figures_read_as_formatted_afresh(one: Decimal | int, other: Decimal) -> None:
    """The figures' formats are remembered by value: equal values must format alike anyway."""
    figures = Figures()
    assert figures.rp(one) == fmt.rupiah(one) == figures.rp(other) == fmt.rupiah(other)
    assert figures.num(one) == fmt.number(one) == figures.num(other) == fmt.number(other)
    assert figures.shown == {fmt.rupiah(one), fmt.number(one)}
