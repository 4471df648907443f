"""Every kind of broken knowledge source stops the build with the file, the entry and the fix,
and leaves the last good database in place."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from handlers import HANDLERS
from knowledge import KnowledgeError, build, load
from knowledge.build import SOURCE_DIR, ensure_built, is_stale


def _problems(sources: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        build(sources.parent / "out.db", sources, set(HANDLERS))
    return [str(p) for p in caught.value.problems]


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def _intent(
    intent_id: str,
    answer: str = "Jawaban.",
    extra: str = "",
    examples: str = '"contoh unik sekali"',
) -> str:
    return (
        f'\n[[intent]]\nid = "{intent_id}"\ntitle = "Judul"\nanswer = """{answer}"""\n'
        f"examples = [{examples}]\n{extra}\n"
    )


def test_the_real_sources_build_cleanly(tmp_path: Path) -> None:
    result = build(tmp_path / "k.db", SOURCE_DIR, set(HANDLERS))
    assert result.intents > 20
    assert load(tmp_path / "k.db").intents


def test_a_toml_syntax_error_names_the_file(sources: Path) -> None:
    _append(sources / "intents" / "jht.toml", '\n[[intent]]\nid = "x\n')
    problems = _problems(sources)
    assert any("intents/jht.toml [syntax]" in p for p in problems)


def test_a_duplicate_intent_id_is_refused(sources: Path) -> None:
    _append(sources / "intents" / "jht.toml", _intent("jht_apa"))
    assert any("[jht_apa]" in p and "duplicate intent id" in p for p in _problems(sources))


def test_an_example_shared_by_two_intents_is_refused(sources: Path) -> None:
    _append(sources / "intents" / "jht.toml", _intent("contoh_ganda", examples='"Apa itu JHT?"'))
    problems = _problems(sources)
    assert any("[contoh_ganda]" in p and "also an example of 'jht_apa'" in p for p in problems)


def test_a_follow_up_to_a_missing_intent_is_refused(sources: Path) -> None:
    _append(
        sources / "intents" / "jht.toml", _intent("ikut_lanjut", extra='followups = ["tidak_ada"]')
    )
    problems = _problems(sources)
    assert any("[ikut_lanjut]" in p and "follow-up 'tidak_ada'" in p for p in problems)


@pytest.mark.parametrize("figure", ["Rp16.800", "5,7%", "2 juta", "10 persen"])
def test_a_figure_typed_into_an_answer_is_refused(sources: Path, figure: str) -> None:
    _append(
        sources / "intents" / "jht.toml",
        _intent("angka_lepas", answer=f"Iurannya {figure} sebulan."),
    )
    problems = _problems(sources)
    assert any("[angka_lepas]" in p and "figure without a source" in p for p in problems)


def test_a_fact_row_without_a_source_is_refused(sources: Path) -> None:
    _append(sources / "facts.csv", "angka_baru,,123,rupiah,,,,verified,\n")
    problems = _problems(sources)
    assert any("facts.csv [angka_baru" in p and "figure without a source" in p for p in problems)


def test_a_coverage_figure_without_a_source_is_refused(sources: Path) -> None:
    _append(sources / "tables" / "coverage.csv", "ntt,peserta,5,number,2025-01-01,Januari 2025,,\n")
    assert any("coverage.csv" in p and "figure without a source" in p for p in _problems(sources))


def test_an_answer_longer_than_a_message_is_refused(sources: Path) -> None:
    _append(sources / "intents" / "jht.toml", _intent("terlalu_panjang", answer="kata " * 1000))
    problems = _problems(sources)
    assert any("[terlalu_panjang]" in p and "characters; a message allows" in p for p in problems)


def test_a_placeholder_without_a_fact_is_refused(sources: Path) -> None:
    _append(
        sources / "intents" / "jht.toml", _intent("tanpa_fakta", answer="Iuran {tidak_ada_angka}.")
    )
    assert any("{tidak_ada_angka}" in p for p in _problems(sources))


def test_two_rows_valid_on_the_same_day_are_refused(sources: Path) -> None:
    _append(sources / "facts.csv", "jp_wage_cap,,1,rupiah,2026-06-01,,JPCAP,verified,\n")
    assert any("jp_wage_cap" in p and "valid on the same day" in p for p in _problems(sources))


def test_an_unknown_handler_is_refused(sources: Path) -> None:
    _append(
        sources / "intents" / "jht.toml", _intent("tanpa_pengurus", extra='handler = "tidak.ada"')
    )
    assert any("[tanpa_pengurus]" in p and "handler 'tidak.ada'" in p for p in _problems(sources))


def test_every_problem_is_reported_at_once(sources: Path) -> None:
    _append(sources / "intents" / "jht.toml", _intent("jht_apa"))
    _append(sources / "facts.csv", "angka_baru,,123,rupiah,,,,verified,\n")
    assert len(_problems(sources)) >= 2


def test_a_broken_source_leaves_the_last_good_database(sources: Path, tmp_path: Path) -> None:
    db = tmp_path / "knowledge.db"
    build(db, sources, set(HANDLERS))
    before = db.read_bytes()
    _append(sources / "intents" / "jht.toml", '\n[[intent]]\nid = "x\n')
    assert is_stale(db, sources)
    problem = ensure_built(db, sources, set(HANDLERS))
    assert problem is not None
    assert db.read_bytes() == before
    assert "jht_apa" in load(db).intents


def test_a_source_newer_than_the_database_triggers_a_rebuild(sources: Path, tmp_path: Path) -> None:
    db = tmp_path / "knowledge.db"
    build(db, sources, set(HANDLERS))
    assert not is_stale(db, sources)
    _append(
        sources / "intents" / "jht.toml",
        _intent("intent_baru", examples='"pertanyaan yang benar benar baru"'),
    )
    later = db.stat().st_mtime + 5
    os.utime(sources / "intents" / "jht.toml", (later, later))
    assert ensure_built(db, sources, set(HANDLERS)) is None
    assert "intent_baru" in load(db).intents


def test_a_missing_or_corrupt_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="no knowledge database"):
        load(tmp_path / "absent.db")
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(KnowledgeError, match="unreadable"):
        load(corrupt)


def test_a_source_moved_in_with_its_old_time_triggers_a_rebuild(
    sources: Path, tmp_path: Path
) -> None:
    """`git mv` of a set into the sources keeps the file's old time: its folder's time shows it."""
    db = tmp_path / "knowledge.db"
    build(db, sources, set(HANDLERS))
    built = db.stat().st_mtime
    moved = tmp_path / "mine.tsv"
    moved.write_text("conversation_id\tturn\tmessage\tlabel\na\t1\tbrp iuran bpu\tiuran_bpu\n")
    os.utime(moved, (built - 3600, built - 3600))
    folder = sources / "conversations"
    folder.mkdir(exist_ok=True)
    for changed in (folder, sources):
        os.utime(changed, (built - 3600, built - 3600))
    assert not is_stale(db, sources)
    moved.rename(folder / "mine.tsv")
    assert (folder / "mine.tsv").stat().st_mtime < built
    assert is_stale(db, sources)
