"""The engine: one function from a user's message to a Reply, whatever the channel.

    answer(text, session, today) -> Reply

It normalises the message, extracts entities, ranks intents, and then decides: answer a clear
winner, ask when two candidates are close, or fall back honestly. The session carries the last
topic and a pending question, so that follow-ups such as "kalau 2 juta?" or "cara klaimnya?" work.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from datetime import date

from bot.entities import Entities, EntityExtractor
from bot.matcher import Candidate, Matcher
from bot.normalize import MONEY_TOKEN, Normalizer
from bot.reply import Option, Reply
from bot.session import Session
from handlers import HANDLERS, PENDING_ENTITY, Context
from handlers.present import KEEPS_CONTEXT, finish
from handlers.smalltalk import fallback_reply
from knowledge.store import Knowledge, MissingFact

log = logging.getLogger(__name__)

# Intents that recognise a message as off-topic: the reply is honest, and the result counts as
# "not understood" (intent null), never as an answer.
OFF_TOPIC_INTENTS = frozenset({"di_luar_topik"})
# Session memory key: the question a clarification was about.
CLARIFIED = "clarified"
_CHOICE = re.compile(r"^\s*(?:no\.?\s*|nomor\s*|pilih\s*)?(\d{1,2})\s*[.)]?\s*$", re.IGNORECASE)
MAX_INPUT_CHARS = 1000


@dataclass(frozen=True)
class EngineKnobs:
    """Thresholds chosen on the labelled development set (see `python -m bot eval`)."""

    accept: float = 0.42
    clarify_margin: float = 0.03
    clarify_floor: float = 0.42
    topic_bonus: float = 0.06
    low_confidence: float = 0.62


@dataclass(frozen=True)
class Outcome:
    """A reply and how it was reached, for logging what the bot did not understand."""

    reply: Reply
    normalized: str
    candidates: tuple[Candidate, ...] = ()
    kind: str = "answer"  # answer, clarify, fallback, select, followup
    entities: Entities = field(default_factory=Entities)


class Engine:
    def __init__(
        self, knowledge: Knowledge, knobs: EngineKnobs | None = None, share_contact: str = ""
    ) -> None:
        self.knowledge = knowledge
        self.knobs = knobs or EngineKnobs()
        self.share_contact = share_contact
        self.normalize = Normalizer(knowledge.slang)
        self.extractor = EntityExtractor(knowledge.regions, knowledge.occupations)
        normalized = [
            (self.normalize(text), intent)
            for text, intent in knowledge.examples
            if intent in knowledge.intents
        ]
        self.normalize.extend_vocabulary(w for text, _ in normalized for w in text.split())
        self.matcher = Matcher((self.extractor.mask_places(t), i) for t, i in normalized)
        self._vocabulary = self.matcher.vocabulary

    # -- public API ----------------------------------------------------------------------------

    def answer(self, text: str, session: Session, today: date) -> Reply:
        return self.respond(text, session, today).reply

    def select(self, option_id: str, session: Session, today: date) -> Reply:
        return self.choose(option_id, session, today).reply

    def respond(self, text: str, session: Session, today: date) -> Outcome:
        text = (text or "")[:MAX_INPUT_CHARS]
        if not text.strip():
            return self._fallback(session, "", (), prompt=True)
        if (choice := _CHOICE.match(text)) and session.options:
            number = int(choice.group(1))
            if 1 <= number <= len(session.options):
                return self.choose(session.options[number - 1].id, session, today)
        session.memory.pop(CLARIFIED, None)
        normalized = self.normalize(text)
        entities = self.extractor.extract(text, normalized, self._vocabulary)
        candidates = self._rank(normalized, entities, session)
        routed = self._follow_up(candidates, entities, session)
        if routed is not None:
            return self._run(
                routed, text, normalized, entities, session, today, candidates, "followup"
            )
        if not candidates or candidates[0].score < self.knobs.accept:
            return self._fallback(session, normalized, candidates, entities=entities, today=today)
        top = candidates[0]
        if top.intent in OFF_TOPIC_INTENTS:
            return self._fallback(
                session, normalized, candidates, off_topic=True, entities=entities, today=today
            )
        if len(candidates) > 1:
            second = candidates[1]
            close = top.score - second.score < self.knobs.clarify_margin
            if (
                close
                and second.score >= self.knobs.clarify_floor
                and second.intent not in OFF_TOPIC_INTENTS
            ):
                # The chosen option is answered with this question's amounts and places.
                session.memory[CLARIFIED] = text
                return self._clarify(top, second, normalized, candidates, session, entities)
        return self._run(
            top.intent, text, normalized, entities, session, today, candidates, "answer"
        )

    def choose(self, option_id: str, session: Session, today: date) -> Outcome:
        intent_id, _, argument = option_id.partition(":")
        asked = session.memory.pop(CLARIFIED, "")
        if intent_id not in self.knowledge.intents:
            return self._fallback(session, "", ())
        intent = self.knowledge.intents[intent_id]
        normalized = self.normalize(asked) if asked else ""
        entities = (
            self.extractor.extract(asked, normalized, self._vocabulary) if asked else Entities()
        )
        return self._run(
            intent_id,
            asked or intent.title,
            normalized,
            entities,
            session,
            today,
            (),
            "select",
            argument or None,
        )

    # -- steps ---------------------------------------------------------------------------------

    def _rank(self, normalized: str, entities: Entities, session: Session) -> tuple[Candidate, ...]:
        # An amount alone ("2 juta", "123456") says nothing about the question: only a pending
        # question or the topic under discussion can give it a meaning (see _follow_up).
        if not normalized.replace(MONEY_TOKEN, "").strip():
            return ()
        ranked = self.matcher.rank(self.extractor.mask_places(normalized))
        if not ranked:
            return ()
        # "cara klaimnya?" right after JKM means JKM: favour the topic under discussion when the
        # message names no programme of its own.
        if session.last_topic and not entities.programmes:
            bonus = self.knobs.topic_bonus
            ranked = [
                replace(c, score=min(1.0, c.score + bonus))
                if self.knowledge.intents[c.intent].topic == session.last_topic
                else c
                for c in ranked
            ]
            ranked.sort(key=lambda c: (-c.score, c.intent))
        return tuple(ranked)

    def _handler_name(self, intent_id: str | None) -> str:
        if intent_id is None or intent_id not in self.knowledge.intents:
            return ""
        return self.knowledge.intents[intent_id].handler

    def _follow_up(
        self, candidates: tuple[Candidate, ...], entities: Entities, session: Session
    ) -> str | None:
        """The intent a short follow-up belongs to, when the message alone is not enough."""
        top = candidates[0] if candidates else None
        confident = (
            top is not None
            and top.score >= self.knobs.accept
            and top.intent not in OFF_TOPIC_INTENTS
        )

        def supplies(kind: str) -> bool:
            if kind == "region":
                return bool(entities.regions or entities.ambiguous_regions)
            return bool(entities.amounts)

        for target in (session.pending_intent, session.last_intent):
            handler = self._handler_name(target)
            kind = PENDING_ENTITY.get(handler)
            if target is None or kind is None or not supplies(kind):
                continue
            if confident and top is not None and self._handler_name(top.intent) != handler:
                # The message is a new question of its own ("berapa iuran karyawan 5 juta").
                if target == session.pending_intent and top.score < self.knobs.low_confidence:
                    return target
                continue
            return target
        return None

    def _run(
        self,
        intent_id: str,
        text: str,
        normalized: str,
        entities: Entities,
        session: Session,
        today: date,
        candidates: tuple[Candidate, ...],
        kind: str,
        argument: str | None = None,
    ) -> Outcome:
        intent = self.knowledge.intents[intent_id]
        handler = HANDLERS.get(intent.handler, HANDLERS["static"])
        session.pending = session.pending_intent = None
        ctx = Context(intent, text, normalized, entities, self.knowledge, today, session, argument)
        try:
            reply = handler(ctx)
        except MissingFact as exc:
            log.warning("no fact in force for %s (intent %s)", exc, intent_id)
            reply = Reply(
                text=(
                    "Maaf, angka yang berlaku untuk tanggal ini belum ada di data saya, jadi saya "
                    "tidak mau menebak. Silakan tanyakan ke 175 atau bpjsketenagakerjaan.go.id."
                ),
            )
        confidence = candidates[0].score if candidates and kind == "answer" else 1.0
        if kind == "followup" and candidates:
            confidence = max(confidence if candidates[0].intent == intent_id else 0.0, 0.75)
        reply = replace(reply, intent=intent_id, confidence=round(min(1.0, confidence), 4))
        # Details, sources and the forwardable text one option away (handlers.present).
        reply = finish(reply, session, today, self.share_contact)
        if intent_id not in KEEPS_CONTEXT:
            session.last_intent = intent_id
            session.last_topic = intent.topic
        session.options = list(reply.options)
        return Outcome(reply, normalized, candidates, kind, entities)

    def _clarify(
        self,
        top: Candidate,
        second: Candidate,
        normalized: str,
        candidates: tuple[Candidate, ...],
        session: Session,
        entities: Entities,
    ) -> Outcome:
        intents = self.knowledge.intents
        options = (
            Option(top.intent, intents[top.intent].title),
            Option(second.intent, intents[second.intent].title),
        )
        text = (
            f'Maksud Bapak/Ibu yang mana: "{options[0].title}" atau "{options[1].title}"? '
            "Pilih salah satu, atau tulis pertanyaannya lebih lengkap."
        )
        reply = Reply(text=text, options=options, intent=top.intent, confidence=top.score)
        session.options = list(options)
        session.pending = session.pending_intent = None

        return Outcome(reply, normalized, candidates, "clarify", entities)

    def _fallback(
        self,
        session: Session,
        normalized: str,
        candidates: tuple[Candidate, ...],
        *,
        off_topic: bool = False,
        prompt: bool = False,
        entities: Entities | None = None,
        today: date | None = None,
    ) -> Outcome:
        if off_topic and "di_luar_topik" in self.knowledge.intents:
            ctx = Context(
                self.knowledge.intents["di_luar_topik"],
                "",
                normalized,
                Entities(),
                self.knowledge,
                today or date.today(),
                session,
            )
            reply = HANDLERS["smalltalk.out_of_scope"](ctx)
        elif prompt:
            reply = replace(
                fallback_reply(self.knowledge),
                text="Silakan tulis pertanyaan Bapak/Ibu tentang BPJS Ketenagakerjaan, atau pilih dari menu.",
            )
        else:
            reply = fallback_reply(self.knowledge)
        reply = replace(reply, intent=None, confidence=candidates[0].score if candidates else 0.0)
        session.options = list(reply.options)
        return Outcome(reply, normalized, candidates, "fallback", entities or Entities())
