"""The users' labelled conversations: a knowledge source the bot learns follow-ups from.

`knowledge/conversations/*.tsv` hold conversations people wrote the way they talk to the bot,
one turn a line, `conversation_id<TAB>turn<TAB>message<TAB>label` (lines starting with # and a
`conversation_id` header are skipped), labelled as the questions are (knowledge/labelled.py):
`intent`, `a|b`, `a+b` or `-`. Each later turn teaches how people go on after an answer: the
intent of the turn before (the last one not labelled `-`, as a session keeps its last answer),
the message, and the intent that answers it (or `a|b`: either does; a turn asking two things or
falling back teaches nothing). The engine keeps them as its continuation memory
(bot/context_model.py). They are also tuning sets `bot eval` measures (training figures then).

The blind sets measured as unseen stay in tests/data and are never read here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from knowledge.labelled import label_intents, label_problem, read_labelled_text

FOLDER = "conversations"
HEADER = "conversation_id"


def conversation_files(root: Path, listed: Callable[[Path, str], list[Path]]) -> list[Path]:
    """The conversation files of the source folder `root` (as `listed` finds sources)."""
    return listed(root / FOLDER, "*.tsv")


def read_continuations(
    paths: list[Path],
    intents: set[str],
    problem: Callable[[Path, str, str], None],
) -> list[tuple[str, str, str]]:
    """(previous intent, message, label) of every later turn that teaches one (the label an
    intent, or `a|b`), in file, conversation and turn order; each malformed line is reported
    through `problem(path, entry, message)`."""
    learned: list[tuple[str, str, str]] = []
    for path in paths:
        text = read_labelled_text(path, "conversation files are tab-separated text", problem)
        if text is None:
            continue
        turns = _turns(path, text, intents, problem)
        for conversation in turns.values():
            previous = ""
            for _, message, named, label in sorted(conversation):
                if previous and named and "+" not in label:
                    learned.append((previous, message, "|".join(named)))
                if named:
                    previous = named[0]
    return learned


def _turns(
    path: Path, text: str, intents: set[str], problem: Callable[[Path, str, str], None]
) -> dict[str, list[tuple[int, str, list[str], str]]]:
    """Per conversation, its valid turns: (turn, message, intents named, label)."""
    conversations: dict[str, list[tuple[int, str, list[str], str]]] = {}
    seen: set[tuple[str, int]] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in raw.split("\t")]
        entry = f"line {number}"
        if cells[0] == HEADER:
            continue
        if len(cells) != 4 or not all(cells):
            problem(path, entry, "expected 'conversation_id<TAB>turn<TAB>message<TAB>label'")
            continue
        conversation, turn, message, label = cells
        if not turn.isdigit():
            problem(path, entry, f"turn {turn!r} is not a number")
            continue
        if (conversation, int(turn)) in seen:
            problem(path, entry, f"conversation {conversation} has turn {turn} twice")
            continue
        seen.add((conversation, int(turn)))
        if (wrong := label_problem(label, intents)) is not None:
            problem(path, entry, wrong)
            continue
        named = label_intents(label)
        conversations.setdefault(conversation, []).append((int(turn), message, named, label))
    return conversations
