"""The learned signal beside the matcher (bot/charmodel.py).

It is trained by `bot build` and read back from the prepared tables, rebuilt when the stored one
is stale, decides near-ties between intents that share many words, and never lifts a message
over the fallback's threshold: the best score stays the matcher's own.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot import prepared
from bot.charmodel import CharModel
from bot.config import Settings
from bot.engine import Engine
from bot.matcher import Matcher, MatcherKnobs
from bot.runtime import load_engine
from core.session import Session
from handlers import HANDLERS
from knowledge import Knowledge, build
from knowledge.build import SOURCE_DIR
from knowledge.store import PREPARED_TABLE, load_prepared

from .conftest import TODAY

ROOT = Path(__file__).resolve().parent.parent
# Our own words, three small "intents" that share most of them.
TOY = [
    ("cara klaim uang duka kematian", "duka"),
    ("uang duka kalau suami meninggal", "duka"),
    ("ahli waris dapat uang duka berapa", "duka"),
    ("cara klaim biaya rumah sakit kecelakaan", "celaka"),
    ("kecelakaan di tempat kerja dapat apa", "celaka"),
    ("jatuh dari atap waktu kerja klaimnya gimana", "celaka"),
    ("cara daftar jadi peserta baru", "daftar"),
    ("daftar peserta lewat agen desa", "daftar"),
    ("syarat daftar peserta untuk petani", "daftar"),
]
TRAIN_IN_A_FRESH_PROCESS = (
    "import json, sys\n"
    "from bot.charmodel import CharModel\n"
    "pairs = json.loads(sys.stdin.read())\n"
    "print(json.dumps(dict(CharModel.train(pairs).tables()), sort_keys=True))\n"
)


def _top(model: CharModel, message: str) -> str:
    scores = model.scores(message.split())
    return model.intents[max(range(len(scores)), key=scores.__getitem__)]


def test_the_model_learns_which_words_tell_intents_apart() -> None:
    model = CharModel.train(TOY)
    # "cara klaim" is in two intents; the other words decide.
    assert _top(model, "cara klaim uang duka") == "duka"
    assert _top(model, "cara klaim kecelakaan kerja") == "celaka"
    assert _top(model, "petani mau daftar") == "daftar"
    relative = model.relative(["klaim", "kecelakaan"], ["duka", "celaka"], 1.0)
    assert relative["celaka"] == 1.0 > relative["duka"]


def test_the_stored_form_scores_as_the_trained_model() -> None:
    model = CharModel.train(TOY)
    stored = CharModel.from_tables(json.loads(json.dumps(model.tables())))
    for message in ("uang duka", "jatuh waktu kerja", "daftar agen", "xyz tidak dikenal"):
        assert stored.scores(message.split()) == model.scores(message.split())


def test_training_does_not_depend_on_the_hash_seed() -> None:
    """Sets and dicts iterate in hash order for strings: the model must not."""
    outputs = []
    for seed in ("0", "4242"):
        done = subprocess.run(
            [sys.executable, "-c", TRAIN_IN_A_FRESH_PROCESS],
            input=json.dumps(TOY),
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] and outputs[0].strip()


def test_one_example_added_leaves_the_other_answers_alone(knowledge: Knowledge) -> None:
    """A curator who adds one example must not move unrelated answers: each epoch's order comes
    from the examples themselves, not from a shuffle of their positions (which dealt a new order
    whenever the count changed and moved about 1% of the examples' own answers)."""
    pairs = [(e.lower(), i.id) for i in knowledge.intents.values() for e in i.examples]
    before = CharModel.train(pairs)
    after = CharModel.train([*pairs, ("jaminan kematian itu maksudnya apa", "jkm_manfaat")])
    moved = [t for t, _ in pairs if _top(before, t) != _top(after, t)]
    assert len(moved) <= len(pairs) // 400, moved


def test_bot_build_stores_the_model_and_a_start_reads_it_back(
    tmp_path: Path, engine: Engine
) -> None:
    path = tmp_path / "knowledge.db"
    build(path, SOURCE_DIR, set(HANDLERS), prepared.prepare_database)
    tables = prepared.load(path)
    assert tables is not None
    stored = tables["matcher"]["model"]
    assert stored == json.loads(json.dumps(engine.matcher.tables()["model"]))
    matcher = Matcher.from_tables(tables["matcher"])
    for message in ("jari putus kena gergaji di bengkel klaimnya gmn", "iuran bpu brp"):
        text = engine.extractor.mask_places(engine.normalize(message))
        assert matcher.rank(text) == engine.matcher.rank(text)


def test_a_stale_model_is_rebuilt_at_start(settings: Settings, engine: Engine) -> None:
    path = settings.knowledge_db
    prepared.prepare_database(path)
    raw = load_prepared(path, prepared.ENGINE)
    assert raw is not None
    stale = json.loads(raw)
    # An older version's tables: another fingerprint, and a model that knows nothing.
    stale["fingerprint"] = "made by an older version"
    model = stale["tables"]["matcher"]["model"]
    model["word_scores"] = CharModel.train([("kata", "salam")]).tables()["word_scores"]
    with sqlite3.connect(path) as conn:
        conn.execute(
            f"UPDATE {PREPARED_TABLE} SET value = ? WHERE key = ?",
            (json.dumps(stale), prepared.ENGINE),
        )
    conn.close()
    load_engine(settings)
    fresh = prepared.load(path)
    assert fresh is not None
    assert fresh["matcher"]["model"] == json.loads(json.dumps(engine.matcher.tables()["model"]))


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        # A work accident and how to claim it, not leaving the programme.
        ("jari sy putus kena gergaji di bengkel, ngurus klaimnya gmn", "jkk_klaim"),
        # Reactivating a lapsed membership, not paying late.
        ("kepesertaan sy nonaktif krn lama ga bayar, bisa diaktifkan?", "bayar_reaktivasi"),
    ],
)
def test_a_near_tie_goes_to_the_intent_the_words_tell(
    engine: Engine, question: str, intent: str
) -> None:
    assert engine.answer(question, Session(), TODAY).intent == intent


@pytest.mark.parametrize(
    "message",
    ["xqzv wkwk", "asdf jkl qwer", "resep rendang padang", "bpjs bpjs bpjs", "cara", "berapa"],
)
def test_the_model_never_lifts_the_best_score(engine: Engine, message: str) -> None:
    """The model orders candidates; the best score (what the fallback's threshold reads) is
    the matcher's own."""
    plain = Matcher.from_tables(engine.matcher.tables(), MatcherKnobs(model_weight=0.0))
    text = engine.extractor.mask_places(engine.normalize(message))
    blended, alone = engine.matcher.rank(text), plain.rank(text)
    assert [c.score for c in blended][:1] == [c.score for c in alone][:1]


@pytest.mark.parametrize("nonsense", ["xqzv wkwk", "asdf jkl qwer zxcv", "resep rendang padang"])
def test_gibberish_still_falls_back(engine: Engine, nonsense: str) -> None:
    reply = engine.answer(nonsense, Session(), TODAY)
    assert reply.intent is None
    assert "175" in reply.text
