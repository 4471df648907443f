"""The folds both simulations of fresh questions use (bench/matcher_cv.py, bench/fallback_sim.py):
the examples in a seeded shuffle, every FOLDS-th one held out per fold, so that the two measure
on the same splits and a run repeats exactly."""

from __future__ import annotations

import random

FOLDS = 5
SEED = 0


def held_out(count: int, folds: int = FOLDS) -> list[set[int]]:
    """Per fold, the indexes (of `count` examples) it leaves out; together they cover each once."""
    order = list(range(count))
    random.Random(SEED).shuffle(order)
    return [set(order[fold::folds]) for fold in range(folds)]
