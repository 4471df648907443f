"""How an answer reaches a phone: a short first message, the rest one option away, and a
forwardable text for agen Perisai.

`finish` runs after every handler (the engine calls it): it keeps the details and the sources
of the answer in the session for the "Rincian"/"Sumber" option, and the forwardable text for
"Bagikan". `share_text` builds that forwardable text in one place.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from core.reply import Option, Reply
from core.session import Session
from knowledge import format as fmt

# The first message fits a cheap phone's screen and a village group's patience.
FIRST_MESSAGE_CHARS = 500
# Session memory keys: what "Rincian"/"Sumber" and "Bagikan" show for the last answer.
DETAILS_MEMORY = "details"
SHARE_MEMORY = "share"
DETAILS_OPTION = Option("rincian", "Rincian")
SOURCES_OPTION = Option("sumber", "Sumber")
SHARE_OPTION = Option("bagikan", "Bagikan")
# Options that show more of the last answer: the conversation stays where it was, so "kalau 2
# juta?" after "Rincian" still goes to the premium calculator.
KEEPS_CONTEXT = frozenset({DETAILS_OPTION.id, SOURCES_OPTION.id, SHARE_OPTION.id})
PENDING_MEMORY = "pending"
# WhatsApp shows at most three reply buttons: Rincian, one follow-up and Bagikan.
MAX_OPTIONS_WITH_SHARE = 3
OFFICIAL = "Saluran resmi: 175, aplikasi JMO, bpjsketenagakerjaan.go.id."


def split_first(text: str, budget: int = FIRST_MESSAGE_CHARS) -> tuple[str, str]:
    """(first message, the rest): whole lines (a bullet is a line) as many as fit in `budget`,
    at least one; a first line longer than the budget is split after a sentence. Nothing is cut
    mid-sentence and nothing is lost: first + rest holds every line."""
    text = text.strip()
    if len(text) <= budget:
        return text, ""
    lines = text.split("\n")
    first = lines[0]
    if len(first) > budget:
        sentences = first.split(". ")
        head = sentences[0]
        count = 1
        while count < len(sentences) and len(head) + 2 + len(sentences[count]) <= budget:
            head += ". " + sentences[count]
            count += 1
        if count < len(sentences):
            rest = ". ".join(sentences[count:])
            return head.rstrip(".") + ".", "\n".join([rest, *lines[1:]]).strip()
        return first, "\n".join(lines[1:]).strip()
    taken = 1
    while taken < len(lines) and len(first) + 1 + len(lines[taken]) <= budget:
        first += "\n" + lines[taken]
        taken += 1
    # A heading ("Manggarai Raya:") belongs with the lines it introduces.
    kept = lines[:taken]
    while len(kept) > 1 and (not kept[-1].strip() or kept[-1].rstrip().endswith(":")):
        kept.pop()
    return "\n".join(kept).strip(), "\n".join(lines[len(kept) :]).strip()


def sources_text(sources: tuple[str, ...]) -> str:
    return "Sumber:\n" + "\n".join(f"• {label}" for label in sources) if sources else ""


def share_text(body: str, source: str, today: date, contact: str = "") -> str:
    """The forwardable version of an answer: one WhatsApp message, dated, with its source and
    the official channels. (Links to the bot, when configured, belong at `contact`.)"""
    parts = [body.strip()]
    parts.append((f"Sumber: {source}. " if source else "") + f"Info per {fmt.long_date(today)}.")
    reach = f" {contact}" if contact else ""
    parts.append(f"Dari Tanya Jamsos, layanan informasi tidak resmi.{reach} {OFFICIAL}")
    return "\n\n".join(parts)


def finish(reply: Reply, session: Session, today: date, contact: str = "") -> Reply:
    """Offer the details or sources of this answer and its forwardable text as options."""
    options = [o for o in reply.options if o.id not in (DETAILS_OPTION.id, SOURCES_OPTION.id)]
    if reply.intent not in KEEPS_CONTEXT:
        # After a tab, as when the session also kept what was asked for (still readable).
        session.memory[PENDING_MEMORY] = f"\t{session.pending_intent or ''}"
    more = "\n\n".join(p for p in (reply.details.strip(), sources_text(reply.sources)) if p)
    if more:
        session.memory[DETAILS_MEMORY] = more
        options.insert(0, DETAILS_OPTION if reply.details.strip() else SOURCES_OPTION)
    if reply.share_text:
        source = reply.sources[0] if reply.sources else ""
        session.memory[SHARE_MEMORY] = share_text(reply.share_text, source, today, contact)
        options = [o for o in options if o.id != SHARE_OPTION.id][: MAX_OPTIONS_WITH_SHARE - 1]
        options.append(SHARE_OPTION)
    kept = tuple(options)
    return reply if kept == reply.options else replace(reply, options=kept)


def keep_pending(session: Session) -> None:
    """Showing more of an answer leaves its pending question open ("berapa penghasilan Anda?")."""
    _, _, intent = session.memory.get(PENDING_MEMORY, "").partition("\t")
    session.pending_intent = intent or None
