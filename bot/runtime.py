"""Start-up: make sure the knowledge database is current, load it, and build the engine."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from bot import prepared
from bot.config import Settings
from bot.engine import Engine
from handlers import HANDLERS
from knowledge import KnowledgeError, build, ensure_built, load

log = logging.getLogger(__name__)


def load_engine(settings: Settings, stderr: TextIO = sys.stderr) -> Engine:
    """Rebuild the knowledge database when a source changed, then load it into memory.

    A broken source does not stop a running service: the last good database keeps answering and
    the problem is reported. With no database at all, KnowledgeError propagates."""
    problem = ensure_built(
        settings.knowledge_db, settings.knowledge_dir, set(HANDLERS), prepared.prepare_database
    )
    if problem is not None:
        print(
            "warning: the knowledge sources have errors; answering from the last good database.\n"
            + str(problem),
            file=stderr,
        )
    try:
        knowledge = load(settings.knowledge_db)
    except KnowledgeError:
        # A damaged or foreign database file: rebuild it from the sources once. If the sources
        # are broken too, that error (with its file and entry) is what the user sees.
        print("warning: the knowledge database is unreadable; rebuilding it.", file=stderr)
        build(
            settings.knowledge_db, settings.knowledge_dir, set(HANDLERS), prepared.prepare_database
        )
        knowledge = load(settings.knowledge_db)
    gazetteer = prepared.gazetteer(settings.knowledge_db)
    tables = prepared.load(settings.knowledge_db)
    engine = Engine(
        knowledge, share_contact=settings.share_contact, gazetteer=gazetteer, prepared=tables
    )
    if tables is None:
        # Built by an older version of the code, or without the tables: store them for the
        # next start.
        prepared.store(settings.knowledge_db, engine.tables)
    return engine


__all__ = ["KnowledgeError", "load_engine"]
