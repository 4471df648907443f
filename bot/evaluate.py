"""`python -m bot eval [FILE...]`: how well the bot understands people, measured honestly.

Question files are UTF-8 TSV, one `question<TAB>label` per line; lines starting with # are
comments. A label is
- `intent`: the reply must answer that intent;
- `a|b`: either intent is right;
- `a+b`: two questions in one message: the reply answers one and answers or offers the other;
- `-`: a message the bot must not pretend to understand (off-topic or gibberish).

A clarification ("Maksud Bapak/Ibu yang mana ...?") is a non-answer: it is counted wrong, and
its share of all questions is printed as the ask rate next to the accuracy.

Conversation files are `conversation_id<TAB>turn<TAB>message<TAB>label`; each conversation runs
in one fresh session, turn by turn, and every turn is scored like a single question.

Held-out files (`heldout` in the name) are frozen: they are reported, never tuned on, so their
individual failures are not listed even with --errors.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TextIO

from bot.config import PROJECT_ROOT, Settings
from bot.engine import Engine, Outcome
from core.session import Session

DATA_DIR = PROJECT_ROOT / "tests" / "data"
# The labelled sets the learned model trains on live in the knowledge, as one of its sources
# (knowledge/labelled.py); the sets it must never see stay in DATA_DIR.
QUESTIONS_DIR = PROJECT_ROOT / "knowledge" / "questions"
# The labelled conversations the bot learns follow-ups from (knowledge/conversations.py).
CONVERSATIONS_DIR = PROJECT_ROOT / "knowledge" / "conversations"
DEFAULT_DEVSET = QUESTIONS_DIR / "devset.tsv"
# Reported side by side when `eval` is given no file; missing files are skipped.
DEFAULT_SETS = (
    "devset.tsv",
    "tuneset.tsv",
    "tuneset2.tsv",
    "tuneset3.tsv",
    "tuneset4.tsv",
    "tuneset5.tsv",
    "heldout.tsv",
)
DEFAULT_CONVERSATIONS = (
    "conversations_tune.tsv",
    "conversations_tune2.tsv",
    "conversations_tune3.tsv",
    "conversations_tune4.tsv",
    "conversations_tune5.tsv",
    "conversations_tune6.tsv",
    "conversations_tune7.tsv",
    "conversations_tune8.tsv",
    "conversations_tune9.tsv",
    "conversations_tune10.tsv",
    "conversations_tune11.tsv",
    "conversations_tune12.tsv",
    "conversations_tune13.tsv",
    "conversations_tune14.tsv",
    "conversations_tune15.tsv",
    "conversations_tune16.tsv",
    "conversations_tune17.tsv",
    "conversations_tune18.tsv",
    "conversations_heldout.tsv",
)
FALLBACK_LABEL = "-"


def labelled_set(name: str) -> Path:
    """Where the labelled set `name` (a file name such as "tuneset2.tsv") is kept: among the
    knowledge's questions or conversations when the bot learns from it, else in tests/data."""
    for folder in (QUESTIONS_DIR, CONVERSATIONS_DIR):
        if (trained := folder / name).is_file():
            return trained
    return DATA_DIR / name


@dataclass(frozen=True)
class Label:
    """What a right reply looks like."""

    raw: str
    either: frozenset[str] = frozenset()  # one of these answered
    both: tuple[str, ...] = ()  # two questions: one answered, the other answered or offered

    @property
    def fallback(self) -> bool:
        return self.raw == FALLBACK_LABEL

    @property
    def intents(self) -> frozenset[str]:
        return self.either | frozenset(self.both)

    @classmethod
    def parse(cls, raw: str) -> Label:
        raw = raw.strip()
        if raw == FALLBACK_LABEL:
            return cls(raw)
        if "+" in raw:
            parts = tuple(p.strip() for p in raw.split("+") if p.strip())
            return cls(raw, frozenset(parts), parts)
        return cls(raw, frozenset(p.strip() for p in raw.split("|") if p.strip()))

    def judge(self, outcome: Outcome) -> bool:
        if outcome.kind == "clarify":
            return False
        predicted = outcome.reply.intent
        if self.fallback:
            return predicted is None
        if predicted not in self.either:
            return False
        if not self.both:
            return True
        covered = {*outcome.answered, *(o.id.partition(":")[0] for o in outcome.reply.options)}
        return all(intent in covered or intent == predicted for intent in self.both)


@dataclass(frozen=True)
class Example:
    question: str
    expected: str | None  # the primary intent; None: must fall back
    line: int
    label: Label = field(default_factory=lambda: Label(FALLBACK_LABEL))
    conversation: str = ""
    turn: int = 0


@dataclass
class Report:
    name: str = ""
    total: int = 0
    correct: int = 0
    fallback_tp: int = 0  # fell back, and should have
    fallback_fp: int = 0  # fell back on an answerable question
    fallback_fn: int = 0  # answered a message it should not have understood
    clarified: int = 0
    # Questions whose label names an intent the knowledge does not have (yet).
    unknown_label: int = 0
    unknown_label_correct: int = 0
    frozen: bool = False
    per_intent: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    per_turn: dict[int, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[tuple[Example, str | None]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def known_accuracy(self) -> float:
        """Accuracy over the questions whose intents exist in the knowledge."""
        known = self.total - self.unknown_label
        return (self.correct - self.unknown_label_correct) / known if known else 0.0

    @property
    def ask_rate(self) -> float:
        return self.clarified / self.total if self.total else 0.0

    @property
    def fallback_precision(self) -> float:
        predicted = self.fallback_tp + self.fallback_fp
        return self.fallback_tp / predicted if predicted else 1.0

    @property
    def fallback_recall(self) -> float:
        actual = self.fallback_tp + self.fallback_fn
        return self.fallback_tp / actual if actual else 1.0


def _example(question: str, raw_label: str, number: int, **extra: object) -> Example:
    label = Label.parse(raw_label)
    first = label.raw.replace("+", "|").split("|")[0].strip()
    expected = None if label.fallback else first
    return Example(question.strip(), expected, number, label, **extra)  # type: ignore[arg-type]


def read_examples(path: Path) -> list[Example]:
    examples: list[Example] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        question, sep, label = raw.rpartition("\t")
        if not sep or not question.strip() or not label.strip():
            raise ValueError(f"{path}:{number}: expected 'question<TAB>intent'")
        examples.append(_example(question, label, number))
    return examples


def read_conversations(path: Path) -> list[list[Example]]:
    conversations: dict[str, list[Example]] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = raw.split("\t")
        if len(cells) < 4 or not cells[2].strip() or not cells[0].strip():
            raise ValueError(
                f"{path}:{number}: expected 'conversation<TAB>turn<TAB>message<TAB>label'"
            )
        conversation, turn, message, label = cells[0].strip(), cells[1], cells[2], cells[-1]
        try:
            turn_number = int(turn)
        except ValueError:
            if conversation == "conversation_id":  # a header line
                continue
            raise ValueError(f"{path}:{number}: turn {turn!r} is not a number") from None
        conversations.setdefault(conversation, []).append(
            _example(message, label, number, conversation=conversation, turn=turn_number)
        )
    return [sorted(turns, key=lambda e: e.turn) for turns in conversations.values()]


def _score(report: Report, engine: Engine, example: Example, outcome: Outcome) -> None:
    predicted = outcome.reply.intent
    right = example.label.judge(outcome)
    report.total += 1
    if outcome.kind == "clarify":
        report.clarified += 1
    unknown = not example.label.fallback and any(
        i not in engine.knowledge.intents for i in example.label.intents
    )
    if unknown:
        report.unknown_label += 1
        report.unknown_label_correct += int(right)
    key = example.label.raw
    report.per_intent[key][1] += 1
    if example.turn:
        report.per_turn[example.turn][1] += 1
        report.per_turn[example.turn][0] += int(right)
    if right:
        report.correct += 1
        report.per_intent[key][0] += 1
    else:
        shown = "?" + (predicted or FALLBACK_LABEL) if outcome.kind == "clarify" else predicted
        report.errors.append((example, shown))
        report.confusions[(key, shown or FALLBACK_LABEL)] += 1
    if example.label.fallback:
        if predicted is None:
            report.fallback_tp += 1
        else:
            report.fallback_fn += 1
    elif predicted is None:
        report.fallback_fp += 1


def evaluate(engine: Engine, examples: list[Example], today: date, name: str = "") -> Report:
    """Each question alone, in a fresh session (as `ask` answers them)."""
    report = Report(name=name, frozen="heldout" in name)
    for example in examples:
        _score(report, engine, example, engine.respond(example.question, Session(), today))
    return report


def evaluate_conversations(
    engine: Engine, conversations: list[list[Example]], today: date, name: str = ""
) -> Report:
    """Each conversation in one fresh session, turn by turn (as `chat` answers them)."""
    report = Report(name=name, frozen="heldout" in name)
    for turns in conversations:
        session = Session()
        for example in turns:
            _score(report, engine, example, engine.respond(example.question, session, today))
    return report


def format_report(report: Report, show_errors: bool) -> str:
    lines = [f"{'label':<36} {'right':>5} {'of':>4} {'accuracy':>9}"]
    for intent in sorted(report.per_intent):
        right, total = report.per_intent[intent]
        lines.append(f"{intent:<36} {right:>5} {total:>4} {right / total:>9.1%}")
    lines += [
        "",
        f"questions:           {report.total}",
        f"overall accuracy:    {report.accuracy:.1%} (clarifications count as non-answers)",
        f"ask rate:            {report.ask_rate:.1%} ({report.clarified} clarifications)",
        f"fallback precision:  {_fallback_figure(report, report.fallback_precision)}",
        f"fallback recall:     {_fallback_figure(report, report.fallback_recall)}",
    ]
    if report.fallback_fp:
        lines.append(f"answerable questions that fell back: {report.fallback_fp}")
    if report.unknown_label:
        lines.append(
            f"without {report.unknown_label} question(s) labelled with intents the knowledge "
            f"lacks: {report.known_accuracy:.1%}"
        )
    if report.per_turn:
        lines.append(
            "by turn: "
            + ", ".join(
                f"{turn}: {right}/{total}"
                for turn, (right, total) in sorted(report.per_turn.items())
            )
        )
    if report.confusions and not report.frozen:
        lines += ["", "most frequent confusions (expected -> answered; ? = asked):"]
        for (expected, got), count in report.confusions.most_common(10):
            lines.append(f"  {expected} -> {got}: {count}")
    if show_errors and report.errors:
        if report.frozen:
            lines += ["", "(held-out set: individual failures are not listed; it is not tuned on)"]
        else:
            lines += ["", "wrong answers:"]
            for example, predicted in report.errors:
                where = f"{example.conversation} turn {example.turn}" if example.turn else "line"
                lines.append(
                    f"  {where} {example.line}: {example.question!r} expected "
                    f"{example.label.raw}, got {predicted or FALLBACK_LABEL}"
                )
    return "\n".join(lines)


def _fallback_figure(report: Report, value: float) -> str:
    """A fallback figure, or n/a for a set with no message that must fall back."""
    return f"{value:.1%}" if report.fallback_tp + report.fallback_fn else "n/a"


def format_summary(reports: list[Report]) -> str:
    """Every set on one line each, so dev, tune and held-out figures sit side by side."""
    header = (
        f"{'set':<28} {'n':>5} {'accuracy':>9} {'ask':>6} {'fb prec':>8} {'fb rec':>7} "
        f"{'known-intent acc':>17}"
    )
    lines = [header]
    for r in reports:
        known = f"{r.known_accuracy:.1%} ({r.total - r.unknown_label})" if r.unknown_label else ""
        lines.append(
            f"{r.name:<28} {r.total:>5} {r.accuracy:>9.1%} {r.ask_rate:>6.1%} "
            f"{_fallback_figure(r, r.fallback_precision):>8} "
            f"{_fallback_figure(r, r.fallback_recall):>7} {known:>17}"
        )
    lines.append(
        "accuracy counts a clarification as a non-answer; ask = share of clarifications; "
        "conversation sets are scored per turn; fallback n/a: no message in the set must fall "
        "back; known-intent acc leaves out labels naming intents the knowledge does not have."
    )
    return "\n".join(lines)


def is_conversation_file(path: Path) -> bool:
    first = next(
        (
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ),
        "",
    )
    return first.count("\t") >= 3


def run_eval(
    paths: list[Path] | Path | None,
    settings: Settings,
    today: date,
    stdout: TextIO,
    stderr: TextIO,
    show_errors: bool,
) -> int:
    from bot.app import open_runtime

    if isinstance(paths, Path):
        paths = [paths]
    chosen = list(paths or [])
    if not chosen:
        chosen = [labelled_set(n) for n in (*DEFAULT_SETS, *DEFAULT_CONVERSATIONS)]
        chosen = [p for p in chosen if p.is_file()]
        if not chosen:
            print(
                f"error: no labelled sets in {DATA_DIR}, {QUESTIONS_DIR} or {CONVERSATIONS_DIR}; "
                "give a FILE to evaluate",
                file=stderr,
            )
            return 2
    engine = open_runtime(settings, stderr=stderr).engine
    reports: list[Report] = []
    for path in chosen:
        try:
            if is_conversation_file(path):
                report = evaluate_conversations(
                    engine, read_conversations(path), today, name=path.stem
                )
            else:
                report = evaluate(engine, read_examples(path), today, name=path.stem)
        except (OSError, ValueError) as exc:
            print(f"error: {exc}", file=stderr)
            return 2
        reports.append(report)
    if len(reports) == 1:
        print(format_report(reports[0], show_errors), file=stdout)
        return 0
    for report in reports:
        print(f"== {report.name}", file=stdout)
        print(format_report(report, show_errors), file=stdout)
        print(file=stdout)
    print(format_summary(reports), file=stdout)
    return 0
