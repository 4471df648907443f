"""How the bot reads what people really write: courtesies, regional words, street amounts,
places anywhere in Indonesia, two questions in one message, follow-ups and corrections."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.engine import Engine, Outcome
from bot.entities import PROGRAMME_WORDS
from bot.followup import programme_asked_about
from bot.normalize import spell_amounts
from bot.numbers import find_amounts
from bot.preamble import lone_greeting, strip_correction, strip_courtesies
from core.session import Session

from .conftest import TODAY


def respond(engine: Engine, text: str, session: Session | None = None) -> Outcome:
    return engine.respond(text, session if session is not None else Session(), TODAY)


def conversation(engine: Engine, *turns: str) -> list[Outcome]:
    session = Session()
    return [engine.respond(turn, session, TODAY) for turn in turns]


# -- greetings, preambles and sign-offs -----------------------------------------------------


@pytest.mark.parametrize(
    ("message", "core"),
    [
        ("assalamualaikum mau tanya cara klaim jht", "cara klaim jht"),
        ("halo selamat pagi iuran bpu berapa", "iuran bpu berapa"),
        ("permisi kraeng saya mau tanya soal jht", "jht"),
        ("pagi admin mohon info iuran bpu terima kasih sebelum", "iuran bpu"),
        ("iuran bpu berapa ya kakak", "iuran bpu berapa"),
        # An address that is the question's subject stays.
        ("bapak saya meninggal klaim jkm bagaimana", "bapak saya meninggal klaim jkm bagaimana"),
        ("iuran untuk bapak", "iuran untuk bapak"),
        # The bot's own name is not the preamble "tanya".
        ("tanya jamsos ini punya siapa", "tanya jamsos ini punya siapa"),
        ("mau tanya jamsos ini resmi", "tanya jamsos ini resmi"),
        # Nothing but courtesies: left whole, so that it is answered as a greeting.
        ("selamat pagi admin", "selamat pagi admin"),
    ],
)
def test_courtesies_around_a_question_are_stripped(message: str, core: str) -> None:
    assert strip_courtesies(message) == core


@pytest.mark.parametrize(
    ("question", "intents"),
    [
        ("assalamualaikum, mau tanya cara klaim jht", {"jht_klaim_berhenti", "jht_klaim_jmo"}),
        ("halo selamat pagi, iuran bpu brp", {"iuran_bpu"}),
        ("tabe kraeng, sy mau tanya soal jht", {"jht_apa"}),
        ("pagi min, mohon info iuran bpu, terima kasih sebelumnya", {"iuran_bpu"}),
        (
            "Selamat siang Bapak/Ibu, bagaimana prosedur pendaftaran peserta mandiri?",
            {"daftar_cara"},
        ),
    ],
)
def test_a_greeting_before_the_question_does_not_swallow_it(
    engine: Engine, question: str, intents: set[str]
) -> None:
    outcome = respond(engine, question)
    assert outcome.kind == "answer"
    assert outcome.reply.intent in intents


@pytest.mark.parametrize("greeting", ["tabe kraeng", "assalamualaikum", "halo min", "punten"])
def test_a_greeting_alone_is_answered_as_a_greeting(engine: Engine, greeting: str) -> None:
    assert respond(engine, greeting).reply.intent == "salam"


@pytest.mark.parametrize(
    "greeting",
    [
        # Courtesies alone, with the subject the questions will be about.
        "permisi pak, saya mau tanya soal bpjs ketenagakerjaan",
        # A short self-introduction that ends by announcing the question.
        "selamat siang, sy tukang cukur di terminal mau tanya2",
        # Or says only where the user is from, or their work and place.
        "selamat pagi, saya dari sumba barat",
        "halo, saya nelayan di kupang",
    ],
)
def test_a_greeting_that_has_not_asked_yet_is_answered_as_a_greeting(
    engine: Engine, greeting: str
) -> None:
    assert respond(engine, greeting).reply.intent == "salam"


def test_a_self_introduction_that_tells_a_matter_is_answered(engine: Engine) -> None:
    outcome = respond(engine, "halo, sy petani di kupang kena cangkul")
    assert outcome.reply.intent in {"jkk_manfaat", "jkk_klaim"}


@pytest.mark.parametrize(
    "message",
    [
        "selamat siang, sy tukang cukur mau tanya iuran brp",
        "halo, saya belum bayar iuran 4 bulan, mau tanya",
    ],
)
def test_a_greeting_with_a_question_or_a_matter_is_no_lone_greeting(message: str) -> None:
    assert lone_greeting(spell_amounts(message).lower().replace(",", "")) is None


@pytest.mark.parametrize(
    ("earlier", "question", "intent"),
    [
        # Asking what a programme is, in other words than "X itu apa", within another topic.
        ("potongan jht di slip gaji 2 persen", "jht itu sebenarnya apa sih", "jht_apa"),
        ("iuran bpu brp", "tolong jelasin jp dong", "jp_apa"),
        ("cara jadi agen perisai", "yang jkm itu maksudnya gimana", "jkm_manfaat"),
    ],
)
def test_asking_what_a_programme_is_gets_that_programme_within_another_topic(
    engine: Engine, earlier: str, question: str, intent: str
) -> None:
    session = Session()
    respond(engine, earlier, session)
    assert respond(engine, question, session).reply.intent == intent


def test_a_programme_named_with_only_wrapping_words_does_not_ask_what_it_is() -> None:
    # "kalau jht gimana" asks for JHT's side of the answer under discussion.
    assert programme_asked_about("kalau jht gimana", PROGRAMME_WORDS) is None
    assert programme_asked_about("jht itu apa sebenarnya", PROGRAMME_WORDS) == "jht"


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        # Sundanese "bade naros" is "mau tanya": a greeting asking nothing yet.
        ("punten, bade naros", "salam"),
        # Balinese thanks.
        ("suksma", "terima_kasih"),
        # Javanese "saget nderek" is "bisa ikut".
        ("kulo bakul tahu, saget nderek bpjs tk mboten?", "daftar_siapa"),
        # Palembang and Jambi Malay end in -o: "kantornyo ... dimano" is "kantornya ... dimana".
        ("kantornyo di palembang dimano", "kantor_cabang"),
        # Madurese thanks.
        ("sakalangkong pak", "terima_kasih"),
        # Sundanese "mayar" and Minang "bayia" are "bayar".
        ("iuran mayar kamana", "bayar_cara"),
        ("iuran tu bayianyo kama", "bayar_cara"),
    ],
)
def test_regional_words_are_read_as_their_indonesian(
    engine: Engine, message: str, intent: str
) -> None:
    assert respond(engine, message).reply.intent == intent


MIGRANT_FIRST = "sy mau berangkat kerja ke brunei lewat agen penyalur, harus ikut bpjs tk?"


def test_a_bare_premium_question_stays_with_the_premium_just_answered(engine: Engine) -> None:
    session = Session()
    assert respond(engine, MIGRANT_FIRST, session).reply.intent == "iuran_pmi"
    # No worker named since: the migrant workers' premium is still the one under discussion.
    assert respond(engine, "brp bayarnya", session).reply.intent == "iuran_pmi"


def test_an_employers_share_asked_after_another_premium_is_the_employees(engine: Engine) -> None:
    session = Session()
    assert respond(engine, "berapa iuran bpjs tk sebulan", session).reply.intent == "iuran_bpu"
    assert respond(engine, "yg dibayar perusahaan brp", session).reply.intent == "iuran_pu"


# -- answer, don't ask -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "gaji 3.5jt iuran bpjs tk nya brp kalau pekerja mandiri",
        "kapan batas bayar iuran tiap bulan",
        "halo selamat pagi, iuran bpu brp",
    ],
)
def test_a_clear_enough_question_is_answered_not_asked_back(engine: Engine, question: str) -> None:
    outcome = respond(engine, question)
    assert outcome.kind == "answer"
    assert "Maksud Bapak/Ibu yang mana" not in outcome.reply.text


def test_a_close_runner_up_is_offered_as_an_option(engine: Engine) -> None:
    outcome = respond(engine, "kapan batas bayar iuran tiap bulan")
    assert outcome.reply.intent == "bayar_cara"
    runner_up = outcome.candidates[1]
    if outcome.candidates[0].score - runner_up.score < engine.knobs.see_also_margin:
        assert runner_up.intent in [o.id for o in outcome.reply.options]


# -- two questions in one message -------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "pair"),
    [
        ("cara daftar bpjs tk dan berapa iurannya untuk petani", {"daftar_cara", "iuran_bpu"}),
        ("berapa iuran bpu? cara bayarnya gimana?", {"iuran_bpu", "bayar_cara"}),
        # Clauses separated only by a comma.
        ("sy petani bisa ikut ga, iurannya brp", {"daftar_siapa", "iuran_bpu"}),
        # The programme the first question names carries to the second ("klaimnya").
        ("jkm dapatnya berapa, klaimnya bagaimana", {"jkm_manfaat", "jkm_klaim"}),
        # Three short clauses: a story, and still two questions in it.
        (
            "suami saya meninggal, jht nya bagaimana, anak dapat beasiswa?",
            {"jkm_beasiswa", "jht_ahli_waris"},
        ),
    ],
)
def test_two_questions_get_one_answered_and_the_other_offered(
    engine: Engine, question: str, pair: set[str]
) -> None:
    outcome = respond(engine, question)
    assert set(outcome.answered) == pair
    assert outcome.reply.intent in pair
    (other,) = pair - {outcome.reply.intent}
    # Offered before the other follow-ups (after "Rincian" when the answer has details).
    offered = [o.id for o in outcome.reply.options if o.id not in ("rincian", "sumber")]
    assert offered[0] == other


# -- regional speech and street amounts -------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("ape syarat daftar bpjs tk kek mane", "daftar_syarat"),  # Bangka Malay
        ("beta mau tanya, iuran bpjs tk son mahal ko?", "iuran_bpu"),  # Kupang Malay
        ("tiang mau tanya berembe cara daftar bpjs tk", "daftar_cara"),  # Sasak
        ("hatur nuhun", "terima_kasih"),  # Sundanese
        ("matur nuwun sanget", "terima_kasih"),  # Javanese
    ],
)
def test_regional_words_are_understood(engine: Engine, question: str, intent: str) -> None:
    assert respond(engine, question).reply.intent == intent


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("iuran goceng", 5_000),
        ("ceban sebulan", 10_000),
        ("gopek", 500),
        ("cepek ceng", 100_000),
        ("penghasilan sejuta setengah", 1_500_000),
        ("setengah juta", 500_000),
        ("sejuta", 1_000_000),
    ],
)
def test_street_amounts_are_read_as_rupiah(text: str, value: int) -> None:
    assert [a.value for a in find_amounts(spell_amounts(text))] == [value]


def test_a_premium_for_an_income_in_street_words_is_calculated(engine: Engine) -> None:
    reply = respond(engine, "iuran bpu kalau penghasilan sejuta setengah").reply
    assert "Rp1.500.000" in reply.text


# -- places anywhere in Indonesia -------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "intent", "region"),
    [
        # Borong is the capital of Manggarai Timur; Lombok an island of NTB.
        ("kantor bpjs di borong ada ga", "kantor_cabang", "Manggarai Timur"),
        ("jumlah peserta di lombok", "cakupan_wilayah", "Nusa Tenggara Barat"),
    ],
)
def test_a_town_or_an_island_resolves_to_its_region(
    engine: Engine, question: str, intent: str, region: str
) -> None:
    reply = respond(engine, question).reply
    assert reply.intent == intent
    assert region in reply.text
    assert "Untuk daerah mana" not in reply.text


@pytest.mark.parametrize(
    ("question", "province"),
    [
        ("kantor bpjs tk medan", "Sumatera Utara"),
        ("kantor bpjs yogyakarta", "Yogyakarta"),
        ("kantor bpjs di jogja dimana", "Yogyakarta"),
        ("kantor bpjs tk di merauke", "Papua Selatan"),  # Papua's 2022 split
        ("kantor bpjs di wamena", "Papua Pegunungan"),
        ("kantor cabang bpjs tk di kota sorong", "Papua Barat Daya"),
    ],
)
def test_an_office_outside_the_three_provinces_names_the_province_and_where_to_look(
    engine: Engine, question: str, province: str
) -> None:
    reply = respond(engine, question).reply
    assert reply.intent == "kantor_cabang"
    assert province in reply.text
    assert "NTT, NTB dan Bangka Belitung" in reply.text
    assert "175" in reply.text
    assert "JMO" in reply.text
    assert "Untuk daerah mana" not in reply.text


def test_coverage_outside_the_three_provinces_says_so_honestly(engine: Engine) -> None:
    reply = respond(engine, "jumlah peserta bpjs tk di kota malang").reply
    assert reply.intent == "cakupan_wilayah"
    assert "Jawa Timur" in reply.text
    assert "%" not in reply.text  # no figure of somewhere else passed off as Malang's


def test_premiums_are_national_and_answered_for_any_place(engine: Engine) -> None:
    reply = respond(engine, "iuran bpu di surabaya berapa").reply
    assert reply.intent == "iuran_bpu"
    assert "Rp16.800" in reply.text


def test_a_village_after_the_word_desa_resolves_to_its_kabupaten(engine: Engine) -> None:
    outcome = respond(engine, "berapa peserta bpjs tk di desa oesapa")
    assert outcome.entities.regions == ("kota-kupang",)


def test_an_everyday_word_that_names_a_place_is_no_place_without_a_marker(
    engine: Engine,
) -> None:
    outcome = respond(engine, "kaki kena batu waktu kerja di sawah")
    assert outcome.entities.outside == ()
    assert respond(engine, "kantor bpjs di kota batu").entities.outside


# -- follow-ups, pending questions, corrections, numbers ---------------------------------------


@pytest.mark.parametrize(
    ("turns", "intent", "shown"),
    [
        (("cara klaim jkm", "syaratnya?"), "jkm_klaim", ""),
        (("jht itu apa", "cara klaimnya?"), "jht_klaim_jmo|jht_klaim_berhenti", ""),
        (("iuran karyawan gaji 5 juta", "kalau 15 juta?"), "iuran_pu", "Rp15.000.000"),
        (("iuran nelayan berapa", "kalau tambah jht?"), "iuran_bpu", "JHT"),
        (("iuran karyawan", "upah 2 juta"), "iuran_pu", "Rp2.000.000"),
        (("kantor cabang", "ruteng"), "kantor_cabang", "Manggarai"),
        (("kantor cabang bpjs", "medan"), "kantor_cabang", "Sumatera Utara"),
        (("iuran petani penghasilan 2 juta", "kalau 10 orang?"), "iuran_bpu_hitung", "10 orang"),
        (("usia pensiun", "kalau lahir 1975?"), "jp_usia_pensiun", "1975"),
        (("cara klaim kecelakaan kerja", "klo nelayan?"), "jkk_klaim", ""),
        # A programme named alone continues an employee's premium: its share of it.
        (("iuran karyawan brp persen", "yg jp nya?"), "iuran_pu", ""),
        # A worker type named after a premium: that worker's premium.
        (("iuran bpjs tk brp", "sy karyawan pabrik"), "iuran_pu", ""),
        (("iuran karyawan brp persen", "kalau petani?"), "iuran_bpu", ""),
        # "iuran" alone after another topic is the common premium, not how to pay it.
        (("cara bayar bpjs tk mandiri lewat mana", "iurannya?"), "iuran_bpu", ""),
        (("menu", "iuran"), "iuran_bpu", ""),
        # A bare facet asks it of the answer just given, not of its whole topic.
        (("saya mau stop jadi peserta", "caranya?"), "berhenti_peserta", ""),
        (("nomor hp di jmo mau diganti", "caranya gimana?"), "jmo_ganti_nomor", ""),
        (("manfaat jkk apa saja", "klaimnya gimana?"), "jkk_klaim", ""),
        (("kartu kpj saya hilang", "bisa lihat di hp?"), "kpj_hilang", ""),
        # A full question of the same kind (a place) is that question, not the last one.
        (
            ("jumlah peserta bpjs tk di sikka berapa", "kantor di maumere di mana"),
            "kantor_cabang",
            "",
        ),
        # A new topic in a follow-up's form switches topic.
        (("iuran petani berapa", "oh gitu, kalau meninggal?"), "jkm_manfaat", ""),
        # An income right after how to register: the premium for it.
        (
            ("cara daftar bpjs tk untuk pedagang", "penghasilan saya 2 juta"),
            "iuran_bpu_hitung",
            "Rp2.000.000",
        ),
        # Years of contribution decide whether there is a monthly pension at all.
        (("uang pensiun bulanan berapa", "kalau masa iur cuma 8 tahun?"), "jp_apa", "8 tahun"),
    ],
)
def test_a_short_follow_up_continues_the_topic(
    engine: Engine, turns: tuple[str, ...], intent: str, shown: str
) -> None:
    last = conversation(engine, *turns)[-1]
    assert last.reply.intent in intent.split("|")
    assert shown in last.reply.text


@pytest.mark.parametrize(
    ("turns", "intent"),
    [
        # A situation stated after an answer adds a detail to that question.
        (("gimana cara lihat saldo jht", "hp sy masih hp jadul"), "jht_cek_saldo"),
        (("kartu bpjs tk saya sudah tidak aktif", "terakhir iur tahun 2021"), "bayar_reaktivasi"),
        (("mau daftar bpu caranya gimana", "sy tidak pakai hp android"), "daftar_cara"),
        # A statement that clearly reads as another question is that question.
        (("gimana cara lihat saldo jht", "nomor hp saya sudah ganti"), "jmo_ganti_nomor"),
        # A word of another topic ("hubungi": the contacts) is not a detail of the last answer.
        (("jht itu apa", "hubungi saya ya kak"), "kontak_resmi"),
    ],
)
def test_a_stated_situation_continues_the_question_just_answered(
    engine: Engine, turns: tuple[str, ...], intent: str
) -> None:
    assert conversation(engine, *turns)[-1].reply.intent == intent


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("jkk nanggung biaya perawatan?", "jkk_manfaat"),
        ("how much is my pension per month", "jp_manfaat_besar"),
    ],
)
def test_everyday_and_english_words_read_as_the_examples_words(
    engine: Engine, question: str, intent: str
) -> None:
    assert respond(engine, question).reply.intent == intent


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        # Bangka Malay "-nye" and Sasak "-ne" are "-nya".
        ("kek mane liat saldonye", "jht_cek_saldo"),
        ("berape iuranne sebulan", "iuran_bpu"),
    ],
)
def test_regional_clitics_come_off_like_nya(engine: Engine, question: str, intent: str) -> None:
    assert respond(engine, question).reply.intent == intent


def test_a_new_question_is_not_mistaken_for_a_follow_up(engine: Engine) -> None:
    last = conversation(engine, "iuran karyawan gaji 5 juta", "cara daftar bpjs tk mandiri")[-1]
    assert last.reply.intent == "daftar_cara"


def test_thanks_after_an_answer_is_thanks(engine: Engine) -> None:
    last = conversation(engine, "jht itu apa", "terima kasih infonya")[-1]
    assert last.reply.intent == "terima_kasih"


def test_a_correction_answers_again_with_the_correction(engine: Engine) -> None:
    first, corrected = conversation(
        engine, "iuran nelayan berapa", "bukan itu, maksud sy yg karyawan"
    )
    assert first.reply.intent == "iuran_bpu"
    assert corrected.reply.intent == "iuran_pu"
    assert strip_correction("bukan itu maksud saya yang karyawan") == ("yang karyawan", True)


def test_a_number_outside_the_options_says_which_numbers_are_valid(engine: Engine) -> None:
    session = Session()
    answer = respond(engine, "apa itu jht", session).reply
    count = len(answer.options)
    assert count >= 2
    wrong = respond(engine, "9", session).reply
    assert f"1 sampai {count}" in wrong.text
    assert wrong.options == answer.options
    chosen = respond(engine, "1", session).reply
    assert chosen.intent == answer.options[0].id


@pytest.mark.parametrize("words", ["yg kedua", "pilihan kedua", "nomor dua", "yang 2"])
def test_an_option_chosen_by_its_position_in_words(engine: Engine, words: str) -> None:
    session = Session()
    answer = respond(engine, "apa itu jht", session).reply
    assert len(answer.options) >= 2
    assert respond(engine, words, session).reply.intent == answer.options[1].id.partition(":")[0]


def test_a_position_beyond_the_options_says_which_numbers_are_valid(engine: Engine) -> None:
    session = Session()
    count = len(respond(engine, "apa itu jht", session).reply.options)
    assert count < 5
    assert f"1 sampai {count}" in respond(engine, "yang kelima", session).reply.text


def test_a_position_word_without_options_on_screen_is_no_choice(engine: Engine) -> None:
    assert respond(engine, "yg kedua").kind != "select"


@pytest.mark.parametrize(
    ("turns", "intent"),
    [
        # The case (a death, work that stopped) carries to the next programme named.
        (("istri saya meninggal, santunan jkm berapa", "jht nya bisa diambil?"), "jht_ahli_waris"),
        (("saya mau berhenti jadi peserta", "jht nya bisa dicairkan?"), "jht_klaim_berhenti"),
        (("jkp itu apa", "kalau di phk?", "jht nya masih bisa?"), "jht_klaim_berhenti"),
        (("santunan jkm brp", "uang jht almarhum bisa diambil keluarga?"), "jht_ahli_waris"),
        # Without such a case, the same words ask what JHT allows.
        (("iuran nelayan berapa", "jht nya bisa diambil?"), "jht_apa"),
    ],
)
def test_a_case_carries_to_the_next_programme(
    engine: Engine, turns: tuple[str, ...], intent: str
) -> None:
    assert conversation(engine, *turns)[-1].reply.intent == intent


# -- BPJS Kesehatan and formal register ------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    ["cara pindah faskes", "kartu kis saya mati", "mau turun kelas bpjs kesehatan", "fktp itu apa"],
)
def test_bpjs_kesehatan_questions_are_recognised_and_redirected(
    engine: Engine, question: str
) -> None:
    assert respond(engine, question).reply.intent == "bpjs_kesehatan"


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("Bagaimana cara melakukan pembayaran iuran melalui kanal pembayaran resmi?", "bayar_cara"),
        ("Apakah peserta bukan penerima upah dapat mengikuti program jaminan pensiun?", "jp_apa"),
        ("How do I register as an informal worker?", "daftar_cara"),
        ("What does the family receive when a participant dies?", "jkm_manfaat"),
    ],
)
def test_formal_and_english_questions_are_understood(
    engine: Engine, question: str, intent: str
) -> None:
    assert respond(engine, question).reply.intent == intent


# -- near-domain off-topic ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "bengkel motor terdekat dimana",
        "sa pu motor mogok, bengkel dekat ende di mana",
    ],
)
def test_a_message_naming_nothing_of_the_domain_falls_back(engine: Engine, message: str) -> None:
    """They share "terdekat" and "di mana" with the office questions, but name nothing of BPJS
    Ketenagakerjaan: the bot must not pretend to understand them."""
    assert respond(engine, message).reply.intent is None


@pytest.mark.parametrize(
    "message",
    [
        "cara daftar kartu prakerja gimana",
        "bayar pajak motor bisa di mana",
        "syarat bikin sim c apa saja",
        "klaim asuransi allianz rawat inap caranya",
        "pesangon saya tidak dibayar, lapor disnaker bagaimana",
    ],
)
def test_another_matter_sharing_domain_words_falls_back(engine: Engine, message: str) -> None:
    """ "daftar", "bayar", "syarat", "klaim": the words of real questions, about something else."""
    assert respond(engine, message).reply.intent is None


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("iuran bpjs tk bisa dibayar lewat kantor pos atau pln?", "bayar_cara"),
        ("dapat pesangon, jht juga bisa dicairkan?", "jht_klaim_berhenti"),
    ],
)
def test_another_matter_next_to_the_agency_s_own_is_answered(
    engine: Engine, message: str, intent: str
) -> None:
    assert respond(engine, message).reply.intent == intent


def test_a_message_naming_the_agency_s_own_matters_has_the_lower_bar(engine: Engine) -> None:
    """With the ordinary bar far out of reach, a message naming JMO is still answered from the
    lower bar; one naming nothing of the agency is not."""
    strict = Engine(engine.knowledge, knobs=replace(engine.knobs, accept=0.95, accept_long=0.95))
    assert respond(strict, "aplikasi jmo saya error terus").reply.intent == "jmo_aplikasi"
    assert respond(strict, "aplikasi saya error terus").reply.intent is None


def test_a_question_naming_the_domain_is_still_answered(engine: Engine) -> None:
    assert respond(engine, "cara daftar bpjs tk untuk petani").reply.intent == "daftar_cara"


def test_a_clitic_comes_off_a_known_word(engine: Engine) -> None:
    assert engine.normalize("iurannya berapa") == "iuran berapa"
    assert engine.normalize("nomor telpnya") == "nomor telepon"
    # A whole word that only ends like a clitic stays whole.
    assert engine.normalize("masalah") == "masalah"


# -- second round: what the session remembers, and what the guard reads ---------------------


@pytest.mark.parametrize(
    ("turns", "intent"),
    [
        # A programme named with "wajib?" right after a premium asks about that premium.
        (("iuran pekerja migran berapa", "jkm nya wajib?"), "iuran_pmi"),
        # The worker named in the same message says which premium.
        (("jht buat pmi wajib tidak",), "iuran_pmi"),
        (("iuran bpu sudah termasuk jkm?",), "iuran_bpu"),
        # Only the programme and a filler after a death: the heirs' JHT.
        (("suami saya meninggal, klaim jkm gimana", "jht nya gimana"), "jht_ahli_waris"),
        # "brp sebulan" right after who may join: the independent workers' premium.
        (("petani boleh ikut bpjs tk?", "berapa sebulan"), "iuran_bpu"),
        # Only the worker changes: the question just answered, for that worker.
        (("diskon iuran buat ojol ada?", "yang untuk petani?"), "iuran_diskon"),
    ],
)
def test_the_session_keeps_the_question_across_short_turns(
    engine: Engine, turns: tuple[str, ...], intent: str
) -> None:
    assert conversation(engine, *turns)[-1].reply.intent == intent


def test_a_redirection_leaves_no_topic_that_pulls_the_next_question_away(
    engine: Engine,
) -> None:
    """After the BPJS Kesehatan redirection the next real question is answered on its own."""
    outcomes = conversation(engine, "mau pindah faskes", "sekarang soal iuran tukang ojek berapa")
    assert outcomes[0].reply.intent == "bpjs_kesehatan"
    assert outcomes[1].reply.intent == "iuran_bpu"


def test_questions_numbered_by_the_user_are_both_read(engine: Engine) -> None:
    outcome = respond(engine, "saya mau tanya: 1) jkm dapat berapa 2) jp bisa cair umur berapa")
    assert set(outcome.answered) == {"jkm_manfaat", "jp_usia_pensiun"}


@pytest.mark.parametrize(
    "question",
    [
        # "bpjs tk" at the end reads like an address to the bot, but the message names it.
        "sa ni tukang batu, bisa masuk bpjs tk ko?",
        # NPWP belongs to registration and JHT claims, not to another agency's matters.
        "sy tidak punya npwp, apa syaratnya untuk daftar",
    ],
)
def test_real_questions_do_not_fall_back(engine: Engine, question: str) -> None:
    assert respond(engine, question).kind != "fallback"


def test_sundanese_question_words_are_read(engine: Engine) -> None:
    assert respond(engine, "punten, aplikasi jmo teh naon").reply.intent == "jmo_aplikasi"


@pytest.mark.parametrize(
    ("turns", "intent"),
    [
        # "jadi ... brp" restates the result of the answer just given.
        (
            ("potongan iuran untuk ojol masih berlaku?", "jadi per bulan bayar berapa"),
            "iuran_diskon",
        ),
        (("potongan iuran untuk ojol masih berlaku?", "jadi skrg sy bayar brp"), "iuran_diskon"),
        # A head count after how an agent enrols: the same procedure, for a group.
        (
            ("saya agen perisai, ada warga yang mau daftar", "bisa sekaligus 8 orang?"),
            "daftar_peserta_baru",
        ),
        # An age after registering asks whether that person may still join.
        (("cara daftar bpjs tk mandiri", "usianya 63"), "daftar_siapa"),
    ],
)
def test_a_short_turn_continues_the_answer_just_given(
    engine: Engine, turns: tuple[str, ...], intent: str
) -> None:
    assert conversation(engine, *turns)[-1].reply.intent == intent


@pytest.mark.parametrize(
    ("turns", "intent"),
    [
        # The worker said two turns back decides which premium a bare "iuran" asks for.
        (("saya pegawai toko, apa bisa daftar sendiri?", "iuran"), "iuran_pu"),
        (("saya karyawan pabrik, boleh jadi peserta bpjs tk?", "berapa sebulan"), "iuran_pu"),
        # Without a worker named, the independent workers' premium, as before.
        (("cara daftar bpjs tk", "iuran"), "iuran_bpu"),
    ],
)
def test_the_worker_type_is_remembered_across_turns(
    engine: Engine, turns: tuple[str, ...], intent: str
) -> None:
    assert conversation(engine, *turns)[-1].reply.intent == intent


def test_an_occupation_said_before_a_premium_question_is_used_in_it(engine: Engine) -> None:
    last = conversation(engine, "saya penenun, boleh jadi peserta?", "iurannya berapa sebulan")[-1]
    assert last.reply.intent == "iuran_bpu"
    assert "penenun" in last.reply.text


def test_the_menu_asked_for_at_length_is_the_menu(engine: Engine) -> None:
    assert respond(engine, "tolong min, apa saja yang bisa saya tanyakan di sini").reply.intent == (
        "menu"
    )


@pytest.mark.parametrize(
    "message",
    ["cara dapat bantuan bedah rumah dari desa", "apa saja bantuan untuk nelayan dari dinas"],
)
def test_a_long_request_for_other_help_is_not_the_menu(engine: Engine, message: str) -> None:
    assert respond(engine, message).reply.intent != "menu"


def test_numbered_questions_keep_the_user_s_numbers(engine: Engine) -> None:
    """The question numbered 1 is answered, question 2 is option 2 (after the details), and
    "no 2, ..." chooses it with the detail written beside the number."""
    session = Session()
    first = respond(engine, "mau tanya: 1) jht cair umur berapa 2) usia pensiun jp berapa", session)
    assert first.reply.intent == "jht_apa"
    assert first.reply.options[1].id == "jp_usia_pensiun"
    chosen = respond(engine, "no 2, saya lahir 1981", session)
    assert chosen.reply.intent == "jp_usia_pensiun"
    assert "1981" in chosen.reply.text


@pytest.mark.parametrize(
    "question",
    [
        "abang sy nelayan, tenggelam waktu melaut kemarin dan meninggal, istrinya dapat apa",
        "pekerja bangunan meninggal jatuh di proyek keluarganya dapat apa",
    ],
)
def test_a_death_while_working_is_a_work_accident(engine: Engine, question: str) -> None:
    """JKK pays more than JKM for a death at work: reading it as a plain death understates it."""
    assert respond(engine, question).reply.intent == "jkk_manfaat"


def test_a_death_away_from_work_stays_a_plain_death(engine: Engine) -> None:
    assert respond(
        engine, "bapak sy meninggal sakit di rumah, keluarga dapat apa"
    ).reply.intent in {
        "jkm_manfaat",
        "jht_ahli_waris",
    }


def test_years_of_contribution_after_the_retirement_age_are_no_birth_year(engine: Engine) -> None:
    first, years = conversation(engine, "jp pensiun umur brp", "kalau iur jp cuma 10 thn")
    assert first.reply.intent == "jp_usia_pensiun"
    assert years.reply.intent == "jp_apa"
    assert "10 tahun" in years.reply.text


def test_a_death_denied_to_be_at_work_is_no_work_accident(engine: Engine) -> None:
    assert respond(engine, "meninggal bukan karena kerja, santunannya berapa").reply.intent == (
        "jkm_manfaat"
    )


@pytest.mark.parametrize(
    ("closing", "intent"),
    [
        ("oke siap, makasih ya, mau lanjut kerja dulu", "terima_kasih"),
        ("ya sudah makasih", "terima_kasih"),
        ("makaseh bang", "terima_kasih"),
        ("su, makasih banyak mama", "terima_kasih"),
        ("cukup dulu, sa mau ke kebun. dadah", "pamit"),
        ("danke", "terima_kasih"),
    ],
)
def test_a_closing_after_an_answer_is_a_closing_not_a_detail(
    engine: Engine, closing: str, intent: str
) -> None:
    *_, last = conversation(engine, "iuran bpu brp", "penghasilan 2 juta", closing)
    assert last.reply.intent == intent


@pytest.mark.parametrize(
    ("turns", "intent"),
    [
        # Thanks beside a question is the question.
        (("iuran bpu brp", "makasih, kalau cara daftarnya gmn"), "daftar_cara"),
        # A correction reads past the address after it, and a bare facet stays with the answer.
        (("jp itu apa", "salah kak, sy tanya yg jkp"), "jkp_manfaat"),
        (
            ("cara klaim kecelakaan kerja", "bukan, maksud saya dokumennya apa saja"),
            "jkk_klaim",
        ),
        # A short question naming another answer's title is not pulled into the last topic.
        (
            ("kepesertaan sy nonaktif, cara aktif lagi gmn", "kantornya di mana? sy di ende"),
            "kantor_cabang",
        ),
        # The premium of a head count, or of one programme, is the premium.
        (
            ("sy agen perisai di Ende, ada 8 petani mau ikut, iurannya brp sebulan semuanya",),
            "iuran_bpu_hitung",
        ),
        (("santunan kematian brp", "kalau jkm saja iurannya brp"), "iuran_bpu"),
        # The answer's own figures and hours are its facets.
        (("jp nanti dapat brp sebulan", "maksimalnya?"), "jp_manfaat_besar"),
        (("nomor telepon bpjs tk brp", "bukanya jam brp"), "kontak_resmi"),
        # A premium question naming no worker is the remembered worker's.
        (
            ("sy kerja di malaysia jadi pmi, ada nomor wa bpjs tk?", "iuran sy brp sebulan"),
            "iuran_pmi",
        ),
        # A programme named beside the one discussed keeps the topic.
        (("jp itu buat apa", "bisa dicairkan bersama jht?"), "jp_apa"),
        # Harm at work after a premium is a work accident, in English too, and an illness the
        # work caused after the BPJS Kesehatan redirection.
        (
            ("iuran proyek konstruksi 500 juta brp", "kalau tukang jatuh di proyek, klaimnya gmn"),
            "jkk_klaim",
        ),
        (("what happens if our gardener gets injured while working",), "jkk_manfaat"),
        (("kartu kis sy nonaktif gimana", "kalau penyakit akibat kerja?"), "jkk_manfaat"),
        # A sibling sharing the calculation answers what the message asks.
        (("jp itu buat apa", "sy lahir 1980, pensiunnya kapan"), "jp_usia_pensiun"),
        # In a talk about something a short question sharing a word with the menu is the
        # topic's; alone, asking what the bot can do is the menu.
        (("ojol dapat potongan iuran ya", "mulai bulan apa"), "iuran_diskon"),
        (("bisa bantu apa aja",), "menu"),
        # What the thing just answered can be used for is about it.
        (("jmo itu aplikasi apa", "bisa dipakai buat klaim jkk?"), "jmo_aplikasi"),
        # Years of contribution with a wage after the pension's amount ask the amount again.
        (("jp nanti dapat brp sebulan", "kalau iur 25 thn gaji 6 jt?"), "jp_manfaat_besar"),
        # A detail the answer itself matches stays with it, also when another answer of its
        # topic matches it only weakly.
        (
            ("sudah lama ga bayar iuran mandiri, bisa aktif lagi?", "cukup pakai nik aja?"),
            "bayar_reaktivasi",
        ),
        (
            ("beasiswa anak peserta yang meninggal berapa", "istri sy baru ikut 2 thn"),
            "jkm_beasiswa",
        ),
        # A worker stated after an answer asks that answer for that worker.
        (("ojol dapat potongan iuran ya", "sy nelayan di Maumere"), "iuran_diskon"),
    ],
)
def test_a_turn_read_within_the_talk_gets_its_answer(
    engine: Engine, turns: tuple[str, ...], intent: str
) -> None:
    assert conversation(engine, *turns)[-1].reply.intent == intent


def test_the_count_before_numbered_questions_is_no_question(engine: Engine) -> None:
    first = respond(engine, "sy mau tanya 2: 1. cara daftar bpu 2. iurannya brp sebulan")
    assert first.reply.intent in {"daftar_cara", "iuran_bpu"}
    assert {"daftar_cara", "iuran_bpu"} <= {
        first.reply.intent,
        *(o.id for o in first.reply.options),
    }
