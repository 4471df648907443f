"""What every handler receives: the question, its entities, the knowledge and today's date."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from core.entities import Entities
from core.reply import Reply
from core.session import Session
from knowledge.model import Intent
from knowledge.store import Knowledge


@dataclass
class Context:
    intent: Intent
    question: str
    normalized: str
    entities: Entities
    knowledge: Knowledge
    today: date
    session: Session
    # The argument of a chosen option, e.g. the region id behind a "Kota Kupang" button.
    argument: str | None = None


Handler = Callable[[Context], Reply]
