"""Corrected texts, the missing answers, and discounts told completely."""

from __future__ import annotations

from datetime import date

import pytest

from bot.engine import Engine
from core.reply import Reply
from core.session import Session
from handlers.premiums import months_alone, months_to_pay_ahead

DEC_2026 = date(2026, 12, 1)


def ask(engine: Engine, text: str, today: date = DEC_2026) -> Reply:
    return engine.answer(text, Session(), today)


def test_less_than_fifteen_years_of_jp_is_paid_as_a_lump_sum(engine: Engine) -> None:
    reply = ask(engine, "kalau iuran jp kurang 15 tahun gmn")
    first = reply.text.split("\n")[0]
    assert "sekaligus" in first and "berhak atas uang pensiun bulanan" not in reply.text


def test_the_labour_intensive_discount_is_told_as_ended(engine: Engine) -> None:
    reply = ask(engine, "diskon iuran jkk padat karya masih berlaku?")
    assert reply.intent == "iuran_diskon"
    assert "sudah berakhir" in reply.text and "Januari 2026" in reply.text
    assert "Rp8.400" not in reply.text


def test_a_wrong_pension_cap_in_the_question_is_corrected(engine: Engine) -> None:
    reply = ask(engine, "iuran jp dari gaji maksimal 10 juta ya")
    assert reply.text.startswith("Batas upah JP bukan Rp10.000.000, tetapi Rp11.086.300")


def test_a_work_accident_death_at_one_million_states_the_reported_total(engine: Engine) -> None:
    reply = ask(engine, "bpu meninggal kecelakaan kerja penghasilan 1 juta dapat berapa")
    assert "Rp48.000.000" in reply.text and "Rp70.000.000" in reply.text


def test_the_health_insurance_redirect_names_no_unsourced_service(engine: Engine) -> None:
    reply = ask(engine, "iuran bpjs kesehatan kelas 3 berapa")
    assert reply.intent == "bpjs_kesehatan"
    assert "CHIKA" not in reply.text and "PANDAWA" not in reply.text


@pytest.mark.parametrize(
    ("question", "intent", "words"),
    [
        ("uang pensiun jp paling besar berapa", "jp_manfaat_besar", ("Rp4.932.300",)),
        ("kartu bpjs tk saya hilang", "kpj_hilang", ("JMO", "NIK", "175")),
        ("cara ganti nomor hp di jmo", "jmo_ganti_nomor", ("pengkinian data", "175")),
        ("mau berhenti bpjs tk", "berhenti_peserta", ("nonaktif", "3 bulan", "175")),
        ("suami saya meninggal, jht nya gimana", "jht_ahli_waris", ("ahli waris", "akta")),
    ],
)
def test_the_new_answers(engine: Engine, question: str, intent: str, words: tuple[str]) -> None:
    reply = ask(engine, question)
    assert reply.intent == intent
    for word in words:
        assert word in reply.text


def test_the_discount_answer_in_2028_speaks_of_the_past(engine: Engine) -> None:
    reply = ask(engine, "diskon iuran bpjs tk masih ada?", date(2028, 3, 1))
    assert reply.text.count("sudah berakhir") == 2
    assert "Rp8.400" not in reply.text and "Desember 2026" in reply.text


def test_in_the_last_discounted_month_the_answer_warns_of_the_normal_amount(
    engine: Engine,
) -> None:
    reply = ask(engine, "iuran petani berapa")
    assert "bulan ini (Desember 2026) bulan diskon terakhir" in reply.text
    assert "Januari 2027" in reply.text and "Rp16.800" in reply.text


def test_the_share_text_names_the_last_discounted_month_and_the_regulation(
    engine: Engine,
) -> None:
    session = Session()
    engine.answer("iuran petani berapa", session, DEC_2026)
    shared = engine.select("bagikan", session, DEC_2026).text
    assert "Desember 2026" in shared and "bulan diskon terakhir" in shared
    assert "Sumber: PP 50/2025" in shared and "1 Desember 2026" in shared
    assert len(shared) <= 1000


def test_twelve_months_ahead_for_a_farmer_counts_each_month(engine: Engine) -> None:
    reply = ask(engine, "petani mau bayar iuran 12 bulan sekaligus berapa")
    # December 2026 discounted (Rp8.400), January to November 2027 normal: 11 x Rp16.800.
    assert "Desember 2026: 1 × Rp8.400" in reply.text
    assert "11 × Rp16.800 = Rp184.800" in reply.text
    assert "Total: Rp193.200" in reply.text


def test_a_year_paid_at_once_after_a_premium_is_counted_for_the_income_given(
    engine: Engine,
) -> None:
    session = Session()
    engine.answer("iuran bpu penghasilan 2 juta brp", session, DEC_2026)
    reply = engine.answer("kalau bayar setahun sekaligus brp", session, DEC_2026)
    # For Rp2.000.000: December 2026 discounted (Rp13.400), January to November 2027 normal.
    assert "Bayar 12 bulan sekaligus" in reply.text
    assert "penghasilan Rp2.000.000" in reply.text
    assert "Desember 2026: 1 × Rp13.400" in reply.text
    assert "11 × Rp26.800 = Rp294.800" in reply.text
    assert "Total: Rp308.200" in reply.text


@pytest.mark.parametrize("duration", ["12 bulan", "setahun", "kalau setahun?"])
def test_a_bare_duration_after_a_premium_is_that_premium_paid_for_those_months(
    engine: Engine, duration: str
) -> None:
    session = Session()
    engine.answer("hitungin iuran bpu penghasilan 2 jt", session, DEC_2026)
    reply = engine.answer(duration, session, DEC_2026)
    assert reply.intent == "iuran_bpu_hitung"
    assert "Bayar 12 bulan sekaligus" in reply.text
    assert "satu pekerja mandiri, penghasilan Rp2.000.000" in reply.text
    assert "Total: Rp308.200" in reply.text


def test_asking_whether_months_can_be_paid_at_once_is_how_to_pay(engine: Engine) -> None:
    session = Session()
    engine.answer("hitungin iuran bpu penghasilan 2 jt", session, DEC_2026)
    assert engine.answer("bisa bayar setahun sekaligus?", session, DEC_2026).intent == "bayar_cara"


@pytest.mark.parametrize(
    ("message", "months"),
    [
        ("bayar setahun sekaligus", 12),
        ("bayar setengah tahun dimuka", 6),
        ("dua tahun sekaligus brp", 24),
        ("bayar 3 bulan sekaligus", 3),
        # Years of contribution, not months paid at once.
        ("kalau iur jp cuma 10 tahun", None),
        ("setahun berapa", None),
    ],
)
def test_months_paid_at_once_are_read_in_months_and_years(message: str, months: int | None) -> None:
    assert months_to_pay_ahead(message) == months


def test_a_duration_alone_is_told_from_one_inside_a_question() -> None:
    assert months_alone("kalau 6 bulan") == 6
    assert months_alone("setahun") == 12
    assert months_alone("bayar 3 bulan sekaligus brp") is None
    assert months_alone("12 bulan kerja") is None


def test_a_group_quote_phrased_with_an_occupation_counts_the_workers(engine: Engine) -> None:
    reply = ask(engine, "10 petani penghasilan 1 juta", date(2027, 6, 1))
    assert "10 orang" in reply.text and "Rp168.000" in reply.text


def test_a_forwarded_discount_text_stays_true_after_it_is_forwarded(engine: Engine) -> None:
    session = Session()
    engine.answer("diskon iuran bpjs tk masih ada?", session, DEC_2026)
    shared = engine.select("bagikan", session, DEC_2026).text
    assert "bulan ini" not in shared and "sekarang" not in shared
    assert "sampai iuran Desember 2026 (bulan diskon terakhir)" in shared
    assert "mulai iuran Januari 2027 normal Rp16.800" in shared
