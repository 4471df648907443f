"""The read API: load the compiled database into memory once and answer lookups from there."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from knowledge import format as fmt
from knowledge import lifecycle, model
from knowledge.build import SCHEMA_VERSION
from knowledge.errors import KnowledgeError, SourceProblem
from knowledge.model import (
    CoverageFigure,
    Fact,
    Intent,
    JakonTier,
    Office,
    Region,
    Source,
    Table,
)
from knowledge.text import PLACEHOLDER


@dataclass(frozen=True)
class Rendered:
    """A template filled for one day: the text, the figures it states, the sources behind them."""

    text: str
    figures: frozenset[str]
    sources: tuple[str, ...]
    unverified: bool = False
    # Rows past their review date (knowledge.lifecycle): stated as the latest known, with a warning.
    stale: tuple[Fact, ...] = ()


class MissingFact(LookupError):
    """No row of this key is valid on the day asked: the answer must not guess a figure."""


@dataclass
class Knowledge:
    intents: dict[str, Intent]
    examples: list[tuple[str, str]]  # (example text, intent id)
    facts: dict[str, list[Fact]]
    sources: dict[str, Source]
    regions: dict[str, Region]
    offices: dict[str, Office]
    coverage: dict[str, list[CoverageFigure]]
    jakon_tiers: list[JakonTier]
    slang: dict[str, str]
    occupations: dict[str, tuple[str, str]]  # term -> (occupation, sector)
    built_at: str = ""
    # Proper names answers may use: name -> (kind "service" or "term", source ids).
    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    # The database it was read from: what only a build needs is read from it when asked.
    database: Path | None = None
    _region_children: dict[str, list[str]] = field(default_factory=dict)

    def labelled_questions(self) -> list[tuple[str, str]]:
        """The users' labelled questions (knowledge/labelled.py), (question, intent), in file
        order. Only the learned model trains on them, when the engine's tables are prepared:
        read from the database when asked, so that a running bot never holds them."""
        return load_questions(self.database) if self.database is not None else []

    def labelled_continuations(self) -> list[tuple[str, str, str]]:
        """The later turns of the users' labelled conversations (knowledge/conversations.py),
        (previous intent, message, intent): read from the database when the engine's tables
        are prepared, as the questions are."""
        return load_continuations(self.database) if self.database is not None else []

    # -- facts ---------------------------------------------------------------------------------

    def fact(self, key: str, today: date, applies_to: str = "") -> Fact:
        for row in self.facts.get(key, ()):
            if row.applies_to == applies_to and row.valid_on(today):
                return row
        raise MissingFact(f"{key}@{applies_to} on {today}")

    def fact_or_none(self, key: str, today: date, applies_to: str = "") -> Fact | None:
        try:
            return self.fact(key, today, applies_to)
        except MissingFact:
            return None

    def fact_rows(self, key: str) -> list[Fact]:
        return sorted(self.facts.get(key, ()), key=lambda f: f.valid_from or date.min)

    def value(self, key: str, today: date, applies_to: str = "") -> Decimal:
        return self.fact(key, today, applies_to).value

    def source_label(self, source_ids: str) -> list[str]:
        labels = []
        for one in source_ids.split(";"):
            src = self.sources.get(one.strip())
            if src:
                labels.append(src.label)
        return labels

    def render(self, template: str, today: date) -> Rendered:
        """Fill {placeholders} with the rows in force on `today`, collecting figures and sources.

        Raises MissingFact when a row is missing for that day, so that no answer ever states a
        figure that is out of date or made up."""
        figures: set[str] = set()
        sources: list[str] = []
        unverified = False
        stale: list[Fact] = []

        def fill(match: object) -> str:
            nonlocal unverified
            assert hasattr(match, "group")
            row = self.fact(match.group("key"), today, match.group("case") or "")
            part = match.group("part")
            for label in self.source_label(row.source):
                if label not in sources:
                    sources.append(label)
            unverified = unverified or not row.verified
            if part == "from":
                return fmt.long_date(row.valid_from) if row.valid_from else ""
            if part == "to":
                return fmt.long_date(row.valid_to) if row.valid_to else ""
            if part == "source":
                return "; ".join(self.source_label(row.source))
            shown = fmt.figure(row.value, row.unit)
            figures.add(shown)
            if lifecycle.is_stale(row, today) and row not in stale:
                stale.append(row)
            return shown

        text = PLACEHOLDER.sub(fill, template)
        return Rendered(text, frozenset(figures), tuple(sources), unverified, tuple(stale))

    # -- regions -------------------------------------------------------------------------------

    def region_figures(self, region_id: str) -> list[CoverageFigure]:
        return sorted(self.coverage.get(region_id, ()), key=lambda c: c.as_of, reverse=True)

    def children(self, region_id: str) -> list[str]:
        return self._region_children.get(region_id, [])


def load(db_path: Path) -> Knowledge:
    """Read the whole compiled database into memory; raise KnowledgeError when it is unusable."""
    if not db_path.is_file():
        raise KnowledgeError(
            [SourceProblem(str(db_path), "", "no knowledge database; run `python -m bot build`")]
        )
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            knowledge = _read(conn)
        finally:
            conn.close()
    except (sqlite3.Error, KeyError, ValueError, TypeError) as exc:
        raise KnowledgeError(
            [
                SourceProblem(
                    str(db_path),
                    "",
                    f"knowledge database is unreadable ({exc}); run `python -m bot build`",
                )
            ]
        ) from exc
    knowledge.database = db_path
    return knowledge


def load_questions(db_path: Path) -> list[tuple[str, str]]:
    """The labelled questions a database holds (none in one built before they were a source)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        if not _has_column(conn, "questions", "text"):
            return []
        query = "SELECT text, intent FROM questions ORDER BY position"
        return [(text, intent) for text, intent in conn.execute(query)]
    finally:
        conn.close()


def load_continuations(db_path: Path) -> list[tuple[str, str, str]]:
    """The labelled conversations' later turns a database holds (none in an older one)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        if not _has_column(conn, "continuations", "text"):
            return []
        query = "SELECT previous, text, intent FROM continuations ORDER BY position"
        return [(previous, text, intent) for previous, text, intent in conn.execute(query)]
    finally:
        conn.close()


def _read(conn: sqlite3.Connection) -> Knowledge:
    conn.row_factory = sqlite3.Row
    meta = {r["key"]: r["value"] for r in conn.execute("SELECT key, value FROM meta")}
    if meta.get("schema") != str(SCHEMA_VERSION):
        raise ValueError(f"schema {meta.get('schema')} is not {SCHEMA_VERSION}")
    sources = {r["id"]: model.SOURCES.item(r) for r in _rows(conn, model.SOURCES, required=True)}
    facts: dict[str, list[Fact]] = defaultdict(list)
    for r in _rows(conn, model.FACTS, required=True):
        facts[r["key"]].append(model.FACTS.item(r))
    examples_by_intent: dict[str, list[str]] = defaultdict(list)
    examples: list[tuple[str, str]] = []
    for r in conn.execute("SELECT intent, text FROM examples ORDER BY intent, position"):
        examples_by_intent[r["intent"]].append(r["text"])
        examples.append((r["text"], r["intent"]))
    intents = {
        r["id"]: model.INTENTS.item(r, examples=tuple(examples_by_intent.get(r["id"], ())))
        for r in _rows(conn, model.INTENTS, required=True)
    }
    regions = {r["id"]: model.REGIONS.item(r) for r in _rows(conn, model.REGIONS)}
    offices = {r["id"]: model.OFFICES.item(r) for r in _rows(conn, model.OFFICES)}
    coverage: dict[str, list[CoverageFigure]] = defaultdict(list)
    for r in _rows(conn, model.COVERAGE):
        coverage[r["region"]].append(model.COVERAGE.item(r))
    tiers = [model.JAKON_TIERS.item(r) for r in _rows(conn, model.JAKON_TIERS)]
    slang = (
        {r["slang"]: r["formal"] for r in conn.execute("SELECT * FROM slang")}
        if _has_column(conn, "slang", "slang")
        else {}
    )
    occupations = (
        {
            r["term"]: (r["occupation"], r["sector"])
            for r in conn.execute("SELECT * FROM occupations")
        }
        if _has_column(conn, "occupations", "term")
        else {}
    )
    names = (
        {r["name"]: (r["kind"], r["source"]) for r in conn.execute("SELECT * FROM names")}
        if _has_column(conn, "names", "name")
        else {}
    )
    children: dict[str, list[str]] = defaultdict(list)
    for region in regions.values():
        if region.province and region.province != region.id:
            children[region.province].append(region.id)
    return Knowledge(
        intents=intents,
        examples=examples,
        facts=dict(facts),
        sources=sources,
        regions=regions,
        offices=offices,
        coverage=dict(coverage),
        jakon_tiers=sorted(tiers, key=lambda t: t.lower),
        slang=slang,
        occupations=occupations,
        built_at=meta.get("built_at", ""),
        names=names,
        _region_children=dict(children),
    )


def _rows(
    conn: sqlite3.Connection, table: Table[Any], *, required: bool = False
) -> Iterator[sqlite3.Row]:
    """The rows of a modelled table, and none without a key. An optional table that an older
    build left without columns (a placeholder) has none; a required one that is missing fails,
    and the database is rebuilt."""
    first = next(iter(table.columns))
    if not required and not _has_column(conn, table.name, first):
        return iter(())
    where = f" WHERE [{table.key}] IS NOT NULL" if table.key else ""
    return iter(conn.execute(f"SELECT * FROM [{table.name}]{where}"))


def _has_column(conn: sqlite3.Connection, table: str, column: str) -> bool:
    return any(row[1] == column for row in conn.execute(f"PRAGMA table_info([{table}])"))


# -- tables derived by the bot at build time -----------------------------------------------------
# The bot stores what it derives from the knowledge (its matcher's tables, normalised examples)
# beside the knowledge, so that a start reads them instead of computing them again. Each row is a
# key and a JSON text; the reader checks whatever version stamp the value carries.
PREPARED_TABLE = "prepared"


def load_prepared(db_path: Path, key: str) -> str | None:
    """The stored value of `key`, or None (no such row, an older database, an unreadable file)."""
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            row = conn.execute(
                f"SELECT value FROM {PREPARED_TABLE} WHERE key = ?", (key,)
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def store_prepared(db_path: Path, key: str, value: str) -> bool:
    """Store `value` under `key`; False when the database cannot be written (read-only file)."""
    try:
        conn = sqlite3.connect(db_path, timeout=5)
        try:
            with conn:
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {PREPARED_TABLE} (key TEXT PRIMARY KEY, value TEXT)"
                )
                conn.execute(
                    f"INSERT OR REPLACE INTO {PREPARED_TABLE} (key, value) VALUES (?, ?)",
                    (key, value),
                )
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return True
