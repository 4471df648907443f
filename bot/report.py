"""`python -m bot report`: what people asked that the bot did not understand, and usage figures.

Unanswered (fallback) and low-confidence questions are grouped by similarity and ordered by how
often they come, each with the intents the bot thought of; usage figures follow. The stored
questions are already masked and keyed by salted hashes; the report prints neither keys nor ids.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from bot.confidence import LOW_CONFIDENCE
from bot.state_protocols import LoggedQuestion

# How similar two questions must be (rapidfuzz token-set ratio) to be one group.
GROUP_SIMILARITY = 78.0


@dataclass
class Group:
    signature: str
    representative: str
    questions: list[str] = field(default_factory=list)
    candidates: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    last_day: str = ""

    @property
    def count(self) -> int:
        return len(self.questions)


def needs_attention(entry: LoggedQuestion) -> bool:
    # A clarification is a question answered with a question: it costs the user a turn.
    return (
        (entry.intent is None and entry.kind != "select")
        or entry.kind == "clarify"
        or (entry.kind == "answer" and entry.confidence < LOW_CONFIDENCE)
    )


def attention_kind(entry: LoggedQuestion) -> str:
    if entry.intent is None:
        return "fallback"
    return "clarification" if entry.kind == "clarify" else "low confidence"


def signature(text: str) -> str:
    return "g" + hashlib.sha256(text.encode()).hexdigest()[:8]


def group_questions(
    entries: list[LoggedQuestion],
    ignored: frozenset[str] | set[str] = frozenset(),
    newest_first: bool = False,
) -> list[Group]:
    """Groups of similar questions, most frequent first (or most recently asked first)."""
    groups: list[Group] = []
    for entry in entries:
        if not needs_attention(entry):
            continue
        key = entry.normalized or entry.text.lower()
        home = None
        for group in groups:
            if fuzz.token_set_ratio(key, group.representative) >= GROUP_SIMILARITY:
                home = group
                break
        if home is None:
            home = Group(signature(key), key)
            groups.append(home)
        home.questions.append(entry.text)
        home.kinds[attention_kind(entry)] += 1
        home.last_day = max(home.last_day, entry.day)
        for intent, score in entry.candidates[:3]:
            home.candidates[intent] += max(1, round(score * 100))
    kept = [g for g in groups if g.signature not in ignored]
    # Stable sorts, last key first: ties of the main order fall back to the other one.
    kept.sort(key=lambda g: g.representative)
    if newest_first:
        kept.sort(key=lambda g: g.count, reverse=True)
        kept.sort(key=lambda g: g.last_day, reverse=True)
    else:
        kept.sort(key=lambda g: g.last_day, reverse=True)
        kept.sort(key=lambda g: g.count, reverse=True)
    return kept


def usage(entries: list[LoggedQuestion]) -> dict[str, Any]:
    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    intents: Counter[str] = Counter()
    fallbacks = clarifications = 0
    for entry in entries:
        per_day[entry.day][entry.channel] += 1
        if entry.intent is None:
            fallbacks += 1
        else:
            intents[entry.intent] += 1
        if entry.kind == "clarify":
            clarifications += 1
    total = len(entries)
    days: dict[str, dict[str, int]] = defaultdict(
        lambda: {"messages": 0, "fallbacks": 0, "clarifications": 0}
    )
    for entry in entries:
        day = days[entry.day]
        day["messages"] += 1
        day["fallbacks"] += entry.intent is None
        day["clarifications"] += entry.kind == "clarify"
    return {
        "messages": total,
        "messages_per_day": {day: dict(sorted(c.items())) for day, c in sorted(per_day.items())},
        "top_intents": intents.most_common(10),
        "fallback_rate": round(fallbacks / total, 4) if total else 0.0,
        "clarification_rate": round(clarifications / total, 4) if total else 0.0,
        # One row per day for the curators' chart: messages, fallbacks, and how often the bot
        # asked back (clarification rate).
        "per_day": [
            {
                "day": day,
                **counts,
                "clarification_rate": round(counts["clarifications"] / counts["messages"], 4),
            }
            for day, counts in sorted(days.items())
        ],
    }


def build_report(
    entries: list[LoggedQuestion], ignored: set[str], newest_first: bool = False
) -> dict[str, Any]:
    groups = group_questions(entries, ignored, newest_first)
    return {
        "groups": [
            {
                "group": g.signature,
                "count": g.count,
                "examples": list(dict.fromkeys(g.questions))[:5],
                "kinds": dict(g.kinds),
                "last_seen": g.last_day,
                "candidates": [intent for intent, _ in g.candidates.most_common(3)],
            }
            for g in groups
        ],
        "usage": usage(entries),
    }


def format_report(report: dict[str, Any]) -> str:
    lines = ["Questions the bot did not understand or answered with low confidence:"]
    if not report["groups"]:
        lines.append("  (none)")
    for group in report["groups"]:
        kinds = ", ".join(f"{k} {v}" for k, v in group["kinds"].items())
        lines.append(f"  [{group['group']}] {group['count']}x ({kinds}), last {group['last_seen']}")
        for example in group["examples"]:
            lines.append(f"      {example}")
        if group["candidates"]:
            lines.append(f"      best candidates: {', '.join(group['candidates'])}")
    use = report["usage"]
    lines += ["", "Usage:", f"  messages: {use['messages']}"]
    for day, channels in use["messages_per_day"].items():
        lines.append(f"  {day}: " + ", ".join(f"{c} {n}" for c, n in channels.items()))
    lines.append(f"  fallback rate: {use['fallback_rate']:.1%}")
    lines.append(f"  clarification rate: {use['clarification_rate']:.1%}")
    if use["top_intents"]:
        lines.append("  top intents: " + ", ".join(f"{i} ({n})" for i, n in use["top_intents"]))
    lines += [
        "",
        "Teach one: python -m bot teach GROUP_OR_QUESTION INTENT;"
        " hide one: python -m bot report --ignore GROUP",
    ]
    return "\n".join(lines)


def as_json(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)
