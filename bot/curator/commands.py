"""The desk's pages from the command line: `python -m bot try` and `python -m bot facts`
(`report`, `report --ignore` and `teach [--preview]` serve the other pages)."""

from __future__ import annotations

import json
from datetime import date
from typing import TextIO

from bot.config import Settings
from bot.curator.facts import facts_and_problems
from bot.curator.trial import run_trial
from bot.engine import Engine

EXIT_OK = 0
EXIT_INVALID = 2


def try_question(question: str, engine: Engine, today: date, as_json: bool, stdout: TextIO) -> int:
    trial = run_trial(engine, question, today)
    if as_json:
        print(json.dumps(trial.as_dict(), ensure_ascii=False, indent=2), file=stdout)
        return EXIT_OK
    reply = trial.reply
    lines = [
        f"intent: {reply['intent']} ({trial.kind}), confidence {reply['confidence']:.2f}",
        "candidates: " + (", ".join(f"{i} {s:.2f}" for i, _, s in trial.candidates) or "-"),
        "entities: " + (", ".join(f"{k}={v}" for k, v in trial.entities.items()) or "-"),
        "figures:",
        *(f"  {f.figure}: {'; '.join(f.rows) or 'computed'}" for f in trial.figures),
        "sources: " + ("; ".join(reply["sources"]) or "-"),
        *(f"tap {t['title']!r}: {t['reply']['intent']}" for t in trial.taps),
    ]
    for channel, messages in (("telegram", trial.telegram), ("whatsapp", trial.whatsapp)):
        lines.append(f"\n--- {channel}: {len(messages)} message(s)")
        lines += [json.dumps(m, ensure_ascii=False) for m in messages]
    print("\n".join(lines), file=stdout)
    return EXIT_OK


def list_facts(settings: Settings, today: date, as_json: bool, stdout: TextIO) -> int:
    rows, problems = facts_and_problems(settings.knowledge_dir, today)
    if as_json:
        data = {"facts": [vars(r) for r in rows], "problems": [vars(p) for p in problems]}
        print(json.dumps(data, ensure_ascii=False, indent=2), file=stdout)
    else:
        for p in problems:
            where = f"{p.file}:{p.line}" if p.line else p.file
            print(f"problem: {where} [{p.entry}] {p.message}", file=stdout)
        for r in rows:
            case = f"@{r.applies_to}" if r.applies_to else ""
            valid = f"{r.valid_from or '...'} - {r.valid_to or '...'}"
            flags = "" if r.verified else " UNVERIFIED"
            review = f" REVIEW: {r.review}" if r.review else ""
            print(
                f"{r.key}{case} = {r.value} [{valid}, {r.status}]{flags}{review}"
                f" <- {'; '.join(r.sources)}",
                file=stdout,
            )
    return EXIT_INVALID if problems else EXIT_OK
