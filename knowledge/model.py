"""The shapes of curated knowledge, shared by the compiler, the database and the read API, and
how each is stored (`Table`): the build writes and the store reads every table from these."""

from __future__ import annotations

import dataclasses
import functools
import json
import typing
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

Row = TypeVar("Row")

UNITS = ("rupiah", "percent", "number", "years", "months", "days", "age", "date")


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    date: str
    quality: str
    url: str

    @property
    def label(self) -> str:
        when = f", {self.date}" if self.date else ""
        return f"{self.title} ({self.publisher}{when})"


@dataclass(frozen=True)
class Fact:
    """One dated figure: a rate, an amount, an age. Several rows of one key cover different
    periods (`valid_from`..`valid_to`, both inclusive) or different cases (`applies_to`)."""

    key: str
    applies_to: str
    value: Decimal
    unit: str
    valid_from: date | None
    valid_to: date | None
    source: str
    note: str
    verified: bool = True
    # When the figure is expected to change: a date (2027-03-01) or a yearly rule ("every
    # March"). Read by knowledge.lifecycle; empty means no expected change.
    review_by: str = ""

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True)
class Intent:
    id: str
    topic: str
    title: str
    handler: str
    answer: str
    sources: tuple[str, ...]
    followups: tuple[str, ...]
    examples: tuple[str, ...]
    share: str
    valid_from: date | None
    valid_to: date | None
    file: str
    # The rest of the answer, one option ("Rincian") away from the first, phone-sized message.
    details: str = ""
    # What the engine does with this intent beyond answering it (ROLES), so that no intent is
    # named in code: "off_topic" recognises a message as off-topic (an honest reply, counted as
    # not understood); "intro" is what the topic's name alone asks ("jht" -> what JHT is).
    role: str = ""

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


ROLES = ("off_topic", "intro")


@dataclass(frozen=True)
class CoverageFigure:
    region: str
    metric: str
    value: Decimal
    unit: str
    as_of: date
    as_of_label: str
    source: str
    note: str
    # The one figure a curator chose to lead this region's answer.
    headline: bool = False


@dataclass(frozen=True)
class Region:
    id: str
    name: str
    kind: str  # provinsi, kabupaten, kota, wilayah (a group such as Manggarai Raya)
    province: str
    aliases: tuple[str, ...]
    office: str
    parts: tuple[str, ...]  # for a wilayah: the regions it groups


@dataclass(frozen=True)
class Office:
    id: str
    name: str
    province: str
    note: str
    source: str


@dataclass(frozen=True)
class JakonTier:
    lower: Decimal
    upper: Decimal | None
    jkk: Decimal
    jkm: Decimal
    valid_from: date | None
    valid_to: date | None
    source: str
    verified: bool

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


# -- how each model is stored: described once, used by the build (writer) and the store (reader)

# A column's kind follows from the field's type: Decimal as text (exact), a date as ISO text, a
# tuple as a JSON list, a flag as 0/1; an optional Decimal or date is stored as "" when None.
_KINDS: tuple[tuple[object, str], ...] = (
    (Decimal, "decimal"),
    (Decimal | None, "decimal"),
    (date, "date"),
    (date | None, "date"),
    (bool, "flag"),
    (str, "text"),
)


def _kind(hint: object) -> str:
    for known, kind in _KINDS:
        if hint == known:
            return kind
    if typing.get_origin(hint) is tuple:
        return "json"
    raise TypeError(f"no column kind for {hint!r}")


class Record(Protocol):
    """A database row read by column name (sqlite3.Row, a dict)."""

    def __getitem__(self, key: str, /) -> Any: ...


@dataclass(frozen=True)
class Table(Generic[Row]):
    """One database table holding one model: its name, its primary key, and the fields stored
    elsewhere (an intent's examples have a table of their own)."""

    name: str
    model: type[Row]
    key: str | None = None
    elsewhere: tuple[str, ...] = ()

    @functools.cached_property
    def columns(self) -> dict[str, str]:
        """Column name -> kind, in the model's field order."""
        hints = typing.get_type_hints(self.model)
        return {
            f.name: _kind(hints[f.name])
            for f in dataclasses.fields(self.model)  # type: ignore[arg-type]
            if f.name not in self.elsewhere
        }

    def row(self, item: Row) -> dict[str, object]:
        """The item as a database row."""
        return {name: _encode(kind, getattr(item, name)) for name, kind in self.columns.items()}

    def item(self, row: Record, **elsewhere: object) -> Row:
        """The model of a database row; `elsewhere` gives the fields stored in other tables."""
        values = {name: _decode(kind, row[name]) for name, kind in self.columns.items()}
        return self.model(**values, **elsewhere)


def _encode(kind: str, value: Any) -> object:
    if kind == "decimal":
        return "" if value is None else str(value)
    if kind == "date":
        return "" if value is None else value.isoformat()
    if kind == "json":
        return json.dumps(value)
    if kind == "flag":
        return int(value)
    return value


def _decode(kind: str, raw: Any) -> object:
    if kind == "decimal":
        return Decimal(raw) if raw not in ("", None) else None
    if kind == "date":
        return date.fromisoformat(raw) if raw else None
    if kind == "json":
        return tuple(json.loads(raw))
    if kind == "flag":
        return bool(raw)
    return raw


SOURCES = Table("sources", Source, key="id")
FACTS = Table("facts", Fact)
INTENTS = Table("intents", Intent, key="id", elsewhere=("examples",))
REGIONS = Table("regions", Region, key="id")
OFFICES = Table("offices", Office, key="id")
COVERAGE = Table("coverage", CoverageFigure)
JAKON_TIERS = Table("jakon_tiers", JakonTier)
