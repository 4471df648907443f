"""How people in villages go on after a first answer (the tenth writer's conversations showed
each of these failing): a duration or a head count in their own words continues a premium; "pu"
is the employees' premium where it is not Kupang Malay for "punya"; a death told within a talk
about a work accident is that accident's; another matter asked of the agency by its name alone is
not the agency's; a greeting with a self-introduction is a greeting; the heirs' JHT asked with a
regional word for father; a correction naming another worker answers the premium again."""

from __future__ import annotations

import pytest

from bot.engine import Engine

from .test_session_memory import talk


@pytest.mark.parametrize("duration", ["kl langsung 3 bln?", "6 bulan berape", "klo setaun"])
def test_a_duration_in_own_words_after_a_premium_is_paid_ahead(
    engine: Engine, duration: str
) -> None:
    _, ahead = talk(engine, "iuran bpu kalau penghasilan 2 juta", duration)
    assert ahead.reply.intent == "iuran_bpu_hitung"
    # For the income given, not the lowest one.
    assert "sekaligus" in ahead.reply.text
    assert "Rp2.000.000" in ahead.reply.text


def test_a_price_for_months_after_how_to_pay_is_calculated(engine: Engine) -> None:
    _, priced = talk(engine, "bayar iuran bpu lewat mana", "6 bulan berapa")
    assert priced.reply.intent == "iuran_bpu_hitung"
    assert "6 bulan sekaligus" in priced.reply.text


@pytest.mark.parametrize(("word", "count"), [("berdua", 2), ("bertiga", 3)])
def test_a_head_count_in_one_word_is_that_many_workers(
    engine: Engine, word: str, count: int
) -> None:
    _, together = talk(engine, "iuran bpu kalau penghasilan 2 juta", f"bayar {word} sebulan brapa")
    assert together.reply.intent == "iuran_bpu_hitung"
    assert f"{count} orang" in together.reply.text


def test_pu_after_a_question_word_is_the_employees_premium(engine: Engine) -> None:
    (employees,) = talk(engine, "kalo pu iurannye berape persen")
    assert employees.reply.intent == "iuran_pu"
    # Kupang Malay "sa pu" (my) is still "saya punya".
    (mine,) = talk(engine, "sa pu penghasilan 1 juta, iuran brapa")
    assert mine.reply.intent == "iuran_bpu_hitung"


ACCIDENT = "perahu abang saya terbalik waktu melaut, dia peserta bpjs tk, keluarga dapat apa"


def test_a_death_told_within_a_work_accident_is_that_accidents(engine: Engine) -> None:
    first, death, illness = talk(
        engine,
        ACCIDENT,
        "kalo ketemu udah meninggal, keluarga dapat ape",
        "kalo meninggal krn sakit biasa",
    )
    assert first.reply.intent == "jkk_manfaat"
    assert death.reply.intent == "jkk_manfaat"
    # Told as an illness, the death is JKM's again.
    assert illness.reply.intent == "jkm_manfaat"


@pytest.mark.parametrize(
    "story",
    [
        "suami sy tabrakan motor pas pulang dari kerja, meninggal. dapat apa dari bpjs tk",
        "bapa sy nelayan meninggal tenggelam waktu pi mancing, keluarga dapat apa",
    ],
)
def test_a_death_on_the_way_or_at_the_work_itself_is_a_work_accident(
    engine: Engine, story: str
) -> None:
    (answer,) = talk(engine, story)
    assert answer.reply.intent == "jkk_manfaat"


@pytest.mark.parametrize(
    "question",
    [
        "tiang petani bawang di bima. ada bantuan bibit dr bpjs ga",
        "bang BSU dari bpjs tk ada lagi gak tahun ini",
        "blt dana desa itu dari bpjs tk kah",
    ],
)
def test_another_matter_asked_of_the_agency_by_name_falls_back(
    engine: Engine, question: str
) -> None:
    (answer,) = talk(engine, question)
    assert answer.kind == "fallback"
    assert answer.reply.intent is None


def test_a_deduction_from_a_minimum_wage_is_the_agencys_matter(engine: Engine) -> None:
    (answer,) = talk(engine, "gaji UMR Surabaya kira2 kena potongan bpjs tk brp rupiah")
    assert answer.reply.intent == "iuran_pu"


@pytest.mark.parametrize(
    "opening",
    [
        "assalamualaikum min, ku agen perisai di desa kurau",
        "assalamualaikum, sy petani jagung di gorontalo",
    ],
)
def test_a_greeting_with_a_self_introduction_is_a_greeting(engine: Engine, opening: str) -> None:
    (answer,) = talk(engine, opening)
    assert answer.reply.intent == "salam"


def test_the_heirs_jht_asked_with_a_regional_word_for_father(engine: Engine) -> None:
    *_, jht = talk(
        engine,
        "amaq tiang meninggal bulan lalu, dia peserta bpjs tk. keluarga dapat apa",
        "jht amaq jg bisa cair?",
    )
    assert jht.reply.intent == "jht_ahli_waris"


def test_a_correction_naming_another_worker_answers_the_premium_again(engine: Engine) -> None:
    first, corrected, income = talk(
        engine,
        "ku petani lada di toboali, nek daftar bpjs tk brp sebulan?",
        "eh maksud ku nelayan bukan petani, ku melaut kek perahu kecil",
        "penghasilan dak tentu, kadang 2jt kadang 3jt",
    )
    assert first.reply.intent == "iuran_bpu"
    # The same premium for the worker meant, not the work accident "melaut" would suggest.
    assert corrected.reply.intent == "iuran_bpu"
    assert income.reply.intent == "iuran_bpu_hitung"


def test_a_word_two_answers_share_does_not_hold_the_last_one(engine: Engine) -> None:
    _, late = talk(engine, "bayar iuran bpu tiap tgl brp", "kalo lupa bayar 2 bln")
    assert late.reply.intent == "bayar_telat"


@pytest.mark.parametrize(
    ("opening", "other"),
    [
        ("kantor bpjs di labuan bajo dimana", "cuaca di komodo besok bagus ka, mau antar tamu"),
        ("ojol ada diskon iuran?", "bang BSU ada lagi gak tahun ini"),
    ],
)
def test_another_matter_after_an_answer_is_no_follow_up_of_it(
    engine: Engine, opening: str, other: str
) -> None:
    first, last = talk(engine, opening, other)
    assert first.reply.intent is not None
    assert last.kind == "fallback"


def test_a_minimum_wage_given_as_the_wage_still_follows_the_premium(engine: Engine) -> None:
    _, wage = talk(engine, "iuran karyawan brp persen", "gaji umr 2,9jt")
    assert wage.reply.intent == "iuran_pu"
    assert "Rp2.900.000" in wage.reply.text


def test_a_worker_naming_the_premium_gets_that_workers_premium(engine: Engine) -> None:
    (premium,) = talk(engine, "sy tukang ojek di bima mau tanya iuran")
    assert premium.reply.intent == "iuran_bpu"
    # Asking how to pay it is still how to pay.
    (paying,) = talk(
        engine, "ku petani lada di simpang rimba, nek bayar iuran 6 bulan sekali jalan pacak?"
    )
    assert paying.reply.intent == "bayar_cara"


@pytest.mark.parametrize(
    ("question", "intent"),
    [("nuwun sewu, JHT niku nopo", "jht_apa"), ("jp dibayar bulanan atau sekali ya", "jp_apa")],
)
def test_the_programme_named_wins_over_a_close_answer_of_no_programme(
    engine: Engine, question: str, intent: str
) -> None:
    (answer,) = talk(engine, question)
    assert answer.reply.intent == intent


def test_months_paid_ahead_after_a_group_quote_are_for_the_whole_group(engine: Engine) -> None:
    # An agent's eight fishers at 1.5 million: JKK 1% (Rp15.000) + JKM Rp6.800 each, Rp174.400
    # for the eight, half that in the discount's months (November and December 2026).
    _, ahead = talk(
        engine, "sy agen, 8 nelayan penghasilan 1,5 jt, iuran sebulan brp", "klo 3 bulan sekaligus"
    )
    assert ahead.reply.intent == "iuran_bpu_hitung"
    assert "8 pekerja mandiri" in ahead.reply.text
    assert "Total: Rp348.800" in ahead.reply.text
    # A new quote for one person starts from one again.
    _, again = talk(engine, "iuran bpu penghasilan 2 juta", "klo setaun")
    assert "satu pekerja mandiri" in again.reply.text


@pytest.mark.parametrize(
    ("opening", "named"),
    [("sy petani di ende, iuran brp", "Ende"), ("sy ojol di medan, ada diskon?", "Sumatera Utara")],
)
def test_an_office_asked_later_is_for_the_place_named_earlier(
    engine: Engine, opening: str, named: str
) -> None:
    _, office = talk(engine, opening, "kantornya dimana")
    assert office.reply.intent == "kantor_cabang"
    # Never "Untuk daerah mana?" once the user has said where they are.
    assert "daerah mana" not in office.reply.text
    assert named in office.reply.text


def test_the_employers_share_asked_next_is_for_the_wage_given(engine: Engine) -> None:
    *_, share = talk(engine, "iuran karyawan gaji 5 juta", "kalau 15 juta?", "yg perusahaan brp")
    assert share.reply.intent == "iuran_pu"
    assert "Rp15.000.000" in share.reply.text


def test_a_bare_year_after_the_retirement_age_is_a_birth_year(engine: Engine) -> None:
    *_, later = talk(engine, "pensiun jp umur brp", "sy lahir 1975", "kalau 1980?")
    assert later.reply.intent == "jp_usia_pensiun"
    assert "Lahir tahun 1980" in later.reply.text


@pytest.mark.parametrize("group", ["kelompok III", "kelompok II"])
def test_a_risk_group_in_roman_numerals_is_that_group(engine: Engine, group: str) -> None:
    # Read as a drawn-out "i", "III" priced group I: a wrong number for the employer.
    (answer,) = talk(engine, f"iuran jkk {group} upah 4 juta")
    assert f"kelompok risiko {group.split()[1]})" in answer.reply.text


def test_a_job_loss_benefit_for_a_wage_shows_the_amount_first(engine: Engine) -> None:
    (answer,) = talk(engine, "jkp gaji 6 juta dapat brp")
    # 60% of the capped wage (Rp5.000.000) for six months, in the first message.
    assert answer.reply.text.startswith("Uang JKP untuk upah Rp6.000.000")
    assert "total Rp18.000.000" in answer.reply.text


def test_years_of_contributions_do_not_make_a_pension_question_a_premium(engine: Engine) -> None:
    (answer,) = talk(engine, "jp sebulan dapat brp gaji 8 juta iur 20 tahun")
    assert answer.reply.intent == "jp_manfaat_besar"


def test_i_mean_that_rejects_nothing_says_the_answer_again(engine: Engine) -> None:
    first, again = talk(engine, "bayar iuran bpu dimana", "maksud sy bayar iuran bpjs tk lewat bri")
    assert first.reply.intent == "bayar_cara"
    assert again.reply.intent == "bayar_cara"
    # Rejecting it still asks for another answer.
    _, other = talk(engine, "iuran bpu brp", "bukan itu, maksud sy yg karyawan")
    assert other.reply.intent == "iuran_pu"


def test_a_head_count_with_a_price_asked_is_a_group_premium(engine: Engine) -> None:
    (quote,) = talk(
        engine,
        "sy kader di desa, mau daftarin 20 mama penenun. totalnya sebulan brp klo paket paling murah",
    )
    assert quote.reply.intent == "iuran_bpu_hitung"
    # The lowest income (Rp1.000.000): Rp16.800 each, Rp336.000 for twenty, half in the
    # discount's months.
    assert "untuk 20 pekerja mandiri (penenun), total per bulan" in quote.reply.text
    assert "Rp168.000" in quote.reply.text


def test_a_work_accident_told_once_stays_the_talks_case(engine: Engine) -> None:
    *_, death = talk(
        engine,
        "anak sy 3, suami meninggal kecelakaan kerja di kapal ikan. beasiswa dpt brp",
        "sampai umur brp",
        "santunan kematiannya sendiri brp",
    )
    # After the scholarship (a JKM answer), the death benefit is still the accident's.
    assert death.reply.intent == "jkk_manfaat"


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        # The age decides whether that person may join at all.
        ("sy mau daftarin ortu sy petani umur 66", "daftar_siapa"),
        # Asked how, it is the way to register, whatever the age.
        ("ibu sy umur 58 mau sy daftarkan dr kota, gmn caranya", "daftar_cara"),
        # A would-be agent's age is no member's.
        ("mau jadi agen perisai, umur 45 masih bisa", "perisai_jadi"),
    ],
)
def test_an_age_with_a_registration_question(engine: Engine, question: str, intent: str) -> None:
    (answer,) = talk(engine, question)
    assert answer.reply.intent == intent


def test_a_programme_named_alone_within_a_case_is_that_cases(engine: Engine) -> None:
    _, jht = talk(engine, "kontrak sy habis bulan ini, dpt jkp?", "jht nya?")
    # The JHT claim after the job ended, not what JHT is.
    assert jht.reply.intent == "jht_klaim_berhenti"
    # Alone, the name still asks what it is.
    (alone,) = talk(engine, "jht nya?")
    assert alone.reply.intent == "jht_apa"


def test_an_injury_told_by_a_worker_is_a_work_accident(engine: Engine) -> None:
    (injury,) = talk(engine, "sy tukang kayu, tangan kena gergaji sampe dijahit, bs diklaim?")
    assert injury.reply.intent in {"jkk_klaim", "jkk_manfaat"}


def test_another_insurer_asked_within_a_work_accident_falls_back(engine: Engine) -> None:
    *_, other = talk(
        engine,
        "suami sy tabrakan motor pas pulang dari kerja, dapat apa dari bpjs tk",
        "jasa raharja jg bisa diklaim kah utk tabrakan itu",
    )
    assert other.reply.intent is None


@pytest.mark.parametrize(
    "question",
    [
        "klo taspen pensiunnya lbh gede ya?",
        "bayar tilang elektronik gimana caranya",
        "bos tdk kasih pesangon waktu sy di phk, bisa dituntut?",
    ],
)
def test_other_institutions_and_matters_fall_back(engine: Engine, question: str) -> None:
    (answer,) = talk(engine, question)
    assert answer.reply.intent is None


def test_a_layoff_told_without_a_question_is_answered(engine: Engine) -> None:
    (answer,) = talk(engine, "sy di phk 3 bln lalu dr pabrik di bekasi, blm ngurus apa2")
    assert answer.reply.intent in {"jkp_manfaat", "jht_klaim_berhenti"}


@pytest.mark.parametrize(
    ("opening", "who"),
    [
        ("iuran tki ke taiwan brp", "yg bayar sy atau agen"),
        ("perusahaan telat bayar iuran karyawan dendanya brp", "yg nanggung siapa"),
    ],
)
def test_who_pays_is_asked_of_the_answer_just_given(engine: Engine, opening: str, who: str) -> None:
    first, asked = talk(engine, opening, who)
    assert asked.reply.intent == first.reply.intent


def test_asking_the_source_after_figures_is_no_place_name(engine: Engine) -> None:
    # Sumber is also a place; "sumbernya dari mana" asks where the figures come from.
    _, source = talk(engine, "jumlah peserta bpjs tk di sikka", "sumbernya dari mana")
    assert source.reply.intent == "sumber"
    # A bare place after the figures is still that place.
    _, place = talk(engine, "jumlah peserta bpjs tk di sikka", "ende")
    assert place.reply.intent == "cakupan_wilayah"


@pytest.mark.parametrize(
    "slip", ["eh keliru, bukan 12 tapi 15 org", "salah ketik, 15 orang", "typo, 15 org maksudnya"]
)
def test_a_corrected_figure_recalculates_the_same_answer(engine: Engine, slip: str) -> None:
    # The rejection is of the figure, not of the answer: the same total for the number meant.
    first, again = talk(engine, "kelompok tani kami 12 org, iuran bpu sebulan total brp", slip)
    assert first.reply.intent == "iuran_bpu_hitung"
    assert again.reply.intent == "iuran_bpu_hitung"
    assert "15 pekerja" in again.reply.text
    assert "Rp126.000" in again.reply.text  # 15 x Rp8.400, the discounted JKK + JKM
