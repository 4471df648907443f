"""The house's import rules, read from the source with `ast`: an arrow in the wrong direction
fails here, with the file and the line.

Package arrows run one way: runtime (`bot`) -> `handlers` -> `core` -> `knowledge`. Every import
counts, also one inside a function or under TYPE_CHECKING: each is an arrow a reader follows.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "core", "knowledge")


@dataclass(frozen=True)
class Arrow:
    """One import: `source` (a module of ours) imports `target` (a module), maybe `name`s."""

    source: str
    target: str
    names: tuple[str, ...]
    where: str

    def reaches(self, module: str) -> bool:
        """True when the arrow points at `module` or into it (a submodule, a name in it)."""
        targets = [self.target, *(f"{self.target}.{name}" for name in self.names)]
        return any(t == module or t.startswith(module + ".") for t in targets)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _arrows(path: Path) -> Iterator[Arrow]:
    source = _module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Arrow(source, alias.name, (), where)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = source.split(".")
                if path.name != "__init__.py":
                    base = base[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield Arrow(source, target, tuple(a.name for a in node.names), where)


def _ours(arrow: Arrow) -> bool:
    return arrow.target.split(".")[0] in PACKAGES


ARROWS = [
    arrow
    for package in PACKAGES
    if (ROOT / package).is_dir()
    for path in sorted((ROOT / package).rglob("*.py"))
    for arrow in _arrows(path)
    if _ours(arrow)
]


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _violations(source_package: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{a.where}: {a.source} imports {a.target}"
        + (f" ({', '.join(a.names)})" if a.names else "")
        for a in ARROWS
        if _in(a.source, source_package) and any(a.reaches(f) for f in forbidden)
    )


def test_the_walk_finds_the_imports() -> None:
    # A walk that finds nothing would pass every rule below.
    assert any(a.source == "bot.cli" and a.target == "bot.config" for a in ARROWS)
    assert len(ARROWS) > 200


# The parts of the runtime that a channel must not reach past the conversation service for: the
# engine and its loader, the knowledge, the flood guard, a concrete state store (they use the
# protocols in bot.state_protocols) and the place that picks one.
CHANNEL_FORBIDDEN = (
    "bot.engine",
    "bot.runtime",
    "bot.matcher",
    "knowledge",
    "bot.ratelimit",
    "bot.state",
    "bot.state_postgres",
    "bot.stores",
)


def test_channels_talk_only_to_the_conversation_service() -> None:
    assert _violations("bot.channels", CHANNEL_FORBIDDEN) == []


# What a channel may ask the conversation service for is its public API (handle, select, greet,
# menu, knows, media_notice...); its engine, limiter and clock are its own business.
CONVERSATION_INSIDES = frozenset(
    {"engine", "limiter", "clock", "flood_verdict", "state", "share_links", "settings"}
)


def _reaches_into_the_conversation() -> list[str]:
    found = []
    for path in sorted((ROOT / "bot" / "channels").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute) or node.attr not in CONVERSATION_INSIDES:
                continue
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name == "conversation":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: conversation.{node.attr}")
    return found


def test_channels_use_only_the_conversation_services_api() -> None:
    assert _reaches_into_the_conversation() == []


def test_handlers_do_not_import_the_runtime() -> None:
    assert _violations("handlers", ("bot",)) == []


def test_core_imports_nothing_of_ours_but_knowledge() -> None:
    assert _violations("core", ("bot", "handlers")) == []


def test_knowledge_imports_nothing_of_ours() -> None:
    assert _violations("knowledge", ("bot", "handlers", "core")) == []


# Only the composition root and the store picker open state stores and load the engine.
ROOT_ONLY = (
    "bot.stores.open_state",
    "bot.runtime.load_engine",
    "bot.state_postgres",
    "bot.privacy.load_or_create_salt",
    "bot.privacy.stored_salt",
)
ROOT_MODULES = ("bot.app", "bot.stores", "bot.runtime")


def test_only_the_composition_root_builds_the_house() -> None:
    found = [
        v
        for v in _violations("bot", ROOT_ONLY)
        if not any(v.split(": ")[1].startswith(m + " ") for m in ROOT_MODULES)
    ]
    assert found == []


def test_only_the_composition_root_makes_the_conversation_service() -> None:
    made = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        if _module_name(path) in ("bot.app", "bot.conversation"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            called = node.func
            if isinstance(called, ast.Attribute) and isinstance(called.value, ast.Name):
                called = called.value  # Conversation.deferred(...)
            if isinstance(called, ast.Name) and called.id == "Conversation":
                made.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert made == []


# The composition root sits just below the run modes: only they (and the app's own parts)
# import it, so nothing it builds can reach back up to it.
RUN_MODES = ("bot.cli", "bot.server", "bot.worker", "bot.polling", "bot.evaluate", "bot.app")


def test_only_the_run_modes_import_the_composition_root() -> None:
    found = [
        f"{a.where}: {a.source} imports {a.target}"
        for a in ARROWS
        if a.reaches("bot.app") and a.source not in RUN_MODES
    ]
    assert found == []


# Every word a user reads comes from handlers/ (or the knowledge), never from a channel. A
# channel's other strings are English (logs, errors, API fields) or identifiers (option ids,
# message kinds, the quit words typed at the console). So a literal under bot/channels/ that
# holds a common Indonesian word, and is not an identifier, is a user-facing sentence in the
# wrong room. The words are ones no English log line or API field uses; docstrings are skipped.
INDONESIAN = frozenset(
    {
        "silakan",
        "maaf",
        "bapak",
        "ibu",
        "sumber",
        "balas",
        "pilih",
        "pilihan",
        "topik",
        "atau",
        "dan",
        "yang",
        "untuk",
        "tidak",
        "belum",
        "saya",
        "kami",
        "terima",
        "kasih",
        "pesan",
        "ketik",
        "tulis",
        "bisa",
        "mohon",
        "sudah",
        "dengan",
        "ini",
        "itu",
        "ada",
        "mulai",
        "bantuan",
        "tampilkan",
        "iuran",
        "manfaat",
        "lain",
        "tanya",
        "langsung",
    }
)
IDENTIFIER = re.compile(r"^[a-z0-9_:.\-]*$")


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _indonesian_literals(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
                continue
            if id(node) in skip or IDENTIFIER.match(node.value):
                continue
            if set(re.findall(r"[a-z]+", node.value.lower())) & INDONESIAN:
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
                found.append(f"{where}:{node.lineno}: {node.value!r}")
    return found


def test_no_user_facing_words_live_in_the_channels() -> None:
    assert _indonesian_literals(ROOT / "bot" / "channels") == []


def test_the_words_rule_finds_a_sentence_and_passes_identifiers(tmp_path: Path) -> None:
    # A rule that matches nothing would pass above: it must catch what used to live here.
    (tmp_path / "render.py").write_text(
        '"""Docstring: Silakan pilih."""\n'
        'EMPTY_TEXT = "Silakan pilih:"\n'
        'HINT = f"\\n(balas {n})"\n'
        'IDS = frozenset({"rincian", "sumber"})\n'
        'log = "telegram: reply refused (%s)"\n',
        encoding="utf-8",
    )
    found = _indonesian_literals(tmp_path)
    assert [line.split(": ", 1)[1] for line in found] == ["'Silakan pilih:'", "'\\n(balas '"]


def test_a_state_store_imports_only_the_protocols_and_the_shared_sql() -> None:
    # A second backend is a new module beside the first, not a dependency on it.
    assert _violations("bot.state_postgres", ("bot.state",)) == []
    assert _violations("bot.state_sql", ("bot.state", "bot.state_postgres")) == []
