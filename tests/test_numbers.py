"""Rupiah amounts and plain numbers in informal Indonesian (bot.numbers)."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.numbers import Amount, find_amounts, find_numbers, parse_amount

# Every written form of money the bot should understand, with its value in rupiah.
AMOUNT_FORMS = [
    # juta, spelled and abbreviated
    ("2 juta", 2_000_000),
    ("2juta", 2_000_000),
    ("2jt", 2_000_000),
    ("2 jt", 2_000_000),
    ("2 jta", 2_000_000),
    ("2JT", 2_000_000),
    ("150 juta", 150_000_000),
    ("750jt", 750_000_000),
    # number words
    ("sejuta", 1_000_000),
    ("dua juta", 2_000_000),
    ("dua setengah juta", 2_500_000),
    ("satu setengah jt", 1_500_000),
    ("setengah juta", 500_000),
    ("sejuta setengah", 1_500_000),
    ("lima ratus ribu", 500_000),
    ("seratus ribu", 100_000),
    ("seribu", 1_000),
    ("satu miliar", 1_000_000_000),
    ("semiliar", 1_000_000_000),
    ("dua ratus lima puluh ribu", 250_000),
    ("dua puluh lima ribu", 25_000),
    ("lima belas juta", 15_000_000),
    ("sebelas juta", 11_000_000),
    ("dua ratus dua belas ribu", 212_000),
    ("seratus lima puluh juta", 150_000_000),
    ("satu juta dua ratus ribu", 1_200_000),
    ("dua koma lima juta", 2_500_000),
    # currency prefix and grouping
    ("Rp2.000.000", 2_000_000),
    ("Rp 2.000.000", 2_000_000),
    ("rp2000000", 2_000_000),
    ("Rp2.000.000,00", 2_000_000),
    ("Rp. 2.000.000,-", 2_000_000),
    ("IDR 2,000,000", 2_000_000),
    ("Rp16.800", 16_800),
    ("rp 16800", 16_800),
    ("Rp 500", 500),
    ("5000 rupiah", 5_000),
    ("3.500.000", 3_500_000),
    ("2,000,000", 2_000_000),
    ("1.000.000.000", 1_000_000_000),
    # decimals before a unit
    ("1,5 jt", 1_500_000),
    ("1.5jt", 1_500_000),
    ("1,5juta", 1_500_000),
    ("1.5 juta", 1_500_000),
    ("0,5 jt", 500_000),
    ("2,25 jt", 2_250_000),
    ("1,5rb", 1_500),
    # juta plus ribu, and a dropped trailing unit
    ("2 jt 500 rb", 2_500_000),
    ("2jt500rb", 2_500_000),
    ("2 juta 500 ribu", 2_500_000),
    ("2jt 500", 2_500_000),
    ("dua juta lima ratus", 2_500_000),
    ("2 ribu 500", 2_500),
    ("iuran 36 ribu 800", 36_800),
    # ribu
    ("500rb", 500_000),
    ("500 ribu", 500_000),
    ("500k", 500_000),
    ("500 rb", 500_000),
    ("50 rebu", 50_000),
    ("5K", 5_000),
    # miliar
    ("1,2 M", 1_200_000_000),
    ("1,2M", 1_200_000_000),
    ("1,2 miliar", 1_200_000_000),
    ("1.2 milyar", 1_200_000_000),
    # bare numbers that are still money
    ("gaji 3500000", 3_500_000),
    ("upah 4000", 4_000),
    ("penghasilan saya 2500000", 2_500_000),
    ("pendapatan 12000000", 12_000_000),
    ("income 7500000", 7_500_000),
    ("salary 9000000", 9_000_000),
    ("iuran 16800", 16_800),
    ("bayar 25000", 25_000),
    ("nilai kontrak 150000000", 150_000_000),
    ("kontrak 80000000", 80_000_000),
    ("saya dapat 3500000 sebulan", 3_500_000),
]


@pytest.mark.parametrize(("text", "value"), AMOUNT_FORMS)
def test_every_written_form_parses_to_its_rupiah_value(text: str, value: int) -> None:
    assert [a.value for a in find_amounts(text)] == [value]


@pytest.mark.parametrize(("text", "value"), AMOUNT_FORMS)
def test_parse_amount_returns_the_same_value_as_find_amounts(text: str, value: int) -> None:
    assert parse_amount(text) == value


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("gaji Rp2.000.000 per bulan", "Rp2.000.000"),
        ("iuran Rp. 16.800,- sebulan", "Rp. 16.800"),
        ("kira2 2 jt 500 rb ya", "2 jt 500 rb"),
        ("dapat tiga ratus ribu rupiah", "tiga ratus ribu rupiah"),
        ("gaji 3500000 kak", "3500000"),
        ("IDR 2,000,000.", "IDR 2,000,000"),
    ],
)
def test_span_covers_the_whole_written_amount_with_its_currency_marker(
    text: str, written: str
) -> None:
    (amount,) = find_amounts(text)
    assert text[amount.start : amount.end] == written


def test_amount_is_a_frozen_value_object() -> None:
    amount = Amount(value=2_000_000, start=0, end=3)
    with pytest.raises(AttributeError):
        amount.value = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    "text",
    [
        "tahun 2026",
        "2026",
        "iuran 2026 berapa",
        "upah minimum 2026",
        "umur 45",
        "usia saya 45 tahun",
        "30%",
        "iuran jht 5,7%",
        "10 persen",
        "5 orang",
        "2.000 pekerja",
        "2 juta pekerja",
        "seribu orang",
        "15 maret",
        "tgl 15/03/2026",
        "15.03.2026",
        "hp 08123456789",
        "wa 628123456789",
        "+6281234567890",
        "no hp 628.123.456.789",
        "gaji 628.123.456.789",
        "62.812.345.678",
        "hp 0812.3456.7891",
        "iuran 0812.3456.7891",
        "nik 3201234567890001",
        "3201234567890001",
        "no kpj 12345678901",
        "1234",
        "012345",
        "jam 08.00",
        "luas 36 m2",
        "setengah hari",
        "satu setengah tahun",
        "juta",
        "dua puluh lima",
        "",
    ],
)
def test_non_money_numbers_are_not_amounts(text: str) -> None:
    assert find_amounts(text) == []
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("gaji 3 jt atau 4,5jt", [3_000_000, 4_500_000]),
        ("5 orang masing-masing 1,5 juta", [1_500_000]),
        ("500 ribu 2 juta", [500_000, 2_000_000]),
        ("2 juta, 500 ribu", [2_000_000, 500_000]),
        ("umur 45 tahun gaji 4,5 jt", [4_500_000]),
        ("gaji 2 juta 5 orang", [2_000_000]),
        ("gaji UMR 4.500.000 thn 2026", [4_500_000]),
        ("iuran 2% dari 5 juta", [5_000_000]),
        ("NIK 3201234567890001 gaji 3jt", [3_000_000]),
        ("Rp 1.500.000 - Rp 2.000.000", [1_500_000, 2_000_000]),
    ],
)
def test_several_amounts_in_one_sentence_come_back_in_order(text: str, values: list[int]) -> None:
    assert [a.value for a in find_amounts(text)] == values


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("penghasilan 2-3 juta", [2_000_000, 3_000_000]),
        ("2,5 - 3 jt", [2_500_000, 3_000_000]),
        ("Rp 500-700 ribu", [500_000, 700_000]),
        ("dua sampai tiga juta", [2_000_000, 3_000_000]),
    ],
)
def test_range_left_end_borrows_the_unit_of_the_right_end(text: str, values: list[int]) -> None:
    assert [a.value for a in find_amounts(text)] == values


def test_amounts_are_found_in_order_with_non_overlapping_spans() -> None:
    text = "gaji 3 jt atau 4,5jt"
    first, second = find_amounts(text)
    assert text[first.start : first.end] == "3 jt"
    assert text[second.start : second.end] == "4,5jt"
    assert first.end <= second.start


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("5 orang", [5]),
        ("5 orang masing-masing 1,5 juta", [5]),
        ("umur 45", [45]),
        ("tahun 2026", [2026]),
        ("2026", [2026]),
        ("lima orang", [5]),
        ("satu", [1]),
        ("sepuluh", [10]),
        ("sebelas", [11]),
        ("dua belas", [12]),
        ("dua puluh", [20]),
        ("dua puluh lima tahun", [25]),
        ("seratus", [100]),
        ("dua ratus", [200]),
        ("seratus sebelas", [111]),
        ("nol", [0]),
        ("dua tiga", [2, 3]),
        ("seribu orang", [1000]),
        ("2.000 pekerja", [2000]),
        ("gaji 2 juta 5 orang", [5]),
        ("PP 44 tahun 2015", [44, 2015]),
    ],
)
def test_plain_numbers_and_number_words_are_found(text: str, values: list[int]) -> None:
    assert [value for value, _, _ in find_numbers(text)] == values


@pytest.mark.parametrize(
    "text",
    [
        "gaji 2jt",
        "Rp2.000.000",
        "30%",
        "10 persen",
        "1,5",
        "satu setengah",
        "hp 08123456789",
        "hp 628.123.456.789",
        "",
    ],
)
def test_amounts_percentages_decimals_and_phone_numbers_are_not_plain_numbers(text: str) -> None:
    assert find_numbers(text) == []


def test_plain_number_span_points_at_the_number() -> None:
    text = "anak saya dua puluh lima tahun"
    ((value, start, end),) = find_numbers(text)
    assert value == 25
    assert text[start:end] == "dua puluh lima"


@settings(database=None)
@given(st.text())
def test_find_amounts_never_raises_and_spans_lie_inside_the_text(text: str) -> None:
    for amount in find_amounts(text):
        assert 0 <= amount.start < amount.end <= len(text)
        assert amount.value >= 0
    for _value, start, end in find_numbers(text):
        assert 0 <= start < end <= len(text)


# Text built from the pieces the parser cares about, so hypothesis reaches the grammar.
_PIECES = st.sampled_from(
    [
        "2",
        "500",
        "1,5",
        "1.5",
        "2.000.000",
        "2,000,000",
        "jt",
        "juta",
        "rb",
        "k",
        "M",
        "Rp",
        "dua",
        "setengah",
        "sejuta",
        "puluh",
        "belas",
        "ratus",
        "koma",
        "orang",
        "%",
        "gaji",
        "-",
        "rupiah",
        "08123456789",
        " ",
        ",",
    ]
)


@settings(database=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_spans_are_ordered_and_never_overlap_on_number_like_text(text: str) -> None:
    spans = sorted(
        [(a.start, a.end) for a in find_amounts(text)]
        + [(start, end) for _, start, end in find_numbers(text)]
    )
    for (_, end), (start, _) in pairwise(spans):
        assert end <= start
    for start, end in spans:
        assert 0 <= start < end <= len(text)


def test_a_phone_number_in_dotted_threes_is_money_only_with_a_currency_marker() -> None:
    assert find_amounts("no hp 628.123.456.789") == []
    assert parse_amount("Rp62.800.000.000") == 62_800_000_000
    assert parse_amount("gaji 628.000.000") == 628_000_000
