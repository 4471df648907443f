"""The desk over HTTP: its own small aiohttp application under /curator, served by the bot's
server process on a second, loopback-only address, so that the public webhook port never
carries it.

`attach(app)` is all the server does (when BOT_CURATOR_TOKEN is set); `make_curator_app` builds
the application from the same conversation and state the channels use, so a lesson saved here
is answered at once by the channels of this process. Every page has a JSON twin under
/curator/api/ for scripts with `Authorization: Bearer`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import date
from importlib import resources
from typing import Any

from aiohttp import web

from bot import appkeys
from bot.config import Settings
from bot.conversation import Conversation
from bot.curator import auth, pages
from bot.curator.facts import facts_and_problems
from bot.curator.trial import Trial, render_reply, run_trial
from bot.privacy import mask_text
from bot.report import build_report
from bot.state import now
from bot.state_protocols import StateStore
from bot.teach import Lesson, Taught, TeachError, lesson_for, preview, teach
from core.reply import reply_json
from knowledge import KnowledgeError
from knowledge.model import Intent

log = logging.getLogger(__name__)

SETTINGS = web.AppKey("curator_settings", Settings)
CONVERSATION = web.AppKey("curator_conversation", Conversation)
STATE = web.AppKey("curator_state", StateStore)
# One lesson saved at a time: each edits a source file and rebuilds the database.
TEACH_LOCK = web.AppKey("curator_teach_lock", asyncio.Lock)
# Where the desk listens once started (the main app's key; tests read the port from it).
URL = web.AppKey("curator_url", str)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@web.middleware
async def _headers(request: web.Request, handler: auth.Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(SECURITY_HEADERS)
        raise
    response.headers.update(SECURITY_HEADERS)
    return response


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def _csrf(request: web.Request) -> str:
    session = request[auth.SESSION]
    token = request.app[SETTINGS].curator_token
    # A Bearer client gets forms it can post back with its header; the value is not checked.
    return auth.csrf_for(session, token) if session else "-"


def _today(request: web.Request, raw: str = "") -> date:
    if raw:
        try:
            return date.fromisoformat(raw)
        except ValueError as exc:
            raise web.HTTPBadRequest(
                text=f"tanggal {raw!r} tidak dikenal; tulis 2026-11-21"
            ) from exc
    settings = request.app[SETTINGS]
    return settings.today or date.today()


def _intents(request: web.Request) -> dict[str, Intent]:
    return request.app[CONVERSATION].engine.knowledge.intents


async def _form(request: web.Request) -> dict[str, str]:
    if request.content_type == "application/json":
        try:
            data = await request.json()
        except ValueError as exc:
            raise web.HTTPBadRequest(text="the body is not JSON") from exc
        if not isinstance(data, dict):
            raise web.HTTPBadRequest(text="expected a JSON object")
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
    form = await request.post()
    return {k: v for k, v in form.items() if isinstance(v, str)}


# -- login -----------------------------------------------------------------------------------


async def login_form(request: web.Request) -> web.Response:
    nonce = auth.new_login_nonce()
    response = _html(pages.login_page(nonce))
    auth.set_cookie(response, auth.LOGIN_COOKIE, nonce, auth.LOGIN_NONCE_SECONDS)
    return response


async def login(request: web.Request) -> web.Response:
    form = await _form(request)
    token = request.app[SETTINGS].curator_token
    cookie_nonce = request.cookies.get(auth.LOGIN_COOKIE, "")
    if not cookie_nonce or not auth.token_matches(form.get("nonce", ""), cookie_nonce):
        nonce = auth.new_login_nonce()
        response = _html(pages.login_page(nonce, "Formulir kedaluwarsa. Coba masuk lagi."), 403)
        auth.set_cookie(response, auth.LOGIN_COOKIE, nonce, auth.LOGIN_NONCE_SECONDS)
        return response
    if not auth.token_matches(form.get("token", "").strip(), token):
        log.warning("curator login refused")
        return _html(pages.login_page(cookie_nonce, "Kode akses salah."), 401)
    response = web.HTTPSeeOther("/curator/coba")
    auth.set_cookie(
        response, auth.SESSION_COOKIE, auth.session_value(token, time.time()), auth.SESSION_SECONDS
    )
    response.del_cookie(auth.LOGIN_COOKIE, path=auth.PREFIX)
    raise response


async def logout(request: web.Request) -> web.Response:
    response = web.HTTPSeeOther("/curator/masuk")
    response.del_cookie(auth.SESSION_COOKIE, path=auth.PREFIX)
    raise response


async def static(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    kind = {"css": "text/css", "js": "text/javascript"}[name.rsplit(".", 1)[1]]
    text = resources.files("bot.curator").joinpath("static", name).read_text(encoding="utf-8")
    return web.Response(text=text, content_type=kind, charset="utf-8")


async def home(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther("/curator/coba")


# -- 1. try it -------------------------------------------------------------------------------


async def _trial(request: web.Request) -> tuple[Trial, str, str]:
    form = await _form(request)
    question = form.get("question", "").strip()
    if not question:
        raise web.HTTPBadRequest(text="tulis sebuah pertanyaan")
    day = form.get("tanggal", "") or form.get("today", "")
    engine = request.app[CONVERSATION].engine
    return run_trial(engine, question, _today(request, day)), question, day


async def try_page(request: web.Request) -> web.Response:
    if request.method == "GET":
        return _html(pages.try_page(_csrf(request), _intents(request)))
    trial, question, day = await _trial(request)
    return _html(pages.try_page(_csrf(request), _intents(request), trial, question, day))


async def try_api(request: web.Request) -> web.Response:
    trial, _, _ = await _trial(request)
    return web.json_response(trial.as_dict(), dumps=lambda d: json.dumps(d, ensure_ascii=False))


# -- 2. what the bot missed ------------------------------------------------------------------


async def _report(request: web.Request) -> tuple[dict[str, Any], bool, str]:
    newest = request.query.get("urut") == "terbaru"
    since = request.query.get("sejak", "")
    if since:
        _today(request, since)  # validates the date
    state = request.app[STATE]

    def build() -> dict[str, Any]:
        return build_report(state.questions(since), state.ignored_groups(), newest)

    # Grouping months of questions takes a while: keep the webhooks' event loop free.
    report = await asyncio.to_thread(build)
    # Questions are masked when stored; mask again in case a row predates that rule.
    for group in report["groups"]:
        group["examples"] = [mask_text(x) for x in group["examples"]]
    return report, newest, since


async def missed_page(request: web.Request) -> web.Response:
    report, newest, since = await _report(request)
    return _html(pages.missed_page(_csrf(request), report, _intents(request), newest, since))


async def missed_api(request: web.Request) -> web.Response:
    report, _, _ = await _report(request)
    return web.json_response(report, dumps=lambda d: json.dumps(d, ensure_ascii=False))


async def _ignore(request: web.Request) -> str:
    group = (await _form(request)).get("group", "")
    if not group:
        raise web.HTTPBadRequest(text="no group")
    request.app[STATE].ignore_group(group, now())
    return group


async def ignore_page(request: web.Request) -> web.Response:
    await _ignore(request)
    raise web.HTTPSeeOther("/curator/terlewat")


async def ignore_api(request: web.Request) -> web.Response:
    return web.json_response({"ignored": await _ignore(request)})


# -- 3. teach --------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems


async def _teach(request: web.Request) -> tuple[Lesson, Taught, bool]:
    form = await _form(request)
    target, intent = form.get("target", "").strip(), form.get("intent", "").strip()
    save = form.get("action") == "save" or form.get("preview") == "false"
    if not target or not intent:
        raise web.HTTPBadRequest(text="pilih pertanyaan dan topiknya")
    app = request.app
    settings = app[SETTINGS]
    lesson = await asyncio.to_thread(lesson_for, target, intent, app[STATE])
    today = _today(request)
    run: Callable[[Lesson, Settings, date], Taught] = (
        functools.partial(teach, state=app[STATE]) if save else preview
    )
    try:
        if save:
            async with app[TEACH_LOCK]:
                taught = await asyncio.to_thread(run, lesson, settings, today)
                # The channels of this process answer with the new knowledge from now on.
                app[CONVERSATION].engine = taught.engine
        else:
            taught = await asyncio.to_thread(run, lesson, settings, today)
    except TeachError as exc:
        raise _Refused(str(exc), []) from exc
    except KnowledgeError as exc:
        raise _Refused(
            "dengan perubahan ini pengetahuan bot tidak lolos pemeriksaan.",
            [str(p) for p in exc.problems],
        ) from exc
    if save:
        log.info("curator taught %d example(s) to %s", len(taught.added), intent)
    return lesson, taught, save


async def teach_page(request: web.Request) -> web.Response:
    csrf = _csrf(request)
    try:
        lesson, taught, saved = await _teach(request)
    except _Refused as exc:
        return _html(pages.refused_page(csrf, exc.message, exc.problems), 422)
    telegram, whatsapp = render_reply(taught.reply, None)
    return _html(
        pages.teach_result_page(
            csrf,
            _intents(request),
            saved=saved,
            target=lesson.group or lesson.questions[0],
            intent=lesson.intent,
            questions=tuple(mask_text(q) for q in lesson.questions),
            shown_path=taught.shown_path,
            added=taught.added,
            diff=mask_text(taught.diff),
            telegram=telegram,
            whatsapp=whatsapp,
            answered_as=taught.reply.intent,
        )
    )


async def teach_api(request: web.Request) -> web.Response:
    try:
        lesson, taught, saved = await _teach(request)
    except _Refused as exc:
        return web.json_response({"error": exc.message, "problems": exc.problems}, status=422)
    return web.json_response(
        {
            "saved": saved,
            "intent": lesson.intent,
            "file": taught.shown_path,
            "added": list(taught.added),
            "diff": mask_text(taught.diff),
            "reply": json.loads(reply_json(taught.reply)),
        },
        dumps=lambda d: json.dumps(d, ensure_ascii=False),
    )


# -- 4. facts --------------------------------------------------------------------------------


async def facts_page(request: web.Request) -> web.Response:
    today = _today(request, request.query.get("tanggal", ""))
    rows, problems = await asyncio.to_thread(
        facts_and_problems, request.app[SETTINGS].knowledge_dir, today
    )
    return _html(pages.facts_page(_csrf(request), rows, problems, today))


async def facts_api(request: web.Request) -> web.Response:
    today = _today(request, request.query.get("tanggal", ""))
    rows, problems = await asyncio.to_thread(
        facts_and_problems, request.app[SETTINGS].knowledge_dir, today
    )
    return web.json_response(
        {
            "today": today.isoformat(),
            "facts": [vars(r) for r in rows],
            "problems": [vars(p) for p in problems],
        },
        dumps=lambda d: json.dumps(d, ensure_ascii=False),
    )


# -- the application -------------------------------------------------------------------------


def make_curator_app(
    settings: Settings, conversation: Conversation, state: StateStore
) -> web.Application:
    if not settings.curator_token:
        raise ValueError("the curators' desk needs BOT_CURATOR_TOKEN")
    app = web.Application(
        middlewares=[_headers, auth.middleware(settings.curator_token)],
        client_max_size=64 * 1024,
    )
    app[SETTINGS] = settings
    app[CONVERSATION] = conversation
    app[STATE] = state
    app[TEACH_LOCK] = asyncio.Lock()
    p = auth.PREFIX
    app.router.add_get(p, home)
    app.router.add_get(f"{p}/", home)
    app.router.add_get(f"{p}/masuk", login_form)
    app.router.add_post(f"{p}/masuk", login)
    app.router.add_post(f"{p}/keluar", logout)
    app.router.add_get(p + "/{name:desk\\.(?:css|js)}", static)
    app.router.add_route("*", f"{p}/coba", try_page)
    app.router.add_get(f"{p}/terlewat", missed_page)
    app.router.add_post(f"{p}/abaikan", ignore_page)
    app.router.add_post(f"{p}/ajari", teach_page)
    app.router.add_get(f"{p}/fakta", facts_page)
    app.router.add_post(f"{p}/api/coba", try_api)
    app.router.add_get(f"{p}/api/terlewat", missed_api)
    app.router.add_post(f"{p}/api/abaikan", ignore_api)
    app.router.add_post(f"{p}/api/ajari", teach_api)
    app.router.add_get(f"{p}/api/fakta", facts_api)
    return app


async def _desk_site(app: web.Application) -> AsyncIterator[None]:
    settings = app[appkeys.SETTINGS]
    desk = make_curator_app(settings, app[appkeys.CONVERSATION], app[appkeys.STATE])
    runner = web.AppRunner(desk, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.curator_host, settings.curator_port)
    await site.start()
    host, port = runner.addresses[0][:2]
    shown_host = f"[{host}]" if ":" in host else host
    app[URL] = f"http://{shown_host}:{port}{auth.PREFIX}"
    if settings.curator_host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("the curators' desk listens beyond this machine; serve it only behind HTTPS")
    print(f"Meja kurator: {app[URL]}", file=sys.stderr, flush=True)
    try:
        yield
    finally:
        await runner.cleanup()


def attach(app: web.Application) -> None:
    """Serve the desk beside the bot's own server, on BOT_CURATOR_HOST:BOT_CURATOR_PORT."""
    app.cleanup_ctx.append(_desk_site)
