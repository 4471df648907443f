"""Absurd amounts: a 29-digit figure used to crash every channel; now every kind of amount has a
plausible range and anything outside it gets a kind answer instead of a calculation."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from bot.cli import main
from bot.config import Settings
from bot.engine import Engine
from core.session import Session
from handlers.amount_range import PLAUSIBLE, implausible
from knowledge import format as fmt

from .conftest import TODAY

HUGE = "1" + "0" * 28  # 29 digits: past the 28-digit default Decimal context
QUESTIONS = [
    f"iuran bpu penghasilan Rp{HUGE}",
    f"berapa iuran karyawan untuk upah Rp{HUGE}",
    f"iuran jakon nilai kontrak Rp{HUGE}",
    f"manfaat jkk kalau upah Rp{HUGE}",
    f"jkp upah Rp{HUGE}",
    "iuran bpu penghasilan Rp9999999999999999999999999",
]


@pytest.mark.parametrize(
    "value",
    [10**28, 10**28 - 1, -(10**40), Decimal("1e30"), Decimal("123456789012345678901234567890.5")],
)
def test_formatting_never_overflows(value: Decimal | int) -> None:
    digits = fmt.rupiah(value).replace("Rp", "").replace(".", "").lstrip("-")
    assert digits.isdigit()
    assert fmt.number(value)
    assert fmt.rupiah_large(value).startswith(("Rp", "-Rp"))


def test_formatting_is_exact_for_a_29_digit_amount() -> None:
    assert fmt.rupiah(10**28) == "Rp10." + ".".join(["000"] * 9)


@pytest.mark.parametrize("question", QUESTIONS)
def test_an_absurd_amount_gets_a_kind_answer_not_a_calculation(
    engine: Engine, question: str
) -> None:
    reply = engine.answer(question, Session(), TODAY)
    assert "terlalu" in reply.text  # "terlalu besar": too large for the kind of amount
    assert "9.999.999.999.999" not in reply.text
    assert "×" not in reply.text


def test_the_next_message_with_a_sensible_amount_is_calculated(engine: Engine) -> None:
    session = Session()
    engine.answer(f"iuran bpu penghasilan Rp{HUGE}", session, TODAY)
    reply = engine.answer("2 juta", session, TODAY)
    assert "Rp2.000.000" in reply.text


@pytest.mark.parametrize("kind", sorted(PLAUSIBLE))
def test_each_kind_has_a_range_with_sensible_edges(kind: str) -> None:
    low, high = PLAUSIBLE[kind]
    assert implausible(kind, (low,)) is None
    assert implausible(kind, (high,)) is None
    assert implausible(kind, (high + 1,)) == high + 1
    assert implausible(kind, (low - 1,)) == low - 1
    assert implausible(kind, (10**28,)) == 10**28


@pytest.mark.parametrize("command", ["ask", "chat"])
def test_the_console_answers_a_29_digit_amount(
    settings: Settings, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("BOT_TODAY", TODAY.isoformat())
    monkeypatch.setenv("BOT_SECRET_SALT", "test-salt")
    out, err = io.StringIO(), io.StringIO()
    code = main(
        [command], stdin=io.StringIO(f"iuran bpu penghasilan Rp{HUGE}\n"), stdout=out, stderr=err
    )
    assert code == 0, err.getvalue()
    assert "terlalu" in out.getvalue()
