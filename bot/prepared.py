"""The engine's derived tables, prepared by `bot build` and stored in the knowledge database.

Reading 2,000 example questions like messages (normalising, stripping courtesies, masking
places) and indexing them costs about half a second; a start reads the result instead. The
stored tables carry a fingerprint of the code that made them: after an update that changes how
messages are read, they no longer match, the engine computes them again and stores them for the
next start.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from knowledge.store import load_prepared, store_prepared

if TYPE_CHECKING:
    from bot.places import Gazetteer

log = logging.getLogger(__name__)

ENGINE = "engine"
PLACES = "places"
# The modules whose code decides what the tables hold.
INPUTS = (
    "bot.charmodel",
    "bot.engine",
    "bot.entities",
    "bot.matcher",
    "bot.normalize",
    "bot.numbers",
    "bot.places",
    "bot.preamble",
    "bot.prepared",
)
FORMAT = "1"


_fingerprint = ""  # this process's, once computed: its code does not change while it runs


def fingerprint() -> str:
    """A digest of the code in INPUTS (imported by the engine already); empty when unreadable,
    which makes stored tables never match. Read once per process (a start loads two tables)."""
    global _fingerprint
    if not _fingerprint:
        _fingerprint = _digest()
    return _fingerprint


def _digest() -> str:
    digest = hashlib.sha256(FORMAT.encode())
    for name in INPUTS:
        module = sys.modules.get(name)
        path = getattr(module, "__file__", None)
        if not path:
            return ""
        try:
            digest.update(Path(path).read_bytes())
        except OSError:
            return ""
    return digest.hexdigest()


def load(db_path: Path, key: str = ENGINE) -> dict[str, Any] | None:
    """The stored tables when they were made by this code, else None."""
    raw = load_prepared(db_path, key)
    if raw is None:
        return None
    try:
        stored = json.loads(raw)
    except ValueError:
        return None
    current = fingerprint()
    if not current or not isinstance(stored, dict) or stored.get("fingerprint") != current:
        return None
    tables = stored.get("tables")
    return tables if isinstance(tables, dict) else None


def store(db_path: Path, tables: Mapping[str, Any], key: str = ENGINE) -> None:
    current = fingerprint()
    if not current:
        return
    value = json.dumps({"fingerprint": current, "tables": tables}, separators=(",", ":"))
    if not store_prepared(db_path, key, value):
        log.info("the knowledge database is read-only; the engine's tables were not stored")


def gazetteer(db_path: Path) -> Gazetteer:
    """The places: from the stored tables when current, else from the places table."""
    from bot.places import Gazetteer

    tables = load(db_path, PLACES)
    if tables is None:
        return Gazetteer.load(db_path)
    return Gazetteer.from_rows(tables["rows"], tables["starts"], db_path)


def prepare_database(db_path: Path) -> None:
    """For knowledge.build: the tables of a freshly built database, stored in it."""
    from bot.engine import Engine
    from bot.places import Gazetteer
    from knowledge import load as load_knowledge

    store(db_path, Engine(load_knowledge(db_path)).tables)
    places = Gazetteer.load(db_path)
    store(db_path, {"rows": places.rows(), "starts": places.starts()}, PLACES)
