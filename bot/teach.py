"""`python -m bot teach`: add questions as examples to an intent's source file, then rebuild.

The change is a plain text edit of `knowledge/intents/*.toml`, reviewable in git like any other;
if the rebuilt knowledge does not validate, the file is restored and nothing changes.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from bot.config import Settings
from bot.engine import Engine
from bot.report import group_questions
from bot.state import now
from bot.state_protocols import StateStore
from core.reply import Reply
from knowledge.text import fold

# Report group ids are "g" and eight hex digits (bot.report.signature).
GROUP_ID_LENGTH = 9


class TeachError(Exception):
    """The intent does not exist, or the questions cannot be added to it."""


def _block(text: str, intent_id: str) -> tuple[int, int]:
    """Start and end offsets of the [[intent]] table with this id."""
    match = re.search(rf'^id\s*=\s*"{re.escape(intent_id)}"\s*$', text, re.MULTILINE)
    if match is None:
        raise TeachError(f"intent {intent_id!r} not found")
    start = text.rfind("[[intent]]", 0, match.start())
    following = text.find("\n[[intent]]", match.end())
    return max(start, 0), len(text) if following == -1 else following + 1


def add_examples(
    source_dir: Path, intent_id: str, questions: list[str]
) -> tuple[Path, str, list[str]]:
    """Insert the questions into the intent's `examples` list. Returns the file, its previous
    text (to restore on failure) and the questions actually added (duplicates skipped)."""
    for path in sorted((source_dir / "intents").glob("*.toml")):
        original = path.read_text(encoding="utf-8")
        try:
            start, end = _block(original, intent_id)
        except TeachError:
            continue
        block = original[start:end]
        existing = {
            fold(q) for q in re.findall(r'^\s*"((?:[^"\\]|\\.)*)",?\s*$', block, re.MULTILINE)
        }
        fresh = [
            q.strip() for q in dict.fromkeys(questions) if q.strip() and fold(q) not in existing
        ]
        if not fresh:
            return path, original, []
        lines = "".join(f"  {json.dumps(q, ensure_ascii=False)},\n" for q in fresh)
        examples = re.search(r"^examples\s*=\s*\[", block, re.MULTILINE)
        if examples is None:
            updated_block = block.rstrip("\n") + f"\nexamples = [\n{lines}]\n\n"
        elif block[examples.end() :].split("\n", 1)[0].strip():
            raise TeachError(f"{path.name}: write the examples of {intent_id!r} one per line")
        else:
            close = block.find("\n]", examples.end())
            if close == -1:
                raise TeachError(
                    f"{path.name}: the examples list of {intent_id!r} is not one item per line"
                )
            updated_block = block[: close + 1] + lines + block[close + 1 :]
        path.write_text(original[:start] + updated_block + original[end:], encoding="utf-8")
        return path, original, fresh
    raise TeachError(f"intent {intent_id!r} is not in any knowledge/intents/*.toml file")


# -- one lesson, the same for `bot teach` and the curators' desk ---------------------------------


@dataclass(frozen=True)
class Lesson:
    """What a curator asked to teach: the questions (one typed, or a report group's) and the
    intent that should answer them."""

    intent: str
    questions: tuple[str, ...]
    group: str | None = None


@dataclass(frozen=True)
class Taught:
    """The change a lesson made (or, in a preview, would make) to one source file."""

    lesson: Lesson
    path: Path
    shown_path: str
    added: tuple[str, ...]
    diff: str
    reply: Reply
    outcome_kind: str
    # The engine on the rebuilt knowledge (for a saved lesson: what the bot answers with now).
    engine: Engine


def looks_like_group(target: str) -> bool:
    return target.startswith("g") and len(target) == GROUP_ID_LENGTH


def lesson_for(target: str, intent: str, state: StateStore) -> Lesson:
    """A group id from the report becomes its questions; anything else is one question."""
    if looks_like_group(target):
        groups = {g.signature: g for g in group_questions(state.questions())}
        if target in groups:
            return Lesson(intent, tuple(dict.fromkeys(groups[target].questions)), target)
    return Lesson(intent, (target.strip(),))


def _shown(path: Path, source_dir: Path) -> str:
    return (
        str(path.relative_to(source_dir.parent))
        if path.is_relative_to(source_dir.parent)
        else str(path)
    )


def _diff(before: str, after: str, shown: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), shown, shown, n=2
    )
    return "".join(lines)


def _apply(
    lesson: Lesson, source_dir: Path, db_path: Path, share_contact: str, today: date
) -> Taught:
    """Edit the source file, rebuild and answer the first question with the new knowledge.
    On a failed check the file is restored and the KnowledgeError propagates."""
    from core.session import Session
    from handlers import HANDLERS
    from knowledge import KnowledgeError, build, load

    # Byte for byte, so that a refused lesson leaves the file exactly as it was.
    before = {p: p.read_bytes() for p in (source_dir / "intents").glob("*.toml")}
    path, original, added = add_examples(source_dir, lesson.intent, list(lesson.questions))
    updated = path.read_text(encoding="utf-8")
    try:
        build(db_path, source_dir, set(HANDLERS))
    except KnowledgeError:
        path.write_bytes(before[path])
        raise
    engine = Engine(load(db_path), share_contact=share_contact)
    outcome = engine.respond(lesson.questions[0], Session(), today)
    shown = _shown(path, source_dir)
    return Taught(
        lesson,
        path,
        shown,
        tuple(added),
        _diff(original, updated, shown),
        outcome.reply,
        outcome.kind,
        engine,
    )


def teach(lesson: Lesson, settings: Settings, today: date, state: StateStore) -> Taught:
    """Save a lesson: the reviewable edit, rebuilt and checked; refused (file unchanged) with a
    KnowledgeError or TeachError when it does not pass. A taught report group is hidden from
    later reports in `state`."""
    taught = _apply(
        lesson, settings.knowledge_dir, settings.knowledge_db, settings.share_contact, today
    )
    if lesson.group is not None:
        state.ignore_group(lesson.group, now())
    return taught


def preview(lesson: Lesson, settings: Settings, today: date) -> Taught:
    """The same lesson applied to a scratch copy of the sources: the diff and the new answer,
    and the same refusal, without touching the real files or database."""
    with tempfile.TemporaryDirectory(prefix="teach-preview-") as scratch:
        sources = Path(scratch) / settings.knowledge_dir.name
        shutil.copytree(
            settings.knowledge_dir,
            sources,
            ignore=shutil.ignore_patterns("*.py", "__pycache__", "*.db"),
        )
        taught = _apply(
            lesson, sources, Path(scratch) / "knowledge.db", settings.share_contact, today
        )
        real = settings.knowledge_dir / taught.path.relative_to(sources)
        shown = _shown(real, settings.knowledge_dir)
        return replace(
            taught, path=real, shown_path=shown, diff=taught.diff.replace(taught.shown_path, shown)
        )
