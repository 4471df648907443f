"""Follow-ups about what an answer just showed (the twelfth writer's hurried follow-ups showed
each failing): a figure of the answer quoted back asks about that answer; a programme "with"
or "included" in the premium asks about the premium; one more family member asks what two
would pay; months asked in English are months paid at once; a worker named beside the
programme is that worker's premium."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.figures import quoted, quotes_shown, shown

from .test_session_memory import talk


def test_the_answers_figures_are_kept_in_one_plain_form() -> None:
    assert shown(["Rp332.500", "56 tahun", "3,7%", "2%", "Rp42.000.000"]).split() == [
        "332500",
        "56",
        "3.7",
        "2",
        "42000000",
    ]


@pytest.mark.parametrize(
    ("message", "figures"),
    [
        ("57 itu buat siapa", {"57"}),
        ("60 bukan 58", {"60", "58"}),
        ("3,7 persen itu dari gaji", {"3.7"}),
        # Counts and dates of the user's own are not the answer's figures.
        ("anak saya 3 masih sekolah", set()),
        ("baru iur 9 tahun", set()),
        ("kalau lewat tanggal 20", set()),
    ],
)
def test_a_message_quotes_the_numbers_it_points_at(message: str, figures: set[str]) -> None:
    assert quoted(message, ()) == figures


def test_an_amount_is_quoted_as_the_extractor_read_it() -> None:
    assert quotes_shown("nominal itu per bulan", (189000,), "37500 189000")
    assert not quotes_shown("nominal itu per bulan", (190000,), "37500 189000")
    assert not quotes_shown("nominal itu per bulan", (189000,), "")


@pytest.mark.parametrize(
    ("opening", "quote"),
    [
        # The migrants' premium shows what a 12-month contract pays.
        ("adik sy mau kerja di korea, iuran bpjs tk brp", "189.000 itu dibayar sekali?"),
        # What JHT is shows the age it is paid at.
        ("jht itu apa ya", "56 itu maksudnya umur?"),
        # The pension age, quoted back with the one the user remembered.
        ("jp pensiun umur berapa skrg", "59? bukan 56 ya?"),
    ],
)
def test_a_figure_of_the_answer_quoted_back_asks_about_that_answer(
    engine: Engine, opening: str, quote: str
) -> None:
    first, asked = talk(engine, opening, quote)
    assert asked.reply.intent == first.reply.intent


@pytest.mark.parametrize("question", ["with jht?", "kalau sama jht?"])
def test_a_programme_with_the_premium_asks_about_the_premium(engine: Engine, question: str) -> None:
    # The discount's answer gives the premium without JHT; the premium's gives it with JHT.
    _, added = talk(engine, "ojol dpt diskon iuran ga?", question)
    assert added.reply.intent == "iuran_bpu"


def test_one_more_of_the_family_asks_what_two_would_pay(engine: Engine) -> None:
    _, both = talk(engine, "iuran bpjs tk buat ibu sy yg jualan kue brp", "kalau sama suaminya jg")
    assert both.reply.intent == "iuran_bpu_hitung"
    assert "2 pekerja" in both.reply.text
    # Whether that person may join is asked with "bisa": not a sum.
    _, may = talk(engine, "iuran bpjs tk buat ibu sy yg jualan kue brp", "suami jg bisa?")
    assert may.reply.intent != "iuran_bpu_hitung"


def test_months_asked_in_english_after_paying_are_paid_at_once(engine: Engine) -> None:
    _, months = talk(engine, "bayar iuran mandiri bisa lewat apa", "how much for 3 months?")
    assert months.reply.intent == "iuran_bpu_hitung"


def test_a_worker_named_beside_the_programme_is_that_workers_premium(engine: Engine) -> None:
    # Read alone, the percentages read as the employees' premium; "bpu" names the independent
    # worker.
    (premium,) = talk(engine, "jht utk bpu berapa persen")
    assert premium.reply.intent == "iuran_bpu"
