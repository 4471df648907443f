"""What the sixteenth writer's conversations showed failing at the edges of a talk: thanks in
Arabic and Hokkien forms, the long Islamic greeting, a nod with "selamat malam" that takes leave,
a goodbye after a plan, an agent introducing themself before asking for the people they enrol,
a programme named against the remembered follow-ups, an employer's deduction after the user said
they were an independent worker, travel and verses asked mid-talk, and "ulang"."""

from __future__ import annotations

import pytest

from bot.domain import names_foreign_matter
from bot.engine import Engine
from bot.preamble import closing, introduces_agent

from .test_session_memory import talk


@pytest.mark.parametrize("thanks", ["ok kamsia", "oke trm ksh", "jazakallah khair", "syukran"])
def test_thanks_in_every_form_closes_a_talk(engine: Engine, thanks: str) -> None:
    _, closed = talk(engine, "iuran bpu brp", thanks)
    assert closed.reply.intent == "terima_kasih"


@pytest.mark.parametrize("greeting", ["Assalamualaikum warahmatullah", "assalamualaikum wr wb"])
def test_the_long_greeting_alone_is_a_greeting(engine: Engine, greeting: str) -> None:
    (reply,) = talk(engine, greeting)
    assert reply.reply.intent == "salam"


def test_a_nod_with_the_time_of_day_takes_leave_only_after_an_answer(engine: Engine) -> None:
    _, leaving = talk(engine, "cara bayar iuran mandiri", "baik, selamat malam")
    assert leaving.reply.intent == "pamit"
    # Opening a talk, the same words greet.
    (greeting,) = talk(engine, "ok selamat malam")
    assert greeting.reply.intent == "salam"
    assert closing("baik selamat malam") is None


def test_a_goodbye_after_a_plan_is_a_goodbye(engine: Engine) -> None:
    _, leaving = talk(
        engine, "daftar bpjs tk ojol gmn", "siap, nanti sy coba daftar lewat jmo. pamit dulu"
    )
    assert leaving.reply.intent == "pamit"


@pytest.mark.parametrize(
    ("asked", "wanted"),
    [
        ("tabe, sy kader perisai di bajawa, ada warga umur 62 mau ikut, bisa?", "daftar_siapa"),
        ("saya agen perisai di desa, ada tukang batu mau daftar, boleh ikut kan", "daftar_siapa"),
    ],
)
def test_an_agent_introducing_themself_asks_for_the_people_they_enrol(
    engine: Engine, asked: str, wanted: str
) -> None:
    (reply,) = talk(engine, asked)
    assert reply.reply.intent not in {"perisai_apa", "perisai_jadi"}
    assert reply.reply.intent == wanted


def test_an_agent_asking_of_their_own_work_is_answered_about_it() -> None:
    assert introduces_agent("saya agen perisai di desa mau daftarkan warga")
    assert not introduces_agent("saya agen perisai berapa komisi saya")
    assert not introduces_agent("saya agen perisai")


def test_a_programme_named_outvotes_the_remembered_follow_up(engine: Engine) -> None:
    _, claim = talk(
        engine,
        "bpjs tk mandiri bs berhenti kapan aja?",
        "jht yg udh sy bayar bisa diambil klo berhenti?",
    )
    assert claim.reply.intent == "jht_klaim_berhenti"


def test_an_employers_deduction_is_the_employees_premium(engine: Engine) -> None:
    *_, deduction = talk(
        engine,
        "sy dulu peserta mandiri, skrg diterima kerja di perusahaan tambang balikpapan",
        "perusahaan potong gaji brp persen",
    )
    assert deduction.reply.intent == "iuran_pu"


@pytest.mark.parametrize(
    "aside", ["tiket kapal ternate sorong brp ya skrg", "km bisa bikinin pantun ga"]
)
def test_travel_and_verses_mid_talk_fall_back(engine: Engine, aside: str) -> None:
    _, reply = talk(engine, "kantor bpjs tk di sorong ada?", aside)
    assert reply.reply.intent is None
    assert names_foreign_matter(aside.split())


def test_ulang_gives_the_answer_again(engine: Engine) -> None:
    first, again = talk(engine, "berapa jumlah peserta bpjs ketenagakerjaan di sikka", "ulang")
    assert again.reply.intent == first.reply.intent == "cakupan_wilayah"
    assert again.reply.text == first.reply.text
    jkm, jkk, _, jkk_again = talk(engine, "jkm itu apa", "jkk?", "yg jkm tadi brp", "ulang yg jkk")
    assert jkk_again.reply.intent == jkk.reply.intent == "jkk_manfaat"
    assert jkm.reply.intent == "jkm_manfaat"


def test_whether_a_worker_may_join_is_who_may_join_and_the_way_is_how(engine: Engine) -> None:
    may, price = talk(
        engine,
        "ada 3 org tukang batu mau daftar, tukang bs ikut kan",
        "klo yg 3 org tukang itu iuranya brp sebulan total",
    )
    assert may.reply.intent == "daftar_siapa"
    # The premium asked of those workers, not who may join again.
    assert price.reply.intent == "iuran_bpu_hitung"
    (way,) = talk(engine, "sy petani, mau daftar bpjs tk, bisa daftar tanpa aplikasi?")
    assert way.reply.intent == "daftar_cara"


def test_a_tag_kan_makes_a_question_not_a_statement(engine: Engine) -> None:
    *_, office = talk(
        engine,
        "no hp sy ganti, jmo gk bs login krn otp nya ke no lama",
        "klo gk bs jg kmn",
        "kantor di bandar lampung ada kan",
    )
    assert office.reply.intent == "kantor_cabang"


def test_a_premium_asked_with_an_income_after_a_benefit_is_the_premium(engine: Engine) -> None:
    *_, premium = talk(
        engine,
        "kalau kena pisau sadap waktu nyadap karet itu masuk kecelakaan kerja",
        "satu juta sebulan iurannya berapa",
    )
    assert premium.reply.intent == "iuran_bpu_hitung"


def test_an_english_follow_up_on_documents_stays_with_the_claim(engine: Engine) -> None:
    claim, documents = talk(
        engine, "hi, need info claim jht asap, I resigned last month", "what documents do I need"
    )
    assert documents.reply.intent == claim.reply.intent == "jht_klaim_berhenti"


def test_is_that_all_asks_for_the_details_and_without_a_mark_closes(engine: Engine) -> None:
    _, details = talk(engine, "syarat daftar bpjs tk mandiri apa aja", "itu aja?")
    assert details.reply.intent in {"rincian", "daftar_syarat"}
    assert details.reply.intent != "pamit"


def test_the_difference_after_two_programmes_sets_them_side_by_side(engine: Engine) -> None:
    *_, side_by_side = talk(engine, "jkm itu apa", "jkk?", "beda nya?")
    assert side_by_side.reply.intent == "program_lima"
    _, again = talk(engine, "jht itu apa", "bedanya?")
    assert again.reply.intent == "jht_apa"


def test_a_programme_alone_after_an_employees_premium_is_its_share(engine: Engine) -> None:
    *_, share = talk(engine, "potongan jht karyawan brp persen", "kalau upah 3 juta?", "jp nya?")
    assert share.reply.intent == "iuran_pu"
    assert "JP" in share.reply.text
    # Alone, the programme is what it is.
    (alone,) = talk(engine, "jp nya?")
    assert alone.reply.intent == "jp_apa"
