"""The composition root: the one place that builds the house for every run mode.

`open_runtime(settings)` gives the parts every run mode shares (the engine, the state store
that the settings choose, the conversation service and the salt); `make_app(settings,
runtime)` builds the aiohttp application around them. `serve`, `work`, Telegram polling,
`chat`, `ask`, `eval`, `try`, `teach`, `report` and `forget` all get their parts here, and
nowhere else is an engine loaded or a store opened.

Each part is made at its first use: `ask` never opens the state database (nor imports the
conversation service or the state store: it starts fast), `report` never loads the engine, and
the acknowledging server (whose worker process answers) never imports the engine, the handlers
or rapidfuzz. So this module imports at its top only what every run mode needs.
"""

from __future__ import annotations

import functools
import sys
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

from bot.config import Settings, require_channel_settings
from bot.privacy import load_or_create_salt, stored_salt

if TYPE_CHECKING:
    from aiohttp import web

    from bot.conversation import Conversation
    from bot.engine import Engine
    from bot.state_protocols import StateStore

# WhatsApp payloads are at most 3 MB; refuse anything larger before reading it.
MAX_BODY_BYTES = 3 * 1024 * 1024


class Runtime:
    """The engine, the state store, the conversation service and the salt of one process.

    Parts given to the constructor are used as they are (tests hand in their own store or
    conversation); the others are made when first asked for. `close()` closes the store if
    this runtime opened it or was given it."""

    def __init__(
        self,
        settings: Settings,
        *,
        state: StateStore | None = None,
        conversation: Conversation | None = None,
        stderr: TextIO | None = None,
    ) -> None:
        self.settings = settings
        self._stderr = stderr
        if state is None and conversation is not None:
            state = conversation.state
        self._state = state
        self._conversation = conversation
        self._own_conversation = conversation is None

    @property
    def state(self) -> StateStore:
        """The store the settings choose: PostgreSQL with BOT_DATABASE_URL, else SQLite."""
        if self._state is None:
            from bot.stores import open_state

            self._state = open_state(self.settings)
        return self._state

    @property
    def conversation(self) -> Conversation:
        """The service every channel talks to; it loads the engine at the first turn."""
        if self._conversation is None:
            from bot.conversation import Conversation

            self._conversation = Conversation.deferred(
                lambda: self._engine, self.state, self.settings
            )
        return self._conversation

    @property
    def engine(self) -> Engine:
        """The engine, loaded (and the knowledge database rebuilt when stale) on first use.
        Asking for it opens no state store (`ask`, `eval` and `try` need none)."""
        if not self._own_conversation:
            return self.conversation.engine
        return self._engine

    @functools.cached_property
    def _engine(self) -> Engine:
        from bot.runtime import load_engine

        return load_engine(self.settings, self._stderr or sys.stderr)

    @functools.cached_property
    def salt(self) -> str:
        """BOT_SECRET_SALT, else one generated once and kept in the data folder."""
        return load_or_create_salt(self.settings.secret_salt, self.settings.data_dir)

    def stored_salt(self) -> str:
        """The salt the stored keys were made with, never a new one (for `forget`)."""
        return stored_salt(self.settings.secret_salt, self.settings.data_dir)

    def close(self) -> None:
        if self._conversation is not None:
            # A retention purge under way finishes on the open store (it is one transaction).
            self._conversation.settle(timeout_s=10.0)
        if self._state is not None:
            self._state.close()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_runtime(settings: Settings, *, stderr: TextIO | None = None) -> Runtime:
    """The runtime for one process; use it as a context manager to close its store."""
    return Runtime(settings, stderr=stderr)


async def _close_gate(app: web.Application) -> None:
    from bot import appkeys

    app[appkeys.DB_GATE].close()


def make_app(settings: Settings, runtime: Runtime) -> web.Application:
    """The aiohttp application: health and metrics, the configured channels' webhooks (or
    Telegram polling inside it) and the curators' desk, all sharing `runtime`."""
    from aiohttp import web

    from bot import appkeys, ops
    from bot.dbgate import DatabaseGate
    from bot.state import SqliteState

    # No middleware: the request deadline is the server's (bot.httpguard.GuardedRunner), the
    # webhook timing each webhook route's (bot.metrics.timed_webhook).
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    state = runtime.state
    app[appkeys.SETTINGS] = settings
    app[appkeys.CONVERSATION] = runtime.conversation
    app[appkeys.STATE] = state
    # The webhooks store through the gate: a locked or slow database costs them a 503 within
    # BOT_DB_WAIT_S, never the event loop. PostgreSQL serves several calls at once.
    # SQLite stores on the event loop when the file is free this instant (bot.dbgate).
    at_once = state.at_once if isinstance(state, SqliteState) else None
    app[appkeys.DB_GATE] = DatabaseGate(
        settings.db_wait_s, threads=4 if state.shared else 1, at_once=at_once
    )
    app.on_cleanup.append(_close_gate)
    ops.setup(app)  # GET /healthz, GET /metrics, the backlog alarm in the log
    # Fail closed, naming every missing setting, before a channel makes anything (a salt).
    require_channel_settings(settings)
    if settings.whatsapp_enabled:
        from bot.channels import whatsapp

        whatsapp.setup(app, runtime.salt)
    if settings.telegram_enabled:
        from bot.channels import telegram

        if settings.telegram_webhook_mode:
            telegram.setup_webhook(app, runtime.salt)
        else:
            # WhatsApp needs the server; Telegram without a webhook URL polls inside it.
            telegram.setup_polling(app, runtime.salt)
    if settings.curator_enabled:
        from bot.curator.web import attach

        attach(app)
    return app
