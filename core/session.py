"""A short per-user conversation memory: last topic, a pending question, the options on screen."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from core.reply import Option

# After this long without a message, context is forgotten: "kalau 2 juta?" an hour later should
# not silently reuse a stale topic.
SESSION_TTL_SECONDS = 30 * 60


@dataclass
class Session:
    last_intent: str | None = None
    last_topic: str | None = None
    # The intent that asked a question and waits on its answer (e.g. the income after "berapa
    # penghasilan Anda?"): a follow-up goes back to it; what it waits on is in
    # handlers.PENDING_ENTITY.
    pending_intent: str | None = None
    # Options shown last, so that typing "2" selects the second one on any channel.
    options: list[Option] = field(default_factory=list)
    # Entities remembered from earlier turns (occupation, sector, region...), as plain strings.
    memory: dict[str, str] = field(default_factory=dict)
    updated_at: float = 0.0

    def is_expired(self, now: datetime) -> bool:
        return self.updated_at > 0 and now.timestamp() - self.updated_at > SESSION_TTL_SECONDS

    def to_json(self) -> str:
        data = asdict(self)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | None) -> Session:
        if not raw:
            return cls()
        try:
            data: dict[str, Any] = json.loads(raw)
            options = [Option(str(o["id"]), str(o["title"])) for o in data.get("options", [])]
            memory = {str(k): str(v) for k, v in dict(data.get("memory", {})).items()}
            return cls(
                last_intent=data.get("last_intent"),
                last_topic=data.get("last_topic"),
                pending_intent=data.get("pending_intent"),
                options=options,
                memory=memory,
                updated_at=float(data.get("updated_at", 0.0)),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            # A damaged session is not worth an error message: start the conversation afresh.
            return cls()
