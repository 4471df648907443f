"""Which state store this process uses: the one place that knows both implementations."""

from __future__ import annotations

from bot.config import Settings
from bot.state import SqliteState, StateStore


def open_state(settings: Settings) -> StateStore:
    """PostgreSQL when BOT_DATABASE_URL names one, else the embedded SQLite file."""
    if settings.database_url:
        # Imported here so that the embedded default never loads the PostgreSQL driver.
        from bot.state_postgres import PostgresState

        return PostgresState(settings.database_url)
    return SqliteState(settings.state_db)
