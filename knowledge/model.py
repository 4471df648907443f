"""The shapes of curated knowledge, shared by the compiler, the database and the read API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

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

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


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
