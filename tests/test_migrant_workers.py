"""Someone who works abroad is a migrant worker, whether they say "pmi" or only where they are:
their premium is the migrants' one, and the terms of their membership (an extended contract, a
delayed departure, JHT added) are answered by it; claims, harm and other offices' matters are
not."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.followup import names_abroad, workers_named

from .test_session_memory import talk


@pytest.mark.parametrize(
    ("text", "abroad"),
    [
        ("kerja di hong kong", True),
        ("anak sy di sabah", True),
        ("pindah ke luar negeri", True),
        ("gaji dibayar ringgit", True),
        ("kecelakaan di luar jam kerja", False),
        ("kantor di kupang", False),
    ],
)
def test_a_place_abroad_is_told_from_other_words(text: str, abroad: bool) -> None:
    assert names_abroad(text) is abroad


def test_whoever_works_abroad_is_a_migrant_worker_first() -> None:
    assert workers_named("saya karyawan pabrik di malaysia") == ["iuran_pmi", "iuran_pu"]
    assert workers_named("saya karyawan pabrik di surabaya") == ["iuran_pu"]


@pytest.mark.parametrize(
    "question",
    [
        "im a maid in taiwan, my contract was extended, do i pay bpjs again",
        "sy kerja di kebun sawit johor, iuran bpjs tk nya brp",
    ],
)
def test_a_premium_asked_from_abroad_is_the_migrants_one(engine: Engine, question: str) -> None:
    (outcome,) = talk(engine, question)
    assert outcome.reply.intent == "iuran_pmi"


@pytest.mark.parametrize(
    "term",
    [
        "kalau kontraknya diperpanjang harus pulang dulu?",
        "kl berangkatnya mundur 2 bln msh berlaku?",
        "mau ikut jht juga boleh?",
    ],
)
def test_the_terms_of_a_migrants_membership_are_the_migrants_premium(
    engine: Engine, term: str
) -> None:
    _, outcome = talk(engine, "adik sy pmi di hong kong", term)
    assert outcome.reply.intent == "iuran_pmi"


def test_the_same_terms_for_a_worker_at_home_are_not_the_migrants(engine: Engine) -> None:
    _, outcome = talk(
        engine, "sy ojek di kupang", "kalau kontraknya diperpanjang harus pulang dulu?"
    )
    assert outcome.reply.intent != "iuran_pmi"


@pytest.mark.parametrize(
    ("later", "intent"),
    [
        ("dia meninggal di sana, klaim jkm nya gmn", "jkm_klaim"),
        ("visa hongkong diperpanjang dimana ya", None),
    ],
)
def test_a_claim_or_another_offices_matter_stays_itself(
    engine: Engine, later: str, intent: str | None
) -> None:
    _, outcome = talk(engine, "adik sy pmi di hong kong", later)
    assert outcome.reply.intent == intent
