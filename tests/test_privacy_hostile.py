"""Privacy holes found by a red-team run: masking forms, the session's memory, `forget` for group
members, BSUID users and without the salt, and salt files left by a refused start."""

from __future__ import annotations

import io
import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, Settings
from bot.conversation import Conversation
from bot.engine import Engine
from bot.privacy import MASK, mask_text, user_key
from bot.server import serve
from bot.state import SqliteState
from core.session import Session
from handlers.notices import APOLOGY_TEXT
from tests.conftest import TODAY

NIK = "3201234567890125"
PHONE = "081234567891"
KPJ = "12345678901"

# Every form the red team stored unmasked, and their neighbours.
LEAKS = [
    f"NIK{NIK}",
    f"nik:{NIK}",
    "0812  3456  7891",
    "0812\t3456\t7891",
    f"Rp{NIK}",
    f"{NIK}a",
    "3201/2345/6789/0125",
    "3201_2345_6789_0125",
    "3201.2345.6789.0125",
    "3201 - 2345 - 6789 - 0125",
    "+62 812-3456-7891",
    "+62 (812) 3456 7891",
    "(0812) 3456-7891",
    "62812\u00a034567891",
    "０８１２３４５６７８９１",  # full-width digits
    f"kpj{KPJ}",
    f"KPJ no {KPJ}",
    "no hp 0812.3456.7891 ya",
    # Dotted groups that look like a grouped amount.
    "628.123.456.789",
    "hp 62.812.345.678",
    "081.234.567.890",
    "+628.123.456.789",
]


@pytest.mark.parametrize("text", LEAKS)
def test_every_identity_number_form_is_masked(text: str) -> None:
    masked = mask_text(f"tolong cek {text} makasih")
    assert MASK in masked
    assert sum(c.isdigit() for c in masked) < 4, masked


@pytest.mark.parametrize(
    "text",
    [
        "iuran Rp16.800",
        "gaji 3,5 juta",
        "upah Rp4.500.000",
        "Rp846.000.000",
        "umur 56 tahun",
        "Rp628.000.000",
        "nilai kontrak 62.000.000.000",
    ],
)
def test_amounts_and_small_numbers_are_kept(text: str) -> None:
    assert mask_text(text) == text


def test_what_the_session_remembers_of_a_question_is_masked(
    settings: Settings, engine: Engine
) -> None:
    state = SqliteState(settings.state_db)
    conversation = Conversation(engine, state, settings)
    try:
        # The engine remembers part of this question for the next turn (the amount it read,
        # or the question itself for a clarification), NIK and all.
        question = f"iuran pekerja mandiri {NIK} rupiah"
        session = Session()
        engine.answer(question, session, TODAY)
        assert NIK in json.dumps(session.memory)  # the engine does keep it (else this is moot)
        conversation.handle("console", "co_x", text=question)
        raw = sqlite3.connect(settings.state_db).execute("SELECT data FROM sessions").fetchall()
        # The next turn reads the masked memory without tripping over it.
        follow_up = conversation.handle("console", "co_x", text="kalau 10 orang?")
    finally:
        state.close()
    assert raw and all(NIK not in row[0] for row in raw)
    assert follow_up is not None and follow_up.text != APOLOGY_TEXT


def cli(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, *args: str, salt: str | None = "test-salt"
) -> tuple[int, str, str]:
    for name in (
        "BOT_SECRET_SALT",
        "TELEGRAM_BOT_TOKEN",
        "WHATSAPP_APP_SECRET",
        "WHATSAPP_ACCESS_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_DATA_DIR", str(settings.data_dir))
    if salt is not None:
        monkeypatch.setenv("BOT_SECRET_SALT", salt)
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdin=io.StringIO(""), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _seed(settings: Settings, keys: list[str]) -> None:
    state = SqliteState(settings.state_db)
    from bot.privacy import record_salt

    record_salt("test-salt", settings.data_dir)
    for key in keys:
        state.save_session(key, Session(last_intent="jht"), 1e9)
    state.close()


def test_forget_finds_a_bsuid_user_by_phone_number(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    bsuid_key = user_key("whatsapp", "ID.1234567890123456789", "test-salt")
    phone_key = user_key("whatsapp", "6281234567891", "test-salt")
    _seed(settings, [bsuid_key])
    state = SqliteState(settings.state_db)
    state.link(phone_key, bsuid_key, 1e9)
    state.close()
    code, out, err = cli(settings, monkeypatch, "forget", "whatsapp:+62 812-3456-7891")
    assert code == 0, err
    assert "removed 2 record(s)" in out  # the session and the link
    with sqlite3.connect(settings.state_db) as db:
        assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0


def test_forget_refuses_without_the_salt_and_writes_none(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(settings, [user_key("telegram", "700000009", "test-salt")])
    code, _out, err = cli(settings, monkeypatch, "forget", "telegram:700000009", salt=None)
    assert code == 2
    assert "BOT_SECRET_SALT" in err
    assert not (settings.data_dir / ".salt").exists()
    with sqlite3.connect(settings.state_db) as db:
        assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1


def test_forget_refuses_with_another_salt(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(settings, [user_key("telegram", "700000009", "test-salt")])
    code, _out, err = cli(settings, monkeypatch, "forget", "telegram:700000009", salt="other")
    assert code == 2
    assert "not the salt" in err


def test_forget_for_a_group_member_removes_every_group_row(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.privacy import member_key

    keys = [member_key("telegram", str(g), "700000009", "test-salt") for g in (-1001, -1002)]
    keys.append(user_key("telegram", "700000009", "test-salt"))
    keys.append(member_key("telegram", "-1001", "700000010", "test-salt"))  # someone else
    _seed(settings, keys)
    code, out, err = cli(settings, monkeypatch, "forget", "telegram:700000009")
    assert code == 0, err
    assert "removed 3 record(s)" in out
    with sqlite3.connect(settings.state_db) as db:
        assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1


def test_serve_refusing_to_start_leaves_no_salt_file(settings: Settings) -> None:
    refused = replace(settings, secret_salt="", whatsapp_app_secret="x", whatsapp_access_token="y")
    with pytest.raises(ConfigError, match="BOT_SECRET_SALT"):
        serve(refused)
    assert not (settings.data_dir / ".salt").exists()
    assert not Path(settings.data_dir / ".salt-check").exists()


def test_keys_are_the_salted_hmacs_they_always_were() -> None:
    """Keys stored by earlier versions must still be found: the same HMAC-SHA256, whichever
    salt was used last in this process."""
    import hashlib
    import hmac

    from bot.privacy import message_key

    def mac(salt: str, message: str) -> str:
        return hmac.new(salt.encode(), message.encode(), hashlib.sha256).hexdigest()

    for salt in ("test-salt", "another-salt", "test-salt"):
        assert user_key("whatsapp", "6281234567891", salt) == (
            "wh_" + mac(salt, "whatsapp:6281234567891")[:32]
        )
        assert message_key("whatsapp", "wamid.X", salt) == (
            "m_" + mac(salt, "whatsapp:msg:wamid.X")[:40]
        )
    assert user_key("whatsapp", "1", "a") != user_key("whatsapp", "1", "b")
