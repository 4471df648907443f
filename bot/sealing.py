"""Sealed inbox payloads: what must be kept until a reply is sent is encrypted on disk.

An inbox payload holds what the reply needs: the raw address (a phone number, a chat id), the
platform message id, the text, the rendered reply. It is erased once the reply is sent, but
erasing is not enough on SQLite: when a b-tree page is rebuilt (a cell grows and the page is
rebalanced), the old copy of a moved row stays in the page's unallocated gap, which
`secure_delete` does not zero, until the page is rewritten by chance. So the payload never
reaches either store in clear: the channel seals it before `enqueue`, the inbox worker seals
every update and opens what it claims, and the stores keep opaque text.

AES-256-GCM (authenticated), keyed by HKDF-SHA256 from the install's BOT_SECRET_SALT with its
own label, so the key differs from the HMAC keys of bot.privacy. The associated data is the
row's channel and (hashed) message key: a sealed payload moved to another row does not open.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.jsontext import to_json

# The one field of a sealed payload as the stores see it: {"sealed": "v1.<base64url>"}.
SEALED_FIELD = "sealed"
_VERSION = "v1."
_KEY_LABEL = b"tanya-jamsos inbox payload seal v1"
_NONCE_BYTES = 12


class SealError(Exception):
    """A stored payload that does not open: sealed with another salt, or damaged."""


class Sealer:
    """Seals and opens the inbox payloads of one install (one salt)."""

    def __init__(self, salt: str) -> None:
        if not salt:
            raise ValueError("a sealer needs the install's secret salt")
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_LABEL).derive(
            salt.encode()
        )
        self._aead = AESGCM(key)

    def seal(self, channel: str, message_key: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The payload as it is stored: one opaque field."""
        nonce = os.urandom(_NONCE_BYTES)
        plain = to_json(payload).encode("utf-8")
        sealed = self._aead.encrypt(nonce, plain, _associated(channel, message_key))
        token = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return {SEALED_FIELD: _VERSION + token}

    def open(self, channel: str, message_key: str, stored: dict[str, Any]) -> dict[str, Any]:
        """The payload a stored row holds. A row written in clear by a version before sealing
        (no sealed field) is returned as it is: it is answered once and erased like any other.
        Raises SealError when the sealed field does not open with this install's key."""
        token = stored.get(SEALED_FIELD)
        if token is None and SEALED_FIELD not in stored:
            return stored
        if not isinstance(token, str) or not token.startswith(_VERSION) or len(stored) != 1:
            raise SealError("not a sealed payload of a known version")
        try:
            raw = base64.urlsafe_b64decode(token[len(_VERSION) :].encode("ascii"))
            nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
            plain = self._aead.decrypt(nonce, sealed, _associated(channel, message_key))
            payload = json.loads(plain.decode("utf-8"))
        except (InvalidTag, binascii.Error, ValueError) as exc:
            # ValueError covers a short nonce, bad UTF-8 and bad JSON alike.
            raise SealError(f"the payload does not open ({type(exc).__name__})") from exc
        if not isinstance(payload, dict):
            raise SealError("the payload is not an object")
        return payload


def _associated(channel: str, message_key: str) -> bytes:
    return f"{channel}\n{message_key}".encode()


@functools.lru_cache(maxsize=8)
def sealer_for(salt: str) -> Sealer:
    """The sealer of one salt, made once per process (the key derivation is not free)."""
    return Sealer(salt)


__all__ = ["SEALED_FIELD", "SealError", "Sealer", "sealer_for"]
