"""How the matcher's blend with the learned model was chosen: `python bench/matcher_cv.py`.

Two views, never the held-out sets:
- k-fold cross-validation over the example questions: the matcher (and its model) built from
  k-1 folds ranks the questions of the fold left out; the top intent must be the example's own
  (the users' labelled questions train the model in every fold, as in `bot build`);
- the tuning sets (devset, tuneset*, conversations_tune*) through the whole engine, built from
  every example, with the accuracy and the fallback's precision and recall.
A setting is worth taking when it helps across these, not on one of them.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.kfold import FOLDS, held_out  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.evaluate import (  # noqa: E402
    evaluate,
    evaluate_conversations,
    labelled_set,
    read_conversations,
    read_examples,
)
from bot.matcher import Matcher, MatcherKnobs  # noqa: E402
from knowledge import load  # noqa: E402

TODAY = date(2026, 11, 21)
# The first four question sets train the learned model (no conversation set does); tuneset4,
# never trained on, is the column of unseen questions.
SETS = ("devset", "tuneset", "tuneset2", "tuneset3", "tuneset4")
CONVERSATIONS = (
    "conversations_tune",
    "conversations_tune2",
    "conversations_tune3",
    "conversations_tune5",
)
# (model_weight, model_temperature); weight 0 is the matcher alone.
GRID = ((0.0, 6.0), (0.3, 6.0), (0.5, 3.0), (0.5, 6.0), (0.5, 12.0), (0.7, 6.0))


def knobs(weight: float, temperature: float) -> MatcherKnobs:
    return MatcherKnobs(model_weight=weight, model_temperature=temperature)


def folds(engine: Engine) -> list[float]:
    """Top-1 accuracy over the examples left out, per grid point, summed over the folds."""
    matcher = engine.matcher
    pairs = list(zip(matcher._texts, matcher._intents, strict=True))
    right = [0] * len(GRID)
    questions = engine.asked_examples()
    for held in held_out(len(pairs)):
        kept = [p for i, p in enumerate(pairs) if i not in held]
        trained = Matcher(kept, asked=questions)
        for index in sorted(held):
            text, intent = pairs[index]
            for point, (weight, temperature) in enumerate(GRID):
                trained.knobs = knobs(weight, temperature)
                ranked = trained.rank(text)
                right[point] += bool(ranked) and ranked[0].intent == intent
    return [100 * r / len(pairs) for r in right]


def main() -> None:
    engine = Engine(load(load_settings().knowledge_db))
    cv = folds(engine)
    questions = {name: read_examples(labelled_set(f"{name}.tsv")) for name in SETS}
    conversations = {
        name: read_conversations(labelled_set(f"{name}.tsv")) for name in CONVERSATIONS
    }
    header = ["weight", "temp", f"{FOLDS}-fold", *SETS, *(c[-5:] for c in CONVERSATIONS), "fb p/r"]
    print("  ".join(f"{h:>10}" for h in header))
    for point, (weight, temperature) in enumerate(GRID):
        engine.matcher.knobs = knobs(weight, temperature)
        row = [f"{weight:.1f}", f"{temperature:.0f}", f"{cv[point]:.1f}"]
        precision, recall = [], []
        for name, examples in questions.items():
            report = evaluate(engine, examples, TODAY, name)
            row.append(f"{100 * report.accuracy:.1f}")
            precision.append(report.fallback_precision)
            recall.append(report.fallback_recall)
        for name, turns in conversations.items():
            row.append(f"{100 * evaluate_conversations(engine, turns, TODAY, name).accuracy:.1f}")
        row.append(f"{100 * min(precision):.0f}/{100 * min(recall):.0f}")
        print("  ".join(f"{cell:>10}" for cell in row), flush=True)


if __name__ == "__main__":
    main()
