"""The engine end to end on the real knowledge: intents, figures, follow-ups, fallbacks."""

from __future__ import annotations

from datetime import date

import pytest

from bot.engine import CLARIFIED, Engine
from core.reply import Option
from core.session import Session

from .conftest import TODAY


def ask(
    engine: Engine, text: str, today: date = TODAY, session: Session | None = None
) -> tuple[str | None, str]:
    reply = engine.answer(text, session or Session(), today)
    return reply.intent, reply.text


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("apa itu jht", "jht_apa"),
        ("jth sy bs cair ga klo udh resign", "jht_klaim_berhenti"),
        ("brp iuran bpjs tk utk petani", "iuran_bpu"),
        ("berapa iuran bpu minimal?", "iuran_bpu"),
        ("Berapa peserta BPJS TK di Manggarai?", "cakupan_wilayah"),
        ("how much is the pension contribution", "iuran_pu"),
        ("cara daftar bpjs ketenagakerjaan", "daftar_cara"),
        ("santunan kematian bpjs tk berapa", "jkm_manfaat"),
        ("halo", "salam"),
        ("makasih ya", "terima_kasih"),
        ("iuran bpjs kesehatan kelas 3 berapa", "bpjs_kesehatan"),
        ("kantor bpjs tk di ruteng dimana", "kantor_cabang"),
    ],
)
def test_questions_reach_their_intent(engine: Engine, question: str, intent: str) -> None:
    assert ask(engine, question)[0] == intent


@pytest.mark.parametrize(
    "nonsense",
    [
        "xkqzv wplm",
        "asdfghjkl",
        "qwerty uiop zxcv",
        "resep nasi goreng enak",
        "jadwal bola malam ini",
        "😀😀😀",
        "123456",
    ],
)
def test_gibberish_and_off_topic_fall_back(engine: Engine, nonsense: str) -> None:
    intent, text = ask(engine, nonsense)
    assert intent is None
    assert "175" in text


def test_the_fallback_is_honest_and_offers_the_menu(engine: Engine) -> None:
    reply = engine.answer("zzqq vvkk", Session(), TODAY)
    assert reply.intent is None
    assert "belum mengerti" in reply.text
    assert len(reply.options) >= 5


def test_minimum_bpu_premium_during_the_discount_states_both_amounts_and_the_period(
    engine: Engine,
) -> None:
    _, text = ask(engine, "berapa iuran bpu minimal?", date(2026, 11, 21))
    assert "Rp8.400" in text
    assert "Rp16.800" in text
    assert "Desember 2026" in text


def test_minimum_bpu_premium_after_the_discount_is_the_normal_amount_only(engine: Engine) -> None:
    _, text = ask(engine, "berapa iuran bpu minimal?", date(2027, 6, 1))
    assert "Rp16.800" in text
    assert "Rp8.400" not in text
    assert "diskon" not in text.split("Cara hitung")[0].lower()


def test_transport_workers_keep_the_discount_into_2027(engine: Engine) -> None:
    _, text = ask(engine, "iuran ojol berapa", date(2027, 2, 1))
    assert "Rp8.400" in text
    assert "Maret 2027" in text


def test_bpu_premium_is_computed_from_a_stated_income(engine: Engine) -> None:
    reply = engine.answer("penghasilan saya 2 juta iurannya berapa", Session(), date(2027, 6, 1))
    text = reply.text
    # JKK 1% x 2.000.000 = 20.000, plus JKM 6.800: the total leads, the working is one tap away.
    assert "Rp26.800" in text
    assert "Rp20.000" in reply.details


def test_several_workers_with_the_same_income_are_totalled(engine: Engine) -> None:
    _, text = ask(engine, "iuran untuk 5 orang masing-masing 1,5 juta", date(2027, 6, 1))
    # (15.000 + 6.800) x 5 = 109.000
    assert "Rp109.000" in text


def test_wage_worker_premium_caps_the_pension_part(engine: Engine) -> None:
    session = Session()
    engine.answer("berapa iuran bpjs tk karyawan", session, TODAY)
    reply = engine.answer("gaji 20 juta", session, TODAY)
    # JP worker share: 1% of the Rp11.086.300 cap in force since March 2026 (in the working).
    assert "Rp11.086.300" in reply.text
    assert "Rp110.863" in reply.details


def test_the_pension_wage_cap_depends_on_the_date(engine: Engine) -> None:
    _, text = ask(engine, "berapa iuran bpjs tk karyawan", date(2025, 6, 1))
    assert "Rp10.547.400" in text


def test_coverage_answers_carry_dates_and_sources(engine: Engine) -> None:
    reply = engine.answer("Berapa peserta BPJS TK di Manggarai?", Session(), TODAY)
    # The curated headline leads; the larger area's older figures are in the details.
    assert "5.280" in reply.text and "2025" in reply.text
    assert "53.374" in reply.details and "2021" in reply.details
    assert reply.sources


def test_a_follow_up_amount_reuses_the_premium_topic(engine: Engine) -> None:
    session = Session()
    engine.answer("berapa iuran bpjs tk mandiri", session, date(2027, 6, 1))
    reply = engine.answer("kalau 2 juta?", session, date(2027, 6, 1))
    assert reply.intent in ("iuran_bpu", "iuran_bpu_hitung")
    assert "Rp26.800" in reply.text


def test_a_follow_up_question_stays_on_the_topic(engine: Engine) -> None:
    session = Session()
    engine.answer("santunan kematian berapa", session, TODAY)
    reply = engine.answer("cara klaimnya?", session, TODAY)
    assert reply.intent == "jkm_klaim"


def test_typing_a_number_selects_the_option_shown(engine: Engine) -> None:
    session = Session()
    first = engine.answer("apa itu jht", session, TODAY)
    assert first.options
    second = engine.answer("1", session, TODAY)
    assert second.intent == first.options[0].id.split(":")[0]


def test_an_ambiguous_place_asks_which_one(engine: Engine) -> None:
    session = Session()
    reply = engine.answer("berapa peserta bpjs tk di kupang", session, TODAY)
    titles = [o.title for o in reply.options]
    assert any("Kota Kupang" in t for t in titles)
    assert any("Kabupaten Kupang" in t for t in titles)
    chosen = engine.select(reply.options[0].id, session, TODAY)
    assert chosen.intent == "cakupan_wilayah"


def test_a_region_without_figures_says_so(engine: Engine) -> None:
    _, text = ask(engine, "berapa peserta bpjs tk di sumba barat")
    assert "belum punya angka" in text


def test_offices_never_give_an_address(engine: Engine) -> None:
    _, text = ask(engine, "kantor bpjs tk di ruteng dimana")
    assert "Labuan Bajo" in text
    assert "Jl." not in text and "Jalan " not in text


def test_retirement_age_follows_the_schedule(engine: Engine) -> None:
    _, text = ask(engine, "saya lahir 1970 kapan pensiun")
    # Born 1970: 59 is reached in 2029, but from 2028 the age is 60, reached in 2030.
    assert "2030" in text
    assert "60 tahun" in text


def test_empty_input_gets_a_prompt(engine: Engine) -> None:
    reply = engine.answer("   ", Session(), TODAY)
    assert reply.intent is None
    assert reply.text.strip()


def test_a_clarification_keeps_the_place_for_the_chosen_option(engine: Engine) -> None:
    session = Session()
    session.memory[CLARIFIED] = "kalau di manggarai gimana"
    session.options = [
        Option("cakupan_wilayah", "Peserta di daerah"),
        Option("kantor_cabang", "Kantor"),
    ]
    chosen = engine.answer("1", session, TODAY)
    assert chosen.intent == "cakupan_wilayah"
    assert "Kabupaten Manggarai" in chosen.text
