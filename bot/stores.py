"""Which state store this process uses: the one place that knows both implementations."""

from __future__ import annotations

from collections.abc import Callable

from bot.config import Settings
from bot.state import SqliteState
from bot.state_protocols import StateStore


def open_state(settings: Settings) -> StateStore:
    """PostgreSQL when BOT_DATABASE_URL names one, else the embedded SQLite file."""
    if settings.database_url:
        # Imported here so that the embedded default never loads the PostgreSQL driver.
        from bot.state_postgres import PostgresState

        return PostgresState(settings.database_url)
    return SqliteState(settings.state_db)


async def listen_for_enqueues(settings: Settings, wake: Callable[[str], None]) -> None:
    """Call `wake(channel)` whenever any server stores a new message, for a shared store that
    notifies (PostgreSQL's LISTEN/NOTIFY); runs until cancelled. The embedded store has no
    other writer to hear from: it returns at once (its workers poll)."""
    if not settings.database_url:
        return
    from bot.state_postgres import listen_for_enqueues as listen

    await listen(settings.database_url, wake)
