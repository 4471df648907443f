"""The users' own questions, labelled: a knowledge source the learned model trains on.

`knowledge/questions/*.tsv` hold questions people wrote the way they write to the bot, one
`question<TAB>label` a line (lines starting with # are comments), labelled with the intent that
answers them: `intent`, `a|b` (either answers it), `a+b` (it asks two things) or `-` (the bot
must fall back). They are the development and tuning sets the evaluation reports, kept here
once rather than copied. A question with one intent trains the learned model
(bot/charmodel.py) and, from three words up, is an example the matcher compares a message that
starts a conversation with (bot/matcher.py, `asked`); the curated examples in the intents' TOML
files still set how words weigh. The others are validated and measured, never trained on
(which of two intents, or none, is not a class to learn).

The sets nobody may train on (the held-out sets, and the newest blind sets measured as unseen)
stay in tests/data and are never read here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

FOLDER = "questions"
FALLBACK = "-"


def question_files(root: Path, listed: Callable[[Path, str], list[Path]]) -> list[Path]:
    """The question files of the source folder `root` (as `listed` finds sources)."""
    return listed(root / FOLDER, "*.tsv")


def label_intents(label: str) -> list[str]:
    """The intents a label names (none for `-`), in the order written."""
    if label == FALLBACK:
        return []
    return [part.strip() for part in label.replace("+", "|").split("|")]


def label_problem(label: str, intents: set[str]) -> str | None:
    """What is wrong with a label, for the curator (an empty part of `a|b`, an intent the
    knowledge does not have), or None."""
    named = label_intents(label)
    if any(not name for name in named):
        return f"label {label!r} has an empty part; write a|b or a+b"
    unknown = [name for name in named if name not in intents]
    if unknown:
        return f"no intent {', '.join(unknown)}; use an id from intents/"
    return None


def read_labelled_text(
    path: Path, shape: str, problem: Callable[[Path, str, str], None]
) -> str | None:
    """The text of a labelled file, or None once `problem` was told why it cannot be read
    (`shape`: what a line of such a file holds, for the message)."""
    if not path.is_file():
        problem(path, "", f"is not a file; {shape}")
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem(path, "", f"cannot be read as UTF-8 text ({type(exc).__name__})")
        return None


def read_questions(
    paths: list[Path],
    intents: set[str],
    problem: Callable[[Path, str, str], None],
) -> list[tuple[str, str]]:
    """The (question, intent) pairs of every single-intent line, in file and line order; each
    malformed line is reported through `problem(path, entry, message)`."""
    pairs: list[tuple[str, str]] = []
    for path in paths:
        text = read_labelled_text(path, "question files are question<TAB>label text", problem)
        if text is None:
            continue
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            question, tab, label = raw.rpartition("\t")
            question, label = question.strip(), label.strip()
            entry = f"line {number}"
            if not tab or not question or not label:
                problem(path, entry, "expected 'question<TAB>label' (a tab, then the label)")
                continue
            if (wrong := label_problem(label, intents)) is not None:
                problem(path, entry, wrong)
                continue
            named = label_intents(label)
            if len(named) == 1:
                pairs.append((question, named[0]))
    return pairs
