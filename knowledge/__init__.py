"""The curated knowledge: human-edited sources, strict validation, a SQLite build, a read API.

Nothing here imports the rest of the project; the bot and the handlers depend on this package,
never the other way round.
"""

from knowledge.build import BuildResult, build, ensure_built, is_stale
from knowledge.errors import KnowledgeError, SourceProblem
from knowledge.store import Knowledge, load

__all__ = [
    "BuildResult",
    "Knowledge",
    "KnowledgeError",
    "SourceProblem",
    "build",
    "ensure_built",
    "is_stale",
    "load",
]
