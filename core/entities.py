"""What a message mentions, as the entity extractor (bot.entities) found it: amounts, places,
programmes, a job, ages and counts. A value type the handlers read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entities:
    amounts: tuple[int, ...] = ()
    regions: tuple[str, ...] = ()
    # A place name shared by several regions (Kota vs Kabupaten Kupang): ask which one.
    ambiguous_regions: tuple[tuple[str, ...], ...] = ()
    # Places outside the provinces the regional data covers: (place, its province), e.g.
    # ("Kota Medan", "Sumatera Utara"). Premiums and benefits are national; offices are not.
    outside: tuple[tuple[str, str], ...] = ()
    programmes: tuple[str, ...] = ()
    occupation: str | None = None
    sector: str | None = None
    age: int | None = None
    birth_year: int | None = None
    years: int | None = None
    workers: int | None = None
    risk_group: str | None = None
    months: int | None = None
    school_level: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
