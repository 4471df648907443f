"""`python -m bot teach`: add questions as examples to an intent's source file, then rebuild.

The change is a plain text edit of `knowledge/intents/*.toml`, reviewable in git like any other;
if the rebuilt knowledge does not validate, the file is restored and nothing changes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from knowledge.text import fold


class TeachError(Exception):
    """The intent does not exist, or the questions cannot be added to it."""


def _block(text: str, intent_id: str) -> tuple[int, int]:
    """Start and end offsets of the [[intent]] table with this id."""
    match = re.search(rf'^id\s*=\s*"{re.escape(intent_id)}"\s*$', text, re.MULTILINE)
    if match is None:
        raise TeachError(f"intent {intent_id!r} not found")
    start = text.rfind("[[intent]]", 0, match.start())
    following = text.find("\n[[intent]]", match.end())
    return max(start, 0), len(text) if following == -1 else following + 1


def add_examples(
    source_dir: Path, intent_id: str, questions: list[str]
) -> tuple[Path, str, list[str]]:
    """Insert the questions into the intent's `examples` list. Returns the file, its previous
    text (to restore on failure) and the questions actually added (duplicates skipped)."""
    for path in sorted((source_dir / "intents").glob("*.toml")):
        original = path.read_text(encoding="utf-8")
        try:
            start, end = _block(original, intent_id)
        except TeachError:
            continue
        block = original[start:end]
        existing = {
            fold(q) for q in re.findall(r'^\s*"((?:[^"\\]|\\.)*)",?\s*$', block, re.MULTILINE)
        }
        fresh = [
            q.strip() for q in dict.fromkeys(questions) if q.strip() and fold(q) not in existing
        ]
        if not fresh:
            return path, original, []
        lines = "".join(f"  {json.dumps(q, ensure_ascii=False)},\n" for q in fresh)
        examples = re.search(r"^examples\s*=\s*\[", block, re.MULTILINE)
        if examples is None:
            updated_block = block.rstrip("\n") + f"\nexamples = [\n{lines}]\n\n"
        elif block[examples.end() :].split("\n", 1)[0].strip():
            raise TeachError(f"{path.name}: write the examples of {intent_id!r} one per line")
        else:
            close = block.find("\n]", examples.end())
            if close == -1:
                raise TeachError(
                    f"{path.name}: the examples list of {intent_id!r} is not one item per line"
                )
            updated_block = block[: close + 1] + lines + block[close + 1 :]
        path.write_text(original[:start] + updated_block + original[end:], encoding="utf-8")
        return path, original, fresh
    raise TeachError(f"intent {intent_id!r} is not in any knowledge/intents/*.toml file")
