"""Facts with a life cycle: when a figure is due for review, and whether it is stale today.

A fact row may say when it is expected to change, in its `review_by` column: a date
(`2027-03-01`) or a yearly rule (`every March`, `setiap Maret`). After that day the row is still
the latest figure known, but no longer presented as current: answers add a plain warning and the
curators' report (`bot check --today DATE`, the curator web page) lists it.

One function, `review_list`, computes what is stale or due soon; everything else asks it or
`due_date`/`is_stale` for one row. From a loaded database:

    review_list((f for rows in knowledge.facts.values() for f in rows), today)

and from the sources (what `bot check` does): `review_list(check(source_dir).facts, today)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from knowledge.format import figure
from knowledge.model import Fact

DUE_SOON_DAYS = 60

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "januari", "jan"),
            ("february", "februari", "feb"),
            ("march", "maret", "mar"),
            ("april", "apr"),
            ("may", "mei"),
            ("june", "juni", "jun"),
            ("july", "juli", "jul"),
            ("august", "agustus", "aug", "agu"),
            ("september", "sep"),
            ("october", "oktober", "oct", "okt"),
            ("november", "nov"),
            ("december", "desember", "dec", "des"),
        ),
        start=1,
    )
    for name in names
}
_RULE = re.compile(r"^(?:every|setiap|tiap)\s+([a-z]+)$", re.IGNORECASE)
RULE_HELP = "write a date like 2027-03-01 or a yearly rule like 'every March'"


def parse_review(raw: str) -> tuple[date | None, int | None]:
    """(a fixed date, or a month of a yearly rule); raises ValueError with the fix."""
    text = raw.strip()
    if not text:
        return None, None
    rule = _RULE.match(text)
    if rule:
        month = _MONTHS.get(rule.group(1).lower())
        if month is None:
            raise ValueError(f"{rule.group(1)!r} is not a month; {RULE_HELP}")
        return None, month
    try:
        return date.fromisoformat(text), None
    except ValueError:
        raise ValueError(f"review_by {raw!r} is not understood; {RULE_HELP}") from None


def due_date(fact: Fact) -> date | None:
    """The day from which this row's figure may be out of date, or None when it is not expected
    to change (or its period ends before then, so a newer row takes over)."""
    try:
        fixed, month = parse_review(fact.review_by)
    except ValueError:
        return None
    if fixed is not None:
        due = fixed
    elif month is not None:
        # The first 1st of that month after the row took effect: the next yearly adjustment.
        start = fact.valid_from or date.min
        year = start.year if start.month < month else start.year + 1
        due = date(year, month, 1)
    else:
        return None
    if fact.valid_to is not None and fact.valid_to < due:
        return None
    return due


def is_stale(fact: Fact, today: date) -> bool:
    due = due_date(fact)
    return due is not None and today >= due


def rule_label(fact: Fact) -> str:
    """How the curator wrote the life cycle, for reports: 'every March' or 'review by 2027-03-01'."""
    try:
        fixed, month = parse_review(fact.review_by)
    except ValueError:
        return fact.review_by
    if month is not None:
        return fact.review_by.strip()
    return f"review by {fixed.isoformat()}" if fixed else ""


@dataclass(frozen=True)
class ReviewItem:
    """One fact row a curator should look at: stale already, or due within the window."""

    fact: Fact
    due: date
    stale: bool

    @property
    def label(self) -> str:
        return f"{self.fact.key}@{self.fact.applies_to}" if self.fact.applies_to else self.fact.key


def review_list(
    facts: Iterable[Fact], today: date, within_days: int = DUE_SOON_DAYS
) -> list[ReviewItem]:
    """Rows that are stale on `today` or become so within `within_days`, soonest first.

    A row whose period has already ended is history, not a problem; a row superseded by a newer
    row from its due date on is not listed either."""
    horizon = today + timedelta(days=within_days)
    items: list[ReviewItem] = []
    for fact in facts:
        due = due_date(fact)
        if due is None or due > horizon:
            continue
        if fact.valid_to is not None and fact.valid_to < today:
            continue
        items.append(ReviewItem(fact, due, stale=today >= due))
    return sorted(items, key=lambda item: (item.due, item.label))


def format_review(items: list[ReviewItem], today: date, within_days: int = DUE_SOON_DAYS) -> str:
    """The curators' stale-facts report as plain text (for `bot check`)."""
    if not items:
        return f"no facts are stale on {today} or due within {within_days} days"
    lines = [
        f"facts to review (stale on {today} or due within {within_days} days); to update one, "
        "add a row with the new figure from its start date and close the old row with valid_to:"
    ]
    for item in items:
        state = "STALE since" if item.stale else "due"
        fact = item.fact
        since = f" from {fact.valid_from}" if fact.valid_from else ""
        lines.append(
            f"  - {item.label} = {figure(fact.value, fact.unit)}{since} ({rule_label(fact)}): "
            f"{state} {item.due}; source {fact.source}"
        )
    return "\n".join(lines)
