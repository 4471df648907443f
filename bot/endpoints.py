"""Where the Telegram Bot API and the WhatsApp Graph API are, from the URL forms people write.

Self-hosters of the Bot API server write its root (`http://127.0.0.1:8081`, as aiogram's
`TelegramAPIServer.from_base` takes it); Telegram's documentation shows `.../bot<token>/METHOD`;
PTB wants `.../bot`. All of them mean the same server, so all of them are accepted, with or
without a trailing slash, and turned into the one form PTB needs (the file URL beside it
follows from that form).
The Graph API URL is accepted with or without its version.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org/bot"
DEFAULT_GRAPH_VERSION = "v23.0"
DEFAULT_WHATSAPP_API_URL = f"https://graph.facebook.com/{DEFAULT_GRAPH_VERSION}"

# The last path segment of a Bot API URL: "bot", "bot<token>" or the documentation's "bot{token}".
_BOT_SEGMENT = re.compile(r"^bot(?P<token>\{token\}|<token>|\d+:[A-Za-z0-9_-]+)?$")
_GRAPH_VERSION = re.compile(r"^v\d+(\.\d+)?$")


class EndpointError(ValueError):
    """The URL cannot be a Bot API or Graph API address; the message says what to write."""


def _split(name: str, raw: str) -> tuple[str, list[str]]:
    url = raw.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(
            f"{name}={raw!r} is not an http(s) address such as http://127.0.0.1:8081"
        )
    if parts.query or parts.fragment:
        raise EndpointError(f"{name}={raw!r} must not carry a query (?...) or a fragment (#...)")
    segments = [s for s in parts.path.split("/") if s]
    return f"{parts.scheme}://{parts.netloc}", segments


def telegram_api_url(raw: str, token: str = "") -> str:
    """The `.../bot` base URL PTB needs, from any form of TELEGRAM_API_URL.

    A URL that carries a token must carry this bot's token: a different one means the URL was
    copied from another bot's set-up, and its calls would answer as that bot."""
    origin, segments = _split("TELEGRAM_API_URL", raw)
    match = _BOT_SEGMENT.match(segments[-1]) if segments else None
    if match is None:
        # The server root, possibly under a path prefix of a reverse proxy.
        return "/".join([origin, *segments, "bot"])
    carried = match.group("token")
    if carried and carried[0].isdigit() and token and carried != token:
        raise EndpointError(
            "TELEGRAM_API_URL carries a bot token that is not TELEGRAM_BOT_TOKEN; "
            "write the server address without a token, e.g. https://api.telegram.org"
        )
    return "/".join([origin, *segments[:-1], "bot"])


def whatsapp_api_url(raw: str) -> str:
    """The Graph API base URL with its version, from WHATSAPP_API_URL with or without one."""
    origin, segments = _split("WHATSAPP_API_URL", raw)
    if segments and _GRAPH_VERSION.match(segments[-1]):
        return "/".join([origin, *segments])
    if any(_GRAPH_VERSION.match(s) for s in segments):
        raise EndpointError(
            f"WHATSAPP_API_URL={raw!r} goes past the API version; write only the server and the "
            f"version, e.g. {DEFAULT_WHATSAPP_API_URL}"
        )
    return "/".join([origin, *segments, DEFAULT_GRAPH_VERSION])


def telegram_method_url(base_url: str, method: str) -> str:
    """What a start-up failure says was tried, with the token left out."""
    return f"{base_url}<token>/{method}"
