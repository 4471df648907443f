"""The engine's prepared tables and its candidate pruning: the same answers, faster.

`bot build` stores the matcher's tables and the places in the knowledge database; a start reads
them instead of computing them. The word index picks a few dozen candidates before fuzzy
scoring; on the labelled sets it must give the intent the unpruned ranking gives.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from bot import prepared
from bot.config import Settings
from bot.engine import Engine
from bot.evaluate import labelled_set, read_examples
from bot.matcher import Matcher, MatcherKnobs
from bot.places import Gazetteer
from bot.runtime import load_engine
from core.session import Session
from handlers import HANDLERS
from knowledge import Knowledge, build
from knowledge.build import SOURCE_DIR
from knowledge.store import PREPARED_TABLE, load_prepared

from .conftest import TODAY

QUESTIONS = [
    "apa itu jht",
    "brp iuran bpjs tk utk petani",
    "kantor bpjs tk di ruteng dimana",
    "assalamualaikum min, mau tanya cara klaim jht",
    "kantor bpjs di borong ada ga",
    "gaji 3.5jt iuran bpjs tk nya brp kalau pekerja mandiri",
    "xqzv wkwk",
]


def _answers(engine: Engine) -> list[tuple[str | None, str]]:
    return [(r.intent, r.text) for r in (engine.answer(q, Session(), TODAY) for q in QUESTIONS)]


def test_build_stores_tables_that_answer_as_computed_ones(
    tmp_path: Path, knowledge: Knowledge, engine: Engine
) -> None:
    path = tmp_path / "knowledge.db"
    build(path, SOURCE_DIR, set(HANDLERS), prepared.prepare_database)
    tables = prepared.load(path)
    places = prepared.gazetteer(path)
    assert tables is not None and len(places) > 1000
    from_tables = Engine(knowledge, gazetteer=places, prepared=tables)
    assert _answers(from_tables) == _answers(engine)


def test_tables_made_by_other_code_are_not_used(tmp_path: Path) -> None:
    path = tmp_path / "knowledge.db"
    build(path, SOURCE_DIR, set(HANDLERS), prepared.prepare_database)
    raw = load_prepared(path, prepared.ENGINE)
    assert raw is not None
    stale = json.loads(raw)
    stale["fingerprint"] = "made by an older version"
    with sqlite3.connect(path) as conn:
        conn.execute(
            f"UPDATE {PREPARED_TABLE} SET value = ? WHERE key = ?",
            (json.dumps(stale), prepared.ENGINE),
        )
    conn.close()
    assert prepared.load(path) is None


def test_a_start_without_tables_computes_and_stores_them(settings: Settings) -> None:
    # A database without the tables, as an older version built it.
    with sqlite3.connect(settings.knowledge_db) as conn:
        conn.execute(f"DELETE FROM {PREPARED_TABLE}")
    conn.close()
    assert prepared.load(settings.knowledge_db) is None
    first = load_engine(settings)
    assert prepared.load(settings.knowledge_db) is not None
    second = load_engine(settings)
    assert _answers(second) == _answers(first)


def test_stored_places_find_what_the_places_table_finds(knowledge_db: Path) -> None:
    loaded = Gazetteer.load(knowledge_db)
    stored = Gazetteer.from_rows(loaded.rows(), loaded.starts(), knowledge_db)
    for message in ("kantor di borong", "jumlah peserta di lombok", "di desa waturaka", "apa"):
        words = message.split()
        assert stored.find(words, set()) == loaded.find(words, set())


def test_pruned_ranking_gives_the_unpruned_intent(engine: Engine) -> None:
    """The word index against every example sharing a word, on the development and tuning
    questions (never the held-out ones): the top intent agrees on at least 99%."""
    pruned = engine.matcher
    unpruned = Matcher.from_tables(
        pruned.tables(),
        MatcherKnobs(candidates=0, clause_candidates=0, posting_cap=0, common_cap=0),
    )
    agree = total = 0
    for name in ("devset.tsv", "tuneset.tsv", "tuneset2.tsv"):
        for example in read_examples(labelled_set(name)):
            text = engine.extractor.mask_places(engine.normalize(example.question))
            a, b = pruned.rank(text), unpruned.rank(text)
            total += 1
            agree += (a[0].intent if a else None) == (b[0].intent if b else None)
    assert total > 1000
    assert agree / total >= 0.99, f"{agree} of {total}"


def test_stored_tables_hold_each_intent_and_index_once(engine: Engine) -> None:
    """Read back from JSON, every example's intent is one shared string per intent, and every
    word's entries share one int per example (decoded JSON gives each occurrence an object of
    its own, thousands of them); the matcher ranks as before."""
    stored = json.loads(json.dumps(engine.matcher.tables()))
    intents = stored["intents"]
    assert len({id(i) for i in intents}) > len(set(intents))  # what JSON gives
    matcher = Matcher.from_tables(stored)
    held = matcher.tables()["intents"]
    assert held == intents
    assert len({id(i) for i in held}) == len(set(held))
    keys = [i for head in matcher._heads.values() for i in head]
    keys += [i for beyond in matcher._beyond.values() for i in beyond]
    assert len(keys) > 2 * len(set(keys))
    assert len({id(i) for i in keys}) == len(set(keys))
    for question in QUESTIONS:
        assert matcher.rank(question) == engine.matcher.rank(question)
