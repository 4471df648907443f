"""Every fact with its value, validity and source, and `bot check`'s problems with file and line.

Read straight from the source files (not the compiled database), so the page shows what the
files say now, also when a broken edit keeps the last good database answering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from handlers import HANDLERS
from knowledge import format as fmt
from knowledge.compile import compile_sources
from knowledge.errors import SourceProblem
from knowledge.lifecycle import review_list
from knowledge.model import Fact, Source

_LINE = re.compile(r"\bline (\d+)\b")


@dataclass(frozen=True)
class FactRow:
    key: str
    applies_to: str
    value: str  # in house style: Rp16.800, 5,7%
    valid_from: str
    valid_to: str
    status: str  # berlaku, akan berlaku, berakhir
    sources: tuple[str, ...]
    verified: bool
    note: str
    review: str  # life-cycle (review_note): "" when not due, else since or by when to review


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    entry: str
    message: str


def review_note(fact: Fact, today: date) -> str:
    """The facts' life-cycle (knowledge.lifecycle: `review_by` dates and yearly rules): the text
    of the "Tinjau" column, "" when the fact needs no review now or within the coming weeks."""
    items = review_list([fact], today)
    if not items:
        return ""
    when = fmt.long_date(items[0].due)
    return f"sudah lewat sejak {when}" if items[0].stale else f"tinjau sebelum {when}"


def _status(fact: Fact, today: date) -> str:
    if fact.valid_on(today):
        return "berlaku"
    if fact.valid_from is not None and today < fact.valid_from:
        return "akan berlaku"
    return "berakhir"


def _labels(refs: str, sources: dict[str, Source]) -> tuple[str, ...]:
    return tuple(
        sources[ref.strip()].label if ref.strip() in sources else ref.strip()
        for ref in refs.split(";")
        if ref.strip()
    )


def _line_of(problem: SourceProblem, root: Path) -> int | None:
    """The line a problem is on: stated in it, or found by its entry (an intent id, a key)."""
    for text in (problem.entry, problem.message):
        if match := _LINE.search(text):
            return int(match.group(1))
    path = root / problem.file
    entry = problem.entry.split(" ")[0].split("@")[0]
    if not entry or not path.is_file():
        return None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    if path.suffix == ".toml":
        wanted = re.compile(rf'^id\s*=\s*"{re.escape(entry)}"\s*$')
    else:
        wanted = re.compile(rf"^{re.escape(entry)},")
    return next((n for n, line in enumerate(lines, start=1) if wanted.match(line)), None)


def facts_and_problems(source_dir: Path, today: date) -> tuple[list[FactRow], list[Problem]]:
    compiled, problems = compile_sources(source_dir, set(HANDLERS))
    rows = [
        FactRow(
            key=f.key,
            applies_to=f.applies_to,
            value=fmt.figure(f.value, f.unit),
            valid_from=fmt.long_date(f.valid_from) if f.valid_from else "",
            valid_to=fmt.long_date(f.valid_to) if f.valid_to else "",
            status=_status(f, today),
            sources=_labels(f.source, compiled.sources),
            verified=f.verified,
            note=f.note,
            review=review_note(f, today),
        )
        for f in sorted(
            compiled.facts, key=lambda f: (f.key, f.applies_to, f.valid_from or date.min)
        )
    ]
    found = [Problem(p.file, _line_of(p, source_dir.parent), p.entry, p.message) for p in problems]
    return rows, found
