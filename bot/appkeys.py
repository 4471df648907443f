"""Typed keys of the aiohttp application: the composition root stores its parts here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.config import Settings
from bot.dbgate import DatabaseGate
from bot.state_protocols import StateStore
from bot.wakeup import WakeSender

if TYPE_CHECKING:  # the acknowledging server must not import the engine behind it
    from bot.conversation import Conversation

SETTINGS = web.AppKey("settings", Settings)
CONVERSATION: web.AppKey[Conversation] = web.AppKey("conversation")
STATE = web.AppKey("state", StateStore)
# Every state database call made by a request handler goes through the gate (never blocks).
DB_GATE = web.AppKey("db_gate", DatabaseGate)
# Wakes the worker process after a store (`serve` with SQLite, bot.wakeup); absent when this
# process answers itself (its channels wake their in-process worker) or PostgreSQL notifies.
WAKE_WORKER = web.AppKey("wake_worker", WakeSender)
