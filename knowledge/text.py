"""Text helpers the knowledge layer needs on its own: placeholder syntax and a light fold."""

from __future__ import annotations

import re
import unicodedata

# {key}, {key@case} and {key.from} / {key.to} / {key.source}: a figure from facts.csv, the case
# it applies to (e.g. a JKK risk group), and the dates or source of the row in force.
PLACEHOLDER = re.compile(
    r"\{(?P<key>[a-z][a-z0-9_]*)(?:@(?P<case>[A-Za-z0-9_\-]+))?(?:\.(?P<part>from|to|source))?\}"
)

_NOT_WORD = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """Lower case, no accents or punctuation, single spaces: enough to spot duplicate examples."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", plain).split())
