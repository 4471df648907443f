"""What people ask of the answer on screen and of the case they told (the fifteenth writer's
conversations showed each of these failing): where the answer's figures come from, asked in the
words of rules and citations; self-help that still fails; a job ended in the story carried to a
later JHT question; the figures on screen kept under the sources; a school level told after
the scholarship; and a head count told with its sum asked after a calculation."""

from __future__ import annotations

import pytest

from bot.domain import names_job_ended
from bot.engine import Engine

from .test_session_memory import talk


@pytest.mark.parametrize(
    "asked",
    [
        "dasar aturannya pp nomor berapa?",
        "sumbernya dr mana, mau sy kutip",
        "where can I read the regulation for this?",
    ],
)
def test_the_rule_behind_an_answer_is_its_sources(engine: Engine, asked: str) -> None:
    answer, source = talk(engine, "iuran karyawan gaji 4 juta brp", asked)
    assert source.reply.intent == "sumber"
    # The sources of the premium just computed, not a new reading of the question.
    assert "Permenaker" in source.reply.text or "PP" in source.reply.text
    assert answer.reply.intent == "iuran_pu"


def test_a_rule_of_a_named_matter_is_that_matter(engine: Engine) -> None:
    # The late payment's rule is asked of the late payment, whatever was on screen.
    _, late = talk(engine, "iuran karyawan gaji 4 juta brp", "aturan telat bayar gimana")
    assert late.reply.intent == "bayar_telat"


@pytest.mark.parametrize(
    "still", ["sudah sy coba 2 hari masih gagal", "hp sdh restart tetep gabisa", "tetap sama"]
)
def test_self_help_that_still_fails_leads_to_the_official_contacts(
    engine: Engine, still: str
) -> None:
    _, contacts = talk(engine, "aplikasi jmo ga bisa dibuka", still)
    assert contacts.reply.intent == "kontak_resmi"


@pytest.mark.parametrize(
    "first_report",
    [
        # The first report of a failure is asked of the answer's steps.
        "ok, verifikasi wajahnya gagal terus",
        # Whether the answer still holds for another case is not a failure.
        "kalau lewat agen tetap sama ya yg tadi?",
    ],
)
def test_a_failure_first_told_is_not_a_self_help_that_failed(
    engine: Engine, first_report: str
) -> None:
    _, later = talk(engine, "cara daftar bpjs tk lewat jmo", first_report)
    assert later.reply.intent != "kontak_resmi"


def test_a_job_ended_long_ago_carries_to_the_jht_asked_later(engine: Engine) -> None:
    # No answer about the job ended was given (the pension was), but the user told it.
    first, _, jht = talk(
        engine,
        "sy dulu kerja di pabrik sampai 2019 lalu berhenti, umur sy skrg 58, dpt pensiun?",
        "kalau iurannya cuma 9 tahun gmn",
        "jht sy blm pernah diambil, msh bisa?",
    )
    # Stopping years ago asks of the pension, not of the job-loss benefit.
    assert first.reply.intent.startswith("jp_")
    assert jht.reply.intent == "jht_klaim_berhenti"


@pytest.mark.parametrize(
    "told", ["kontraknya habis gak diperpanjang", "dari 2010 sampai 2020 lalu berhenti"]
)
def test_a_contract_not_renewed_or_a_stop_is_a_job_ended(engine: Engine, told: str) -> None:
    assert names_job_ended(engine.normalize(told))


@pytest.mark.parametrize(
    "turns",
    [
        ("santunan kematian brp skrg", "aturannya pp nomor brp", "kok beda, dulu 24 juta kan?"),
        ("jkm dapat brp skrg", "pp nya nomor brp", "dulu 24 juta ya?"),
    ],
)
def test_the_sources_of_an_answer_leave_its_figures_on_screen(
    engine: Engine, turns: tuple[str, ...]
) -> None:
    # A figure compared with the one shown, after the sources: still about the benefit.
    benefit, source, compared = talk(engine, *turns)
    assert (benefit.reply.intent, source.reply.intent) == ("jkm_manfaat", "sumber")
    assert compared.reply.intent == "jkm_manfaat"


def test_a_figure_quoted_with_the_discount_named_asks_about_the_discount(engine: Engine) -> None:
    # The premium's figures are still on screen after its sources; "diskon" says which is meant.
    *_, discount = talk(engine, "iuran bpu brp", "dasar hukumnya apa", "diskon 50% itu pp brp")
    assert discount.reply.intent == "iuran_diskon"


def test_a_school_level_told_after_the_scholarship_continues_it(engine: Engine) -> None:
    opened = "suami sy meninggal, ikut bpjs tk 5 thn, anak 2 ada beasiswa?"
    for told in ("anak sulung sy taun depan mau kuliah di kupang", "adiknya mau lanjut sma"):
        _, level = talk(engine, opened, told)
        assert level.reply.intent == "jkm_beasiswa"
    # The government's own scholarship is another matter, even with the level named.
    _, kip = talk(engine, opened, "kip kuliah bs barengan?")
    assert kip.reply.intent != "jkm_beasiswa"


def test_a_head_count_told_with_its_sum_asked_repeats_the_calculation(engine: Engine) -> None:
    *_, two = talk(
        engine,
        "iuran bpu penghasilan 1,5 juta brp",
        "kakak sy jg mau daftar, kalau 2 orang jadi berapa",
    )
    assert two.reply.intent == "iuran_bpu_hitung"
    assert two.entities.workers == 2
