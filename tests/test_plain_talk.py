"""What people say plainly and the bot misread (the fourteenth writer's conversations showed each
of these failing, the discounted premium quoted back four writers' too): a "kalau" that asks
another answer of the topic, a user going through the programmes by name, not paying told in the
words of paying, resigning as a job ended, going to a place as its office, a worker and an age
told without a question, thanks for a thing done, a fall from scaffolding at a project, a joke
asked for, the papers to bring after a claim, joining asked beside another programme, and the
discounted premium quoted after a premium, and wages unpaid."""

from __future__ import annotations

import pytest

from bot.domain import names_job_ended
from bot.engine import Engine
from bot.matcher import Candidate
from core.entities import Entities
from core.session import Session

from .test_session_memory import talk


def test_a_kalau_reading_as_another_answer_of_the_topic_asks_that_one(engine: Engine) -> None:
    _, amount = talk(engine, "umur pensiun jp brp skrg", "kalau dapat bulanan kira2 brp")
    assert amount.reply.intent == "jp_manfaat_besar"
    # The same question for another case still gives the answer just read.
    _, fisher = talk(engine, "cara daftar bpjs tk", "kalau nelayan?")
    assert fisher.reply.intent == "daftar_cara"


def test_programmes_named_one_after_another_are_each_explained(engine: Engine) -> None:
    *_, jht = talk(engine, "jkk itu apa", "jkm", "jht")
    assert jht.reply.intent == "jht_apa"
    # A death told first makes the heirs' JHT the question, as before.
    _, heirs = talk(engine, "bapak sy meninggal bulan lalu, dapat jkm brp", "jht nya")
    assert heirs.reply.intent == "jht_ahli_waris"


def test_resigning_is_a_job_ended_for_the_programmes_after_it(engine: Engine) -> None:
    # "resign" reads as "mengundurkan diri": the case is a job ended, and its JHT is the claim.
    assert names_job_ended(engine.normalize("sy resign bulan lalu"))
    _, jht = talk(engine, "sy resign bulan lalu, dapat jkp ga", "jht nya?")
    assert jht.reply.intent == "jht_klaim_berhenti"


@pytest.mark.parametrize("going", ["apakah harus ke banda aceh?", "harus datang ke medan?"])
def test_going_to_a_named_place_asks_for_its_office(engine: Engine, going: str) -> None:
    _, office = talk(engine, "cara daftar bpjs tk buat nelayan", going)
    assert office.reply.intent == "kantor_cabang"


@pytest.mark.parametrize(
    "told",
    [
        "ibu sy pedagang sayur umur 58",
        "Selamat sore. Bapak saya jualan ikan di pasar Oeba Kupang, umurnya 63 tahun.",
    ],
)
def test_a_worker_and_an_age_told_ask_whether_they_may_join(engine: Engine, told: str) -> None:
    [joining] = talk(engine, told)
    assert joining.reply.intent == "daftar_siapa"


def test_thanks_for_a_thing_done_is_a_thanks(engine: Engine) -> None:
    [thanks] = talk(engine, "makasih infonya kemarin, sy sudah daftar bpu")
    assert thanks.reply.intent == "terima_kasih"
    # Thanks with what the user still wants is the question.
    [wish] = talk(engine, "makasih, sy sudah punya ktp, mau daftar bpu")
    assert wish.reply.intent != "terima_kasih"


def test_a_programme_to_explain_in_full_is_that_programme(engine: Engine) -> None:
    _, death = talk(engine, "program bpjs tk ada apa aja", "yg jkm tolong jelaskan lebih lengkap")
    assert death.reply.intent == "jkm_manfaat"


def test_a_fall_from_scaffolding_at_a_project_is_a_work_accident(engine: Engine) -> None:
    [fall] = talk(
        engine,
        "Kakak saya jatuh dari perancah proyek gedung di Samarinda, dia didaftarkan kontraktor. "
        "Apa yang harus kami urus?",
    )
    assert fall.reply.intent in {"jkk_klaim", "jkk_manfaat"}


@pytest.mark.parametrize("joke", ["bot bisa ngelawak ga", "kasih jokes dong min"])
def test_asking_for_a_joke_is_another_matter(engine: Engine, joke: str) -> None:
    [answer] = talk(engine, joke)
    assert answer.kind == "fallback"


@pytest.mark.parametrize(
    ("opening", "unpaid"),
    [
        ("cara bayar iuran bpu", "klo gak bayar 3 bulan gmn"),
        ("sy mau berhenti jd peserta", "kalau dibiarkan aja ga bayar, jadi utang?"),
    ],
)
def test_not_paying_asks_what_happens_then(engine: Engine, opening: str, unpaid: str) -> None:
    _, late = talk(engine, opening, unpaid)
    assert late.reply.intent == "bayar_telat"
    # How to pay, asked again, is still how to pay.
    _, how = talk(engine, opening, "bayarnya lewat apa aja")
    assert how.reply.intent == "bayar_cara"


def test_a_premium_not_paid_for_months_is_the_late_payment(engine: Engine) -> None:
    [late] = talk(engine, "sy pedagang di pasar cinde, udh 5 bulan ga bayar iuran bpjs tk")
    assert late.reply.intent == "bayar_telat"
    # "ga?" ends a question; the next clause's "bayarnya" tells no unpaid premium.
    [two] = talk(engine, "petani dapat diskon ga? bayarnya bisa lewat dana?")
    assert two.reply.intent != "bayar_telat"


def test_the_papers_to_bring_are_those_of_the_answer_just_given(engine: Engine) -> None:
    _, papers = talk(engine, "boleh ambil jht sebagian buat dp rumah?", "berkas yg dibawa apa")
    assert papers.reply.intent == "jht_klaim_sebagian"


@pytest.mark.parametrize(
    "quoted",
    ["8.400 itu berlaku sampai kapan?", "lho katanya cuma 8400", "kok murah, sampai kapan?"],
)
def test_the_discounted_premium_quoted_asks_about_the_discount(engine: Engine, quoted: str) -> None:
    _, discount = talk(engine, "iuran bpjs tk buat petani brp sebulan", quoted)
    assert discount.reply.intent == "iuran_diskon"
    # Another figure of the premium quoted is still about the premium.
    _, premium = talk(engine, "iuran bpjs tk buat petani brp sebulan", "16.800 itu sebulan?")
    assert premium.reply.intent != "iuran_diskon"


def test_asking_to_join_is_the_agencys_matter_beside_another_programme(engine: Engine) -> None:
    [joining] = talk(engine, "sy jualan sayur di pasar, sy jg terima PKH. bisa ikut bpjs tk?")
    assert joining.reply.intent == "daftar_siapa"
    # Registering for the other programme stays another matter.
    [other] = talk(engine, "bisa daftar prakerja pake bpjs tk ga")
    assert other.kind == "fallback"


def test_asking_how_to_claim_what_a_programme_pays_is_the_claim(engine: Engine) -> None:
    # "ibu sy meninggal ... klaim santunan kematian butuh apa aja" read the benefit and its
    # claim a thousandth apart: asking how to claim, the claim is the answer.
    tied = (Candidate("jkm_manfaat", 0.651, ""), Candidate("jkm_klaim", 0.650, ""))
    session = Session()
    asked = "ibu saya meninggal klaim santunan kematian butuh apa saja"
    read = engine.cases.read(tied[0], tied, asked, Entities(), session)
    assert read.intent == "jkm_klaim"
    # What it pays, asked without a word of claiming, stays what it pays; so does a claim
    # that reads much worse.
    paid = "ibu saya meninggal santunan kematian berapa"
    assert engine.cases.read(tied[0], tied, paid, Entities(), Session()).intent == "jkm_manfaat"
    far = (tied[0], Candidate("jkm_klaim", 0.55, ""))
    assert engine.cases.read(far[0], far, asked, Entities(), Session()).intent == "jkm_manfaat"


@pytest.mark.parametrize(
    "unpaid", ["bos sy blm bayar gaji 3 bulan, lapor kemana", "gajian telat terus, bs lapor bpjs?"]
)
def test_wages_unpaid_are_another_matter(engine: Engine, unpaid: str) -> None:
    _, wages = talk(engine, "cara bayar iuran bpu", unpaid)
    assert wages.kind == "fallback"
    # A worker without a fixed wage is the agency's matter, as is a premium not paid.
    [joining] = talk(engine, "sy kuli panggul, tidak digaji tetap, bisa ikut bpjs tk?")
    assert joining.reply.intent == "daftar_siapa"


def test_protection_asked_by_a_worker_is_the_agencys_matter(engine: Engine) -> None:
    # "perlindungan" is the agency's own word for what it gives: not another matter.
    (outcome,) = talk(engine, "sy petani di bima, ada perlindungan utk petani kecil?")
    assert outcome.kind != "fallback"


def test_where_all_of_it_comes_from_asks_the_sources(engine: Engine) -> None:
    _, sources = talk(engine, "jkm dapat brp", "semuanya ini sumbernya dari aturan apa?")
    assert sources.reply.intent == "sumber"


def test_langsung_in_shorthand_asks_for_the_contact(engine: Engine) -> None:
    (outcome,) = talk(engine, "kl mau tanya lgsg ke bpjs nomornya apa")
    assert outcome.reply.intent == "kontak_resmi"


def test_a_programme_paid_on_top_of_the_premium_is_asked_of_it(engine: Engine) -> None:
    # "jkp bayar lg gk" after the employees' premium: whether JKP costs more, which it shows.
    first, again = talk(engine, "gaji sy 4 juta dipotong bpjs tk brp", "jkp bayar lg gk")
    assert first.reply.intent == "iuran_pu"
    assert again.reply.intent == "iuran_pu"


def test_the_papers_asked_after_an_answer_that_lists_them_are_those(engine: Engine) -> None:
    # The heirs' JHT answer lists the papers (its middle: the whole answer is read, not its
    # first and last words only), so "dokumennya apa aja" stays with it.
    first, papers = talk(engine, "bapak sy wafat, jht nya bisa diambil ibu?", "dokumennya apa aja")
    assert first.reply.intent == "jht_ahli_waris"
    assert papers.reply.intent == "jht_ahli_waris"


@pytest.mark.parametrize(
    "asked", ["umur berapa sih bisa dapat pensiun bulanan?", "mulai umur brp dapat pensiun bulanan"]
)
def test_an_age_asked_of_the_pension_is_the_pension_age(engine: Engine, asked: str) -> None:
    (outcome,) = talk(engine, asked)
    assert outcome.reply.intent == "jp_usia_pensiun"


def test_an_age_told_with_the_pension_is_not_asking_one(engine: Engine) -> None:
    (outcome,) = talk(engine, "umur sy 57, pensiun bulanan nanti dapat brp?")
    assert outcome.reply.intent != "jp_usia_pensiun"
