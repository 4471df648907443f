"""How people in towns go on after an answer (the eleventh writer's conversations showed each of
these failing): an injury or a death told after an answer it is no case of is a question of its
own; "sekalian" beside another programme asks about that programme; a short question in the
words of the answer just read asks about that answer; a word naming another topic reads the
message on its own."""

from __future__ import annotations

import pytest

from bot.engine import Engine

from .test_session_memory import talk


def test_an_injury_after_how_to_pay_is_a_question_of_its_own(engine: Engine) -> None:
    _, injury = talk(engine, "cara bayar iuran bpu", "kalau sy jatuh dr tangga ditanggung?")
    assert injury.reply.intent == "jkk_manfaat"


def test_a_death_at_work_after_the_pension_is_a_work_accident(engine: Engine) -> None:
    _, death = talk(engine, "jp sebulan dapat brp", "kalo sy meninggal waktu narik")
    assert death.reply.intent == "jkk_manfaat"
    # Within a talk about the pension, a death not told as at work stays with the pension
    # (its survivors' benefit).
    _, survivors = talk(engine, "jp sebulan dapat brp", "kalau meninggal?")
    assert (survivors.reply.intent or "").startswith("jp_")


def test_while_at_it_asks_about_the_programme_named(engine: Engine) -> None:
    heirs = "suami sy sdh meninggal, saldo jht nya bs sy ambil?"
    _, death_benefit = talk(engine, heirs, "sekalian jkm nya berapa")
    assert death_benefit.reply.intent == "jkm_manfaat"


def test_together_with_another_programme_still_asks_the_one_discussed(engine: Engine) -> None:
    first, together = talk(engine, "jp bisa dicairkan kapan", "bs dicairkan bareng jht?")
    assert together.reply.intent == first.reply.intent


@pytest.mark.parametrize(
    ("opening", "question"),
    [
        ("gmn ganti no hp di jmo", "harus ke kantor?"),
        ("nomor kpj sy hilang gmn", "no kpj jg lupa"),
    ],
)
def test_a_question_in_the_words_of_the_answer_asks_about_it(
    engine: Engine, opening: str, question: str
) -> None:
    first, asked = talk(engine, opening, question)
    assert asked.reply.intent == first.reply.intent


def test_a_title_of_another_answer_is_that_answer(engine: Engine) -> None:
    # The payment answer mentions branch offices, but "kantor cabang" names that answer.
    _, office = talk(engine, "bayar iuran bpu lewat apa", "kantor cabang kupang di mana")
    assert office.reply.intent == "kantor_cabang"


def test_a_topics_name_reads_the_message_on_its_own(engine: Engine) -> None:
    # "bayar" names paying (a topic of its own): not a facet of who may register.
    _, premium = talk(engine, "siapa aja yg bisa ikut bpjs tk", "klo bayar sendiri brp")
    assert premium.reply.intent == "iuran_bpu"


@pytest.mark.parametrize(
    "question",
    [
        "bpjs tk buat buruh kebun sawit harian bisa dak",
        "pak, usaha fotokopi sy ada 4 karyawan kontrak, wajib didaftarin semua?",
        "bpjs tk gasan petani kopi kawa kah",
    ],
)
def test_whether_a_worker_may_join_is_who_may_join(engine: Engine, question: str) -> None:
    (answer,) = talk(engine, question)
    assert answer.reply.intent == "daftar_siapa"


@pytest.mark.parametrize(
    ("question", "premium"),
    [
        ("bpjs tk buat buruh sawit harian brp sebulan", "iuran_bpu"),
        # A construction project's workers are registered with the project's premium.
        (
            "sy kontraktor proyek jalan 3 bulan, pekerja harian hrs didaftarin bpjs tk?",
            "iuran_jakon",
        ),
    ],
)
def test_a_price_or_a_project_keeps_the_premium(
    engine: Engine, question: str, premium: str
) -> None:
    (answer,) = talk(engine, question)
    assert answer.reply.intent == premium


def test_but_joins_two_questions(engine: Engine) -> None:
    (answer,) = talk(engine, "mau cek saldo jht tp lupa no kpj")
    assert set(answer.answered) == {"jht_cek_saldo", "kpj_hilang"}


@pytest.mark.parametrize(
    ("story", "topic"),
    [
        ("ama sy tukang batu di maumere, kaki tertimpa batu sampai patah. dia peserta bpu", "jkk"),
        ("adek sy tki di malaysia meninggal, dia ada bpjs tk. klaimnya gmn", "jkm"),
        # A death from an illness is the death benefit's too.
        ("anak sy pmi di taiwan, meninggal krn sakit, baru setahun kerja. urusnya gmn", "jkm"),
    ],
)
def test_a_death_or_an_injury_told_with_a_place_or_a_job_is_its_benefit(
    engine: Engine, story: str, topic: str
) -> None:
    (answer,) = talk(engine, story)
    assert (answer.reply.intent or "").startswith(f"{topic}_")


def test_a_clear_other_question_keeps_its_answer_despite_a_harm(engine: Engine) -> None:
    (answer,) = talk(engine, "sy menunggak 3 bulan, masih dijamin tidak kalau kecelakaan")
    assert answer.reply.intent == "bayar_telat"


def test_a_death_at_work_keeps_its_case_for_the_claim(engine: Engine) -> None:
    *_, claim = talk(
        engine,
        "suami sy meninggal tertimpa pohon waktu kerja di kebun",
        "anak sy dapat beasiswa?",
        "berkas buat klaimnya",
    )
    assert claim.reply.intent == "jkk_klaim"
    # A death told as not the work's is the death benefit's again.
    *_, plain = talk(
        engine,
        "suami sy meninggal tertimpa pohon waktu kerja di kebun",
        "kalau meninggal krn sakit biasa dapat apa",
    )
    assert (plain.reply.intent or "").startswith("jkm_")


def test_a_weak_reading_within_the_topic_is_a_follow_up(engine: Engine) -> None:
    _, quitting = talk(
        engine,
        "hi, what is JHT and can I take it out anytime?",
        "what about if i quit after two years",
    )
    assert quitting.reply.intent == "jht_klaim_berhenti"


@pytest.mark.parametrize("more", ["jelasin lagi", "lebih lengkap dong", "tell me more pls"])
def test_asking_for_more_opens_the_details(engine: Engine, more: str) -> None:
    first, details = talk(engine, "cara klaim jht kalau sudah berhenti kerja", more)
    assert any(o.id == "rincian" for o in first.reply.options)
    assert details.reply.intent == "rincian"
    # The details of that answer, not its first message again.
    assert details.reply.text != first.reply.text


def test_asking_for_more_of_something_named_is_a_question(engine: Engine) -> None:
    _, named = talk(engine, "cara klaim jht kalau sudah berhenti kerja", "jelasin lagi soal jkm")
    assert named.reply.intent != "rincian"


@pytest.mark.parametrize("opening", ["cara klaim santunan kematian", "cara klaim jkk"])
def test_online_after_a_death_or_accident_claim_is_lapak_asik(engine: Engine, opening: str) -> None:
    _, online = talk(engine, opening, "bisa online ga?")
    assert online.reply.intent == "lapak_asik"
    # After the JHT claim, online is JMO's: not this rule's.
    _, jht = talk(engine, "cara klaim jht kalau sudah berhenti kerja", "bisa online ga?")
    assert jht.reply.intent != "lapak_asik"


def test_a_death_within_a_work_accident_talk_is_the_accidents(engine: Engine) -> None:
    _, death = talk(
        engine,
        "sy nelayan, kalo kecelakaan waktu melaut ditanggung apa",
        "trus klo udah meninggal?",
    )
    assert death.reply.intent == "jkk_manfaat"


def test_an_injury_at_a_workplace_in_everyday_words_is_a_work_accident(engine: Engine) -> None:
    (answer,) = talk(
        engine,
        "td tetangga sy kejatuhan balok di gudang toko bangunan, skrg di rs. yg hrs lapor siapa",
    )
    assert (answer.reply.intent or "").startswith("jkk_")


@pytest.mark.parametrize("place", ["maumere ada?", "kalau di ende?"])
def test_a_place_after_an_answer_reading_none_asks_for_its_office(
    engine: Engine, place: str
) -> None:
    _, office = talk(engine, "cara daftar bpjs tk mandiri", place)
    assert office.reply.intent == "kantor_cabang"
    # The place's figures are asked with counting words.
    _, figures = talk(engine, "cara daftar bpjs tk mandiri", "di belu berapa peserta yg sudah ikut")
    assert figures.reply.intent == "cakupan_wilayah"


def test_an_injury_at_work_in_a_house_is_a_work_accident(engine: Engine) -> None:
    _, injury = talk(
        engine, "sy art, bisa ikut bpjs tk?", "kalo sy jatoh di kamar mandi majikan waktu ngepel"
    )
    assert injury.reply.intent == "jkk_manfaat"


def test_a_programme_added_to_a_premium_is_that_premium(engine: Engine) -> None:
    first, added = talk(engine, "iuran pmi ke malaysia brp", "klo tambah jht?")
    assert first.reply.intent == "iuran_pmi"
    assert added.reply.intent == "iuran_pmi"


@pytest.mark.parametrize(
    "story",
    [
        "suami ku nelayan di koba, perahunya karam minggu lalu, jenazahnya baru ketemu",
        "and if my brother drowned while out fishing, what would his wife get",
    ],
)
def test_a_death_at_sea_in_other_words_is_a_work_accident(engine: Engine, story: str) -> None:
    (answer,) = talk(engine, story)
    assert (answer.reply.intent or "").startswith("jkk_")


def test_a_harm_told_without_asking_how_to_claim_asks_what_is_paid(engine: Engine) -> None:
    (told,) = talk(engine, "mas, adik sy kerja di pabrik tahu di kediri, jarinya terpotong mesin")
    assert told.reply.intent == "jkk_manfaat"
    (how,) = talk(engine, "karyawan sy kecelakaan motor pas pulang kerja, sy harus ngapain")
    assert how.reply.intent == "jkk_klaim"
    # A scholarship asked after a death stays the scholarship.
    (school,) = talk(
        engine, "ayah sy peserta bpjs tk meninggal, sy kuliah semester 3. bs dpt beasiswa?"
    )
    assert school.reply.intent == "jkm_beasiswa"


CRUSHED = "sy tukang di proyek ruko, kaki sy tertimpa besi waktu kerja kemarin"


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("surat2 apa aja yg perlu sy siapin", "jkk_klaim"),
        ("berapa lama prosesnya biasanya", "jkk_klaim"),
        ("sy dak kerja 3 minggu, gaji sy dibayar dak", "jkk_manfaat"),
    ],
)
def test_a_work_accident_talk_reads_claims_and_money_as_its_own(
    engine: Engine, question: str, intent: str
) -> None:
    _, asked = talk(engine, CRUSHED, question)
    assert asked.reply.intent == intent


def test_whom_to_call_within_a_work_accident_talk_is_the_contacts(engine: Engine) -> None:
    _, contacts = talk(engine, CRUSHED, "nomor pengaduannya brp")
    assert contacts.reply.intent == "kontak_resmi"


def test_a_death_talk_reads_the_papers_asked_as_its_claim(engine: Engine) -> None:
    *_, papers = talk(
        engine,
        "sore min, ada peserta sy meninggal krn sakit jantung minggu lalu, istrinya minta tlg sy urus",
        "dokumen apa aja yg hrs dikumpul",
    )
    assert papers.reply.intent == "jkm_klaim"
    # The premium asked by name within the case is the premium.
    *_, premium = talk(
        engine,
        "ibu sy peserta bpjs tk meninggal bulan lalu",
        "sekalian info biaya iuran mandirinya",
    )
    assert premium.reply.intent == "iuran_bpu"


def test_a_job_that_ended_asks_what_the_job_loss_benefit_pays(engine: Engine) -> None:
    fired, paid = talk(
        engine,
        "bang sy kasir di toko emas di sungailiat, kemaren diberhentikan",
        "jadi dapet apa dari bpjs?",
    )
    assert fired.reply.intent == "jkp_manfaat"
    assert paid.reply.intent in {"jkp_manfaat", "jht_klaim_berhenti"}
    # Stopping one's membership is asked in its own words.
    (member,) = talk(engine, "cara berhenti jadi peserta bpjs tk mandiri")
    assert member.reply.intent == "berhenti_peserta"


def test_an_injury_told_with_the_work_keeps_its_case(engine: Engine) -> None:
    *_, claim = talk(
        engine,
        "pak sy ojol, kmrn jatuh pas antar paket, tangan patah. bpjs tk nanggung?",
        "sy gk bs narik 2 bln, ada ganti penghasilan?",
        "cara klaimnya",
    )
    assert claim.reply.intent == "jkk_klaim"


def test_another_agency_asked_within_a_case_falls_back(engine: Engine) -> None:
    _, aid = talk(
        engine,
        "laki ku nelayan, perahunya karam waktu melaut",
        "ade bantuan jaring dari dinas perikanan dak",
    )
    assert aid.reply.intent is None


def test_an_injury_told_with_the_place_of_work_is_a_work_accident(engine: Engine) -> None:
    first, more = talk(
        engine,
        "adik sy kerja di penggilingan padi, tangannya kena mesin, 2 jari putus. ditanggung?",
        "jarinya yg putus itu ada ganti ruginya kah",
    )
    assert first.reply.intent == "jkk_manfaat"
    assert more.reply.intent == "jkk_manfaat"


def test_arrears_within_a_case_are_paying_late(engine: Engine) -> None:
    _, late = talk(
        engine,
        "ibu sy peserta bpjs tk meninggal minggu lalu krn sakit",
        "tp almarhumah nunggak 3 bln terakhir, masih bisa diklaim?",
    )
    assert late.reply.intent == "bayar_telat"


@pytest.mark.parametrize(
    "aside", ["btw ikan cakalang lg mahal ka di pasar", "btw tarif angkot naik ga ya"]
)
def test_by_the_way_turns_to_another_subject(engine: Engine, aside: str) -> None:
    # Within a talk about the premium an aside would read as a weak follow-up of it; "btw"
    # says it is another subject, read on its own (and this one is no question of ours).
    _, turned = talk(engine, "sy nelayan, iuran sebulan brp", aside)
    assert turned.reply.intent is None
    _, asked = talk(engine, "sy petani, iuran bulanan brp", "btw jht bisa cair kapan")
    assert (asked.reply.intent or "").startswith("jht_")


@pytest.mark.parametrize("thanks", ["mauliate", "obrigado"])
def test_thanks_in_batak_and_in_the_portuguese_of_timor(engine: Engine, thanks: str) -> None:
    _, thanked = talk(engine, "kantor bpjs tk di atambua ada?", thanks)
    assert thanked.reply.intent == "terima_kasih"


def test_income_tax_is_another_matter_within_a_talk(engine: Engine) -> None:
    _, tax = talk(engine, "jht sy bisa cair kapan", "pph 21 sy kok besar sekali")
    assert tax.reply.intent is None


@pytest.mark.parametrize(
    "market",
    [
        "harga cengkeh musim ini turun jauh ya",
        "saham tambang lagi merah semua bang",
        "kopra lagi anjlok, susah hidup",
    ],
)
def test_market_talk_within_a_premium_talk_falls_back(engine: Engine, market: str) -> None:
    # Farmers' and miners' chatter about prices is no follow-up of the premium just given.
    _, aside = talk(engine, "sy petani cengkeh, iuran bpu sebulan brp", market)
    assert aside.reply.intent is None


def test_a_crop_named_as_the_job_is_no_market_talk(engine: Engine) -> None:
    # The crop is the user's work: the question is the agency's.
    [join] = talk(engine, "sy petani lada di bangka, bisa ikut bpjs tk ga")
    assert join.reply.intent in ("daftar_siapa", "daftar_cara")
    _, price = talk(engine, "iuran bpu nelayan brp", "harganya segitu tiap bulan?")
    assert price.reply.intent is not None and price.reply.intent.startswith("iuran_")


@pytest.mark.parametrize("split", ["bs auto debet ga?", "bisa pakai auto debit rekening?"])
def test_auto_debit_written_apart_is_how_to_pay(engine: Engine, split: str) -> None:
    _, paying = talk(engine, "iuran bpu nelayan sebulan brp", split)
    assert paying.reply.intent == "bayar_cara"


@pytest.mark.parametrize("asking_after", ["apa kabar min", "ape kabar bang", "how are you"])
def test_asking_after_the_reader_is_a_greeting(engine: Engine, asking_after: str) -> None:
    [greeted] = talk(engine, asking_after)
    assert greeted.reply.intent == "salam"
    [asked] = talk(engine, f"{asking_after}, cara klaim jht gmn")
    assert (asked.reply.intent or "").startswith("jht_klaim")


def test_what_it_costs_in_english_is_the_premium(engine: Engine) -> None:
    _, cost = talk(engine, "I sell vegetables at the market, can I join?", "how much does it cost?")
    assert cost.reply.intent == "iuran_bpu"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("kontrak sy habis bulan lalu, selain jht dapat apa lagi dr bpjs tk", "jkp_manfaat"),
        ("suami meninggal krn sakit, selain jht ada uang apa lagi", "jkm_manfaat"),
    ],
)
def test_besides_a_programme_asks_for_the_others(
    engine: Engine, question: str, expected: str
) -> None:
    # "selain jht": JHT is what the user has heard of; the answer is what else is paid.
    [besides] = talk(engine, question)
    assert besides.reply.intent == expected


def test_the_cheapest_in_english_is_the_premium(engine: Engine) -> None:
    [alone] = talk(engine, "cheapest bpjs tk for a fisherman?")
    assert alone.reply.intent == "iuran_bpu"
    _, cheapest = talk(engine, "I fish in Alor, can I join?", "what's the cheapest package?")
    assert cheapest.reply.intent == "iuran_bpu"


def test_a_housekeeper_and_a_deadline_in_english(engine: Engine) -> None:
    _, joining = talk(
        engine,
        "hi, is there an english version of this bot?",
        "my housekeeper would like to join bpjs ketenagakerjaan, how can she register",
    )
    assert joining.reply.intent == "daftar_cara"
    _, deadline = talk(
        engine,
        "I run a small workshop in Kupang, what is the employer contribution?",
        "deadline to pay every month?",
    )
    assert deadline.reply.intent == "bayar_cara"
