"""The shared StateStore: PostgreSQL, for several instances on several machines.

Selected by BOT_DATABASE_URL=postgresql://user:password@host/dbname. The bot creates its tables
itself and migrates them by version (table `schema_version`, under an advisory lock, so that
instances starting together do not race). What makes sharing safe:

- dedup and the inbox's one-row-per-message: UNIQUE keys with `INSERT ... ON CONFLICT DO NOTHING`;
- durability: the webhook answers 200 only after the INSERT committed;
- competing workers: `SELECT ... FOR UPDATE SKIP LOCKED` inside the claim, so two workers never
  take the same row, and each user's earliest unfinished message only, so one user's messages
  are answered one at a time, in order, whichever worker takes them;
- takeover: a claim is a lease the live worker renews; a dead worker's leases expire.

The methods are synchronous (psycopg 3 with a thread-safe connection pool), like SqliteState's;
async callers run them in a thread (bot.inbox.off_loop), so the event loop never waits on the
network. The URL holds a password: it is never logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from bot.state_protocols import InboxItem, LoggedQuestion, StateError
from bot.state_sql import (
    PURGE_SQL,
    forget_user,
    question_from_row,
    question_params,
    rate_verdict,
    session_json,
)
from core.session import SESSION_TTL_SECONDS, Session

# Each entry upgrades the schema by one version; never edit one that has shipped, add another.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE sessions (
        user_key TEXT PRIMARY KEY,
        data TEXT NOT NULL,
        updated_at DOUBLE PRECISION NOT NULL
    );
    CREATE TABLE seen (
        channel TEXT NOT NULL,
        message_id TEXT NOT NULL,
        seen_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (channel, message_id)
    );
    CREATE TABLE inbox (
        id BIGSERIAL PRIMARY KEY,
        channel TEXT NOT NULL,
        message_id TEXT NOT NULL,
        user_key TEXT NOT NULL,
        payload TEXT,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        received_at DOUBLE PRECISION NOT NULL,
        lease_until DOUBLE PRECISION NOT NULL DEFAULT 0,
        done_at DOUBLE PRECISION,
        error TEXT,
        UNIQUE (channel, message_id)
    );
    CREATE INDEX inbox_open ON inbox (channel, id) WHERE status IN ('pending', 'working');
    CREATE INDEX inbox_user_open ON inbox (channel, user_key, id)
        WHERE status IN ('pending', 'working');
    CREATE INDEX inbox_user ON inbox (user_key);
    CREATE TABLE blocked (
        channel TEXT NOT NULL,
        user_key TEXT NOT NULL,
        since DOUBLE PRECISION NOT NULL,
        reason TEXT,
        PRIMARY KEY (channel, user_key)
    );
    CREATE TABLE questions (
        id BIGSERIAL PRIMARY KEY,
        user_key TEXT NOT NULL,
        channel TEXT NOT NULL,
        day TEXT NOT NULL,
        text TEXT NOT NULL,
        normalized TEXT NOT NULL,
        intent TEXT,
        confidence DOUBLE PRECISION NOT NULL,
        kind TEXT NOT NULL,
        candidates TEXT NOT NULL,
        created_at DOUBLE PRECISION NOT NULL
    );
    CREATE INDEX questions_day ON questions (day);
    CREATE INDEX questions_user ON questions (user_key);
    CREATE TABLE ignored_groups (
        signature TEXT PRIMARY KEY,
        since DOUBLE PRECISION NOT NULL
    );
    """,
    # 2: the flood guard moves into the store, so that it holds across instances; workers'
    # heartbeats for /healthz.
    """
    CREATE TABLE rate_events (
        user_key TEXT NOT NULL,
        at DOUBLE PRECISION NOT NULL
    );
    CREATE INDEX rate_events_user ON rate_events (user_key, at);
    CREATE TABLE rate_warned (
        user_key TEXT PRIMARY KEY,
        at DOUBLE PRECISION NOT NULL
    );
    CREATE TABLE heartbeats (
        name TEXT PRIMARY KEY,
        beat_at DOUBLE PRECISION NOT NULL
    );
    """,
    # 3: the other keys of a person (the phone number behind a WhatsApp BSUID), for `forget`.
    """
    CREATE TABLE aliases (
        alias_key TEXT NOT NULL,
        user_key TEXT NOT NULL,
        seen_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (alias_key, user_key)
    );
    CREATE INDEX aliases_user ON aliases (user_key);
    """,
    # 4: the platform's own order of a chat's messages (Telegram's update_id), for updates
    # stored in the same instant by two webhook requests (see bot.state.CLAIM_SQL).
    """
    ALTER TABLE inbox ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
    """,
    # 5: one partial index over the unfinished rows instead of two: each index an unfinished row
    # is in costs every acknowledgement, claim and finish one more update (the claim sorts the
    # few unfinished rows by id instead of reading them in that order).
    """
    DROP INDEX IF EXISTS inbox_open;
    DROP INDEX IF EXISTS inbox_user_open;
    CREATE INDEX inbox_waiting ON inbox (channel, user_key, seq, id)
        WHERE status IN ('pending', 'working');
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
# What every enqueue notifies (its payload: the inbox channel), and what workers LISTEN to, so
# that a message stored by any server wakes the workers at once instead of at their next poll.
NOTIFY_CHANNEL = "tanya_jamsos_inbox"

log = logging.getLogger(__name__)
# Any constant both instances agree on: serialises the migrations of instances starting at once.
_MIGRATION_LOCK = 0x7A4A_0013

_CLAIM_SQL = """
WITH next AS (
    SELECT i.id FROM inbox AS i
    WHERE i.channel = %(channel)s AND i.status IN ('pending', 'working')
      AND i.lease_until <= %(now)s
      AND NOT EXISTS (
        SELECT 1 FROM inbox AS e
        WHERE e.channel = i.channel AND e.user_key = i.user_key AND e.id <> i.id
          AND e.status IN ('pending', 'working')
          AND (e.seq < i.seq OR (e.seq = i.seq AND e.id < i.id)
               OR (e.status = 'working' AND e.lease_until > %(now)s)))
    ORDER BY i.id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
UPDATE inbox SET status = 'working', lease_until = %(until)s, attempts = inbox.attempts + 1
FROM next WHERE inbox.id = next.id
RETURNING inbox.id, inbox.channel, inbox.message_id, inbox.user_key, inbox.payload, inbox.attempts
"""


class PostgresState:
    """The StateStore on PostgreSQL 12 or newer (tested on 15)."""

    shared = True

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 8, timeout_s: float = 10.0):
        try:
            self._pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
                url,
                min_size=min_size,
                max_size=max_size,
                timeout=timeout_s,
                open=False,
                name="tanya-jamsos",
            )
            self._pool.open(wait=True, timeout=timeout_s)
            self.migrate()
        except (psycopg.Error, OSError) as exc:
            # The message names the problem, never the URL (it may hold a password).
            raise StateError(f"cannot open the PostgreSQL state database: {_reason(exc)}") from exc

    @contextmanager
    def _cursor(self) -> Iterator[psycopg.Cursor[Any]]:
        """One transaction: committed when the block ends, rolled back on an error."""
        try:
            with self._pool.connection() as conn, conn.cursor() as cur:
                yield cur
        except psycopg.Error as exc:
            raise StateError(f"state database error: {_reason(exc)}") from exc

    def migrate(self) -> int:
        """Bring the schema to SCHEMA_VERSION; returns the version found before."""
        with self._cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            cur.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            cur.execute("SELECT version FROM schema_version")
            row = cur.fetchone()
            found = int(row[0]) if row else 0
            if found > SCHEMA_VERSION:
                raise StateError(
                    f"the PostgreSQL schema is version {found}, newer than this bot's "
                    f"{SCHEMA_VERSION}: update the bot"
                )
            for sql in MIGRATIONS[found:]:
                cur.execute(sql)
            if row is None:
                cur.execute("INSERT INTO schema_version (version) VALUES (%s)", (SCHEMA_VERSION,))
            else:
                cur.execute("UPDATE schema_version SET version = %s", (SCHEMA_VERSION,))
        return found

    def schema_version(self) -> int:
        with self._cursor() as cur:
            cur.execute("SELECT version FROM schema_version")
            row = cur.fetchone()
        return int(row[0]) if row else 0

    # -- sessions ------------------------------------------------------------------------------

    def load_session(self, user_key: str, now: float) -> Session:
        with self._cursor() as cur:
            cur.execute("SELECT data, updated_at FROM sessions WHERE user_key = %s", (user_key,))
            row = cur.fetchone()
        if row is None or now - float(row[1]) > SESSION_TTL_SECONDS:
            return Session()
        return Session.from_json(row[0])

    def save_session(self, user_key: str, session: Session, now: float) -> None:
        session.updated_at = now
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO sessions (user_key, data, updated_at) VALUES (%s, %s, %s) "
                "ON CONFLICT (user_key) DO UPDATE SET data = excluded.data, "
                "updated_at = excluded.updated_at",
                (user_key, session_json(session), now),
            )

    # -- deduplication -------------------------------------------------------------------------

    def mark_seen(self, channel: str, message_id: str, now: float) -> bool:
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO seen (channel, message_id, seen_at) VALUES (%s, %s, %s) "
                "ON CONFLICT DO NOTHING",
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
        with self._cursor() as cur:
            # One round trip: the row, and (delivered at commit, only for a new row) the
            # notification that wakes the listening workers.
            cur.execute(
                "WITH new AS (INSERT INTO inbox "
                "(channel, message_id, user_key, payload, received_at, seq) "
                "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (channel, message_id) DO NOTHING "
                "RETURNING channel) SELECT pg_notify(%s, channel) FROM new",
                (
                    channel,
                    message_id,
                    user_key,
                    json.dumps(payload, ensure_ascii=False),
                    now,
                    seq,
                    NOTIFY_CHANNEL,
                ),
            )
            return cur.rowcount == 1

    def claim(self, channel: str, now: float, lease_s: float, limit: int = 20) -> list[InboxItem]:
        with self._cursor() as cur:
            cur.execute(
                _CLAIM_SQL,
                {"channel": channel, "now": now, "limit": limit, "until": now + lease_s},
            )
            rows = sorted(cur.fetchall())
        return [InboxItem(r[0], r[1], r[2], r[3], json.loads(r[4] or "{}"), r[5]) for r in rows]

    def extend_leases(self, item_ids: list[int], until: float) -> None:
        with self._cursor() as cur:
            cur.execute(
                "UPDATE inbox SET lease_until = %s WHERE id = ANY(%s) AND status = 'working'",
                (until, item_ids),
            )

    def finish(self, item_id: int, now: float, error: str | None = None) -> None:
        with self._cursor() as cur:
            cur.execute(
                "UPDATE inbox SET status = %s, done_at = %s, error = %s, payload = NULL, "
                "seq = 0 WHERE id = %s",
                ("failed" if error else "done", now, error, item_id),
            )

    def retry_later(self, item_id: int, now: float, delay_s: float, error: str) -> None:
        with self._cursor() as cur:
            cur.execute(
                "UPDATE inbox SET status = 'pending', lease_until = %s, error = %s "
                "WHERE id = %s AND status IN ('pending', 'working')",
                (now + delay_s, error, item_id),
            )

    def update_payload(self, item_id: int, payload: dict[str, Any]) -> None:
        with self._cursor() as cur:
            cur.execute(
                "UPDATE inbox SET payload = %s WHERE id = %s AND status IN ('pending', 'working')",
                (json.dumps(payload, ensure_ascii=False), item_id),
            )

    def release_claims(self, channel: str) -> int:
        """Make every claimed item claimable now. Never at a worker's start here (other workers
        may be alive); for an operator who knows every worker is stopped."""
        with self._cursor() as cur:
            cur.execute(
                "UPDATE inbox SET status = 'pending', lease_until = 0 "
                "WHERE channel = %s AND status = 'working'",
                (channel,),
            )
            return cur.rowcount

    def pending_count(self, channel: str | None = None) -> int:
        with self._cursor() as cur:
            if channel is None:
                cur.execute("SELECT COUNT(*) FROM inbox WHERE status IN ('pending', 'working')")
            else:
                cur.execute(
                    "SELECT COUNT(*) FROM inbox "
                    "WHERE channel = %s AND status IN ('pending', 'working')",
                    (channel,),
                )
            row = cur.fetchone()
        return int(row[0]) if row else 0

    # -- blocked users -------------------------------------------------------------------------

    def block(self, channel: str, user_key: str, now: float, reason: str = "") -> None:
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO blocked (channel, user_key, since, reason) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (channel, user_key) DO UPDATE SET since = excluded.since, "
                "reason = excluded.reason",
                (channel, user_key, now, reason),
            )

    def is_blocked(self, channel: str, user_key: str) -> bool:
        with self._cursor() as cur:
            cur.execute(
                "SELECT 1 FROM blocked WHERE channel = %s AND user_key = %s", (channel, user_key)
            )
            return cur.fetchone() is not None

    def unblock(self, channel: str, user_key: str) -> None:
        with self._cursor() as cur:
            cur.execute(
                "DELETE FROM blocked WHERE channel = %s AND user_key = %s", (channel, user_key)
            )

    # -- flood guard ---------------------------------------------------------------------------

    def rate_check(self, user_key: str, now: float, limit: int, window_s: float) -> str:
        with self._cursor() as cur:
            # One user's checks one after the other, whichever instance makes them.
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (user_key,))

            def run(sql: str, params: tuple[Any, ...]) -> list[Any]:
                cur.execute(_placeholders(sql), params)
                return cur.fetchall() if cur.description is not None else []

            return rate_verdict(run, user_key, now, limit, window_s)

    # -- question log --------------------------------------------------------------------------

    def log_question(self, entry: LoggedQuestion, now: float) -> None:
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO questions (user_key, channel, day, text, normalized, intent, "
                "confidence, kind, candidates, created_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                question_params(entry, now),
            )

    def questions(self, since_day: str = "") -> list[LoggedQuestion]:
        with self._cursor() as cur:
            cur.execute(
                "SELECT user_key, channel, day, text, normalized, intent, confidence, kind, "
                "candidates FROM questions WHERE day >= %s ORDER BY id",
                (since_day,),
            )
            rows = cur.fetchall()
        return [question_from_row(r) for r in rows]

    def ignore_group(self, signature: str, now: float) -> None:
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO ignored_groups (signature, since) VALUES (%s, %s) "
                "ON CONFLICT (signature) DO UPDATE SET since = excluded.since",
                (signature, now),
            )

    def ignored_groups(self) -> set[str]:
        with self._cursor() as cur:
            cur.execute("SELECT signature FROM ignored_groups")
            return {r[0] for r in cur.fetchall()}

    # -- privacy -------------------------------------------------------------------------------

    def link(self, alias_key: str, user_key: str, now: float) -> None:
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO aliases (alias_key, user_key, seen_at) VALUES (%s, %s, %s) "
                "ON CONFLICT DO NOTHING",
                (alias_key, user_key, now),
            )

    def forget(self, user_key: str) -> int:
        with self._cursor() as cur:
            return forget_user(
                lambda sql, params: cur.execute(_placeholders(sql), params), user_key
            )

    def scrub(self) -> bool:
        """Nothing to do: PostgreSQL's write-ahead log is the database server's, not in the
        bot's data folder, and recycled by the server."""
        return True

    def purge(self, older_than_days: int, now: float) -> int:
        cutoff = now - older_than_days * 86400
        removed = 0
        with self._cursor() as cur:
            for sql in PURGE_SQL:
                cur.execute(_placeholders(sql), (cutoff,))
                removed += cur.rowcount
        return removed

    # -- health (read by /healthz and /metrics of every instance) ------------------------------

    def beat(self, name: str, now: float) -> None:
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO heartbeats (name, beat_at) VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE SET beat_at = GREATEST(heartbeats.beat_at, "
                "excluded.beat_at)",
                (name, now),
            )

    def stop_beating(self, name: str) -> None:
        # Several workers share a name here: one stopping must not hide the others' beats,
        # so the beat is left to age; a worker that stays away shows as stale.
        return None

    def heartbeats(self) -> dict[str, float]:
        with self._cursor() as cur:
            cur.execute("SELECT name, beat_at FROM heartbeats")
            return {r[0]: float(r[1]) for r in cur.fetchall()}

    def backlog(self) -> tuple[int, float | None]:
        with self._cursor() as cur:
            cur.execute(
                "SELECT COUNT(*), MIN(received_at) FROM inbox "
                "WHERE status IN ('pending', 'working')"
            )
            row = cur.fetchone()
        if row is None:
            return 0, None
        return int(row[0]), (float(row[1]) if row[1] is not None else None)

    def probe(self, timeout_s: float) -> None:
        """Raise StateError unless a connection answers a write-capable transaction within
        `timeout_s`; writes nothing."""
        try:
            with self._pool.connection(timeout=timeout_s) as conn:
                conn.execute(
                    "SELECT set_config(%s, %s, true)",
                    ("statement_timeout", str(max(1, int(timeout_s * 1000)))),
                )
                conn.execute("SELECT 1")
                conn.rollback()
        except psycopg.Error as exc:
            raise StateError(f"state database error: {_reason(exc)}") from exc

    def close(self) -> None:
        self._pool.close()


async def listen_for_enqueues(url: str, wake: Callable[[str], None]) -> None:
    """Call `wake(channel)` whenever any server stores a new message of that channel (and
    `wake("")`, for every channel, after each (re)connection: what was stored meanwhile waits).
    Runs until cancelled, reconnecting after a failure; the workers keep polling slowly beside
    it, so a notification lost in a reconnection costs one poll interval, never a message."""
    failures = 0
    while True:
        try:
            conn = await psycopg.AsyncConnection.connect(url, autocommit=True)
            async with conn:
                await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                failures = 0
                wake("")
                async for note in conn.notifies():
                    wake(note.payload)
        except (psycopg.Error, OSError) as exc:
            failures += 1
            log.warning(
                "postgresql: not listening for new messages (%s); polling until it is back",
                _reason(exc),
            )
            await asyncio.sleep(min(30.0, 0.5 * 2.0**failures))


def _placeholders(sql: str) -> str:
    """SQLite's ? placeholders as psycopg's %s (the shared statements hold no literal ?)."""
    return sql.replace("?", "%s")


def _reason(exc: BaseException) -> str:
    """The error's first line, without anything that could echo the connection string."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.split("postgresql://")[0].strip() or type(exc).__name__
