"""What a session remembers beyond the answer on screen: the last few topics with the worker,
amounts and place they were answered for, and the user's own numbering of their questions. It is
stored in both state stores, sessions stored before it existed still load, and no personal
number is kept."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from bot.engine import Engine, Outcome
from bot.state import SqliteState
from bot.state_postgres import PostgresState
from bot.state_protocols import StateStore
from core.reply import Option
from core.session import RECENT_TOPICS, Session, Topic

from .conftest import TODAY

T0 = 1_800_000_000.0


def talk(engine: Engine, *turns: str, session: Session | None = None) -> list[Outcome]:
    session = session if session is not None else Session()
    return [engine.respond(turn, session, TODAY) for turn in turns]


@pytest.mark.parametrize(
    "back", ["balik ke yg tadi soal jht", "kembali ke soal jht", "yg tadi soal jht dong"]
)
def test_coming_back_to_an_earlier_topic_answers_it_again(engine: Engine, back: str) -> None:
    first, _, _, again = talk(
        engine, "cara klaim jht gimana", "iuran bpu brp", "kantor bpjs di ruteng", back
    )
    assert again.reply.intent == first.reply.intent
    assert again.reply.text == first.reply.text


def test_coming_back_without_a_name_is_the_answer_before_the_last(engine: Engine) -> None:
    first, _, again = talk(engine, "syarat klaim jkm apa saja", "iuran bpu brp", "yg sebelumnya")
    assert again.reply.intent == first.reply.intent


def test_coming_back_keeps_the_amount_and_the_worker_it_was_answered_for(engine: Engine) -> None:
    # A farmer's income ("penghasilan"): "petani gaji 2 juta" is a tie between the employees'
    # premium (a wage, "gaji") and the informal workers' one (a farmer).
    first, _, again = talk(
        engine, "iuran petani penghasilan 2 juta", "cara klaim jkk", "balik ke iuran"
    )
    assert first.reply.intent == "iuran_bpu_hitung"
    assert again.reply.intent == "iuran_bpu_hitung"
    assert "Rp2.000.000" in again.reply.text


def test_a_word_that_points_back_inside_a_question_is_a_question(engine: Engine) -> None:
    *_, last = talk(engine, "cara klaim jht", "iuran bpu brp", "tadi saya sudah daftar di kantor")
    assert last.kind != "followup" or last.reply.intent != "jht_klaim_berhenti"


def test_the_user_s_own_numbers_are_kept_across_turns(engine: Engine) -> None:
    session = Session()
    first, second, _, back = talk(
        engine,
        "sy mau tanya 2 hal: 1. cara cek saldo jht 2. cara ganti no hp di jmo",
        "2",
        "kalau nomor lama sdh mati?",
        "ok skrg yg 1",
        session=session,
    )
    assert first.reply.intent == "jht_cek_saldo"
    assert second.reply.intent == "jmo_ganti_nomor"
    assert back.reply.intent == "jht_cek_saldo"
    assert session.numbered == ["jht_cek_saldo", "jmo_ganti_nomor"]


def test_a_bare_number_after_numbered_questions_is_the_user_s_question(engine: Engine) -> None:
    session = Session()
    first, chosen = talk(
        engine, "1) cara cek saldo jht 2) cara ganti no hp di jmo", "1", session=session
    )
    # Option 1 on screen is the sources of the answer; the user meant their own question 1.
    assert first.reply.options[0].id != "jht_cek_saldo"
    assert chosen.reply.intent == "jht_cek_saldo"


def test_a_correction_keeps_the_amount_of_the_question_it_corrects(engine: Engine) -> None:
    _, corrected = talk(engine, "berapa iuran bpu gaji 2 juta", "bukan itu, maksud sy yg karyawan")
    assert corrected.reply.intent == "iuran_pu"
    assert "Rp2.000.000" in corrected.reply.text
    # "maksud" is no question about the wage cap.
    assert "Batas upah JP bukan" not in corrected.reply.text


def test_a_correction_of_a_follow_up_does_not_carry_the_follow_up_s_amount(
    engine: Engine,
) -> None:
    *_, corrected = talk(engine, "iuran karyawan brp persen", "yg jp nya?", "bukan, sy mandiri")
    assert corrected.reply.intent == "iuran_bpu"


@pytest.mark.parametrize("words", ["yg ke 9", "pilihan 7", "opsi 0", "nomor 12"])
def test_a_number_in_words_outside_the_options_says_which_are_valid(
    engine: Engine, words: str
) -> None:
    session = Session()
    answer = talk(engine, "cara klaim jht", session=session)[0].reply
    wrong = talk(engine, words, session=session)[0].reply
    assert f"1 sampai {len(answer.options)}" in wrong.text
    assert wrong.options == answer.options


def test_the_session_keeps_the_last_few_topics(engine: Engine) -> None:
    session = Session()
    talk(
        engine,
        "cara klaim jht",
        "iuran bpu brp",
        "kantor bpjs di ruteng",
        "syarat klaim jkm",
        "terima kasih",
        session=session,
    )
    kept = [t.intent for t in session.recent]
    assert len(kept) == RECENT_TOPICS
    assert kept[-1].startswith("jkm")  # thanks is no topic to come back to
    assert session.recent[1].region == "manggarai"


def test_no_long_number_is_kept_with_a_topic(engine: Engine) -> None:
    session = Session()
    talk(engine, "iuran bpu penghasilan 3201234567890125", "iuran bpu 2 juta", session=session)
    stored = session.to_json()
    assert not re.search(r"\d{9,}", stored)
    assert [2_000_000] in [t.amounts for t in session.recent]


OLD_SESSION = json.dumps(
    {
        "last_intent": "iuran_bpu",
        "last_topic": "iuran",
        "pending_intent": None,
        "options": [{"id": "rincian", "title": "Rincian"}],
        "memory": {"amounts": "2000000"},
        "updated_at": T0,
    }
)


def test_a_session_stored_before_topics_were_kept_still_loads() -> None:
    session = Session.from_json(OLD_SESSION)
    assert session.last_intent == "iuran_bpu"
    assert session.options == [Option("rincian", "Rincian")]
    assert session.recent == [] and session.numbered == []


def test_a_session_with_damaged_topics_starts_afresh() -> None:
    damaged = json.loads(OLD_SESSION) | {"recent": [{"topic": "no intent"}]}
    assert Session.from_json(json.dumps(damaged)) == Session()


@pytest.fixture(params=["sqlite", "postgres"])
def stored(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[StateStore, str]]:
    """A store, and where its rows are (a PostgreSQL URL or the SQLite file)."""
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        opened: StateStore = PostgresState(url)
    else:
        url = str(tmp_path / "state.db")
        opened = SqliteState(Path(url))
    yield opened, url
    opened.close()


@pytest.fixture
def store(stored: tuple[StateStore, str]) -> StateStore:
    return stored[0]


def test_a_session_row_written_by_the_older_bot_loads_in_both_stores(
    stored: tuple[StateStore, str],
) -> None:
    store, where = stored
    if isinstance(store, PostgresState):
        with psycopg.connect(where, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO sessions (user_key, data, updated_at) VALUES ('u1', %s, %s)",
                (OLD_SESSION, T0),
            )
    else:
        with sqlite3.connect(where) as conn:
            conn.execute(
                "INSERT INTO sessions (user_key, data, updated_at) VALUES ('u1', ?, ?)",
                (OLD_SESSION, T0),
            )
        conn.close()
    loaded = store.load_session("u1", T0 + 1)
    assert loaded.last_intent == "iuran_bpu"
    assert loaded.memory == {"amounts": "2000000"}
    assert loaded.recent == []


def test_both_stores_keep_the_recent_topics_and_the_user_s_numbers(store: StateStore) -> None:
    session = Session(last_intent="jht_cek_saldo", numbered=["jht_cek_saldo", "jmo_ganti_nomor"])
    session.remember(Topic("iuran_bpu_hitung", "iuran", "iuran_bpu", [2_000_000], "manggarai"))
    session.remember(Topic("jht_cek_saldo", "jht", options=[Option("sumber", "Sumber")]))
    store.save_session("u1", session, T0)
    loaded = store.load_session("u1", T0 + 1)
    assert loaded.recent == session.recent
    assert loaded.numbered == session.numbered


def test_coming_back_with_a_question_asks_it_within_the_earlier_topic(engine: Engine) -> None:
    *_, back = talk(
        engine,
        "jht bisa diambil sebagian waktu masih kerja?",
        "saldo jht cek di mana",
        "kembali ke yang tadi, syaratnya apa saja",
    )
    assert back.reply.intent == "jht_klaim_sebagian"


def test_a_one_word_numbered_question_is_about_what_the_first_named(engine: Engine) -> None:
    session = Session()
    first, _, again = talk(
        engine,
        "mau tanya 1. cara bayar iuran 2. telatnya",
        "1",
        "eh maksud saya no 2",
        session=session,
    )
    assert first.reply.intent == "bayar_cara"
    assert session.numbered == ["bayar_cara", "bayar_telat"]
    assert again.reply.intent == "bayar_telat"
