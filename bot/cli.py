"""Command line: `python -m bot [command]`. One process, one composition root per command."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from bot.config import ConfigError, Settings, load_settings
from bot.logs import setup_logging
from core.reply import reply_json

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
        prog="tanya-jamsos",
        description="Tanya Jamsos: an unofficial BPJS Ketenagakerjaan information bot.",
    )
    sub = parser.add_subparsers(dest="command")
    chat = sub.add_parser("chat", help="console chat (reads lines from stdin when not a terminal)")
    chat.add_argument("--today", type=_date, help="answer as if today were this date")
    chat.add_argument(
        "--continue",
        dest="resume",
        action="store_true",
        help="continue the previous console conversation instead of starting fresh",
    )
    ask = sub.add_parser("ask", help="answer one question, or every line of stdin")
    ask.add_argument("question", nargs="*", help="the question; omitted: read stdin")
    ask.add_argument("--json", action="store_true", help="one JSON object per answer")
    ask.add_argument("--today", type=_date, help="answer as if today were this date")
    sub.add_parser("build", help="validate the knowledge sources and compile the database")
    check = sub.add_parser(
        "check", help="validate the knowledge sources; list facts that are stale or due soon"
    )
    check.add_argument(
        "--today", type=_date, help="list what is stale on this date or due within 60 days of it"
    )
    ev = sub.add_parser("eval", help="accuracy on a labelled question file")
    ev.add_argument(
        "file",
        type=Path,
        nargs="*",
        help=(
            "TSV: question<TAB>label, or conversation<TAB>turn<TAB>message<TAB>label "
            "(default: every set in knowledge/questions and tests/data, side by side)"
        ),
    )
    ev.add_argument("--today", type=_date, help="evaluate as if today were this date")
    ev.add_argument("--errors", action="store_true", help="also list every wrong answer")
    report = sub.add_parser("report", help="what the bot did not understand, and usage figures")
    report.add_argument("--since", type=_date, help="only questions from this date on")
    report.add_argument("--json", action="store_true", help="machine-readable output")
    report.add_argument("--ignore", metavar="GROUP", help="hide a group from future reports")
    report.add_argument(
        "--newest",
        action="store_true",
        help="most recently asked groups first (else most frequent)",
    )
    teach = sub.add_parser(
        "teach", help="add a question (or a report group) as examples of an intent"
    )
    teach.add_argument("question", help="a question, or a group id from `report` such as g1a2b3c4d")
    teach.add_argument("intent", help="the intent id that should answer it")
    teach.add_argument(
        "--preview", action="store_true", help="show the change and the new answer; save nothing"
    )
    trial = sub.add_parser(
        "try", help="one question with everything the curators' desk shows about its answer"
    )
    trial.add_argument("question", nargs="+")
    trial.add_argument("--today", type=_date, help="answer as if today were this date")
    trial.add_argument("--json", action="store_true", help="the same JSON as the desk's API")
    facts = sub.add_parser("facts", help="every fact with value, validity and source; problems")
    facts.add_argument("--today", type=_date, help="validity as of this date")
    facts.add_argument("--json", action="store_true", help="machine-readable output")
    forget = sub.add_parser("forget", help="remove everything stored about one user")
    forget.add_argument(
        "user", help="a stored user key (e.g. wh_3f...) or CHANNEL:ID (e.g. telegram:12345)"
    )
    sub.add_parser("work", help="answer the inbox of every channel (`serve` starts one itself)")
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
    setup_logging(settings.log_level, settings.log_format, stderr)
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
    except BrokenPipeError:
        # `python -m bot ask ... | head`: the reader left; that is not an error of ours.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        # A state store's error, when a command opened one: bot.state is not imported for
        # commands that have none (`ask` starts faster without it).
        state = sys.modules.get("bot.state")
        if state is None or not isinstance(exc, state.StateError):
            raise
        print(f"error: {exc}", file=stderr)
        return EXIT_INVALID


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
        "Fix each one below, then run `tanya-jamsos build`:\n" + "\n".join(shown) + more
    )


def _dispatch(
    args: argparse.Namespace, settings: Settings, stdin: TextIO, stdout: TextIO, stderr: TextIO
) -> int:
    command = args.command
    if command in ("build", "check"):
        return _build(command, settings, stdout, _today(settings, getattr(args, "today", None)))
    if command == "ask":
        return _ask(args, settings, stdin, stdout, stderr)
    if command == "chat":
        return _chat(
            settings, _today(settings, args.today), stdin, stdout, stderr, resume=args.resume
        )
    if command == "eval":
        from bot.evaluate import run_eval

        return run_eval(
            args.file, settings, _today(settings, args.today), stdout, stderr, args.errors
        )
    if command == "report":
        return _report(args, settings, stdout)
    if command == "teach":
        return _teach(args, settings, stdout, stderr)
    if command == "forget":
        return _forget(args, settings, stdout, stderr)
    if command in ("try", "facts"):
        from bot.curator import commands

        today = _today(settings, args.today)
        if command == "facts":
            return commands.list_facts(settings, today, args.json, stdout)
        from bot.app import open_runtime

        question = " ".join(args.question)
        engine = open_runtime(settings, stderr=stderr).engine
        return commands.try_question(question, engine, today, args.json, stdout)
    if command == "work":
        return _work(settings)
    if command == "serve":
        from bot.server import serve

        return serve(settings, host=args.host, port=args.port)
    return _main_job(settings, stdin, stdout, stderr)


def _main_job(settings: Settings, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    if settings.whatsapp_enabled or settings.telegram_webhook_mode or settings.curator_enabled:
        from bot.server import serve

        return serve(settings)
    if settings.telegram_enabled:
        from bot.polling import run_polling

        return run_polling(settings)
    print(
        "No channel is configured in .env (TELEGRAM_BOT_TOKEN or WHATSAPP_*): opening the console chat.",
        file=stderr,
    )
    return _chat(settings, _today(settings, None), stdin, stdout, stderr)


def _build(command: str, settings: Settings, stdout: TextIO, today: date) -> int:
    from handlers import HANDLERS
    from knowledge import build
    from knowledge.build import check
    from knowledge.lifecycle import format_review, review_list

    if command == "check":
        compiled = check(settings.knowledge_dir, set(HANDLERS))
        print(
            f"ok: {len(compiled.intents)} intents, {len(compiled.facts)} facts, no problems",
            file=stdout,
        )
        print(format_review(review_list(compiled.facts, today), today), file=stdout)
        return EXIT_OK
    from bot.prepared import prepare_database

    result = build(settings.knowledge_db, settings.knowledge_dir, set(HANDLERS), prepare_database)
    print(
        f"built {result.path}: {result.intents} intents, {result.examples} examples, {result.facts} facts",
        file=stdout,
    )
    return EXIT_OK


def _ask(
    args: argparse.Namespace, settings: Settings, stdin: TextIO, stdout: TextIO, stderr: TextIO
) -> int:
    # Only what answering needs: `ask` is also how scripts call the bot, so it starts fast.
    from bot.app import open_runtime
    from bot.channels.console import render
    from core.reply import Reply
    from core.session import Session
    from handlers.notices import APOLOGY_TEXT

    engine = open_runtime(settings, stderr=stderr).engine
    today = _today(settings, args.today)
    questions = (
        [" ".join(args.question)] if args.question else (line.rstrip("\n") for line in stdin)
    )
    failed = 0
    for question in questions:
        try:
            reply = engine.answer(question, Session(), today)
        except Exception as exc:
            # One question that breaks the engine must not cost the answers to the next ones;
            # the exit code still says something went wrong.
            print(f"error: the question could not be answered ({type(exc).__name__})", file=stderr)
            reply = Reply(text=APOLOGY_TEXT)
            failed += 1
        if args.json:
            print(reply_json(reply), file=stdout, flush=True)
        else:
            print(render(reply) + ("\n" if not args.question else ""), file=stdout, flush=True)
    return EXIT_ERROR if failed else EXIT_OK


def _chat(
    settings: Settings,
    today: date,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    *,
    resume: bool = False,
) -> int:
    """`chat`: the console channel (bot.channels.console) on this process's runtime."""
    from dataclasses import replace

    from bot.app import open_runtime
    from bot.channels import console

    # The console is one trusted person at a keyboard: no flood guard.
    with open_runtime(replace(settings, today=today, rate_limit=10**9), stderr=stderr) as runtime:
        runtime.engine  # noqa: B018 - loaded before the first prompt: a broken setup fails now
        console.chat(runtime.conversation, runtime.salt, stdin, stdout, resume=resume)
    return EXIT_OK


def _report(args: argparse.Namespace, settings: Settings, stdout: TextIO) -> int:
    from bot.app import open_runtime
    from bot.report import as_json, build_report, format_report
    from bot.state import now

    runtime = open_runtime(settings)
    state = runtime.state
    try:
        if args.ignore:
            state.ignore_group(args.ignore, now())
            print(f"group {args.ignore} will no longer be shown", file=stdout)
            return EXIT_OK
        since = args.since.isoformat() if args.since else ""
        report = build_report(state.questions(since), state.ignored_groups(), args.newest)
    finally:
        runtime.close()
    print(as_json(report) if args.json else format_report(report), file=stdout)
    return EXIT_OK


def _teach(args: argparse.Namespace, settings: Settings, stdout: TextIO, stderr: TextIO) -> int:
    from bot.app import open_runtime
    from bot.channels.console import render
    from bot.teach import TeachError, lesson_for, preview, teach

    with open_runtime(settings) as runtime:
        lesson = lesson_for(args.question, args.intent, runtime.state)
        try:
            if args.preview:
                taught = preview(lesson, settings, _today(settings, None))
            else:
                taught = teach(lesson, settings, _today(settings, None), runtime.state)
        except TeachError as exc:
            print(f"error: {exc}", file=stderr)
            return EXIT_INVALID
    if args.preview:
        print(f"preview, nothing saved: {taught.shown_path} would change like this:\n", file=stdout)
        print(taught.diff or "(no change: the question(s) are examples already)", file=stdout)
    else:
        print(
            f"added {len(taught.added)} example(s) to {args.intent} in {taught.shown_path};"
            " rebuilt the knowledge",
            file=stdout,
        )
    first = lesson.questions[0]
    verb = "would be" if args.preview else "is"
    print(f"\nNow {first!r} {verb} answered as {taught.reply.intent}:\n", file=stdout)
    print(render(taught.reply), file=stdout)
    return EXIT_OK


def _forget(args: argparse.Namespace, settings: Settings, stdout: TextIO, stderr: TextIO) -> int:
    from bot.app import open_runtime
    from bot.privacy import SaltError, user_key

    runtime = open_runtime(settings)
    key = args.user
    channel, sep, raw = key.partition(":")
    if sep:
        try:
            # Never a new salt: with another one every key differs, nothing would be found,
            # and the user would be told they were forgotten.
            salt = runtime.stored_salt()
        except SaltError as exc:
            print(f"error: {exc}", file=stderr)
            return EXIT_INVALID
        raw = raw.strip()
        if channel == "whatsapp" and re.fullmatch(r"\+?[\d\s.\-()]+", raw):
            # A phone number as people write it; WhatsApp sends it as bare digits.
            raw = re.sub(r"\D", "", raw)
        key = user_key(channel, raw, salt)
    with runtime:
        removed = runtime.state.forget(key)
    print(f"removed {removed} record(s) for {key}", file=stdout)
    return EXIT_OK


def _work(settings: Settings) -> int:
    import asyncio
    import signal

    from bot.worker import work

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await work(settings, stop)

    asyncio.run(run())
    return EXIT_OK
