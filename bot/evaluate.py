"""`python -m bot eval FILE`: accuracy per intent, overall, and the fallback's precision/recall.

The file is UTF-8 TSV, one `question<TAB>intent` per line; `-` marks a message the bot must not
pretend to understand (off-topic or gibberish). Lines starting with # are comments.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TextIO

from bot.config import PROJECT_ROOT, Settings
from bot.engine import Engine
from bot.session import Session

DEFAULT_DEVSET = PROJECT_ROOT / "tests" / "data" / "devset.tsv"
FALLBACK_LABEL = "-"


@dataclass(frozen=True)
class Example:
    question: str
    expected: str | None  # None: must fall back
    line: int


@dataclass
class Report:
    total: int = 0
    correct: int = 0
    fallback_tp: int = 0  # fell back, and should have
    fallback_fp: int = 0  # fell back on an answerable question
    fallback_fn: int = 0  # answered a message it should not have understood
    clarified: int = 0
    per_intent: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[tuple[Example, str | None]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def fallback_precision(self) -> float:
        predicted = self.fallback_tp + self.fallback_fp
        return self.fallback_tp / predicted if predicted else 1.0

    @property
    def fallback_recall(self) -> float:
        actual = self.fallback_tp + self.fallback_fn
        return self.fallback_tp / actual if actual else 1.0


def read_examples(path: Path) -> list[Example]:
    examples: list[Example] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        question, sep, label = raw.rpartition("\t")
        if not sep or not question.strip():
            raise ValueError(f"{path}:{number}: expected 'question<TAB>intent'")
        label = label.strip()
        examples.append(
            Example(question.strip(), None if label == FALLBACK_LABEL else label, number)
        )
    return examples


def evaluate(engine: Engine, examples: list[Example], today: date) -> Report:
    report = Report()
    for example in examples:
        outcome = engine.respond(example.question, Session(), today)
        predicted = outcome.reply.intent
        report.total += 1
        if outcome.kind == "clarify":
            report.clarified += 1
        key = example.expected or FALLBACK_LABEL
        report.per_intent[key][1] += 1
        if predicted == example.expected:
            report.correct += 1
            report.per_intent[key][0] += 1
        else:
            report.errors.append((example, predicted))
            report.confusions[(key, predicted or FALLBACK_LABEL)] += 1
        if predicted is None and example.expected is None:
            report.fallback_tp += 1
        elif predicted is None:
            report.fallback_fp += 1
        elif example.expected is None:
            report.fallback_fn += 1
    return report


def format_report(report: Report, show_errors: bool) -> str:
    lines = [f"{'intent':<24} {'right':>5} {'of':>4} {'accuracy':>9}"]
    for intent in sorted(report.per_intent):
        right, total = report.per_intent[intent]
        lines.append(f"{intent:<24} {right:>5} {total:>4} {right / total:>9.1%}")
    lines += [
        "",
        f"questions:           {report.total}",
        f"overall accuracy:    {report.accuracy:.1%}",
        f"fallback precision:  {report.fallback_precision:.1%}",
        f"fallback recall:     {report.fallback_recall:.1%}",
        f"clarifications:      {report.clarified}",
    ]
    if report.confusions:
        lines += ["", "most frequent confusions (expected -> answered):"]
        for (expected, got), count in report.confusions.most_common(10):
            lines.append(f"  {expected} -> {got}: {count}")
    if show_errors and report.errors:
        lines += ["", "wrong answers:"]
        for example, predicted in report.errors:
            lines.append(
                f"  line {example.line}: {example.question!r} expected "
                f"{example.expected or FALLBACK_LABEL}, got {predicted or FALLBACK_LABEL}"
            )
    return "\n".join(lines)


def run_eval(
    path: Path | None,
    settings: Settings,
    today: date,
    stdout: TextIO,
    stderr: TextIO,
    show_errors: bool,
) -> int:
    from bot.runtime import load_engine

    source = path or DEFAULT_DEVSET
    try:
        examples = read_examples(source)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=stderr)
        return 2
    report = evaluate(load_engine(settings, stderr), examples, today)
    print(format_report(report, show_errors), file=stdout)
    return 0
