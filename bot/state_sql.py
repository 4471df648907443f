"""The SQL both relational state stores share: what `forget` and `purge` delete, the question
log's rows, and the flood verdict. `bot.state.SqliteState` and `bot.state_postgres.PostgresState`
run these statements (PostgreSQL swaps the ? placeholders for %s), so a rule of what is kept
about a person is written once.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from bot.state_protocols import LoggedQuestion

if TYPE_CHECKING:
    from core.session import Session

# What `forget` deletes for one user and `purge` past the retention period: the same statements
# for both stores (PostgreSQL's placeholder is %s; bot.state_postgres swaps it). Each FORGET_SQL
# statement takes a key and the LIKE pattern of that person's keys as a member of groups
# (bot.privacy.member_key: "<key>.<group hash>").
_ANY_KEY = "(user_key = ? OR user_key LIKE ? ESCAPE '\\')"
FORGET_SQL = (
    f"DELETE FROM sessions WHERE {_ANY_KEY}",
    f"DELETE FROM questions WHERE {_ANY_KEY}",
    f"DELETE FROM blocked WHERE {_ANY_KEY}",
    f"DELETE FROM inbox WHERE {_ANY_KEY} AND status NOT IN ('pending', 'working')",
    f"DELETE FROM rate_events WHERE {_ANY_KEY}",
    f"DELETE FROM rate_warned WHERE {_ANY_KEY}",
)
# The other keys of a person (a phone number behind a BSUID), and forgetting those links.
ALIASES_SQL = "SELECT alias_key, user_key FROM aliases WHERE alias_key = ? OR user_key = ?"
FORGET_ALIASES_SQL = "DELETE FROM aliases WHERE alias_key = ? OR user_key = ?"
PURGE_SQL = (
    "DELETE FROM questions WHERE created_at < ?",
    "DELETE FROM sessions WHERE updated_at < ?",
    "DELETE FROM seen WHERE seen_at < ?",
    "DELETE FROM inbox WHERE status IN ('done', 'failed') AND received_at < ?",
    "DELETE FROM rate_events WHERE at < ?",
    "DELETE FROM rate_warned WHERE at < ?",
    "DELETE FROM aliases WHERE seen_at < ?",
)


class _Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...
    def fetchall(self) -> list[Any]: ...


def forget_user(run: Callable[[str, tuple[Any, ...]], _Cursor], user_key: str) -> int:
    """Delete every row of one user, under any of their keys: an alias such as the phone number
    behind a BSUID, and their keys as a member of groups. `run` executes one statement (with ?
    placeholders) inside the caller's transaction. Returns the number of rows removed."""
    keys = {user_key}
    for row in run(ALIASES_SQL, (user_key, user_key)).fetchall():
        keys.update(str(k) for k in row)
    removed = 0
    for key in sorted(keys):
        member = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ".%"
        for sql in FORGET_SQL:
            removed += run(sql, (key, member)).rowcount
        removed += run(FORGET_ALIASES_SQL, (key, key)).rowcount
    return removed


def question_from_row(r: Sequence[Any]) -> LoggedQuestion:
    """A row of SELECT user_key, channel, day, text, normalized, intent, confidence, kind,
    candidates FROM questions."""
    return LoggedQuestion(
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


def question_params(entry: LoggedQuestion, now: float) -> tuple[Any, ...]:
    """The values of INSERT INTO questions (user_key, channel, day, text, normalized, intent,
    confidence, kind, candidates, created_at)."""
    return (
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
    )


def rate_verdict(
    run: Callable[[str, tuple[Any, ...]], list[Any]],
    user_key: str,
    now: float,
    limit: int,
    window_s: float,
) -> str:
    """The flood verdict inside the caller's transaction (`run` executes one statement with ?
    placeholders and returns its rows)."""
    run("DELETE FROM rate_events WHERE user_key = ? AND at < ?", (user_key, now - window_s))
    count = int(run("SELECT COUNT(*) FROM rate_events WHERE user_key = ?", (user_key,))[0][0])
    if count < limit:
        run("INSERT INTO rate_events (user_key, at) VALUES (?, ?)", (user_key, now))
        run("DELETE FROM rate_warned WHERE user_key = ?", (user_key,))
        return "ok"
    warned = run("SELECT at FROM rate_warned WHERE user_key = ?", (user_key,))
    if warned and now - float(warned[0][0]) <= window_s:
        return "drop"
    run("DELETE FROM rate_warned WHERE user_key = ?", (user_key,))
    run("INSERT INTO rate_warned (user_key, at) VALUES (?, ?)", (user_key, now))
    return "warn"


# -- sessions as stored ----------------------------------------------------------------------

# Each dataclass's field names, in declaration order, the first time one is met.
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
# Values JSON writes as they are (the common case, checked first).
_LEAVES = frozenset({str, int, float, bool, type(None)})
_session_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _plain(value: Any) -> Any:
    """`dataclasses.asdict` without its deep copy of every leaf: the same dicts and lists, for
    JSON (asdict copies each value with copy.deepcopy, a fifth of a turn's session save)."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    names = _FIELD_NAMES.get(kind)
    if names is None and dataclasses.is_dataclass(kind):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(kind))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    return value


def session_json(session: Session) -> str:
    """The stored form of a session: exactly the text of `Session.to_json()`, made faster (every
    answered message saves its sender's session)."""
    return _session_encoder(_plain(session))
