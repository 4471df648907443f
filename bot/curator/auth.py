"""Who may use the desk: the holder of BOT_CURATOR_TOKEN, and nobody else.

A request proves it with `Authorization: Bearer <token>` (scripts) or with the session cookie the
login form sets (people). The cookie holds no token: it is an expiry time signed with the token,
Secure, HttpOnly, SameSite=Strict and limited to /curator. Every form a cookie session posts
carries a CSRF token derived from that cookie; the login form is protected by a double-submit
nonce. Every comparison is constant-time (hmac.compare_digest).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

PREFIX = "/curator"
SESSION_COOKIE = "curator_session"
LOGIN_COOKIE = "curator_login"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
SESSION_SECONDS = 12 * 3600
LOGIN_NONCE_SECONDS = 3600
# The only paths open without a token: the login form and the page's own style and script.
PUBLIC_PATHS = frozenset({f"{PREFIX}/masuk", f"{PREFIX}/desk.css", f"{PREFIX}/desk.js"})
# Set by the middleware: the cookie session of this request, "" for a Bearer request.
SESSION = web.RequestKey("curator_session", str)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _mac(token: str, purpose: str) -> str:
    return hmac.new(token.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def token_matches(given: str, token: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), token.encode())


def session_value(token: str, now: float) -> str:
    expires = int(now) + SESSION_SECONDS
    return f"{expires}.{_mac(token, f'session:{expires}')}"


def session_valid(value: str, token: str, now: float) -> bool:
    expires, _, mac = value.partition(".")
    if not expires.isdigit() or int(expires) < now:
        return False
    return hmac.compare_digest(mac.encode(), _mac(token, f"session:{expires}").encode())


def csrf_for(session: str, token: str) -> str:
    return _mac(token, f"csrf:{session}")[:32]


def new_login_nonce() -> str:
    return secrets.token_urlsafe(24)


def set_cookie(response: web.StreamResponse, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PREFIX,
        secure=True,
        httponly=True,
        samesite="Strict",
    )


def bearer_token(request: web.Request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _refuse(request: web.Request) -> web.StreamResponse:
    wants_page = request.method == "GET" and "text/html" in request.headers.get("Accept", "")
    if wants_page:
        raise web.HTTPSeeOther(f"{PREFIX}/masuk")
    return web.json_response(
        {"error": "not authorised: send Authorization: Bearer <BOT_CURATOR_TOKEN>"},
        status=401,
        headers={"WWW-Authenticate": 'Bearer realm="curator"'},
    )


async def _posted_csrf(request: web.Request) -> str:
    if header := request.headers.get(CSRF_HEADER):
        return header
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        value = form.get(CSRF_FIELD, "")
        return value if isinstance(value, str) else ""
    return ""


def middleware(token: str, clock: Callable[[], float] = time.time) -> Middleware:
    @web.middleware
    async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in PUBLIC_PATHS:
            return await handler(request)
        if token_matches(bearer_token(request), token):
            request[SESSION] = ""
            return await handler(request)
        session = request.cookies.get(SESSION_COOKIE, "")
        if not session_valid(session, token, clock()):
            return _refuse(request)
        request[SESSION] = session
        if request.method not in ("GET", "HEAD") and not hmac.compare_digest(
            (await _posted_csrf(request)).encode(), csrf_for(session, token).encode()
        ):
            raise web.HTTPForbidden(text="Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi.")
        return await handler(request)

    return authenticate
