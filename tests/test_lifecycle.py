"""Facts with a life cycle: after its review date a figure is the latest known, never current."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from bot.engine import Engine
from core.session import Session
from knowledge.lifecycle import due_date, is_stale, parse_review, review_list
from knowledge.model import Fact
from tests.test_cli import run


def fact(review_by: str, start: date | None, end: date | None = None) -> Fact:
    return Fact("cap", "", Decimal(100), "rupiah", start, end, "SRC", "", True, review_by)


def test_a_yearly_rule_is_due_on_the_next_first_of_that_month() -> None:
    assert due_date(fact("every March", date(2026, 3, 1))) == date(2027, 3, 1)
    assert due_date(fact("setiap Februari", date(2026, 2, 1))) == date(2027, 2, 1)
    assert due_date(fact("every March", date(2026, 1, 15))) == date(2026, 3, 1)


def test_a_fixed_review_date_is_due_on_that_day() -> None:
    row = fact("2025-01-01", date(2024, 1, 1), date(2026, 1, 31))
    assert due_date(row) == date(2025, 1, 1)
    assert not is_stale(row, date(2024, 12, 31)) and is_stale(row, date(2025, 1, 1))


def test_a_row_closed_before_its_due_date_never_goes_stale() -> None:
    assert due_date(fact("every March", date(2025, 3, 1), date(2026, 2, 28))) is None


def test_the_review_list_holds_stale_and_soon_due_rows_only() -> None:
    soon = fact("every March", date(2026, 3, 1))
    later = fact("every June", date(2026, 6, 1))
    past = fact("2024-01-01", date(2023, 1, 1), date(2023, 12, 31))
    items = review_list([soon, later, past], date(2027, 2, 15))
    assert [(i.fact, i.due, i.stale) for i in items] == [(soon, date(2027, 3, 1), False)]
    assert review_list([soon], date(2027, 3, 2))[0].stale


def test_a_rule_that_is_not_a_month_is_refused() -> None:
    try:
        parse_review("every Marhc")
    except ValueError as exc:
        assert "every March" in str(exc)
    else:
        raise AssertionError("accepted a rule that is not a month")


def test_the_pension_cap_after_its_review_date_says_it_may_have_changed(engine: Engine) -> None:
    reply = engine.answer("iuran jp karyawan berapa persen", Session(), date(2027, 6, 1))
    assert "Rp11.086.300" in reply.text
    assert "mungkin sudah berubah" in reply.text and "175" in reply.text
    today = engine.answer("iuran jp karyawan berapa persen", Session(), date(2026, 11, 21))
    assert "mungkin sudah berubah" not in today.text


def test_the_pension_benefit_limits_warn_after_february(engine: Engine) -> None:
    reply = engine.answer("manfaat jp minimal berapa per bulan", Session(), date(2027, 6, 1))
    assert reply.intent == "jp_manfaat_besar"
    assert "Rp411.400" in reply.text and "Rp4.932.300" in reply.text
    assert "mungkin sudah berubah" in reply.text


def test_check_lists_the_pension_cap_and_benefit_rows_as_due(tmp_path: Path) -> None:
    result = run(["check", "--today", "2027-02-15"], tmp_path)
    assert result.returncode == 0, result.stderr
    listed = result.stdout.split("facts to review", 1)[1]
    for key in ("jp_wage_cap", "jp_manfaat_min", "jp_manfaat_max"):
        assert key in listed
    assert "due 2027-03-01" in listed and "STALE since 2027-02-01" in listed
