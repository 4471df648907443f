"""Compile the curated sources into SQLite with sqlite-utils, atomically.

The database is a build artefact: it is written to a temporary file and renamed over the old one
only when every source validated, so a broken edit never replaces the last good database.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge import model
from knowledge.compile import Compiled, compile_sources, source_files
from knowledge.errors import KnowledgeError
from knowledge.model import Table
from knowledge.places import read_places, write_places

if TYPE_CHECKING:  # only a build imports sqlite_utils; reading the database needs sqlite3 alone
    import sqlite_utils

SOURCE_DIR = Path(__file__).resolve().parent
SCHEMA_VERSION = 3


@dataclass(frozen=True)
class BuildResult:
    path: Path
    intents: int
    examples: int
    facts: int


def _write(db: sqlite_utils.Database, data: Compiled) -> None:
    # The tables of models are described once (knowledge.model.Table): their columns follow
    # from the models' fields.
    modelled: tuple[tuple[Table[Any], Iterable[Any]], ...] = (
        (model.SOURCES, data.sources.values()),
        (model.FACTS, data.facts),
        (model.INTENTS, data.intents.values()),
        (model.REGIONS, data.regions.values()),
        (model.OFFICES, data.offices.values()),
        (model.COVERAGE, data.coverage),
        (model.JAKON_TIERS, data.jakon_tiers),
    )
    for table, items in modelled:
        rows = (table.row(item) for item in items)
        if table.key is None:
            db.table(table.name).insert_all(rows)
        else:
            db.table(table.name).insert_all(rows, pk=table.key)
    db.table("examples").insert_all(
        (
            {"intent": i.id, "position": n, "text": text}
            for i in data.intents.values()
            for n, text in enumerate(i.examples)
        ),
    )
    db.table("questions").insert_all(
        {"position": n, "intent": intent, "text": text}
        for n, (text, intent) in enumerate(data.questions)
    )
    db.table("continuations").insert_all(
        {"position": n, "previous": previous, "text": text, "intent": intent}
        for n, (previous, text, intent) in enumerate(data.continuations)
    )
    db.table("slang").insert_all(
        ({"slang": k, "formal": v} for k, v in data.slang.items()), pk="slang"
    )
    db.table("occupations").insert_all(
        ({"term": k, "occupation": v[0], "sector": v[1]} for k, v in data.occupations.items()),
        pk="term",
    )
    db.table("names").insert_all(
        ({"name": k, "kind": v[0], "source": v[1]} for k, v in data.names.items()), pk="name"
    )
    db.table("meta").insert_all(
        [
            {"key": "schema", "value": str(SCHEMA_VERSION)},
            {"key": "built_at", "value": datetime.now(UTC).isoformat(timespec="seconds")},
        ],
        pk="key",
    )
    # Every table is created even when a source has no rows, so readers never meet a missing one.
    for name in (
        "facts",
        "examples",
        "questions",
        "continuations",
        "coverage",
        "jakon_tiers",
        "regions",
        "offices",
        "slang",
        "occupations",
        "names",
    ):
        if not db.table(name).exists():
            db.execute(f"CREATE TABLE [{name}] (placeholder TEXT)")


def check(source_dir: Path = SOURCE_DIR, known_handlers: set[str] | None = None) -> Compiled:
    """Validate without writing; raise KnowledgeError listing every problem."""
    compiled, problems = compile_sources(source_dir, known_handlers)
    if problems:
        raise KnowledgeError(problems)
    return compiled


def build(
    db_path: Path,
    source_dir: Path = SOURCE_DIR,
    known_handlers: set[str] | None = None,
    prepare: Callable[[Path], None] | None = None,
) -> BuildResult:
    """`prepare`, when given, is called with the new database before it replaces the old one:
    the bot adds the tables it derives from the knowledge (knowledge.store.store_prepared)."""
    compiled = check(source_dir, known_handlers)
    places, problems = read_places(source_dir)
    if problems:
        raise KnowledgeError(problems)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".knowledge-", suffix=".db", dir=db_path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        import sqlite_utils

        db = sqlite_utils.Database(tmp, recreate=True)
        with db.conn:
            _write(db, compiled)
            write_places(db, places)
        db.close()
        if prepare is not None:
            prepare(tmp)
        os.replace(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)
    examples = sum(len(i.examples) for i in compiled.intents.values())
    return BuildResult(db_path, len(compiled.intents), examples, len(compiled.facts))


def is_stale(db_path: Path, source_dir: Path = SOURCE_DIR) -> bool:
    """True when the database is missing, any source file is newer than it, or a folder of
    sources changed since: a file moved or copied in with its old time kept (`git mv`, `cp -p`,
    an unpacked archive), or one removed, changes its folder's time, not its own."""
    if not db_path.is_file():
        return True
    built = db_path.stat().st_mtime
    files = [p for p in source_files(source_dir) if p.is_file()]
    folders = {source_dir, *(p.parent for p in files)}
    return any(p.stat().st_mtime > built for p in (*files, *folders) if p.exists())


def ensure_built(
    db_path: Path,
    source_dir: Path = SOURCE_DIR,
    known_handlers: set[str] | None = None,
    prepare: Callable[[Path], None] | None = None,
) -> KnowledgeError | None:
    """Rebuild when stale. A broken source leaves the last good database in use: the error is
    returned for the caller to report, and raised only when there is no database at all."""
    if not is_stale(db_path, source_dir):
        return None
    try:
        build(db_path, source_dir, known_handlers, prepare)
    except KnowledgeError as exc:
        if db_path.is_file():
            return exc
        raise
    return None
