"""Regional answers: the curated headline first, no figure twice, no curator note shown."""

from __future__ import annotations

import csv
import re
from datetime import date

from bot.engine import Engine
from core.session import Session
from knowledge import Knowledge
from knowledge.build import SOURCE_DIR

TODAY = date(2026, 12, 1)
BULLET_VALUE = re.compile(r"^• [^:]+: (\S+)", re.MULTILINE)


def region_replies(engine: Engine, knowledge: Knowledge) -> dict[str, str]:
    out = {}
    for region_id in knowledge.coverage:
        reply = engine.select(f"cakupan_wilayah:{region_id}", Session(), TODAY)
        out[region_id] = reply.text + "\n" + reply.details
    return out


def test_no_region_answer_states_a_figure_twice(engine: Engine, knowledge: Knowledge) -> None:
    repeated = {}
    for region_id, text in region_replies(engine, knowledge).items():
        values = BULLET_VALUE.findall(text)
        if len(values) != len(set(values)):
            repeated[region_id] = values
    assert not repeated


def test_curator_notes_are_never_shown(engine: Engine, knowledge: Knowledge) -> None:
    with (SOURCE_DIR / "tables" / "coverage.csv").open(encoding="utf-8") as handle:
        notes = {row["curator_note"] for row in csv.DictReader(handle) if row["curator_note"]}
    assert notes
    for text in region_replies(engine, knowledge).values():
        assert not any(note in text for note in notes)
        assert "periksa sebelum mengutip" not in text


def test_the_curated_headline_leads_each_region(engine: Engine, knowledge: Knowledge) -> None:
    for region_id, figures in knowledge.coverage.items():
        headline = [f for f in figures if f.headline]
        assert len(headline) == 1, region_id
        reply = engine.select(f"cakupan_wilayah:{region_id}", Session(), TODAY)
        first_bullet = reply.text.split("\n• ", 1)[1]
        assert first_bullet.startswith(headline[0].metric), region_id
