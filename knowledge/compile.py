"""Read the curated source files and validate them strictly, collecting every problem.

A curator edits CSV tables (they open in any spreadsheet) and TOML intent files; this module turns
them into checked objects or a list of problems, each naming the file, the entry and the fix.
"""

from __future__ import annotations

import csv
import itertools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from knowledge.conversations import conversation_files, read_continuations
from knowledge.errors import SourceProblem
from knowledge.labelled import question_files, read_questions
from knowledge.lifecycle import parse_review
from knowledge.model import (
    ROLES,
    UNITS,
    CoverageFigure,
    Fact,
    Intent,
    JakonTier,
    Office,
    Region,
    Source,
)
from knowledge.text import PLACEHOLDER, fold

# The longest text one message may carry (Telegram and WhatsApp both stop at 4096 characters);
# an answer leaves room for the sources line and the options the renderers add below it.
MAX_ANSWER_CHARS = 3500
MAX_TITLE_CHARS = 24
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
REGION_ID_PATTERN = re.compile(r"^[a-z][a-z0-9-]*$")

# A rupiah amount or a percentage typed into an answer by hand: it has no source row, so the
# build refuses it and asks for a {placeholder} from facts.csv instead.
LITERAL_FIGURE = re.compile(
    r"(?i)\brp\s?\d[\d.,]*\d|\brp\s?\d|\d(?:[.,]\d+)?\s?(?:%|persen\b)|\b\d+(?:[.,]\d+)?\s?(?:juta|ribu|miliar|milyar|jt|rb)\b"
)

SOURCE_FILES = ("facts.csv", "slang.csv")
TABLE_FILES = (
    "coverage.csv",
    "regions.csv",
    "offices.csv",
    "jakon_tiers.csv",
    "occupations.csv",
    "places.csv",
    "names.csv",
)


@dataclass
class Compiled:
    sources: dict[str, Source] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)
    intents: dict[str, Intent] = field(default_factory=dict)
    coverage: list[CoverageFigure] = field(default_factory=list)
    regions: dict[str, Region] = field(default_factory=dict)
    offices: dict[str, Office] = field(default_factory=dict)
    jakon_tiers: list[JakonTier] = field(default_factory=list)
    slang: dict[str, str] = field(default_factory=dict)
    occupations: dict[str, tuple[str, str]] = field(default_factory=dict)
    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    # The users' labelled questions with one intent (knowledge/labelled.py): (question, intent).
    questions: list[tuple[str, str]] = field(default_factory=list)
    # The later turns of the users' labelled conversations (knowledge/conversations.py):
    # (previous intent, message, intent).
    continuations: list[tuple[str, str, str]] = field(default_factory=list)


# Editors and spreadsheets leave these beside the real files: `.#jkm.toml` (Emacs lock),
# `~$facts.csv` (Office lock), `jkm.toml~`, `jkm.toml.bak`, `.jkm.toml.swp`. They are not sources.
_IGNORED_PREFIXES = (".", "#", "~$")
_IGNORED_SUFFIXES = ("~", ".bak", ".swp", ".swo", ".tmp", ".orig")


def is_ignored(path: Path) -> bool:
    """Hidden, lock and backup files are never read as sources."""
    name = path.name
    return name.startswith(_IGNORED_PREFIXES) or name.endswith(_IGNORED_SUFFIXES)


def listed(folder: Path, pattern: str) -> list[Path]:
    """The entries of `folder` matching `pattern` that a curator meant as sources (folders
    included, so that a folder named like a source is reported rather than crashing a read)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(pattern) if not is_ignored(p))


def source_files(source_dir: Path) -> list[Path]:
    """Every file the build reads; its freshness check looks at these."""
    files = listed(source_dir / "sources", "*.csv")
    files += [source_dir / name for name in SOURCE_FILES]
    files += [source_dir / "tables" / name for name in TABLE_FILES]
    files += listed(source_dir / "intents", "*.toml")
    files += question_files(source_dir, listed)
    files += conversation_files(source_dir, listed)
    return files


class _Collector:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[SourceProblem] = []

    def add(self, path: Path, entry: str, message: str) -> None:
        try:
            shown = str(path.relative_to(self.root.parent))
        except ValueError:
            shown = str(path)
        self.problems.append(SourceProblem(shown, entry, message))


def _read_csv(
    path: Path, required: Iterable[str], out: _Collector
) -> list[tuple[int, dict[str, str]]]:
    if path.is_dir():
        out.add(path, "", "is a folder, not a file; rename or move it out of the knowledge folder")
        return []
    if not path.is_file():
        out.add(path, "", "file is missing; restore it from git")
        return []
    try:
        # utf-8-sig: a spreadsheet's "CSV UTF-8" starts with a byte-order mark; it is not a column.
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                out.add(path, "header", f"missing column(s): {', '.join(missing)}")
                return []
            rows: list[tuple[int, dict[str, str]]] = []
            for row in reader:
                if None in row:
                    out.add(
                        path, f"line {reader.line_num}", "more cells than columns; check commas"
                    )
                    continue
                clean = {k: (v or "").strip() for k, v in row.items()}
                if any(clean.values()):
                    rows.append((reader.line_num, clean))
            return rows
    except UnicodeDecodeError:
        out.add(path, "", "is not UTF-8 text; save it again as 'CSV UTF-8'")
        return []
    except csv.Error as exc:
        out.add(path, "", f"cannot be read as CSV ({exc}); check the quotes on that line")
        return []
    except OSError as exc:
        out.add(path, "", f"cannot be opened ({exc.strerror or exc})")
        return []


def _date(raw: str, path: Path, entry: str, column: str, out: _Collector) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        out.add(path, entry, f"{column} {raw!r} is not a date; write it as YYYY-MM-DD")
        return None


# A plain number as a program reads it: digits, at most one decimal point, no exponent.
_PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
# 6.800 or 10.547.400: how an Indonesian spreadsheet shows thousands. Read as a decimal point it
# would be 6,8, so it is refused rather than guessed.
_DOT_THOUSANDS = re.compile(r"^-?\d{1,3}(?:\.\d{3})+$")
_COMMA_DECIMAL = re.compile(r"^-?\d+,\d+$")
_COMMA_THOUSANDS = re.compile(r"^-?\d{1,3}(?:,\d{3})+$")

# What a figure of each kind can plausibly be. A value outside is a typo (an extra zero, a pasted
# cell), refused with its range, never stated to a user.
PLAUSIBLE: dict[str, tuple[Decimal, Decimal]] = {
    "rupiah": (Decimal(0), Decimal(10) ** 13),
    "percent": (Decimal(0), Decimal(100)),
    "number": (Decimal(0), Decimal(10) ** 9),
    "years": (Decimal(0), Decimal(100)),
    "months": (Decimal(0), Decimal(1200)),
    "days": (Decimal(0), Decimal(3660)),
    "age": (Decimal(10), Decimal(100)),
    "date": (Decimal(0), Decimal(10) ** 9),
}


def read_number(raw: str) -> Decimal:
    """A number as a curator may type it, read exactly or refused with the fix (ValueError).

    Accepted: 6800, 0.24, 1_000_000 and the Indonesian decimal comma 0,24. Refused: 6.800 and
    10.547.400 (thousands dots), 6,800 (thousands comma), Rp, %, exponents (1e6) and text."""
    text = raw.strip().replace("_", "")
    if not text:
        raise ValueError("is empty; write the number")
    if _DOT_THOUSANDS.match(text) or _COMMA_THOUSANDS.match(text):
        plain = text.replace(".", "").replace(",", "")
        raise ValueError(
            f"looks like a number with thousands separators; write it without them: {plain}"
        )
    if _COMMA_DECIMAL.match(text):
        text = text.replace(",", ".")
    if not _PLAIN_NUMBER.match(text):
        hint = re.sub(r"(?i)rp|%|persen|\s", "", text)
        fix = f" (for example {hint})" if _PLAIN_NUMBER.match(hint) else ""
        raise ValueError(
            "is not a plain number; use digits and a dot for decimals, "
            f"no Rp, %, spaces or exponents{fix}"
        )
    return Decimal(text)


def _decimal(
    raw: str, path: Path, entry: str, column: str, out: _Collector, unit: str = "number"
) -> Decimal | None:
    try:
        value = read_number(raw)
    except ValueError as exc:
        out.add(path, entry, f"{column} {raw!r} {exc}")
        return None
    low, high = PLAUSIBLE.get(unit, PLAUSIBLE["number"])
    if not low <= value <= high:
        out.add(
            path,
            entry,
            f"{column} {raw!r} is outside what a {unit} figure can be "
            f"({low:,} to {high:,}); check for a typo",
        )
        return None
    return value


def _check_period(
    start: date | None, end: date | None, path: Path, entry: str, out: _Collector
) -> None:
    if start and end and end < start:
        out.add(path, entry, f"valid_to {end} is before valid_from {start}")


def _read_sources(root: Path, out: _Collector) -> dict[str, Source]:
    """Every sources/*.csv: regulations and news reports, each row one citable source."""
    sources: dict[str, Source] = {}
    files = listed(root / "sources", "*.csv")
    if not files:
        out.add(root / "sources", "", "no source lists (sources/*.csv) found")
    for path in files:
        _read_source_file(path, sources, out)
    return sources


def _read_source_file(path: Path, sources: dict[str, Source], out: _Collector) -> None:
    for line, row in _read_csv(path, ("id", "title", "publisher", "date", "quality", "url"), out):
        entry = row["id"] or f"line {line}"
        if not row["id"]:
            out.add(path, entry, "a source needs an id")
        elif row["id"] in sources:
            out.add(path, entry, "duplicate source id; give each source its own id")
        elif not row["title"]:
            out.add(path, entry, "a source needs a title")
        else:
            sources[row["id"]] = Source(
                row["id"], row["title"], row["publisher"], row["date"], row["quality"], row["url"]
            )


def _needs_source(
    ref: str, sources: dict[str, Source], path: Path, entry: str, out: _Collector
) -> None:
    if not ref:
        out.add(
            path,
            entry,
            "figure without a source: fill the source column with an id from sources/*.csv",
        )
        return
    for one in ref.split(";"):
        if one.strip() not in sources:
            out.add(path, entry, f"source {one.strip()!r} is not in sources/*.csv")


def _read_facts(root: Path, sources: dict[str, Source], out: _Collector) -> list[Fact]:
    path = root / "facts.csv"
    columns = ("key", "applies_to", "value", "unit", "valid_from", "valid_to", "source", "status")
    facts: list[Fact] = []
    for line, row in _read_csv(path, columns, out):
        entry = f"{row['key'] or '?'} (line {line})"
        if not ID_PATTERN.match(row["key"]):
            out.add(path, entry, "key must be lower case letters, digits and underscores")
            continue
        if row["unit"] not in UNITS:
            out.add(path, entry, f"unit {row['unit']!r} is not one of {', '.join(UNITS)}")
            continue
        if row["status"] not in ("verified", "unverified"):
            out.add(path, entry, "status must be 'verified' or 'unverified'")
            continue
        _needs_source(row["source"], sources, path, entry, out)
        value = _decimal(row["value"], path, entry, "value", out, row["unit"])
        start = _date(row["valid_from"], path, entry, "valid_from", out)
        end = _date(row["valid_to"], path, entry, "valid_to", out)
        _check_period(start, end, path, entry, out)
        review = row.get("review_by", "")
        try:
            parse_review(review)
        except ValueError as exc:
            out.add(path, entry, f"review_by: {exc}")
            continue
        if value is None:
            continue
        facts.append(
            Fact(
                key=row["key"],
                applies_to=row["applies_to"],
                value=value,
                unit=row["unit"],
                valid_from=start,
                valid_to=end,
                source=row["source"],
                note=row.get("note", ""),
                verified=row["status"] == "verified",
                review_by=review.strip(),
            )
        )
    _check_overlaps(facts, path, out)
    return facts


def _check_overlaps(facts: list[Fact], path: Path, out: _Collector) -> None:
    """Two rows for the same key and case must not both be valid on one day: the bot would not
    know which figure to state."""
    by_case: dict[tuple[str, str], list[Fact]] = {}
    for fact in facts:
        by_case.setdefault((fact.key, fact.applies_to), []).append(fact)
    for (key, case), rows in by_case.items():
        ordered = sorted(rows, key=lambda f: f.valid_from or date.min)
        for earlier, later in itertools.pairwise(ordered):
            if earlier.valid_to is None or (later.valid_from or date.min) <= earlier.valid_to:
                label = f"{key}@{case}" if case else key
                out.add(
                    path,
                    label,
                    f"two rows are valid on the same day ({later.valid_from}); "
                    "close the older row with valid_to",
                )


def _read_slang(root: Path, out: _Collector) -> dict[str, str]:
    path = root / "slang.csv"
    slang: dict[str, str] = {}
    for line, row in _read_csv(path, ("slang", "formal"), out):
        key = row["slang"].lower()
        entry = f"{key} (line {line})"
        if not key or not row["formal"]:
            out.add(path, entry, "both slang and formal are needed")
        elif key in slang and slang[key] != row["formal"].lower():
            out.add(path, entry, f"already maps to {slang[key]!r}; keep one meaning per word")
        else:
            slang[key] = row["formal"].lower()
    return slang


def _read_occupations(root: Path, out: _Collector) -> dict[str, tuple[str, str]]:
    path = root / "tables" / "occupations.csv"
    found: dict[str, tuple[str, str]] = {}
    for line, row in _read_csv(path, ("term", "occupation", "sector"), out):
        term = row["term"].lower()
        entry = f"{term or '?'} (line {line})"
        if not term or not row["occupation"]:
            out.add(path, entry, "both term and occupation are needed")
        elif row["sector"] not in ("transport", "umum"):
            out.add(path, entry, "sector must be 'transport' or 'umum' (it decides discounts)")
        elif term in found:
            out.add(path, entry, "duplicate term")
        else:
            found[term] = (row["occupation"], row["sector"])
    return found


def _read_names(
    root: Path, sources: dict[str, Source], out: _Collector
) -> dict[str, tuple[str, str]]:
    """Proper names an answer may use: a named service, phone number or address needs a dated
    source row; a term (KTP, JKK) is a common word and needs none."""
    path = root / "tables" / "names.csv"
    names: dict[str, tuple[str, str]] = {}
    for line, row in _read_csv(path, ("name", "kind", "source"), out):
        entry = f"{row['name'] or '?'} (line {line})"
        if not row["name"]:
            out.add(path, entry, "a name is needed")
        elif row["kind"] not in ("service", "term"):
            out.add(path, entry, "kind must be 'service' (needs a source) or 'term'")
        elif row["name"] in names:
            out.add(path, entry, "duplicate name")
        else:
            if row["kind"] == "service":
                _needs_source(row["source"], sources, path, entry, out)
            names[row["name"]] = (row["kind"], row["source"])
    return names


def _read_regions(root: Path, out: _Collector) -> dict[str, Region]:
    path = root / "tables" / "regions.csv"
    regions: dict[str, Region] = {}
    columns = ("id", "name", "kind", "province", "aliases", "office", "parts")
    for line, row in _read_csv(path, columns, out):
        entry = row["id"] or f"line {line}"
        if not REGION_ID_PATTERN.match(row["id"]):
            out.add(path, entry, "id must be lower case letters, digits and dashes")
        elif row["id"] in regions:
            out.add(path, entry, "duplicate region id")
        elif row["kind"] not in ("provinsi", "kabupaten", "kota", "wilayah", "kecamatan", "desa"):
            out.add(
                path,
                entry,
                f"kind {row['kind']!r} must be provinsi, kabupaten, kota, wilayah, kecamatan or desa",
            )
        else:
            regions[row["id"]] = Region(
                id=row["id"],
                name=row["name"],
                kind=row["kind"],
                province=row["province"],
                aliases=tuple(a.strip().lower() for a in row["aliases"].split(";") if a.strip()),
                office=row["office"],
                parts=tuple(p.strip() for p in row["parts"].split(";") if p.strip()),
            )
    for region in regions.values():
        for ref in (*region.parts, *((region.province,) if region.province else ())):
            if ref not in regions:
                out.add(path, region.id, f"refers to region {ref!r}, which is not in regions.csv")
    return regions


def _read_offices(
    root: Path, sources: dict[str, Source], regions: dict[str, Region], out: _Collector
) -> dict[str, Office]:
    path = root / "tables" / "offices.csv"
    offices: dict[str, Office] = {}
    for line, row in _read_csv(path, ("id", "name", "province", "note", "source"), out):
        entry = row["id"] or f"line {line}"
        if not REGION_ID_PATTERN.match(row["id"]):
            out.add(path, entry, "id must be lower case letters, digits and dashes")
            continue
        if row["id"] in offices:
            out.add(path, entry, "duplicate office id")
            continue
        _needs_source(row["source"], sources, path, entry, out)
        offices[row["id"]] = Office(
            row["id"], row["name"], row["province"], row["note"], row["source"]
        )
    region_path = root / "tables" / "regions.csv"
    for region in regions.values():
        if region.office and region.office not in offices:
            out.add(region_path, region.id, f"office {region.office!r} is not in offices.csv")
    return offices


def _read_coverage(
    root: Path, sources: dict[str, Source], regions: dict[str, Region], out: _Collector
) -> list[CoverageFigure]:
    path = root / "tables" / "coverage.csv"
    columns = ("region", "metric", "value", "unit", "as_of", "as_of_label", "source", "note")
    figures: list[CoverageFigure] = []
    for line, row in _read_csv(path, columns, out):
        entry = f"{row['region'] or '?'} {row['metric']} (line {line})"
        if row["region"] not in regions:
            out.add(path, entry, f"region {row['region']!r} is not in tables/regions.csv")
            continue
        if not row["metric"]:
            out.add(path, entry, "say what is measured in the metric column")
            continue
        if row["unit"] not in UNITS:
            out.add(path, entry, f"unit {row['unit']!r} is not one of {', '.join(UNITS)}")
            continue
        _needs_source(row["source"], sources, path, entry, out)
        value = _decimal(row["value"], path, entry, "value", out, row["unit"])
        as_of = _date(row["as_of"], path, entry, "as_of", out)
        if as_of is None and not row["as_of"]:
            out.add(path, entry, "a coverage figure needs its as_of date")
        if value is None or as_of is None:
            continue
        figures.append(
            CoverageFigure(
                region=row["region"],
                metric=row["metric"],
                value=value,
                unit=row["unit"],
                as_of=as_of,
                as_of_label=row["as_of_label"],
                source=row["source"],
                note=row["note"],
                headline=row.get("headline", "").strip().lower() in ("yes", "ya", "1", "x"),
            )
        )
    # `curator_note` is for curators only: it is never compiled, so no answer can show it.
    leads: dict[str, int] = {}
    for fig in figures:
        leads[fig.region] = leads.get(fig.region, 0) + int(fig.headline)
    for region, count in leads.items():
        if count > 1:
            out.add(path, region, f"{count} rows say headline=yes; keep one per region")
    return figures


def _read_jakon(root: Path, sources: dict[str, Source], out: _Collector) -> list[JakonTier]:
    path = root / "tables" / "jakon_tiers.csv"
    columns = ("lower", "upper", "jkk", "jkm", "valid_from", "valid_to", "source", "status")
    tiers: list[JakonTier] = []
    for line, row in _read_csv(path, columns, out):
        entry = f"tier from {row['lower']} (line {line})"
        _needs_source(row["source"], sources, path, entry, out)
        lower = _decimal(row["lower"], path, entry, "lower", out, "rupiah")
        upper = (
            _decimal(row["upper"], path, entry, "upper", out, "rupiah") if row["upper"] else None
        )
        jkk = _decimal(row["jkk"], path, entry, "jkk", out, "percent")
        jkm = _decimal(row["jkm"], path, entry, "jkm", out, "percent")
        start = _date(row["valid_from"], path, entry, "valid_from", out)
        end = _date(row["valid_to"], path, entry, "valid_to", out)
        if lower is None or jkk is None or jkm is None:
            continue
        tiers.append(
            JakonTier(
                lower, upper, jkk, jkm, start, end, row["source"], row["status"] == "verified"
            )
        )
    return tiers


_AT_LINE = re.compile(r"at line (\d+)")


def _quoted_line(text: str, message: str) -> str:
    """The line a TOML error points at, so the curator sees what to fix without counting."""
    found = _AT_LINE.search(message)
    lines = text.splitlines()
    if not found or not 1 <= int(found.group(1)) <= len(lines):
        return ""
    return f": {lines[int(found.group(1)) - 1].strip()[:80]!r}"


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _read_intents(
    root: Path,
    sources: dict[str, Source],
    fact_keys: set[str],
    known_handlers: set[str] | None,
    out: _Collector,
) -> dict[str, Intent]:
    intents: dict[str, Intent] = {}
    example_owner: dict[str, tuple[str, Path]] = {}
    files = listed(root / "intents", "*.toml")
    if not files:
        out.add(root / "intents", "", "no intent files (*.toml) found")
    # A file that cannot be read hides its intents; follow-ups pointing at them would each be
    # reported too. One typo gives one message: skip that cross-check while a file is unreadable.
    unreadable = False
    for path in files:
        if path.is_dir():
            out.add(path, "", "is a folder, not an intent file; rename or move it")
            continue
        try:
            text = path.read_text(encoding="utf-8-sig")
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            out.add(
                path,
                "syntax",
                f"{exc}{_quoted_line(text, str(exc))}; check quotes, commas and brackets there",
            )
            unreadable = True
            continue
        except UnicodeDecodeError:
            out.add(path, "", "not UTF-8 text; save it as UTF-8")
            unreadable = True
            continue
        except OSError as exc:
            out.add(path, "", f"cannot be opened ({exc.strerror or exc})")
            unreadable = True
            continue
        entries = data.get("intent")
        if not isinstance(entries, list):
            out.add(path, "", "expected one or more [[intent]] tables")
            continue
        for number, raw in enumerate(entries, start=1):
            intent = _read_intent(path, number, raw, sources, fact_keys, known_handlers, out)
            if intent is None:
                continue
            if intent.id in intents:
                other = intents[intent.id].file
                out.add(path, intent.id, f"duplicate intent id (also in {other}); rename one")
                continue
            intents[intent.id] = intent
            for example in intent.examples:
                folded = fold(example)
                owner = example_owner.get(folded)
                if owner and owner[0] != intent.id:
                    out.add(
                        path,
                        intent.id,
                        f"example {example!r} is also an example of {owner[0]!r}; "
                        "keep it in one intent only",
                    )
                example_owner.setdefault(folded, (intent.id, path))
    intro: dict[str, str] = {}
    for intent in intents.values():
        if intent.role == "intro":
            if intent.topic in intro:
                out.add(
                    root / "intents" / intent.file,
                    intent.id,
                    f"topic {intent.topic!r} already has an intro intent ({intro[intent.topic]}); "
                    "keep one",
                )
            intro.setdefault(intent.topic, intent.id)
    for intent in intents.values():
        for target in intent.followups if not unreadable else ():
            if target.split(":", 1)[0] not in intents:
                out.add(
                    root / "intents" / intent.file,
                    intent.id,
                    f"follow-up {target!r} is not an intent id; fix the name or add that intent",
                )
    return intents


def _read_intent(
    path: Path,
    number: int,
    raw: Any,
    sources: dict[str, Source],
    fact_keys: set[str],
    known_handlers: set[str] | None,
    out: _Collector,
) -> Intent | None:
    if not isinstance(raw, dict):
        out.add(path, f"intent #{number}", "each [[intent]] must be a table")
        return None
    intent_id = raw.get("id")
    entry = intent_id if isinstance(intent_id, str) and intent_id else f"intent #{number}"
    ok = True

    def fail(message: str) -> None:
        nonlocal ok
        ok = False
        out.add(path, entry, message)

    if not isinstance(intent_id, str) or not ID_PATTERN.match(intent_id):
        fail("id must be lower case letters, digits and underscores")
    known = {
        "id",
        "topic",
        "title",
        "handler",
        "answer",
        "sources",
        "followups",
        "examples",
        "share",
        "details",
        "role",
        "valid_from",
        "valid_to",
    }
    for extra in sorted(set(raw) - known):
        fail(f"unknown field {extra!r}; fields are {', '.join(sorted(known))}")
    title = raw.get("title", "")
    if not isinstance(title, str) or not title.strip():
        fail("a title is needed (it labels the button)")
    elif len(title) > MAX_TITLE_CHARS:
        fail(f"title is {len(title)} characters; buttons allow {MAX_TITLE_CHARS}")
    handler = raw.get("handler", "static")
    answer = raw.get("answer", "")
    share = raw.get("share", "")
    details = raw.get("details", "")
    if not isinstance(handler, str):
        fail("handler must be text")
        handler = "static"
    if known_handlers is not None and handler not in known_handlers:
        fail(f"handler {handler!r} does not exist; known: {', '.join(sorted(known_handlers))}")
    if not all(isinstance(t, str) for t in (answer, share, details)):
        fail("answer, details and share must be text")
        answer, share, details = "", "", ""
    if handler == "static" and not answer.strip():
        fail("a static intent needs an answer text")
    for field_name, text in (("answer", answer), ("details", details), ("share", share)):
        _check_template(text, field_name, fact_keys, fail)
    examples = _strings(raw.get("examples", []))
    if examples is None:
        fail("examples must be a list of quoted questions")
        examples = ()
    elif not examples and not raw.get("id", "").startswith("_"):
        fail("add at least one example question")
    followups = _strings(raw.get("followups", []))
    if followups is None:
        fail("followups must be a list of intent ids")
        followups = ()
    refs = _strings(raw.get("sources", []))
    if refs is None:
        fail("sources must be a list of source ids")
        refs = ()
    for ref in refs:
        if ref not in sources:
            fail(f"source {ref!r} is not in sources/*.csv")
    role = raw.get("role", "")
    if role != "" and role not in ROLES:
        fail(f"role {role!r} is not one of {', '.join(ROLES)} (or leave it out)")
        role = ""
    start = _date(str(raw.get("valid_from", "")), path, entry, "valid_from", out)
    end = _date(str(raw.get("valid_to", "")), path, entry, "valid_to", out)
    if not ok:
        return None
    return Intent(
        id=str(intent_id),
        topic=str(raw.get("topic", "")),
        title=str(title).strip(),
        handler=handler,
        answer=answer.strip(),
        sources=refs,
        followups=followups,
        examples=tuple(e.strip() for e in examples if e.strip()),
        share=share.strip(),
        valid_from=start,
        valid_to=end,
        file=path.name,
        details=details.strip(),
        role=str(role),
    )


def _check_template(text: str, field_name: str, fact_keys: set[str], fail: Any) -> None:
    if len(text) > MAX_ANSWER_CHARS:
        fail(
            f"{field_name} is {len(text)} characters; a message allows {MAX_ANSWER_CHARS}: split it"
        )
    without = PLACEHOLDER.sub("", text)
    literal = LITERAL_FIGURE.search(without)
    if literal:
        fail(
            f"figure without a source in {field_name}: {literal.group(0)!r}; put the figure in "
            "facts.csv with its source and write {its_key} here"
        )
    if "{" in without or "}" in without:
        fail(f"{field_name} has a brace that is not a {{fact_key}} placeholder")
    for match in PLACEHOLDER.finditer(text):
        if match.group("key") not in fact_keys:
            fail(f"placeholder {{{match.group('key')}}} has no row in facts.csv")


def compile_sources(
    source_dir: Path, known_handlers: set[str] | None = None
) -> tuple[Compiled, list[SourceProblem]]:
    """Every problem in the sources, each named by file and entry; never a traceback, so that a
    running bot keeps its last good database whatever a curator saved."""
    try:
        return _compile(source_dir, known_handlers)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        problem = SourceProblem(
            str(source_dir), "", f"cannot be read ({type(exc).__name__}: {exc}); undo the last edit"
        )
        return Compiled(), [problem]


def _compile(
    source_dir: Path, known_handlers: set[str] | None
) -> tuple[Compiled, list[SourceProblem]]:
    out = _Collector(source_dir)
    compiled = Compiled()
    compiled.sources = _read_sources(source_dir, out)
    compiled.facts = _read_facts(source_dir, compiled.sources, out)
    compiled.slang = _read_slang(source_dir, out)
    compiled.occupations = _read_occupations(source_dir, out)
    compiled.regions = _read_regions(source_dir, out)
    compiled.offices = _read_offices(source_dir, compiled.sources, compiled.regions, out)
    compiled.coverage = _read_coverage(source_dir, compiled.sources, compiled.regions, out)
    compiled.jakon_tiers = _read_jakon(source_dir, compiled.sources, out)
    compiled.names = _read_names(source_dir, compiled.sources, out)
    fact_keys = {f.key for f in compiled.facts}
    compiled.intents = _read_intents(source_dir, compiled.sources, fact_keys, known_handlers, out)
    compiled.questions = read_questions(
        question_files(source_dir, listed), set(compiled.intents), out.add
    )
    compiled.continuations = read_continuations(
        conversation_files(source_dir, listed), set(compiled.intents), out.add
    )
    return compiled, out.problems
