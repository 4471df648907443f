"""Typed keys of the aiohttp application: the composition root stores its parts here."""

from __future__ import annotations

from aiohttp import web

from bot.config import Settings
from bot.conversation import Conversation
from bot.dbgate import DatabaseGate
from bot.state import StateStore

SETTINGS = web.AppKey("settings", Settings)
CONVERSATION = web.AppKey("conversation", Conversation)
STATE = web.AppKey("state", StateStore)
# Every state database call made by a request handler goes through the gate (never blocks).
DB_GATE = web.AppKey("db_gate", DatabaseGate)
