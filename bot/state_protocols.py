"""The state interface: what the rest of the bot asks of a state store, as narrow protocols
(sessions, dedup, inbox, blocklist, question log, rate limits, health, retention), and the
values and errors they speak in.

Channels, the conversation service, the inbox worker and the operations code depend on these
protocols only; `bot.state.SqliteState` (embedded) and `bot.state_postgres.PostgresState`
(shared) implement them, and `bot.stores.open_state(settings)` picks one. A new backend is a new
module that imports this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from core.session import Session


class StateError(Exception):
    """The state database cannot be written (locked too long, disk full, unreadable)."""


class WouldWait(StateError):
    """The database is in use right now (SqliteState.at_once); nothing was changed."""


@dataclass(frozen=True)
class InboxItem:
    id: int
    channel: str
    message_id: str
    user_key: str
    payload: dict[str, Any]
    attempts: int
    # The same user's latest message waiting behind this one, as stored: (id, message key,
    # payload). Given by SQLite's claim (None elsewhere): a WhatsApp read receipt for it marks
    # this one and every one in between read too, so one call does for all of them.
    newest: tuple[int, str, dict[str, Any]] | None = None


@dataclass(frozen=True)
class LoggedQuestion:
    user_key: str
    channel: str
    day: str
    text: str
    normalized: str
    intent: str | None
    confidence: float
    kind: str
    candidates: list[tuple[str, float]]


class SessionStore(Protocol):
    def load_session(self, user_key: str, now: float) -> Session: ...
    def save_session(self, user_key: str, session: Session, now: float) -> None: ...


class DedupStore(Protocol):
    def mark_seen(self, channel: str, message_id: str, now: float) -> bool: ...


class InboxStore(Protocol):
    """The durable inbox. `claim` gives each user's earliest unfinished message only, so that
    competing workers can never answer one user's messages out of order."""

    def enqueue(
        self,
        channel: str,
        message_id: str,
        user_key: str,
        payload: dict[str, Any],
        now: float,
        seq: int = 0,
    ) -> bool: ...
    def claim(
        self, channel: str, now: float, lease_s: float, limit: int = 20
    ) -> list[InboxItem]: ...
    def extend_leases(self, item_ids: list[int], until: float) -> None: ...
    def finish(self, item_id: int, now: float, error: str | None = None) -> None: ...
    def retry_later(self, item_id: int, now: float, delay_s: float, error: str) -> None: ...
    def update_payload(self, item_id: int, payload: dict[str, Any]) -> None: ...
    def release_claims(self, channel: str) -> int: ...
    def pending_count(self, channel: str | None = None) -> int: ...
    # SQLite only: truncate the WAL so that erased payloads do not linger in it (bot.inbox
    # calls it when idle); a no-op on PostgreSQL.
    def scrub(self) -> bool: ...


class BlockList(Protocol):
    def block(self, channel: str, user_key: str, now: float, reason: str = "") -> None: ...
    def is_blocked(self, channel: str, user_key: str) -> bool: ...
    def unblock(self, channel: str, user_key: str) -> None: ...


class QuestionLog(Protocol):
    """What the curators' report reads, and the groups they chose to ignore."""

    def log_question(self, entry: LoggedQuestion, now: float) -> None: ...
    def questions(self, since_day: str = "") -> list[LoggedQuestion]: ...
    def ignore_group(self, signature: str, now: float) -> None: ...
    def ignored_groups(self) -> set[str]: ...


class RateLimits(Protocol):
    """The per-user flood guard kept in the store, so that it holds across every instance."""

    def rate_check(self, user_key: str, now: float, limit: int, window_s: float) -> str: ...


class Health(Protocol):
    """What /healthz and /metrics read (bot.health): worker heartbeats and the inbox backlog."""

    def beat(self, name: str, now: float) -> None: ...
    def stop_beating(self, name: str) -> None: ...
    def heartbeats(self) -> dict[str, float]: ...
    def backlog(self) -> tuple[int, float | None]: ...
    def probe(self, timeout_s: float) -> None: ...


class Retention(Protocol):
    def forget(self, user_key: str) -> int: ...
    def link(self, alias_key: str, user_key: str, now: float) -> None: ...
    def purge(self, older_than_days: int, now: float) -> int: ...


class StateStore(
    SessionStore,
    DedupStore,
    InboxStore,
    BlockList,
    QuestionLog,
    RateLimits,
    Health,
    Retention,
    Protocol,
):
    # True when several instances may share the store (PostgreSQL); False for one instance.
    shared: bool

    def close(self) -> None: ...
