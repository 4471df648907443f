"""How often a real question falls back, simulated: `python bench/fallback_sim.py`.

The tuning sets sit close to the example questions, so on them the fallback looks perfect; fresh
questions use words the examples lack. Two simulations, never the held-out sets:
- k-fold over the example questions: the engine, its matcher (and learned model) built from k-1
  folds, answers each example of the fold left out as a fresh question. An example of a real
  intent that falls back is a false fallback; an off-topic example that is answered is a miss;
- the tuning sets' answerable questions written the way people write (a filler word dropped or
  added, a typo, a regional word the vocabulary lacks, a greeting), and their off-topic and
  gibberish questions as they are.
Each fallback is put down to what sent it there: no candidate, the bar for a message naming
another matter (foreign), the bar for one naming nothing of the domain, or the plain bar (with
unknown words in the message or without).
"""

from __future__ import annotations

import random
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.kfold import FOLDS, held_out  # noqa: E402
from bot.domain import (  # noqa: E402
    names_agency_matter,
    names_bot_itself,
    names_domain,
    names_foreign_matter,
)
from bot.engine import Engine, Outcome  # noqa: E402
from bot.evaluate import evaluate, labelled_set, read_examples  # noqa: E402
from bot.matcher import Matcher  # noqa: E402
from core.session import Session  # noqa: E402
from handlers import HANDLERS  # noqa: E402
from knowledge import build, load  # noqa: E402
from knowledge.build import SOURCE_DIR  # noqa: E402

TODAY = date(2026, 11, 21)
SETS = ("devset", "tuneset", "tuneset2", "tuneset3")
FILLERS = ("ya", "dong", "gitu", "kira2", "sebenarnya", "tolong", "nih", "skrg", "kalo boleh")
# Words of eastern Indonesian speech and names that the examples do not use.
REGIONAL = ("sa pu", "bemana", "nana", "ema", "ine", "om", "ade", "nona", "beta pung", "toh")
GRID = ((0.38, 1.0, 0.48), (0.34, 0.5, 0.45), (0.34, 0.5, 0.42), (0.30, 0.5, 0.48))
GREETINGS = ("halo min", "selamat siang kak", "permisi pak", "pagi min", "tabe kraeng")


def engine_from_sources() -> Engine:
    path = Path(tempfile.mkdtemp()) / "knowledge.db"
    build(path, SOURCE_DIR, set(HANDLERS))
    return Engine(load(path))


def use_matcher(engine: Engine, matcher: Matcher) -> None:
    engine.matcher = matcher
    engine._vocabulary = matcher.vocabulary


def why(engine: Engine, outcome: Outcome) -> str:
    """What sent a message to the fallback, read back from its outcome."""
    if not outcome.candidates:
        return "no candidate"
    top = outcome.candidates[0]
    if top.intent in engine._off_topic:
        return "off-topic intent on top"
    named = outcome.normalized.split()
    unknown = any(engine.matcher.correct(w) is None for w in named)
    tail = " +unknown words" if unknown else ""
    if names_foreign_matter(named):
        return "foreign bar" + tail
    if not names_domain(named) and not names_bot_itself(named):
        return "no domain word" + tail
    if names_agency_matter(named):
        return "agency bar" + tail
    return "plain bar" + tail


def fold_matchers(engine: Engine) -> tuple[list[tuple[str, str]], list[tuple[set[int], Matcher]]]:
    """The examples (as written) and, per fold, the examples left out and a matcher built
    from the others (trained once: only knobs change between grid points)."""
    knowledge = engine.knowledge
    pairs = [(t, i) for t, i in knowledge.examples if i in knowledge.intents]
    read = [(engine.extractor.mask_places(engine._example_text(t, i)), i) for t, i in pairs]
    questions = engine.asked_examples()
    built = []
    for held in held_out(len(pairs)):
        kept = [p for n, p in enumerate(read) if n not in held]
        built.append((held, Matcher(kept, asked=questions)))
    return pairs, built


def folds(
    engine: Engine, pairs: list[tuple[str, str]], built: list[tuple[set[int], Matcher]]
) -> tuple[Counter[str], int, int, int]:
    """False fallbacks by cause over the held-out examples of real intents, their count, and
    the off-topic examples answered and their count."""
    full = engine.matcher
    causes: Counter[str] = Counter()
    real = off = answered_off = 0
    for held, matcher in built:
        use_matcher(engine, matcher)
        for index in sorted(held):
            text, intent = pairs[index]
            outcome = engine.respond(text, Session(), TODAY)
            fell = outcome.reply.intent is None
            if intent in engine._off_topic:
                off += 1
                answered_off += not fell
            elif not engine._formulaic(intent):
                real += 1
                if fell:
                    causes[why(engine, outcome)] += 1
    use_matcher(engine, full)
    return causes, real, answered_off, off


def drop_word(words: list[str], rng: random.Random) -> list[str]:
    if len(words) < 4:
        return words
    del words[rng.randrange(len(words))]
    return words


def add_filler(words: list[str], rng: random.Random) -> list[str]:
    words.insert(rng.randrange(len(words) + 1), rng.choice(FILLERS))
    return words


def typo(words: list[str], rng: random.Random) -> list[str]:
    long = [n for n, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if long:
        n = rng.choice(long)
        w, k = words[n], rng.randrange(1, len(words[n]) - 2)
        words[n] = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
    return words


def regional(words: list[str], rng: random.Random) -> list[str]:
    words.insert(rng.randrange(len(words) + 1), rng.choice(REGIONAL))
    return words


def greeting(words: list[str], rng: random.Random) -> list[str]:
    return [rng.choice(GREETINGS) + ",", *words]


PERTURBATIONS: dict[str, Callable[[list[str], random.Random], list[str]]] = {
    "as written": lambda words, rng: words,
    "word dropped": drop_word,
    "filler added": add_filler,
    "typo": typo,
    "regional word": regional,
    "greeting": greeting,
    "regional+filler": lambda words, rng: add_filler(regional(words, rng), rng),
}


def perturbed(engine: Engine, show: bool) -> tuple[int, int, int, int]:
    """Fallbacks of perturbed answerable tuning questions (all perturbations summed), their
    count, and the off-topic and gibberish questions falling back, and their count."""
    examples = [e for name in SETS for e in read_examples(labelled_set(f"{name}.tsv"))]
    answerable = [e for e in examples if not e.label.fallback]
    rejected = [e for e in examples if e.label.fallback]
    total = 0
    for label, change in PERTURBATIONS.items():
        rng = random.Random(label)
        causes: Counter[str] = Counter()
        for example in answerable:
            text = " ".join(change(example.question.split(), rng))
            outcome = engine.respond(text, Session(), TODAY)
            if outcome.reply.intent is None:
                causes[why(engine, outcome)] += 1
        fell = sum(causes.values())
        total += fell
        if show:
            share = 100 * fell / len(answerable)
            print(f"  {label:<16} fell back {fell:>4} ({share:.1f}%)  {_top(causes)}")
    kept = sum(engine.respond(e.question, Session(), TODAY).reply.intent is None for e in rejected)
    return total, len(answerable) * len(PERTURBATIONS), kept, len(rejected)


def tuning(engine: Engine) -> str:
    """Each tuning set's accuracy, and the lowest fallback precision and recall among them."""
    cells, precision, recall = [], [], []
    for name in SETS:
        report = evaluate(engine, read_examples(labelled_set(f"{name}.tsv")), TODAY, name)
        cells.append(f"{name} {100 * report.accuracy:.1f}")
        precision.append(report.fallback_precision)
        recall.append(report.fallback_recall)
    return ", ".join(cells) + f"; fallback P/R {100 * min(precision):.1f}/{100 * min(recall):.1f}"


def _top(causes: Counter[str]) -> str:
    return ", ".join(f"{cause} {n}" for cause, n in causes.most_common(4))


def set_knobs(
    engine: Engine, matchers: list[Matcher], core: float, unknown: float, undomain: float
) -> None:
    engine.knobs = replace(engine.knobs, accept_core=core, accept_undomain=undomain)
    for matcher in matchers:
        matcher.knobs = replace(matcher.knobs, anchored_unknown_share=unknown)
        matcher._derive()


def main() -> None:
    engine = engine_from_sources()
    pairs, built = fold_matchers(engine)
    matchers = [engine.matcher, *(m for _, m in built)]
    # (accept_core, anchored_unknown_share, accept_undomain): the first is the shipped setting,
    # shown in detail.
    knobs = engine.knobs
    shipped = (
        knobs.accept_core,
        engine.matcher.knobs.anchored_unknown_share,
        knobs.accept_undomain,
    )
    grid = [shipped] if "--grid" not in sys.argv else [shipped, *GRID]
    for point in grid:
        set_knobs(engine, matchers, *point)
        core, unknown, undomain = point
        detail = point == shipped
        causes, real, answered_off, off = folds(engine, pairs, built)
        fell = sum(causes.values())
        print(
            f"accept_core {core:.2f}, anchored_unknown_share {unknown:.2f}, accept_undomain {undomain:.2f}"
        )
        print(
            f"  {FOLDS}-fold: real questions falling back {fell}/{real} ({100 * fell / real:.1f}%),"
            f" off-topic examples answered {answered_off}/{off}"
        )
        if detail:
            for cause, n in causes.most_common():
                print(f"    {cause:<30} {n}")
        moved, asked, kept, rejected = perturbed(engine, detail)
        print(
            f"  perturbed tuning questions falling back {moved}/{asked}"
            f" ({100 * moved / asked:.2f}%); off-topic/gibberish falling back {kept}/{rejected}"
        )
        print(f"  {tuning(engine)}", flush=True)


if __name__ == "__main__":
    main()
