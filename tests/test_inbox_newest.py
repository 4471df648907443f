"""SQLite's claim gives, with each user's earliest waiting message, that user's latest one
(`InboxItem.newest`): what the WhatsApp worker marks read, for all of them at once."""

from __future__ import annotations

from pathlib import Path

from bot.state import SqliteState

T0 = 1_800_000_000.0


def test_the_claim_names_each_users_latest_waiting_message(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state.db")
    try:
        for i, user in enumerate(["wh_a", "wh_b", "wh_a", "wh_a"]):
            assert state.enqueue("whatsapp", f"m{i}", user, {"n": i}, T0 + i)
        first_a, first_b = state.claim("whatsapp", T0 + 10, lease_s=30)
        assert (first_a.message_id, first_b.message_id) == ("m0", "m1")
        assert first_a.newest is not None
        newest_id, newest_key, newest_payload = first_a.newest
        assert (newest_key, newest_payload) == ("m3", {"n": 3})
        assert newest_id > first_a.id
        # B has nothing behind its message.
        assert first_b.newest is None
        # Once A's first is done, its next claim is m2, with m3 still the latest.
        state.finish(first_a.id, T0 + 11)
        [second_a] = state.claim("whatsapp", T0 + 12, lease_s=30)
        assert second_a.message_id == "m2"
        assert second_a.newest is not None and second_a.newest[1] == "m3"
        state.finish(second_a.id, T0 + 13)
        [last_a] = state.claim("whatsapp", T0 + 14, lease_s=30)
        assert (last_a.message_id, last_a.newest) == ("m3", None)
    finally:
        state.close()
