"""Both state stores keep the same contract: the embedded SQLite file and a real PostgreSQL
(started by the test setup, tests/postgres.py). Every test here runs against each of them."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from bot.state import SqliteState
from bot.state_postgres import MIGRATIONS, SCHEMA_VERSION, PostgresState, listen_for_enqueues
from bot.state_protocols import LoggedQuestion, StateError, StateStore
from core.session import SESSION_TTL_SECONDS, Session

T0 = 1_800_000_000.0
OpenStore = Callable[[], StateStore]


@pytest.fixture(params=["sqlite", "postgres"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenStore]:
    """Opens another handle on one store, as another process (or machine) would."""
    opened: list[StateStore] = []

    def sqlite() -> StateStore:
        return SqliteState(tmp_path / "state.db")

    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")

        def postgres() -> StateStore:
            return PostgresState(url)

        make: OpenStore = postgres
    else:
        make = sqlite

    def open_one() -> StateStore:
        store = make()
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: OpenStore) -> StateStore:
    return open_store()


def question(user: str, text: str, day: str = "2026-11-21") -> LoggedQuestion:
    return LoggedQuestion(
        user, "telegram", day, text, text, None, 0.2, "fallback", [("jht_apa", 0.2)]
    )


def test_a_session_is_kept_and_expires(store: StateStore) -> None:
    session = Session()
    session.last_intent = "jht_apa"
    store.save_session("u1", session, T0)
    assert store.load_session("u1", T0 + 1).last_intent == "jht_apa"
    assert store.load_session("u1", T0 + SESSION_TTL_SECONDS + 1).last_intent is None
    assert store.load_session("nobody", T0).last_intent is None


def test_an_id_is_seen_once(store: StateStore) -> None:
    assert store.mark_seen("whatsapp-status", "w1:failed", T0)
    assert not store.mark_seen("whatsapp-status", "w1:failed", T0 + 1)
    assert store.mark_seen("telegram", "w1:failed", T0)


def test_a_message_is_stored_once_and_claimed_once(open_store: OpenStore) -> None:
    first, second = open_store(), open_store()
    assert first.enqueue("whatsapp", "m1", "u1", {"text": "halo"}, T0)
    assert not second.enqueue("whatsapp", "m1", "u1", {"text": "halo"}, T0)
    [item] = first.claim("whatsapp", T0, lease_s=30)
    assert (item.message_id, item.payload, item.attempts) == ("m1", {"text": "halo"}, 1)
    assert second.claim("whatsapp", T0 + 1, lease_s=30) == []
    assert first.claim("telegram", T0, lease_s=30) == []


def test_each_user_gets_one_message_at_a_time_in_order(store: StateStore) -> None:
    for i, user in enumerate(["a", "a", "b", "a"]):
        store.enqueue("telegram", f"m{i}", user, {"n": i}, T0)
    first = store.claim("telegram", T0, 30)
    assert [i.message_id for i in first] == ["m0", "m2"]
    assert store.claim("telegram", T0 + 1, 30) == []  # a's next one waits for m0
    store.finish(first[0].id, T0 + 1)
    assert [i.message_id for i in store.claim("telegram", T0 + 1, 30)] == ["m1"]


def test_a_chats_updates_stored_in_the_same_instant_are_claimed_in_the_platforms_order(
    store: StateStore,
) -> None:
    # Two webhook requests of one chat: update 11 committed before update 10.
    store.enqueue("telegram", "u11", "a", {"n": 11}, T0, seq=11)
    store.enqueue("telegram", "u10", "a", {"n": 10}, T0, seq=10)
    store.enqueue("telegram", "v5", "b", {"n": 5}, T0, seq=5)
    first = store.claim("telegram", T0, 30)
    assert sorted(i.message_id for i in first) == ["u10", "v5"]
    assert store.claim("telegram", T0 + 1, 30) == []  # u11 waits for u10
    done = next(i for i in first if i.message_id == "u10")
    store.finish(done.id, T0 + 1)
    [second] = store.claim("telegram", T0 + 1, 30)
    assert second.message_id == "u11"
    # Stored while u11 is being answered, an earlier update waits for it (one at a time).
    store.enqueue("telegram", "u9", "a", {"n": 9}, T0 + 1, seq=9)
    assert store.claim("telegram", T0 + 2, 30) == []
    store.finish(second.id, T0 + 2)
    [late] = store.claim("telegram", T0 + 2, 30)
    assert late.message_id == "u9"


def test_a_later_message_waits_while_the_earlier_one_is_postponed(store: StateStore) -> None:
    store.enqueue("telegram", "m1", "a", {}, T0)
    store.enqueue("telegram", "m2", "a", {}, T0)
    [first] = store.claim("telegram", T0, 30)
    store.retry_later(first.id, T0, 60, "429")
    assert store.claim("telegram", T0 + 1, 30) == []  # m2 must not overtake m1
    [again] = store.claim("telegram", T0 + 61, 30)
    assert (again.message_id, again.attempts) == ("m1", 2)
    store.finish(again.id, T0 + 62)
    [second] = store.claim("telegram", T0 + 62, 30)
    assert second.message_id == "m2"


def test_a_dead_workers_claim_is_taken_over_when_its_lease_expires(open_store: OpenStore) -> None:
    alive, dead = open_store(), open_store()
    alive.enqueue("whatsapp", "m1", "u1", {}, T0)
    alive.enqueue("whatsapp", "m2", "u2", {}, T0)
    claimed = dead.claim("whatsapp", T0, lease_s=30)
    assert len(claimed) == 2
    # The live worker renews its one claim; the other's worker died and stops renewing.
    alive.extend_leases([claimed[0].id], T0 + 60)
    assert alive.claim("whatsapp", T0 + 10, 30) == []
    [taken] = alive.claim("whatsapp", T0 + 31, 30)
    assert (taken.message_id, taken.attempts) == ("m2", 2)


def test_competing_workers_never_claim_the_same_message(open_store: OpenStore) -> None:
    feeder = open_store()
    for i in range(120):
        feeder.enqueue("whatsapp", f"m{i}", f"u{i % 40}", {}, T0)
    workers = [open_store() for _ in range(3)]
    claimed: list[list[str]] = [[] for _ in workers]

    def drain(n: int) -> None:
        store = workers[n]
        while True:
            items = store.claim("whatsapp", T0, 30, limit=5)
            if not items:
                if store.pending_count("whatsapp") == 0:
                    return
                continue
            for item in items:
                claimed[n].append(item.message_id)
                store.finish(item.id, T0)

    threads = [threading.Thread(target=drain, args=(n,)) for n in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    everything = [m for per_worker in claimed for m in per_worker]
    assert sorted(everything) == sorted(f"m{i}" for i in range(120))  # none lost, none twice


def test_progress_survives_and_finishing_erases_the_payload(store: StateStore) -> None:
    store.enqueue("telegram", "m1", "u1", {"update": {"x": 1}}, T0)
    [item] = store.claim("telegram", T0, 30)
    store.update_payload(item.id, {"update": {"x": 1}, "outbox": {"chat_id": 5}, "sent": 1})
    store.release_claims("telegram")
    [again] = store.claim("telegram", T0, 30)
    assert again.payload["sent"] == 1
    store.finish(again.id, T0, error="blocked")
    assert store.pending_count() == 0
    store.update_payload(again.id, {"late": True})  # a finished item is not written again
    assert store.claim("telegram", T0 + 1000, 30) == []


def test_the_blocklist(store: StateStore) -> None:
    assert not store.is_blocked("telegram", "u1")
    store.block("telegram", "u1", T0, "forbidden")
    store.block("telegram", "u1", T0 + 1, "kicked")
    assert store.is_blocked("telegram", "u1")
    assert not store.is_blocked("whatsapp", "u1")
    store.unblock("telegram", "u1")
    assert not store.is_blocked("telegram", "u1")


def test_the_question_log_and_ignored_groups(store: StateStore) -> None:
    store.log_question(question("u1", "jht itu apa sih"), T0)
    store.log_question(question("u2", "kapan cair", day="2026-11-25"), T0)
    assert [q.text for q in store.questions()] == ["jht itu apa sih", "kapan cair"]
    assert [q.text for q in store.questions("2026-11-22")] == ["kapan cair"]
    assert store.questions()[0].candidates == [("jht_apa", 0.2)]
    store.ignore_group("g12345678", T0)
    store.ignore_group("g12345678", T0 + 1)
    assert store.ignored_groups() == {"g12345678"}


def test_forget_and_purge(store: StateStore) -> None:
    store.save_session("u1", Session(), T0)
    store.log_question(question("u1", "halo"), T0)
    store.block("telegram", "u1", T0)
    store.enqueue("telegram", "m1", "u1", {}, T0)
    [item] = store.claim("telegram", T0, 30)
    store.finish(item.id, T0)
    store.log_question(question("u2", "halo juga"), T0)
    assert store.forget("u1") == 4
    assert [q.user_key for q in store.questions()] == ["u2"]
    assert store.forget("u1") == 0
    assert store.purge(1, T0 + 2 * 86400) >= 1
    assert store.questions() == []


def test_postgres_schema_is_created_once_and_versioned(postgres_url: str) -> None:
    first = PostgresState(postgres_url)
    second = PostgresState(postgres_url)  # a second instance migrates nothing
    try:
        assert first.schema_version() == SCHEMA_VERSION
        assert second.migrate() == SCHEMA_VERSION
    finally:
        first.close()
        second.close()
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("UPDATE schema_version SET version = %s", (SCHEMA_VERSION + 1,))
    with pytest.raises(StateError, match="newer than this bot"):
        PostgresState(postgres_url)


def test_an_unreachable_postgres_is_a_clear_error_without_the_password(tmp_path: Path) -> None:
    url = f"postgresql://bot:hunter2@/nothing?host={tmp_path}&connect_timeout=1"
    with pytest.raises(StateError) as caught:
        PostgresState(url, timeout_s=1.0)
    assert "hunter2" not in str(caught.value)
    assert "PostgreSQL" in str(caught.value)


def test_the_flood_guard_counts_across_handles_and_warns_once(open_store: OpenStore) -> None:
    first, second = open_store(), open_store()
    verdicts = [
        (first if i % 2 else second).rate_check("u1", T0 + i, limit=3, window_s=60)
        for i in range(6)
    ]
    assert verdicts == ["ok", "ok", "ok", "warn", "drop", "drop"]
    assert first.rate_check("u2", T0, limit=3, window_s=60) == "ok"
    assert second.rate_check("u1", T0 + 61, limit=3, window_s=60) == "ok"  # the window slid
    assert first.forget("u1") >= 1
    assert first.rate_check("u1", T0 + 62, limit=1, window_s=60) == "ok"


def test_postgres_schema_of_an_older_bot_is_migrated_in_place(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(MIGRATIONS[0])
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_version VALUES (1)")
        conn.execute(
            "INSERT INTO sessions (user_key, data, updated_at) VALUES ('u1', '{}', %s)", (T0,)
        )
    store = PostgresState(postgres_url)
    try:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.rate_check("u1", T0, limit=1, window_s=60) == "ok"
        assert store.forget("u1") == 2  # the old session survived the migration
    finally:
        store.close()


def test_postgres_inbox_of_version_4_keeps_one_index_of_unfinished_rows(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        for sql in MIGRATIONS[:4]:
            conn.execute(sql)
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_version VALUES (4)")
        conn.execute(
            "INSERT INTO inbox (channel, message_id, user_key, payload, received_at) "
            "VALUES ('whatsapp', 'm1', 'u1', '{}', %s)",
            (T0,),
        )
    store = PostgresState(postgres_url)
    try:
        # The message stored before the migration is still claimed first, and alone per user.
        assert store.enqueue("whatsapp", "m2", "u1", {}, T0 + 1)
        assert [i.message_id for i in store.claim("whatsapp", T0 + 2, 30)] == ["m1"]
    finally:
        store.close()
    with psycopg.connect(postgres_url) as conn:
        names = {
            r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'inbox'")
        }
    assert "inbox_waiting" in names
    assert not names & {"inbox_open", "inbox_user_open"}


def test_health_reads_heartbeats_and_the_backlog(open_store: OpenStore) -> None:
    worker, server = open_store(), open_store()
    worker.beat("whatsapp-worker", T0)
    worker.beat("whatsapp-worker", T0 + 5)
    assert server.heartbeats() == {"whatsapp-worker": T0 + 5}
    assert server.backlog() == (0, None)
    worker.enqueue("whatsapp", "m1", "u1", {}, T0 + 1)
    worker.enqueue("whatsapp", "m2", "u2", {}, T0 + 2)
    assert server.backlog() == (2, T0 + 1)
    server.probe(0.25)  # a writable store passes


async def test_a_message_stored_on_postgres_wakes_the_listening_workers(postgres_url: str) -> None:
    woken: asyncio.Queue[str] = asyncio.Queue()
    listener = asyncio.create_task(listen_for_enqueues(postgres_url, woken.put_nowait))
    store = PostgresState(postgres_url)
    try:
        async with asyncio.timeout(30):
            # Once connected, everybody is woken for what was stored before.
            assert await woken.get() == ""
            assert await asyncio.to_thread(store.enqueue, "whatsapp", "n1", "u1", {}, T0)
            assert await woken.get() == "whatsapp"
            # A redelivery stores nothing and wakes nobody; the next new message does.
            assert not await asyncio.to_thread(store.enqueue, "whatsapp", "n1", "u1", {}, T0)
            assert await asyncio.to_thread(store.enqueue, "telegram", "n2", "u1", {}, T0, 7)
            assert await woken.get() == "telegram"
    finally:
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)
        store.close()
