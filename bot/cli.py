"""Command line: `python -m bot [command]`. One process, one composition root per command."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from bot.config import ConfigError, Settings, load_settings

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INVALID = 2


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a date like 2026-11-21") from exc


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Tanya Jamsos: an unofficial BPJS Ketenagakerjaan information bot.",
    )
    sub = parser.add_subparsers(dest="command")
    chat = sub.add_parser("chat", help="console chat (reads lines from stdin when not a terminal)")
    chat.add_argument("--today", type=_date, help="answer as if today were this date")
    ask = sub.add_parser("ask", help="answer one question, or every line of stdin")
    ask.add_argument("question", nargs="*", help="the question; omitted: read stdin")
    ask.add_argument("--json", action="store_true", help="one JSON object per answer")
    ask.add_argument("--today", type=_date, help="answer as if today were this date")
    sub.add_parser("build", help="validate the knowledge sources and compile the database")
    sub.add_parser("check", help="validate the knowledge sources without writing anything")
    ev = sub.add_parser("eval", help="accuracy on a labelled question file")
    ev.add_argument(
        "file",
        type=Path,
        nargs="?",
        help="TSV: question<TAB>intent (default: tests/data/devset.tsv)",
    )
    ev.add_argument("--today", type=_date, help="evaluate as if today were this date")
    ev.add_argument("--errors", action="store_true", help="also list every wrong answer")
    serve = sub.add_parser("serve", help="run the webhook server (WhatsApp, Telegram webhook)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    return parser


def _today(settings: Settings, override: date | None) -> date:
    return override or settings.today or date.today()


def main(
    argv: Sequence[str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"error: {exc}", file=stderr)
        return EXIT_INVALID
    logging.basicConfig(
        level=settings.log_level, stream=stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    from knowledge import KnowledgeError

    try:
        return _dispatch(args, settings, stdin, stdout, stderr)
    except KnowledgeError as exc:
        print(_knowledge_error(exc, settings.knowledge_db.is_file()), file=stderr)
        return EXIT_INVALID
    except ConfigError as exc:
        print(f"error: {exc}", file=stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return EXIT_OK


def _knowledge_error(exc: Exception, have_database: bool) -> str:
    problems = getattr(exc, "problems", [])
    shown = [f"  - {p}" for p in problems[:20]]
    more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
    kept = (
        "the last good database stays in use"
        if have_database
        else "there is no knowledge database yet, so the bot cannot start"
    )
    return (
        f"error: the knowledge has {len(problems)} problem(s); nothing was written and {kept}.\n"
        "Fix each one below, then run `python -m bot build`:\n" + "\n".join(shown) + more
    )


def _dispatch(
    args: argparse.Namespace, settings: Settings, stdin: TextIO, stdout: TextIO, stderr: TextIO
) -> int:
    command = args.command
    if command in ("build", "check"):
        return _build(command, settings, stdout)
    if command == "ask":
        return _ask(args, settings, stdin, stdout, stderr)
    if command == "chat":
        return _chat(settings, _today(settings, args.today), stdin, stdout, stderr)
    if command == "eval":
        from bot.evaluate import run_eval

        return run_eval(
            args.file, settings, _today(settings, args.today), stdout, stderr, args.errors
        )
    if command == "serve":
        from bot.server import serve

        return serve(settings, host=args.host, port=args.port)
    return _main_job(settings, stdin, stdout, stderr)


def _main_job(settings: Settings, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    if settings.whatsapp_enabled or settings.telegram_webhook_mode:
        from bot.server import serve

        return serve(settings)
    if settings.telegram_enabled:
        from bot.channels.telegram import run_polling

        return run_polling(settings)
    print(
        "No channel is configured in .env (TELEGRAM_BOT_TOKEN or WHATSAPP_*): opening the console chat.",
        file=stderr,
    )
    return _chat(settings, _today(settings, None), stdin, stdout, stderr)


def _build(command: str, settings: Settings, stdout: TextIO) -> int:
    from handlers import HANDLERS
    from knowledge import build
    from knowledge.build import check

    if command == "check":
        compiled = check(settings.knowledge_dir, set(HANDLERS))
        print(
            f"ok: {len(compiled.intents)} intents, {len(compiled.facts)} facts, no problems",
            file=stdout,
        )
        return EXIT_OK
    result = build(settings.knowledge_db, settings.knowledge_dir, set(HANDLERS))
    print(
        f"built {result.path}: {result.intents} intents, {result.examples} examples, {result.facts} facts",
        file=stdout,
    )
    return EXIT_OK


def reply_json(reply: object) -> str:
    from bot.reply import Reply

    assert isinstance(reply, Reply)
    return json.dumps(
        {
            "intent": reply.intent,
            "confidence": reply.confidence,
            "text": reply.text,
            "options": [{"id": o.id, "title": o.title} for o in reply.options],
            "sources": list(reply.sources),
        },
        ensure_ascii=False,
    )


def _ask(
    args: argparse.Namespace, settings: Settings, stdin: TextIO, stdout: TextIO, stderr: TextIO
) -> int:
    from bot.channels.console import render
    from bot.runtime import load_engine
    from bot.session import Session

    engine = load_engine(settings, stderr)
    today = _today(settings, args.today)
    questions = (
        [" ".join(args.question)] if args.question else (line.rstrip("\n") for line in stdin)
    )
    for question in questions:
        reply = engine.answer(question, Session(), today)
        if args.json:
            print(reply_json(reply), file=stdout, flush=True)
        else:
            print(render(reply) + ("\n" if not args.question else ""), file=stdout, flush=True)
    return EXIT_OK


def _chat(settings: Settings, today: date, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    from bot.channels.console import render
    from bot.runtime import load_engine
    from bot.session import Session

    engine = load_engine(settings, stderr)
    session = Session()
    interactive = stdin.isatty()
    if interactive:
        print(
            render(engine.select("salam", session, today))
            if "salam" in engine.knowledge.intents
            else "",
            file=stdout,
        )
        print("(ketik pertanyaan; Ctrl-D atau 'keluar' untuk berhenti)\n", file=stdout)
    while True:
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        text = line.strip()
        if text.lower() in ("keluar", "exit", "quit"):
            break
        reply = engine.answer(text, session, today)
        print(render(reply) + "\n", file=stdout, flush=True)
    return EXIT_OK
