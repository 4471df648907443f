"""A conversation keeps its thread without inventing one: keyboard noise inside a topic still
falls back; a correction that restates the answer just given keeps it; a follow-up's own wage
survives its correction; the case a conversation opened (a death) carries across the answers
about it; a death at work re-asks the death benefit as a work accident; and a bare place name
after an answer about places is read as a place."""

from __future__ import annotations

import pytest

from bot.engine import Engine, Outcome
from core.session import Session

from .conftest import TODAY


def talk(engine: Engine, *turns: str) -> list[Outcome]:
    session = Session()
    return [engine.respond(turn, session, TODAY) for turn in turns]


@pytest.mark.parametrize(
    ("opening", "noise"),
    [
        ("cara cek saldo jht", "qwxzkj"),
        ("kantor bpjs di kupang", "zzkqpw vbnm"),
        ("iuran bpu brp", "hjkl"),
    ],
)
def test_keyboard_noise_inside_a_topic_falls_back(engine: Engine, opening: str, noise: str) -> None:
    first, last = talk(engine, opening, noise)
    assert first.reply.intent is not None
    assert last.kind == "fallback"
    assert last.reply.intent is None


def test_a_bare_place_inside_a_topic_is_still_a_follow_up(engine: Engine) -> None:
    # A place is something to read though no example uses its name.
    _, last = talk(engine, "kantor bpjs di kupang", "ende")
    assert last.reply.intent == "kantor_cabang"


def test_a_correction_that_restates_the_answer_keeps_it(engine: Engine) -> None:
    first, last = talk(
        engine, "bpjs saya tidak bisa dipakai di puskesmas", "maksud saya bpjs kesehatan"
    )
    assert first.reply.intent == "bpjs_kesehatan"
    assert last.reply.intent == "bpjs_kesehatan"


def test_a_correction_that_rejects_the_answer_still_gives_another(engine: Engine) -> None:
    first, last = talk(engine, "iuran bpu brp", "bukan itu, maksud sy yg karyawan")
    assert first.reply.intent == "iuran_bpu"
    assert last.reply.intent == "iuran_pu"


def test_a_correction_keeps_the_wage_a_follow_up_gave(engine: Engine) -> None:
    *_, last = talk(
        engine,
        "iuran karyawan gaji 3jt",
        "kalau gajinya 12 juta",
        "eh maksud saya pekerja mandiri, bukan karyawan",
    )
    assert last.reply.intent == "iuran_bpu_hitung"
    assert "Rp12.000.000" in last.reply.text


def test_a_correction_after_a_follow_up_without_its_own_wage_is_the_plain_answer(
    engine: Engine,
) -> None:
    # "yg jp nya?" was answered for the wage of the turn before: it gave none of its own.
    *_, last = talk(
        engine, "iuran karyawan brp persen", "klo upah 4jt?", "yg jp nya?", "bukan, sy mandiri"
    )
    assert last.reply.intent == "iuran_bpu"


def test_a_death_at_work_asks_the_death_benefit_again_as_a_work_accident(
    engine: Engine,
) -> None:
    first, at_work = talk(
        engine,
        "suami saya meninggal, dia peserta bpjs tk, keluarga dapat apa",
        "tapi meninggalnya pas kerja di sawah",
    )
    assert first.reply.intent == "jkm_manfaat"
    assert at_work.reply.intent == "jkk_manfaat"


def test_the_case_of_a_death_carries_across_the_answers_about_it(engine: Engine) -> None:
    *_, claim, savings = talk(
        engine,
        "suami saya meninggal, dia peserta bpjs tk, keluarga dapat apa",
        "tapi meninggalnya pas kerja di sawah",
        "klaimnya gmn",
        "jht nya bisa dicairkan?",
    )
    assert claim.reply.intent == "jkk_klaim"
    assert savings.reply.intent == "jht_ahli_waris"


def test_a_bare_place_after_an_office_answer_is_that_place(engine: Engine) -> None:
    _, last = talk(engine, "kantor bpjs tk di Ambon", "Tual ada?")
    assert last.reply.intent == "kantor_cabang"
    assert "Kota Tual" in last.reply.text
    assert "Maluku" in last.reply.text


def test_a_bare_place_name_is_no_place_outside_a_talk_about_places(engine: Engine) -> None:
    # Alone, "tual" may be a misspelt word: no place is read into it.
    (alone,) = talk(engine, "Tual ada?")
    assert "Kota Tual" not in alone.reply.text
