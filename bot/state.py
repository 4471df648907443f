"""The state database: sessions, processed ids, the durable inbox, blocked users, question log.

SQLite in WAL mode: one writer, many readers, and a committed row survives a crash or kill -9.
It serves one machine and one instance (see bot/instance.py). It implements `StateStore`, the
interface the rest of the bot uses (narrow protocols in bot/state_protocols.py: sessions, dedup,
inbox, blocklist, question log, privacy); `bot.state_postgres.PostgresState` is the second implementation, shared by any number
of instances on any number of machines. `bot.stores.open_state(settings)` picks one by
BOT_DATABASE_URL.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bot.jsontext import to_json
from bot.state_protocols import InboxItem, LoggedQuestion, StateError, WouldWait
from bot.state_sql import (
    PURGE_SQL,
    forget_user,
    question_from_row,
    question_params,
    rate_verdict,
    session_json,
)
from core.session import SESSION_TTL_SECONDS, Session

T = TypeVar("T")
# A write held back by SqliteState.deferring: its SQL and parameters.
Statement = tuple[str, tuple[Any, ...]]


INBOX_COLUMNS = """
    id INTEGER PRIMARY KEY,
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
    seq INTEGER NOT NULL DEFAULT 0,
    UNIQUE (channel, message_id)
"""
SCHEMA = f"""
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
{INBOX_COLUMNS});
-- Indexes over every row cost each acknowledgement (and each claim and finish) an update, and
-- nothing reads them since the partial ones below exist: `forget` filters on user keys with a
-- LIKE that no index serves. Dropped from state files made by older bots.
DROP INDEX IF EXISTS inbox_status;
DROP INDEX IF EXISTS inbox_user;
-- One partial index over the unfinished rows only: the claim, its per-user ordering check and
-- the backlog count read it, so they stay as fast with 100k finished rows kept as with none. One,
-- not two: every index an unfinished row is in is one more page written by each
-- acknowledgement, claim and finish (the claim sorts the few unfinished rows by id instead).
DROP INDEX IF EXISTS inbox_open;
DROP INDEX IF EXISTS inbox_user_open;
CREATE INDEX IF NOT EXISTS inbox_waiting ON inbox (channel, user_key, seq, id)
    WHERE status IN ('pending', 'working');
CREATE INDEX IF NOT EXISTS inbox_finished ON inbox (received_at) WHERE status IN ('done', 'failed');
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
CREATE TABLE IF NOT EXISTS rate_events (
    user_key TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS rate_events_user ON rate_events (user_key, at);
CREATE TABLE IF NOT EXISTS rate_warned (
    user_key TEXT PRIMARY KEY,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS heartbeats (
    name TEXT PRIMARY KEY,
    beat_at REAL NOT NULL
);
"""


# Each user's earliest unfinished message only: a later one waits until the earlier one is done
# (or given up), also while the earlier one waits for a retry. One worker at a time per user.
# "Earliest" is by the platform's own order where it gives one (`seq`: Telegram's update_id;
# 0 for WhatsApp), then by storage order: two updates of one chat stored in the same instant by
# two webhook requests are answered in Telegram's order, whichever committed first. One that is
# stored while a later one is already being answered (lease held) waits for it.
CLAIM_SQL = """
SELECT id, channel, message_id, user_key, payload, attempts FROM inbox AS i
WHERE channel = ?1 AND status IN ('pending', 'working') AND lease_until <= ?2
  AND NOT EXISTS (
    SELECT 1 FROM inbox AS e
    WHERE e.channel = i.channel AND e.user_key = i.user_key AND e.id <> i.id
      AND e.status IN ('pending', 'working')
      AND (e.seq < i.seq OR (e.seq = i.seq AND e.id < i.id)
           OR (e.status = 'working' AND e.lease_until > ?2)))
ORDER BY id LIMIT ?3
"""


# The user's latest unfinished message after a claimed one (InboxItem.newest), from the partial
# index (whose condition the query repeats, so that SQLite may use it).
NEWEST_SQL = """
SELECT id, message_id, payload FROM inbox
WHERE channel = ? AND user_key = ? AND status IN ('pending', 'working') AND status = 'pending'
  AND id > ?
ORDER BY seq DESC, id DESC LIMIT 1
"""


@dataclass(frozen=True)
class _Result:
    """What SqliteState._run read of a statement: its rows and how many rows it changed."""

    rows: list[Any]
    rowcount: int

    def fetchone(self) -> Any:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[Any]:
        return self.rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)


class SqliteState:
    """The embedded StateStore. Thread-safe by a lock: the event loop calls it directly (each
    call is a short local transaction), and tests may call it from threads."""

    shared = False

    def __init__(self, path: Path, timeout_s: float = 5.0) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._timeout_s = timeout_s
        # Reentrant: at_once holds it around calls that take it again.
        self._lock = threading.RLock()
        # Per thread: the writes `deferring` holds back (bot.inbox's conversation turns).
        self._held = threading.local()
        try:
            self._conn = self._connect()
            # The busy timeout the connection has now: the calls that may wait set the full one,
            # at_once sets none, each only when it is not already so (a statement per change).
            self._full_busy_ms = int(timeout_s * 1000)
            self._busy_ms = self._full_busy_ms
            self._add_missing_columns()
            self._without_autoincrement()
            self._conn.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise StateError(f"cannot open the state database {path}: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=self._timeout_s, check_same_thread=False, isolation_level=None
        )
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a committed row survives a process crash or kill -9.
            conn.execute("PRAGMA synchronous=NORMAL")
            # Deleted and overwritten content (an answered message's text and address) is zeroed
            # on disk, not left in free pages.
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute(f"PRAGMA busy_timeout={int(self._timeout_s * 1000)}")
        except BaseException:
            conn.close()
            raise
        return conn

    def _add_missing_columns(self) -> None:
        """A state file made by an older bot gets the columns added since (before the schema
        script, whose indexes may name them)."""
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(inbox)")}
        if columns and "seq" not in columns:
            self._conn.execute("ALTER TABLE inbox ADD COLUMN seq INTEGER NOT NULL DEFAULT 0")

    def _without_autoincrement(self) -> None:
        """An inbox made by an older bot, with AUTOINCREMENT ids, is rebuilt without (same rows,
        same ids). AUTOINCREMENT only forbids reusing the id of a deleted row, which nothing
        here needs (the unfinished rows are never deleted, so a new row's id is still above
        theirs), and it costs every acknowledgement one more page written (sqlite_sequence)."""
        if not self._inbox_autoincrements():
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            if not self._inbox_autoincrements():
                # Another process (the server or its worker, starting too) rebuilt it first.
                self._conn.execute("ROLLBACK")
                return
            columns = ", ".join(r[1] for r in self._conn.execute("PRAGMA table_info(inbox)"))
            self._conn.execute("DROP TABLE IF EXISTS inbox_lean")
            self._conn.execute(f"CREATE TABLE inbox_lean ({INBOX_COLUMNS})")
            self._conn.execute(f"INSERT INTO inbox_lean ({columns}) SELECT {columns} FROM inbox")
            self._conn.execute("DROP TABLE inbox")
            self._conn.execute("ALTER TABLE inbox_lean RENAME TO inbox")
            self._conn.execute("DELETE FROM sqlite_sequence WHERE name = 'inbox'")
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    def _inbox_autoincrements(self) -> bool:
        row = self._conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'inbox'"
        ).fetchone()
        return row is not None and "AUTOINCREMENT" in str(row[0]).upper()

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> _Result:
        """One statement, its rows read to the end inside the lock: a cursor read later, in
        another thread's time, would keep its statement open on the shared connection, and
        with it hold back other threads' commits ("SQL statements in progress") and keep an
        autocommitted write, the erasing of a payload included, out of the WAL checkpoint."""
        with self._lock:
            try:
                if not self._conn.in_transaction:
                    self._busy(self._full_busy_ms)
                cur = self._conn.execute(sql, params)
                try:
                    return _Result(cur.fetchall(), cur.rowcount)
                finally:
                    cur.close()
            except sqlite3.Error as exc:
                raise StateError(f"state database error: {exc}") from exc

    def _busy(self, ms: int) -> None:
        """The connection's busy timeout set to `ms` (the lock held), if it is not already."""
        if self._busy_ms != ms:
            self._conn.execute(f"PRAGMA busy_timeout={ms}")
            self._busy_ms = ms

    def _tx(self, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
        self._in_tx(lambda: [self._conn.execute(sql, params) for sql, params in statements])

    def _in_tx(self, work: Callable[[], T]) -> T:
        """`work()` in one write transaction: committed, or rolled back when it raises."""
        with self._lock:
            if self._conn.in_transaction:
                # Inside at_once, on this thread (the lock is ours): part of its transaction.
                return work()
            try:
                self._busy(self._full_busy_ms)
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    result = work()
                    self._conn.execute("COMMIT")
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise StateError(f"state database error: {exc}") from exc
        return result

    @contextlib.contextmanager
    def deferring(self) -> Iterator[list[Statement]]:
        """Hold back this thread's session and question-log writes (a conversation turn's):
        they are collected in the list given, for `with_held` to run in the transaction of the
        inbox record they belong to. The turn never holds the write lock while the engine
        runs, and its writes are committed with the item's progress or outcome, not alone."""
        held: list[Statement] = []
        self._held.statements = held
        try:
            yield held
        finally:
            self._held.statements = None

    def with_held(self, statements: list[Statement], call: Callable[..., T], *args: Any) -> T:
        """`call(*args)` (a call of this store) and the held `statements`, in one transaction."""

        def work() -> T:
            for sql, params in statements:
                self._conn.execute(sql, params)
            return call(*args)

        return self._in_tx(work)

    def _write(self, sql: str, params: tuple[Any, ...]) -> None:
        held: list[Statement] | None = getattr(self._held, "statements", None)
        if held is None:
            self._run(sql, params)
        else:
            held.append((sql, params))

    @contextlib.contextmanager
    def reserved(self) -> Iterator[bool]:
        """The connection kept for this thread for the block (True), if no other thread of this
        process is using it this instant; else False, and nothing is kept. Without waiting: for
        the event loop, which may then read (and hold back its writes, `deferring`) without
        ever waiting on a lock held by another thread."""
        ours = self._lock.acquire(blocking=False)
        try:
            yield ours
        finally:
            if ours:
                self._lock.release()

    def at_once(self, work: Callable[[], T]) -> T:
        """`work()` (calls of this store) in one write transaction if the database is free this
        instant, else WouldWait before anything changed. For the event loop, which may write
        itself (no thread hop per webhook) but must never wait on a lock held by another thread
        or process (the worker): the caller then goes the slow way, through a thread."""
        if not self._lock.acquire(blocking=False):
            raise WouldWait("the state database is in use")
        try:
            conn = self._conn
            # Left so after: the next call that may wait sets its timeout back (see _busy).
            self._busy(0)
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise WouldWait("the state database is locked") from exc
            try:
                result = work()
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StateError(f"state database error: {exc}") from exc
        finally:
            self._lock.release()
        return result

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
        self._write(
            "INSERT INTO sessions (user_key, data, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(user_key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
            (user_key, session_json(session), now),
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
        self,
        channel: str,
        message_id: str,
        user_key: str,
        payload: dict[str, Any],
        now: float,
        seq: int = 0,
    ) -> bool:
        """Store a new message before it is acknowledged; False when this id was seen before.
        `seq`: the platform's order of its messages (Telegram's update_id), 0 when it has none;
        kept only until the message is finished, like the payload."""
        cur = self._run(
            "INSERT OR IGNORE INTO inbox (channel, message_id, user_key, payload, received_at, "
            "seq) VALUES (?, ?, ?, ?, ?, ?)",
            (channel, message_id, user_key, to_json(payload), now, seq),
        )
        return cur.rowcount == 1

    def claim(self, channel: str, now: float, lease_s: float, limit: int = 20) -> list[InboxItem]:
        """Take pending messages (and ones whose worker died mid-way) for `lease_s` seconds."""

        def take() -> list[tuple[Any, Any]]:
            rows = self._conn.execute(CLAIM_SQL, (channel, now, limit)).fetchall()
            self._conn.executemany(
                "UPDATE inbox SET status = 'working', lease_until = ?, attempts = attempts + 1 WHERE id = ?",
                [(now + lease_s, r[0]) for r in rows],
            )
            return [
                (r, self._conn.execute(NEWEST_SQL, (channel, r[3], r[0])).fetchone()) for r in rows
            ]

        claimed = self._in_tx(take)
        return [
            InboxItem(
                r[0],
                r[1],
                r[2],
                r[3],
                json.loads(r[4] or "{}"),
                r[5] + 1,
                (n[0], n[1], json.loads(n[2] or "{}")) if n is not None else None,
            )
            for r, n in claimed
        ]

    def extend_leases(self, item_ids: list[int], until: float) -> None:
        """Keep claims in flight ours (the worker renews them while it works on them)."""
        self._tx(
            [
                ("UPDATE inbox SET lease_until = ? WHERE id = ? AND status = 'working'", (until, i))
                for i in item_ids
            ]
        )

    def finish(self, item_id: int, now: float, error: str | None = None) -> None:
        """Done (answered, or given up on with `error`). The payload, which holds the sender's
        raw id for the reply, is erased: nothing personal stays behind."""
        self._run(
            "UPDATE inbox SET status = ?, done_at = ?, error = ?, payload = NULL, seq = 0 "
            "WHERE id = ?",
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
            (to_json(payload), item_id),
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

    # -- flood guard ---------------------------------------------------------------------------

    def rate_check(self, user_key: str, now: float, limit: int, window_s: float) -> str:
        """'ok' (and counted), 'warn' once per window when over the limit, else 'drop': the
        sliding window of bot.ratelimit.RateLimiter, in the store."""
        return self._in_tx(
            lambda: rate_verdict(
                lambda sql, p: self._conn.execute(sql, p).fetchall(),
                user_key,
                now,
                limit,
                window_s,
            )
        )

    # -- question log (already masked by the caller) --------------------------------------------

    def log_question(self, entry: LoggedQuestion, now: float) -> None:
        self._write(
            "INSERT INTO questions (user_key, channel, day, text, normalized, intent, confidence, kind, "
            "candidates, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            question_params(entry, now),
        )

    def questions(self, since_day: str = "") -> list[LoggedQuestion]:
        rows = self._run(
            "SELECT user_key, channel, day, text, normalized, intent, confidence, kind, candidates "
            "FROM questions WHERE day >= ? ORDER BY id",
            (since_day,),
        ).fetchall()
        return [question_from_row(r) for r in rows]

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
        """Remove everything kept about one user (see `forget_user`); returns the number of
        rows removed."""
        return self._in_tx(lambda: forget_user(self._conn.execute, user_key))

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
        # On a connection of its own, opened for it: a purge waiting for the write lock (another
        # process holds it) or working through a large table never holds the connection this
        # process answers with (its lock would keep every turn and record waiting meanwhile).
        try:
            conn = self._connect()
            try:
                for sql in PURGE_SQL:
                    removed += conn.execute(sql, (cutoff,)).rowcount
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise StateError(f"state database error: {exc}") from exc
        return removed

    # -- health (read by /healthz and /metrics, possibly from another process) --------------

    def beat(self, name: str, now: float) -> None:
        """A worker is alive at `now`; /healthz of any process sharing this database sees it."""
        self._run(
            "INSERT INTO heartbeats (name, beat_at) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET beat_at = excluded.beat_at",
            (name, now),
        )

    def stop_beating(self, name: str) -> None:
        """A worker stopped on purpose: no heartbeat until it runs again."""
        self._run("DELETE FROM heartbeats WHERE name = ?", (name,))

    def heartbeats(self) -> dict[str, float]:
        return {r[0]: float(r[1]) for r in self._run("SELECT name, beat_at FROM heartbeats")}

    def backlog(self) -> tuple[int, float | None]:
        """How many messages wait to be answered, and when the oldest of them arrived."""
        row = self._run(
            "SELECT COUNT(*), MIN(received_at) FROM inbox WHERE status IN ('pending', 'working')"
        ).fetchone()
        return int(row[0]), (float(row[1]) if row[1] is not None else None)

    def probe(self, timeout_s: float) -> None:
        """Raise StateError unless a write transaction can start within `timeout_s` (a lock
        held by another process, a read-only or vanished file all fail it); writes nothing."""
        # The connection may be busy in another thread of this process (the inbox worker runs
        # its calls off the event loop), itself waiting on the lock: that is "locked" too.
        if not self._lock.acquire(timeout=timeout_s):
            raise StateError("state database error: database is locked")
        try:
            try:
                self._busy(max(1, int(timeout_s * 1000)))
                self._conn.execute("BEGIN IMMEDIATE")
                self._conn.execute("ROLLBACK")
            except sqlite3.Error as exc:
                raise StateError(f"state database error: {exc}") from exc
        finally:
            self._lock.release()

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def now() -> float:
    return time.time()
