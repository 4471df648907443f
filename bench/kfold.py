"""The folds both simulations of fresh questions use (bench/matcher_cv.py, bench/fallback_sim.py):
the examples in a seeded shuffle, every FOLDS-th one held out per fold, so that the two measure
on the same splits and a run repeats exactly."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.engine import Engine

FOLDS = 5
SEED = 0


def held_out(count: int, folds: int = FOLDS) -> list[set[int]]:
    """Per fold, the indexes (of `count` examples) it leaves out; together they cover each once."""
    order = list(range(count))
    random.Random(SEED).shuffle(order)
    return [set(order[fold::folds]) for fold in range(folds)]


def learned_questions(engine: Engine) -> list[tuple[str, str]]:
    """The users' labelled questions read as the build reads them: in every fold they train the
    learned model (they are never among the examples a fold leaves out)."""
    knowledge = engine.knowledge
    return [
        (engine.extractor.mask_places(engine._example_text(text, intent)), intent)
        for text, intent in knowledge.labelled_questions()
        if intent in knowledge.intents
    ]
