"""What a Telegram start-up failure tells the operator: which setting to check, what was tried.

A self-hosted Bot API server, a proxy or a typo in TELEGRAM_API_URL fails in ways that look like
a wrong token (the server answers 404) or a dead network. Whenever TELEGRAM_API_URL is not the
default, the message names it, quotes it as written and shows the URL that was called, with the
token left out.
"""

from __future__ import annotations

from telegram.error import InvalidToken, TelegramError

from bot.config import Settings
from bot.endpoints import DEFAULT_TELEGRAM_API_URL, telegram_method_url

# The first call of every start: Application.initialize() asks getMe.
FIRST_METHOD = "getMe"


def _detail(exc: TelegramError, token: str) -> str:
    text = " ".join(str(exc.message).split())[:120]
    if token:
        text = text.replace(token, "<token>")
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def startup_failure(exc: TelegramError, settings: Settings) -> str:
    """One line (or two) for stderr; never the token."""
    tried = telegram_method_url(settings.telegram_api_url, FIRST_METHOD)
    detail = _detail(exc, settings.telegram_token)
    custom = settings.telegram_api_url != DEFAULT_TELEGRAM_API_URL
    written = settings.telegram_api_url_setting or settings.telegram_api_url
    if not custom:
        if isinstance(exc, InvalidToken):
            return "error: Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather."
        return f"error: Telegram is not reachable ({type(exc).__name__}); tried {tried}."
    if isinstance(exc, InvalidToken):
        return (
            f"error: the server at TELEGRAM_API_URL={written} refused the bot ({detail}); "
            f"tried {tried}.\n"
            "Either TELEGRAM_BOT_TOKEN is wrong, or TELEGRAM_API_URL is not a Bot API server: "
            "write its root (e.g. http://127.0.0.1:8081) or an address ending in /bot."
        )
    return (
        f"error: Telegram is not reachable at TELEGRAM_API_URL={written} ({detail}); "
        f"tried {tried}.\n"
        "Check that the Bot API server runs there, or remove TELEGRAM_API_URL to use Telegram's."
    )
