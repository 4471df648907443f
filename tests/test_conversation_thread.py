"""A conversation keeps its thread without inventing one: keyboard noise inside a topic still
falls back, and so does another matter asked as "kalau ...?"; a correction that restates the
answer just given keeps it; a follow-up's own wage survives its correction; the case a
conversation opened (a death) carries across the answers about it; a death at work re-asks the
death benefit as a work accident; and a bare place name after an answer about places is read as
a place."""

from __future__ import annotations

import pytest

from bot.engine import Engine

from .test_session_memory import talk

DEATH = "suami saya meninggal, dia peserta bpjs tk, keluarga dapat apa"


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


@pytest.mark.parametrize("opening", ["iuran bpu brp", "kantor bpjs di kupang"])
def test_another_matter_asked_as_a_what_if_inside_a_topic_falls_back(
    engine: Engine, opening: str
) -> None:
    _, last = talk(engine, opening, "kalau beli motor?")
    assert last.reply.intent is None


@pytest.mark.parametrize(
    ("turns", "intents"),
    [
        # A place is something to read though no example uses its name.
        (("kantor bpjs di kupang", "ende"), ("kantor_cabang", "kantor_cabang")),
        # Insisting on what was answered is no rejection of it.
        (
            ("bpjs saya tidak bisa dipakai di puskesmas", "maksud saya bpjs kesehatan"),
            ("bpjs_kesehatan", "bpjs_kesehatan"),
        ),
        # "yg jp nya?" was answered for the wage of the turn before, not one of its own: its
        # correction is the plain answer.
        (
            ("iuran karyawan brp persen", "klo upah 4jt?", "yg jp nya?", "bukan, sy mandiri"),
            ("iuran_pu", "iuran_pu", "iuran_pu", "iuran_bpu"),
        ),
        # The death stays the case through the JKK answers it led to.
        (
            (DEATH, "tapi meninggalnya pas kerja di sawah", "klaimnya gmn", "jht nya bisa cair?"),
            ("jkm_manfaat", "jkk_manfaat", "jkk_klaim", "jht_ahli_waris"),
        ),
    ],
)
def test_each_turn_keeps_the_thread(
    engine: Engine, turns: tuple[str, ...], intents: tuple[str, ...]
) -> None:
    assert tuple(o.reply.intent for o in talk(engine, *turns)) == intents


def test_a_correction_keeps_the_wage_a_follow_up_gave(engine: Engine) -> None:
    *_, last = talk(
        engine,
        "iuran karyawan gaji 3jt",
        "kalau gajinya 12 juta",
        "eh maksud saya pekerja mandiri, bukan karyawan",
    )
    assert last.reply.intent == "iuran_bpu_hitung"
    assert "Rp12.000.000" in last.reply.text


def test_a_bare_place_after_an_office_answer_is_that_place(engine: Engine) -> None:
    _, last = talk(engine, "kantor bpjs tk di Ambon", "Tual ada?")
    assert last.reply.intent == "kantor_cabang"
    assert "Kota Tual" in last.reply.text
    assert "Maluku" in last.reply.text


def test_a_bare_place_name_is_no_place_outside_a_talk_about_places(engine: Engine) -> None:
    # Alone, "tual" may be a misspelt word: no place is read into it.
    (alone,) = talk(engine, "Tual ada?")
    assert "Kota Tual" not in alone.reply.text


def test_a_long_later_turn_is_read_with_the_users_questions_too(engine: Engine) -> None:
    # Worded like the users' labelled questions about documents, not like the curated examples.
    _, last = talk(
        engine,
        "cara daftar bpjs tk mandiri",
        "kartu ktp saya masih alamat kampung di garut apa tidak masalah",
    )
    assert last.reply.intent == "daftar_syarat"


@pytest.mark.parametrize(
    ("opening", "statement"),
    [
        ("telat bayar iuran kena denda ga", "sy peserta mandiri"),
        ("cara cek saldo jht", "dak punya hp android"),
    ],
)
def test_a_short_statement_is_not_pulled_away_by_the_users_questions(
    engine: Engine, opening: str, statement: str
) -> None:
    first, last = talk(engine, opening, statement)
    assert last.reply.intent == first.reply.intent
