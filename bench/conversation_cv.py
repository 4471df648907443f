"""Does learning from the labelled conversations help a fresh one? `python bench/conversation_cv.py`

Leave one set out: for each tuning conversation set, the continuation memory
(bot/context_model.py) learns the later turns of the other sets, and the set left out is played
turn by turn; the row `main` plays every set with no memory. Pooled per-turn accuracy and each
set's. Never the held-out sets.

What a later turn followed: `gold` (as `bot build` reads it, knowledge/conversations.py) is the
previous turn's label; `replayed` is what the bot (without the memory) answered just before.
Rows are `cutoff/among` (ContinuationMemory's knobs).

On 2026-12-02 (main c836a5e, % of turns; the shipped memory is 65/3, placed after the rules):
    variant  pooled  tune  tune2  tune3  tune4  tune5  tune6  tune7
    main       89.2  95.6   97.6   97.9   92.7   93.7   80.2   79.1
    65/3       90.1  96.2   97.6   97.9   93.6   98.4   81.5   79.7
On 2026-12-02, fifth session (ten sets, the tenth writer's included; never the eleventh):
    variant  pooled  tune10
    main       86.8    81.1
    60/3       88.1    81.8
    65/3       88.0    81.8
    65/5       88.0    81.8
On 2026-12-02, sixth session (twelve sets: the eleventh and thirteenth writers' included; never
the twelfth, kept unseen):
    variant  pooled  tune11  tune13
    main       86.6    83.7    73.2
    65/3       88.0    85.9    73.6
The first variant, fixed before the seventh set was seen (character ratio alone, from 70, the
first of an `a|b` label, before the rules), measured 78.8% on it: 0.3 below main.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import load_settings  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.evaluate import (  # noqa: E402
    Example,
    evaluate_conversations,
    labelled_set,
    read_conversations,
)
from bot.runtime import load_engine  # noqa: E402
from core.session import Session  # noqa: E402
from knowledge.conversations import read_continuations  # noqa: E402

TODAY = date(2026, 11, 21)
SETS = tuple(
    f"conversations_tune{n}" for n in ("", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "13")
)
CUTOFFS = (55.0, 60.0, 65.0, 70.0, 80.0)


def target(example: Example) -> str | None:
    """The label a turn teaches: an intent or `a|b`; none for two questions or a fallback."""
    label = example.label
    if label.fallback or label.both:
        return None
    return label.raw


def replayed(engine: Engine, conversations: list[list[Example]]) -> list[tuple[str, str, str]]:
    """(what the bot answered before, message, intent) of every later turn teaching one."""
    learned: list[tuple[str, str, str]] = []
    for turns in conversations:
        session = Session()
        for example in turns:
            before = session.last_intent
            engine.respond(example.question, session, TODAY)
            if before and (intent := target(example)):
                learned.append((before, example.question, intent))
    return learned


def labelled(engine: Engine, path: Path) -> list[tuple[str, str, str]]:
    """The later turns as `bot build` reads them (the previous turn's label)."""

    def problem(where: Path, entry: str, message: str) -> None:
        raise ValueError(f"{where} {entry}: {message}")

    return read_continuations([path], set(engine.knowledge.intents), problem)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--previous", choices=("replayed", "gold"), default="gold")
    parser.add_argument("--cutoffs", type=float, nargs="*", default=list(CUTOFFS))
    parser.add_argument("--among", type=int, nargs="*", default=[3])
    args = parser.parse_args()
    engine = load_engine(load_settings())
    paths = {name: path for name in SETS if (path := labelled_set(f"{name}.tsv")).is_file()}
    sets = {name: read_conversations(path) for name, path in paths.items()}
    engine.continuations = None
    taught = {
        name: replayed(engine, sets[name])
        if args.previous == "replayed"
        else labelled(engine, path)
        for name, path in paths.items()
    }
    header = ["variant", "pooled", *(n.replace("conversations_", "") for n in sets)]
    print("  ".join(f"{h:>8}" for h in header))
    rows: list[tuple[str, float | None, int]] = [
        ("main", None, 0),
        *((f"{c:g}/{k}", c, k) for k in args.among for c in args.cutoffs),
    ]
    for label, cutoff, among in rows:
        right = total = 0
        cells = []
        for name, convs in sets.items():
            if cutoff is None:
                engine.continuations = None
            else:
                engine.learn_continuations(
                    turn for other, turns in taught.items() if other != name for turn in turns
                )
                memory = engine.continuations
                assert memory is not None
                memory.cutoff, memory.among = cutoff, among
            report = evaluate_conversations(engine, convs, TODAY, name)
            right, total = right + report.correct, total + report.total
            cells.append(f"{100 * report.accuracy:.1f}")
        print(
            "  ".join(f"{c:>8}" for c in [label, f"{100 * right / total:.1f}", *cells]), flush=True
        )
    engine.continuations = None


if __name__ == "__main__":
    main()
