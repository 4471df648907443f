"""Users are keys, not people: salted hashes of ids, and masking of numbers in stored text."""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Any

# A phone number (08…, +62…, 62…), a 16-digit NIK, an 11-digit KPJ card number, or any other run
# of nine digits or more, as people type them: broken by spaces (one or several), dots, dashes,
# slashes, underscores or brackets, and glued to words ("NIK3201…", "Rp3201…", "…0125a").
# Masking more than needed costs a curator a digit or two; masking less leaks an identity.
_SEPARATORS = r"[\s.\-_/\\()\u2010-\u2015]{0,3}"
_LONG_NUMBER = re.compile(rf"\+?\d(?:{_SEPARATORS}\d){{8,}}")
# The one long-number shape that is not masked: rupiah written with thousands dots and at most
# 13 digits ("Rp846.000.000", "1.500.000.000"), which is how amounts are written. An amount
# never starts with 0, and a phone number in dotted threes ("628.123.456.789", "62.812.345.678",
# "081.234.567.890") is still a phone number: 11 digits or more starting 628 are masked.
_GROUPED_AMOUNT = re.compile(r"[1-9]\d{0,2}(?:\.\d{3}){2,4}")
_PHONE_DIGITS = re.compile(r"628\d{8,}")
MASK = "[nomor]"
# The file (in the data folder) holding a fingerprint of the salt the stored keys were made with.
SALT_CHECK_FILE = ".salt-check"


class SaltError(Exception):
    """No salt, or not the salt the stored keys were made with: nothing can be found by id."""


@functools.lru_cache(maxsize=8)
def _keyed(key: str) -> hmac.HMAC:
    """HMAC-SHA256 keyed with `key` (the salt, an app secret), before any message: copied for
    each use, so that the key set-up (two SHA-256 blocks) is done once per process, not on
    every webhook."""
    return hmac.new(key.encode(), digestmod="sha256")


def hmac_hex(key: str, message: bytes) -> str:
    """hmac.new(key, message, sha256).hexdigest(), from the keyed copy (about 1.0 against 1.9
    us for hmac.digest, which sets the key up on every call)."""
    mac = _keyed(key).copy()
    mac.update(message)
    return mac.hexdigest()


def _hex(salt: str, message: str) -> str:
    return hmac_hex(salt, message.encode())


def user_key(channel: str, raw_id: str, salt: str) -> str:
    """A stable, non-reversible key for a chat id or phone number (HMAC-SHA256 with the salt)."""
    return f"{channel[:2]}_{_hex(salt, f'{channel}:{raw_id}')[:32]}"


def member_key(channel: str, group_id: str, member_id: str, salt: str) -> str:
    """One member's key inside a group: the member's own key, a dot, then the group's hash. The
    prefix lets `forget` find every group a person wrote in from the person's id alone."""
    group = hmac.new(salt.encode(), f"{channel}:group:{group_id}".encode(), hashlib.sha256)
    return f"{user_key(channel, member_id, salt)}.{group.hexdigest()[:16]}"


def message_key(channel: str, raw_id: str, salt: str) -> str:
    """A platform message id as stored for deduplication. Meta's wamids are base64 that carries
    the sender's phone number, so the raw id never goes to disk."""
    return "m_" + _hex(salt, f"{channel}:msg:{raw_id}")[:40]


def telegram_order(update_id: int, salt: str) -> int:
    """A Telegram update id as stored for ordering a chat's updates: shifted by an offset
    secret to the install (from the salt), so the order survives and the id itself is never
    on disk."""
    offset = int.from_bytes(hmac.digest(salt.encode(), b"telegram:order", "sha256")[:5], "big")
    return update_id + offset


def _mask_match(match: re.Match[str]) -> str:
    found = match.group(0)
    if _GROUPED_AMOUNT.fullmatch(found) and not _PHONE_DIGITS.fullmatch(found.replace(".", "")):
        return found
    return MASK


def mask_text(text: str) -> str:
    """Replace phone, NIK and KPJ-like numbers with a marker before text is stored."""
    return _LONG_NUMBER.sub(_mask_match, text)


def mask_memory(memory: dict[str, Any]) -> dict[str, Any]:
    """A session memory with every text value masked (the question kept for a clarification
    is what the user typed, NIK and all)."""
    return {k: mask_text(v) if isinstance(v, str) else v for k, v in memory.items()}


def _fingerprint(salt: str) -> str:
    return hmac.new(salt.encode(), b"tanya-jamsos salt check", hashlib.sha256).hexdigest()


def record_salt(salt: str, data_dir: Path) -> None:
    """Remember which salt this data folder's keys are made with (a fingerprint, not the salt)."""
    path = data_dir / SALT_CHECK_FILE
    if not path.is_file():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(_fingerprint(salt) + "\n", encoding="utf-8")


def stored_salt(configured: str, data_dir: Path) -> str:
    """The salt the stored keys were made with, for `forget`: never a new one.

    Raises SaltError when there is none (BOT_SECRET_SALT unset and no generated salt in the data
    folder) or when it is not the one recorded for this data folder."""
    salt = configured
    generated = data_dir / ".salt"
    if not salt and generated.is_file():
        salt = generated.read_text(encoding="utf-8").strip()
    if not salt:
        raise SaltError(
            "BOT_SECRET_SALT is not set and this data folder has no salt of its own: "
            "no stored key can be matched to an id. Set the salt the bot runs with."
        )
    check = data_dir / SALT_CHECK_FILE
    if check.is_file() and check.read_text(encoding="utf-8").strip() != _fingerprint(salt):
        raise SaltError(
            "BOT_SECRET_SALT is not the salt this data folder's keys were made with: nothing "
            "would be found. Set the salt the bot runs with."
        )
    return salt


def load_or_create_salt(configured: str, data_dir: Path) -> str:
    """The configured BOT_SECRET_SALT, else one generated once and kept in the data folder, so
    that local runs (console, polling) still never store a raw id."""
    if configured:
        record_salt(configured, data_dir)
        return configured
    path = data_dir / ".salt"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    salt = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(salt)
    record_salt(salt, data_dir)
    return salt
