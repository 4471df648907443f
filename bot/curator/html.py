"""Small HTML helpers: escaping, the page layout, and the channel views of a reply.

Every value that reaches a page goes through `e` (html.escape); the only markup taken from
elsewhere is Telegram's own HTML, re-built tag by tag from a short list of the tags Telegram
itself knows (`telegram_html`).
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser
from typing import Any

# Telegram's parse_mode=HTML tags, shown as the app shows them; any other tag becomes text.
_TELEGRAM_TAGS = {
    "b": "b", "strong": "b", "i": "i", "em": "i", "u": "u", "ins": "u", "s": "s",
    "strike": "s", "del": "s", "code": "code", "pre": "pre", "blockquote": "blockquote",
    "a": "u", "tg-spoiler": "span",
}  # fmt: skip

NAV = (("coba", "Coba"), ("terlewat", "Terlewat"), ("fakta", "Fakta"))


def e(value: object) -> str:
    return escape(str(value), quote=True)


class _TelegramMarkup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _TELEGRAM_TAGS:
            self.out.append(f"<{_TELEGRAM_TAGS[tag]}>")
            self.open.append(_TELEGRAM_TAGS[tag])

    def handle_endtag(self, tag: str) -> None:
        if tag in _TELEGRAM_TAGS and self.open and self.open[-1] == _TELEGRAM_TAGS[tag]:
            self.out.append(f"</{self.open.pop()}>")

    def handle_data(self, data: str) -> None:
        self.out.append(escape(data, quote=False))


def telegram_html(text: str) -> str:
    parser = _TelegramMarkup()
    parser.feed(text)
    parser.close()
    return "".join(parser.out) + "".join(f"</{tag}>" for tag in reversed(parser.open))


def csrf_field(csrf: str) -> str:
    return f'<input type="hidden" name="csrf" value="{e(csrf)}">'


def layout(title: str, body: str, current: str = "", csrf: str = "") -> str:
    nav = ""
    if csrf:
        links = "".join(
            f'<a href="/curator/{slug}"{" aria-current=page" if slug == current else ""}>{label}</a>'
            for slug, label in NAV
        )
        nav = (
            f"<nav>{links}"
            f'<form method="post" action="/curator/keluar" class="logout">{csrf_field(csrf)}'
            '<button type="submit" class="link">Keluar</button></form></nav>'
        )
    return (
        '<!doctype html><html lang="id"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} · Meja Kurator Tanya Jamsos</title>"
        '<link rel="stylesheet" href="/curator/desk.css">'
        '<script src="/curator/desk.js" defer></script></head><body>'
        f'<header><p class="brand">Meja Kurator · Tanya Jamsos</p>{nav}</header>'
        f"<main><h1>{e(title)}</h1>{body}</main></body></html>"
    )


def _bubble(inner: str, first: bool) -> str:
    tag = (
        '<p class="first-tag">pesan pertama, yang langsung terlihat di layar HP</p>'
        if first
        else ""
    )
    return f'{tag}<div class="bubble">{inner}</div>'


def telegram_view(messages: list[dict[str, Any]] | tuple[dict[str, Any], ...]) -> str:
    parts = []
    for n, message in enumerate(messages):
        buttons = "".join(
            '<div class="kb-row">'
            + "".join(f'<span class="kb">{e(t)}</span>' for t in row)
            + "</div>"
            for row in message["buttons"]
        )
        inner = f'<div class="text">{telegram_html(message["text"])}</div>'
        parts.append(
            _bubble(inner, n == 0) + (f'<div class="keyboard">{buttons}</div>' if buttons else "")
        )
    return (
        f'<section class="phone telegram" aria-label="Tampilan Telegram"><h3>Telegram '
        f"<small>{len(messages)} pesan</small></h3>{''.join(parts)}</section>"
    )


def _whatsapp_message(message: dict[str, Any]) -> str:
    if message.get("type") == "text":
        return f'<div class="text">{e(message["text"]["body"])}</div>'
    interactive = message["interactive"]
    body = f'<div class="text">{e(interactive["body"]["text"])}</div>'
    action = interactive["action"]
    if interactive["type"] == "button":
        buttons = "".join(
            f'<span class="kb">{e(b["reply"]["title"])}</span>' for b in action["buttons"]
        )
        return body + f'<div class="keyboard wa-buttons">{buttons}</div>'
    rows = "".join(
        f"<li>{e(row['title'])}"
        + (f"<br><small>{e(row['description'])}</small>" if row.get("description") else "")
        + "</li>"
        for section in action["sections"]
        for row in section["rows"]
    )
    return body + (
        f'<div class="keyboard"><span class="kb">☰ {e(action["button"])}</span></div>'
        f'<ul class="wa-list" aria-label="isi daftar">{rows}</ul>'
    )


def whatsapp_view(messages: list[dict[str, Any]] | tuple[dict[str, Any], ...]) -> str:
    parts = [_bubble(_whatsapp_message(m), n == 0) for n, m in enumerate(messages)]
    return (
        f'<section class="phone whatsapp" aria-label="Tampilan WhatsApp"><h3>WhatsApp '
        f"<small>{len(messages)} pesan</small></h3>{''.join(parts)}</section>"
    )
