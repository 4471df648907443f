"""A short per-user conversation memory: the last few topics, a pending question, the options on
screen, the user's own numbering of their questions."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from core.reply import Option

# After this long without a message, context is forgotten: "kalau 2 juta?" an hour later should
# not silently reuse a stale topic.
SESSION_TTL_SECONDS = 30 * 60
# How many earlier answers a session keeps: "balik ke yg tadi soal jht" two topics later.
RECENT_TOPICS = 3


@dataclass
class Topic:
    """One answer given earlier in the conversation, with what it was answered for: enough to
    answer it again when the user comes back to it. No personal data: an intent, a topic, the
    premium of the worker under discussion (an intent id), rupiah amounts and a region id."""

    intent: str
    topic: str = ""
    worker: str = ""
    amounts: list[int] = field(default_factory=list)
    region: str = ""
    # A place outside the regional data, with its province: ["Kota Medan", "Sumatera Utara"].
    elsewhere: list[str] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    # Answered from its own message, not as a follow-up: its amounts and place are the ones
    # that message gave (a correction of it keeps them; of a follow-up, it does not).
    fresh: bool = True

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Topic:
        return cls(
            intent=str(data["intent"]),
            topic=str(data.get("topic", "")),
            worker=str(data.get("worker", "")),
            amounts=[int(a) for a in data.get("amounts", [])],
            region=str(data.get("region", "")),
            elsewhere=[str(p) for p in data.get("elsewhere", [])][:2],
            options=_options(data.get("options", [])),
            fresh=bool(data.get("fresh", True)),
        )


def _options(raw: Any) -> list[Option]:
    return [Option(str(o["id"]), str(o["title"])) for o in raw]


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
    # The last few answers, oldest first (the last one is the answer on screen).
    recent: list[Topic] = field(default_factory=list)
    # The intents of the questions the user numbered ("1. cek saldo 2. ganti no hp"), in their
    # order: "ok skrg yg 1" later is the user's first question, not the first option.
    numbered: list[str] = field(default_factory=list)
    updated_at: float = 0.0

    def remember(self, topic: Topic) -> None:
        """Keep an answer among the recent ones; the same intent again replaces its entry."""
        self.recent = [t for t in self.recent if t.intent != topic.intent][-(RECENT_TOPICS - 1) :]
        self.recent.append(topic)

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
            options = _options(data.get("options", []))
            memory = {str(k): str(v) for k, v in dict(data.get("memory", {})).items()}
            # Sessions written before the session kept more than one topic have neither.
            recent = [Topic.from_data(t) for t in data.get("recent", [])][-RECENT_TOPICS:]
            numbered = [str(i) for i in data.get("numbered", [])]
            return cls(
                last_intent=data.get("last_intent"),
                last_topic=data.get("last_topic"),
                pending_intent=data.get("pending_intent"),
                options=options,
                memory=memory,
                recent=recent,
                numbered=numbered,
                updated_at=float(data.get("updated_at", 0.0)),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            # A damaged session is not worth an error message: start the conversation afresh.
            return cls()
