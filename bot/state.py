"""The state database: sessions, processed ids, the durable inbox, blocked users, question log.

SQLite in WAL mode: one writer, many readers, and a committed row survives a crash or kill -9.
`StateStore` is the interface the rest of the bot uses, so that a shared store (Redis, for several
workers behind a load balancer) is a second implementation rather than a rewrite.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.session import SESSION_TTL_SECONDS, Session

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    user_key TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS seen (
    channel TEXT NOT NULL,
    message_id TEXT NOT NULL,
    seen_at REAL NOT NULL,
    PRIMARY KEY (channel, message_id)
);
CREATE TABLE IF NOT EXISTS inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    message_id TEXT NOT NULL,
    user_key TEXT NOT NULL,
    payload TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    received_at REAL NOT NULL,
    lease_until REAL NOT NULL DEFAULT 0,
    done_at REAL,
    error TEXT,
    UNIQUE (channel, message_id)
);
CREATE INDEX IF NOT EXISTS inbox_status ON inbox (status, id);
CREATE TABLE IF NOT EXISTS blocked (
    channel TEXT NOT NULL,
    user_key TEXT NOT NULL,
    since REAL NOT NULL,
    reason TEXT,
    PRIMARY KEY (channel, user_key)
);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_key TEXT NOT NULL,
    channel TEXT NOT NULL,
    day TEXT NOT NULL,
    text TEXT NOT NULL,
    normalized TEXT NOT NULL,
    intent TEXT,
    confidence REAL NOT NULL,
    kind TEXT NOT NULL,
    candidates TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_day ON questions (day);
CREATE INDEX IF NOT EXISTS questions_user ON questions (user_key);
CREATE TABLE IF NOT EXISTS aliases (
    alias_key TEXT NOT NULL,
    user_key TEXT NOT NULL,
    seen_at REAL NOT NULL,
    PRIMARY KEY (alias_key, user_key)
);
CREATE TABLE IF NOT EXISTS ignored_groups (
    signature TEXT PRIMARY KEY,
    since REAL NOT NULL
);
"""


class StateError(Exception):
    """The state database cannot be written (locked too long, disk full, unreadable)."""


@dataclass(frozen=True)
class InboxItem:
    id: int
    channel: str
    message_id: str
    user_key: str
    payload: dict[str, Any]
    attempts: int


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


class StateStore(Protocol):
    def load_session(self, user_key: str, now: float) -> Session: ...
    def save_session(self, user_key: str, session: Session, now: float) -> None: ...
    def mark_seen(self, channel: str, message_id: str, now: float) -> bool: ...
    def enqueue(
        self, channel: str, message_id: str, user_key: str, payload: dict[str, Any], now: float
    ) -> bool: ...
    def claim(
        self, channel: str, now: float, lease_s: float, limit: int = 20
    ) -> list[InboxItem]: ...
    def finish(self, item_id: int, now: float, error: str | None = None) -> None: ...
    def retry_later(self, item_id: int, now: float, delay_s: float, error: str) -> None: ...
    def update_payload(self, item_id: int, payload: dict[str, Any]) -> None: ...
    def release_claims(self, channel: str) -> int: ...
    def pending_count(self, channel: str | None = None) -> int: ...
    def backlog(self) -> tuple[int, float | None]: ...
    def block(self, channel: str, user_key: str, now: float, reason: str = "") -> None: ...
    def is_blocked(self, channel: str, user_key: str) -> bool: ...
    def log_question(self, entry: LoggedQuestion, now: float) -> None: ...
    def forget(self, user_key: str) -> int: ...
    def link(self, alias_key: str, user_key: str, now: float) -> None: ...
    def scrub(self) -> bool: ...
    def purge(self, older_than_days: int, now: float) -> int: ...
    def close(self) -> None: ...


class SqliteState:
    """The embedded StateStore. Thread-safe by a lock: the event loop calls it directly (each
    call is a short local transaction), and tests may call it from threads."""

    def __init__(self, path: Path, timeout_s: float = 5.0) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        try:
            self._conn = sqlite3.connect(
                path, timeout=timeout_s, check_same_thread=False, isolation_level=None
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a committed row survives a process crash or kill -9.
            self._conn.execute("PRAGMA synchronous=NORMAL")
            # Deleted and overwritten content (an answered message's text and address) is zeroed
            # on disk, not left in free pages.
            self._conn.execute("PRAGMA secure_delete=ON")
            self._conn.execute(f"PRAGMA busy_timeout={int(timeout_s * 1000)}")
            self._conn.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise StateError(f"cannot open the state database {path}: {exc}") from exc

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self._lock:
            try:
                return self._conn.execute(sql, params)
            except sqlite3.Error as exc:
                raise StateError(f"state database error: {exc}") from exc

    def _tx(self, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    for sql, params in statements:
                        self._conn.execute(sql, params)
                    self._conn.execute("COMMIT")
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise StateError(f"state database error: {exc}") from exc

    # -- sessions ------------------------------------------------------------------------------

    def load_session(self, user_key: str, now: float) -> Session:
        row = self._run(
            "SELECT data, updated_at FROM sessions WHERE user_key = ?", (user_key,)
        ).fetchone()
        if row is None or now - float(row[1]) > SESSION_TTL_SECONDS:
            return Session()
        return Session.from_json(row[0])

    def save_session(self, user_key: str, session: Session, now: float) -> None:
        session.updated_at = now
        self._run(
            "INSERT INTO sessions (user_key, data, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(user_key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
            (user_key, session.to_json(), now),
        )

    # -- deduplication -------------------------------------------------------------------------

    def mark_seen(self, channel: str, message_id: str, now: float) -> bool:
        """True the first time an id is seen; False for a redelivery."""
        cur = self._run(
            "INSERT OR IGNORE INTO seen (channel, message_id, seen_at) VALUES (?, ?, ?)",
            (channel, message_id, now),
        )
        return cur.rowcount == 1

    # -- durable inbox -------------------------------------------------------------------------

    def enqueue(
        self, channel: str, message_id: str, user_key: str, payload: dict[str, Any], now: float
    ) -> bool:
        """Store a new message before it is acknowledged; False when this id was seen before."""
        cur = self._run(
            "INSERT OR IGNORE INTO inbox (channel, message_id, user_key, payload, received_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (channel, message_id, user_key, json.dumps(payload, ensure_ascii=False), now),
        )
        return cur.rowcount == 1

    def claim(self, channel: str, now: float, lease_s: float, limit: int = 20) -> list[InboxItem]:
        """Take pending messages (and ones whose worker died mid-way) for `lease_s` seconds."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                rows = self._conn.execute(
                    "SELECT id, channel, message_id, user_key, payload, attempts FROM inbox "
                    "WHERE channel = ? AND status IN ('pending', 'working') AND lease_until <= ? "
                    "ORDER BY id LIMIT ?",
                    (channel, now, limit),
                ).fetchall()
                self._conn.executemany(
                    "UPDATE inbox SET status = 'working', lease_until = ?, attempts = attempts + 1 WHERE id = ?",
                    [(now + lease_s, r[0]) for r in rows],
                )
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._conn.execute("ROLLBACK") if self._conn.in_transaction else None
                raise StateError(f"state database error: {exc}") from exc
        return [InboxItem(r[0], r[1], r[2], r[3], json.loads(r[4] or "{}"), r[5] + 1) for r in rows]

    def finish(self, item_id: int, now: float, error: str | None = None) -> None:
        """Done (answered, or given up on with `error`). The payload, which holds the sender's
        raw id for the reply, is erased: nothing personal stays behind."""
        self._run(
            "UPDATE inbox SET status = ?, done_at = ?, error = ?, payload = NULL WHERE id = ?",
            ("failed" if error else "done", now, error, item_id),
        )

    def retry_later(self, item_id: int, now: float, delay_s: float, error: str) -> None:
        self._run(
            "UPDATE inbox SET status = 'pending', lease_until = ?, error = ? WHERE id = ?",
            (now + delay_s, error, item_id),
        )

    def update_payload(self, item_id: int, payload: dict[str, Any]) -> None:
        """Replace the payload of an unfinished item, e.g. with the rendered reply and how much
        of it was sent, so that a retry or a restart resumes the sending instead of running the
        conversation turn (and sending the first parts) again."""
        self._run(
            "UPDATE inbox SET payload = ? WHERE id = ? AND status IN ('pending', 'working')",
            (json.dumps(payload, ensure_ascii=False), item_id),
        )

    def release_claims(self, channel: str) -> int:
        """Make every claimed item claimable now. Only for the one worker of a single-node bot,
        at its start: whoever held the claims is gone, so waiting out their leases helps nobody."""
        cur = self._run(
            "UPDATE inbox SET status = 'pending', lease_until = 0 WHERE channel = ? AND status = 'working'",
            (channel,),
        )
        return cur.rowcount

    def pending_count(self, channel: str | None = None) -> int:
        if channel is None:
            row = self._run(
                "SELECT COUNT(*) FROM inbox WHERE status IN ('pending', 'working')"
            ).fetchone()
        else:
            row = self._run(
                "SELECT COUNT(*) FROM inbox WHERE channel = ? AND status IN ('pending', 'working')",
                (channel,),
            ).fetchone()
        return int(row[0])

    def backlog(self) -> tuple[int, float | None]:
        """Unanswered messages: how many, and when the oldest of them arrived."""
        row = self._run(
            "SELECT COUNT(*), MIN(received_at) FROM inbox WHERE status IN ('pending', 'working')"
        ).fetchone()
        return int(row[0]), (float(row[1]) if row[1] is not None else None)

    # -- blocked users -------------------------------------------------------------------------

    def block(self, channel: str, user_key: str, now: float, reason: str = "") -> None:
        self._run(
            "INSERT OR REPLACE INTO blocked (channel, user_key, since, reason) VALUES (?, ?, ?, ?)",
            (channel, user_key, now, reason),
        )

    def is_blocked(self, channel: str, user_key: str) -> bool:
        row = self._run(
            "SELECT 1 FROM blocked WHERE channel = ? AND user_key = ?", (channel, user_key)
        ).fetchone()
        return row is not None

    def unblock(self, channel: str, user_key: str) -> None:
        self._run("DELETE FROM blocked WHERE channel = ? AND user_key = ?", (channel, user_key))

    # -- question log (already masked by the caller) --------------------------------------------

    def log_question(self, entry: LoggedQuestion, now: float) -> None:
        self._run(
            "INSERT INTO questions (user_key, channel, day, text, normalized, intent, confidence, kind, "
            "candidates, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.user_key,
                entry.channel,
                entry.day,
                entry.text,
                entry.normalized,
                entry.intent,
                entry.confidence,
                entry.kind,
                json.dumps(entry.candidates),
                now,
            ),
        )

    def questions(self, since_day: str = "") -> list[LoggedQuestion]:
        rows = self._run(
            "SELECT user_key, channel, day, text, normalized, intent, confidence, kind, candidates "
            "FROM questions WHERE day >= ? ORDER BY id",
            (since_day,),
        ).fetchall()
        return [
            LoggedQuestion(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                float(r[6]),
                r[7],
                [(str(c[0]), float(c[1])) for c in json.loads(r[8])],
            )
            for r in rows
        ]

    def ignore_group(self, signature: str, now: float) -> None:
        self._run(
            "INSERT OR REPLACE INTO ignored_groups (signature, since) VALUES (?, ?)",
            (signature, now),
        )

    def ignored_groups(self) -> set[str]:
        return {r[0] for r in self._run("SELECT signature FROM ignored_groups").fetchall()}

    # -- privacy -------------------------------------------------------------------------------

    def link(self, alias_key: str, user_key: str, now: float) -> None:
        """Remember that `alias_key` (a hashed phone number) is also the user keyed `user_key`
        (a hashed BSUID), so that `forget` finds the user by either."""
        self._run(
            "INSERT OR IGNORE INTO aliases (alias_key, user_key, seen_at) VALUES (?, ?, ?)",
            (alias_key, user_key, now),
        )

    def forget(self, user_key: str) -> int:
        """Remove everything kept about one user, under any of their keys (an alias such as the
        phone number behind a BSUID, and their keys as a member of groups, `key.group`);
        returns the number of rows removed."""
        keys = {user_key}
        for row in self._run(
            "SELECT alias_key, user_key FROM aliases WHERE alias_key = ? OR user_key = ?",
            (user_key, user_key),
        ).fetchall():
            keys.update(row)
        removed = 0
        for key in sorted(keys):
            member = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ".%"
            for table, extra in (
                ("sessions", ""),
                ("questions", ""),
                ("blocked", ""),
                ("inbox", " AND status NOT IN ('pending', 'working')"),
            ):
                removed += self._run(
                    f"DELETE FROM {table} WHERE (user_key = ? OR user_key LIKE ? ESCAPE '\\'){extra}",
                    (key, member),
                ).rowcount
            removed += self._run(
                "DELETE FROM aliases WHERE alias_key = ? OR user_key = ?", (key, key)
            ).rowcount
        return removed

    def scrub(self) -> bool:
        """Copy the WAL into the database and truncate it, so that the pages that held answered
        messages (text, the address to reply to) do not linger in the WAL file. False when a
        reader kept it from completing (the next scrub catches up)."""
        row = self._run("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return row is not None and int(row[0]) == 0

    def purge(self, older_than_days: int, now: float) -> int:
        """Apply the retention period to stored questions, old sessions and old dedup ids."""
        cutoff = now - older_than_days * 86400
        removed = 0
        for sql in (
            "DELETE FROM questions WHERE created_at < ?",
            "DELETE FROM sessions WHERE updated_at < ?",
            "DELETE FROM seen WHERE seen_at < ?",
            "DELETE FROM inbox WHERE status IN ('done', 'failed') AND received_at < ?",
            "DELETE FROM aliases WHERE seen_at < ?",
        ):
            removed += self._run(sql, (cutoff,)).rowcount
        return removed

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def now() -> float:
    return time.time()
