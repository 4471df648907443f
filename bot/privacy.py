"""Users are keys, not people: salted hashes of ids, and masking of numbers in stored text."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

# A phone number (08…, +62…, 62…), a 16-digit NIK, an 11-digit KPJ card number, or any other
# long run of digits, possibly broken by spaces, dots or dashes as people type them.
_LONG_NUMBER = re.compile(r"(?<![\w])\+?\d(?:[\s.\-]?\d){8,19}(?![\w])")


def user_key(channel: str, raw_id: str, salt: str) -> str:
    """A stable, non-reversible key for a chat id or phone number (HMAC-SHA256 with the salt)."""
    digest = hmac.new(salt.encode(), f"{channel}:{raw_id}".encode(), hashlib.sha256).hexdigest()
    return f"{channel[:2]}_{digest[:32]}"


def mask_text(text: str) -> str:
    """Replace phone, NIK and KPJ-like numbers with a marker before a question is stored."""
    return _LONG_NUMBER.sub("[nomor]", text)


def load_or_create_salt(configured: str, data_dir: Path) -> str:
    """The configured BOT_SECRET_SALT, else one generated once and kept in the data folder, so
    that local runs (console, polling) still never store a raw id."""
    if configured:
        return configured
    path = data_dir / ".salt"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    salt = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(salt)
    return salt
