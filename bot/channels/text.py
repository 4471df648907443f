"""Text shared by every renderer: the body with its sources line, numbered options, splitting.

The layout only: the words (the sources line, the reply hint) come from handlers.words."""

from __future__ import annotations

from core.reply import Option, Reply
from handlers.words import reply_hint, sources_line

# Options that show the rest of an answer, its sources included (handlers.present).
MORE_OPTION_IDS = frozenset({"rincian", "sumber"})


def body(reply: Reply) -> str:
    """What every channel shows as the message text: the answer, then where it comes from,
    unless the sources are one option away ("Rincian"/"Sumber"), which keeps it phone-sized."""
    if any(o.id in MORE_OPTION_IDS for o in reply.options):
        return reply.text
    line = sources_line(reply.sources)
    return reply.text + ("\n\n" + line if line else "")


def numbered_options(options: tuple[Option, ...] | list[Option]) -> str:
    if not options:
        return ""
    lines = [f"{n}. {o.title}" for n, o in enumerate(options, start=1)]
    return "\n".join(lines) + "\n" + reply_hint(len(options))


def split_message(text: str, limit: int) -> list[str]:
    """Split at paragraph, then line, then word boundaries so that no piece exceeds `limit`.

    Nothing is ever cut: a single word longer than the limit is the only thing broken mid-way."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for separator, chunks in (("\n\n", text.split("\n\n")),):
        for chunk in chunks:
            candidate = f"{current}{separator}{chunk}" if current else chunk
            if len(candidate) <= limit:
                current = candidate
                continue
            if current:
                pieces.append(current)
            if len(chunk) <= limit:
                current = chunk
            else:
                parts = _split_long(chunk, limit)
                pieces.extend(parts[:-1])
                current = parts[-1]
    if current:
        pieces.append(current)
    return pieces


def _split_long(chunk: str, limit: int) -> list[str]:
    out: list[str] = []
    current = ""
    for line in chunk.split("\n"):
        for word_line in _words(line, limit):
            candidate = f"{current}\n{word_line}" if current else word_line
            if len(candidate) <= limit:
                current = candidate
            else:
                if current:
                    out.append(current)
                current = word_line
    out.append(current)
    return out


def _words(line: str, limit: int) -> list[str]:
    if len(line) <= limit:
        return [line]
    out: list[str] = []
    current = ""
    for word in line.split(" "):
        while len(word) > limit:
            if current:
                out.append(current)
                current = ""
            out.append(word[:limit])
            word = word[limit:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= limit:
            current = candidate
        else:
            out.append(current)
            current = word
    if current:
        out.append(current)
    return out
