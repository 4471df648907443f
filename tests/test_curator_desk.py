"""The curators' desk through its HTTP interface: the bot's real server with the desk attached,
real sockets on loopback, a scratch copy of the knowledge sources."""

from __future__ import annotations

import asyncio
import html
import json
import os
import re
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot import appkeys
from bot.config import ConfigError, Settings, load_settings
from bot.server import build_app
from bot.state import now
from bot.state_protocols import LoggedQuestion

from .desk_support import TOKEN, cli, running_desk, scratch_env

BEARER = {"Authorization": f"Bearer {TOKEN}"}
UNKNOWN = "tolong kirimi brosur cetak ke desa kami"


@pytest.fixture
def settings(sources: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    return scratch_env(sources, data_dir, monkeypatch)


@pytest.fixture
async def desk(settings: Settings) -> AsyncIterator[tuple[web.Application, str]]:
    async with running_desk(settings) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    # No cookie jar: every test says which cookies it sends, as a browser would.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        yield session


async def api(
    http: aiohttp.ClientSession, url: str, path: str, data: dict[str, Any] | None = None
) -> tuple[int, Any]:
    if data is None:
        async with http.get(url + path, headers=BEARER) as response:
            return response.status, await response.json()
    async with http.post(url + path, json=data, headers=BEARER) as response:
        return response.status, await response.json()


def cookies(response: aiohttp.ClientResponse) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.getall("Set-Cookie", []):
        jar.load(header)
    return jar


async def log_in(http: aiohttp.ClientSession, url: str) -> tuple[str, str]:
    """Through the login form; returns the session cookie header and the page's CSRF token."""
    async with http.get(url + "/masuk") as response:
        nonce_cookie = cookies(response)["curator_login"].value
        nonce = re.search(r'name="nonce" value="([^"]+)"', await response.text())
    assert nonce is not None
    async with http.post(
        url + "/masuk",
        data={"nonce": nonce.group(1), "token": TOKEN},
        headers={"Cookie": f"curator_login={nonce_cookie}"},
        allow_redirects=False,
    ) as response:
        assert response.status == 303
        session = cookies(response)["curator_session"].value
    header = f"curator_session={session}"
    async with http.get(url + "/coba", headers={"Cookie": header}) as response:
        csrf = re.search(r'name="csrf" value="([^"]+)"', await response.text())
    assert csrf is not None
    return header, csrf.group(1)


# -- switched on, bound, authenticated ---------------------------------------------------------


async def test_the_desk_is_off_without_a_token(settings: Settings, aiohttp_client: Any) -> None:
    client = await aiohttp_client(build_app(replace(settings, curator_token="")))
    response = await client.get("/curator/coba", headers=BEARER)
    assert response.status == 404


async def test_the_desk_listens_on_loopback_beside_the_server(
    desk: tuple[web.Application, str], http: aiohttp.ClientSession
) -> None:
    _, url = desk
    assert url.startswith("http://127.0.0.1:")
    status, facts = await api(http, url, "/api/fakta")
    assert status == 200
    assert facts["facts"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/coba"),
        ("GET", "/terlewat"),
        ("GET", "/fakta"),
        ("GET", "/api/terlewat"),
        ("GET", "/api/fakta"),
        ("POST", "/api/coba"),
        ("POST", "/api/ajari"),
        ("POST", "/ajari"),
        ("POST", "/abaikan"),
    ],
)
async def test_every_page_refuses_a_request_without_the_token(
    desk: tuple[web.Application, str], http: aiohttp.ClientSession, method: str, path: str
) -> None:
    _, url = desk
    attempts: list[dict[str, str]] = [
        {},
        {"Authorization": "Bearer wrong-token-of-the-same-size!"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Cookie": "curator_session=9999999999.forged"},
    ]
    for headers in attempts:
        async with http.request(
            method,
            url + path,
            headers=headers,
            json={"question": "apa itu jht", "target": "x", "intent": "jht_apa"},
            allow_redirects=False,
        ) as response:
            assert response.status == 401, (headers, response.status)
            assert "apa itu" not in await response.text()
    async with http.get(url + path, headers={"Accept": "text/html"}, allow_redirects=False) as r:
        assert r.status in (303, 401)
        if method == "GET":
            assert r.headers["Location"] == "/curator/masuk"


async def test_login_sets_a_secure_cookie_and_forms_need_their_csrf_token(
    desk: tuple[web.Application, str], http: aiohttp.ClientSession
) -> None:
    _, url = desk
    async with http.get(url + "/masuk") as response:
        nonce = cookies(response)["curator_login"].value
    async with http.post(
        url + "/masuk",
        data={"nonce": nonce, "token": "not-the-token-at-all"},
        headers={"Cookie": f"curator_login={nonce}"},
        allow_redirects=False,
    ) as response:
        assert response.status == 401
        assert "Kode akses salah" in await response.text()
    async with http.post(
        url + "/masuk",
        data={"nonce": "another-nonce", "token": TOKEN},
        headers={"Cookie": f"curator_login={nonce}"},
        allow_redirects=False,
    ) as response:
        assert response.status == 403  # a login form posted from elsewhere
    async with http.post(
        url + "/masuk",
        data={"nonce": nonce, "token": TOKEN},
        headers={"Cookie": f"curator_login={nonce}"},
        allow_redirects=False,
    ) as response:
        assert response.status == 303
        morsel = cookies(response)["curator_session"]
        assert morsel["secure"] and morsel["httponly"]
        assert morsel["samesite"] == "Strict"
        assert morsel["path"] == "/curator"
        assert TOKEN not in morsel.value
    header, csrf = await log_in(http, url)
    form = {"question": "apa itu jht"}
    async with http.post(url + "/coba", data=form, headers={"Cookie": header}) as response:
        assert response.status == 403
    async with http.post(
        url + "/coba", data={**form, "csrf": csrf}, headers={"Cookie": header}
    ) as response:
        assert response.status == 200
        assert "Jaminan Hari Tua" in await response.text()
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    async with http.post(
        url + "/keluar", data={"csrf": csrf}, headers={"Cookie": header}, allow_redirects=False
    ) as response:
        assert response.status == 303
        assert cookies(response)["curator_session"].value == ""


def test_a_short_curator_token_is_refused_at_start_up() -> None:
    with pytest.raises(ConfigError, match="BOT_CURATOR_TOKEN"):
        load_settings({"BOT_CURATOR_TOKEN": "short"}, env_file=None)


# -- 1. try it ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    ["apa itu jht", "berapa iuran petani penghasilan 2 juta", "cara menanam padi di sawah"],
)
async def test_try_it_gives_the_same_reply_as_ask_json(
    desk: tuple[web.Application, str], http: aiohttp.ClientSession, question: str
) -> None:
    _, url = desk
    status, trial = await api(http, url, "/api/coba", {"question": question})
    assert status == 200
    code, out, _ = cli("ask", "--json", question)
    assert code == 0
    assert trial["reply"] == json.loads(out)
    _, cli_trial = cli("try", "--json", question)[:2]
    assert json.loads(cli_trial) == trial


async def test_try_it_shows_channels_candidates_entities_and_sources(
    desk: tuple[web.Application, str], http: aiohttp.ClientSession
) -> None:
    _, url = desk
    _, trial = await api(
        http,
        url,
        "/api/coba",
        {"question": "berapa iuran petani penghasilan 2 juta", "today": "2027-06-01"},
    )
    assert trial["today"] == "2027-06-01"
    assert trial["reply"]["intent"] == "iuran_bpu_hitung"
    assert len(trial["candidates"]) > 1
    assert trial["entities"]["amounts"] == [2_000_000]
    assert trial["telegram"][0]["buttons"]
    assert trial["whatsapp"][0]["type"] in ("interactive", "text")
    # Every option, tapped: what the user gets next (details, a follow-up, the forwardable text).
    offered = [row[0] for row in trial["telegram"][-1]["buttons"]]
    assert [tap["title"] for tap in trial["taps"]] == offered
    assert all(tap["reply"]["text"] and tap["telegram"] for tap in trial["taps"])
    by_figure = {f["figure"]: f["rows"] for f in trial["figures"]}
    assert by_figure["Rp2.000.000"] == ["dari pertanyaan (jumlah yang ditulis pengguna)"]
    assert any("(facts.csv)" in row for rows in by_figure.values() for row in rows)
    header, csrf = await log_in(http, url)
    async with http.post(
        url + "/coba",
        data={"question": "berapa iuran petani penghasilan 2 juta", "csrf": csrf},
        headers={"Cookie": header},
    ) as response:
        page = await response.text()
    assert "Tampilan Telegram" in page and "Tampilan WhatsApp" in page
    assert f"Kalau menekan “{html.escape(offered[0])}”" in page
    assert "Sumber angka" in page and "(facts.csv)" in page
    assert all(html.escape(source) in page for source in trial["reply"]["sources"])


# -- 2. what people asked and the bot missed ---------------------------------------------------


async def test_the_report_masks_numbers(
    desk: tuple[web.Application, str], http: aiohttp.ClientSession
) -> None:
    app, url = desk
    conversation = app[appkeys.CONVERSATION]
    conversation.handle("telegram", "tg_a", text="tolong telepon saya di 081234567890 soal sawah")
    conversation.handle("telegram", "tg_b", text="nik saya 3201234567890123 cara menanam padi")
    # A row stored before masking existed: the desk masks it on the way out too.
    app[appkeys.STATE].log_question(
        LoggedQuestion(
            "tg_c", "telegram", "2026-11-20", "hubungi 0812 3456 7891 ya",
            "hubungi 0812 3456 7891 ya", None, 0.1, "fallback", [],
        ),
        now(),
    )  # fmt: skip
    _, report = await api(http, url, "/api/terlewat")
    header, _ = await log_in(http, url)
    async with http.get(url + "/terlewat", headers={"Cookie": header}) as response:
        page = await response.text()
    for shown in (json.dumps(report), page):
        assert "081234567890" not in shown
        assert "3201234567890123" not in shown
        assert "0812 3456 7891" not in shown
        assert "tg_a" not in shown
        assert "[nomor]" in shown
    assert "<svg" in page and "bar-fallbacks" in page
    assert report["usage"]["per_day"][-1]["messages"] == 2


async def test_ignoring_a_group_hides_it(
    desk: tuple[web.Application, str], http: aiohttp.ClientSession
) -> None:
    app, url = desk
    app[appkeys.CONVERSATION].handle("console", "co_a", text=UNKNOWN)
    _, report = await api(http, url, "/api/terlewat")
    group = report["groups"][0]["group"]
    status, _ = await api(http, url, "/api/abaikan", {"group": group})
    assert status == 200
    _, again = await api(http, url, "/api/terlewat")
    assert again["groups"] == []


# -- 3. teach ----------------------------------------------------------------------------------


def _intent_files(settings: Settings) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in (settings.knowledge_dir / "intents").glob("*.toml")}


async def test_teach_previews_then_saves_and_the_next_try_answers_anew(
    desk: tuple[web.Application, str], http: aiohttp.ClientSession, settings: Settings
) -> None:
    _, url = desk
    _, before = await api(http, url, "/api/coba", {"question": UNKNOWN})
    assert before["reply"]["intent"] is None
    files = _intent_files(settings)
    status, shown = await api(
        http, url, "/api/ajari", {"target": UNKNOWN, "intent": "kontak_resmi"}
    )
    assert status == 200
    assert shown["saved"] is False
    assert shown["reply"]["intent"] == "kontak_resmi"
    assert f'+  "{UNKNOWN}",' in shown["diff"]
    assert _intent_files(settings) == files  # a preview saves nothing
    status, saved = await api(
        http, url, "/api/ajari", {"target": UNKNOWN, "intent": "kontak_resmi", "preview": False}
    )
    assert status == 200
    assert saved["saved"] is True and saved["added"] == [UNKNOWN]
    changed = settings.knowledge_dir.parent / saved["file"]
    assert f'"{UNKNOWN}",' in changed.read_text(encoding="utf-8")
    _, after = await api(http, url, "/api/coba", {"question": UNKNOWN})
    assert after["reply"]["intent"] == "kontak_resmi"
    assert after["reply"] == json.loads(cli("ask", "--json", UNKNOWN)[1])


async def test_teach_from_the_page_uses_the_report_group(
    desk: tuple[web.Application, str], http: aiohttp.ClientSession, settings: Settings
) -> None:
    app, url = desk
    app[appkeys.CONVERSATION].handle("console", "co_a", text=UNKNOWN)
    _, report = await api(http, url, "/api/terlewat")
    group = report["groups"][0]["group"]
    header, csrf = await log_in(http, url)
    form = {"target": group, "intent": "kontak_resmi", "csrf": csrf}
    async with http.post(
        url + "/ajari", data={**form, "action": "preview"}, headers={"Cookie": header}
    ) as response:
        page = await response.text()
    assert "Pratinjau" in page and "Simpan" in page and UNKNOWN in page
    async with http.post(
        url + "/ajari", data={**form, "action": "save"}, headers={"Cookie": header}
    ) as response:
        assert response.status == 200
        assert "Tersimpan" in await response.text()
    _, again = await api(http, url, "/api/terlewat")
    assert all(g["group"] != group for g in again["groups"])
    _, after = await api(http, url, "/api/coba", {"question": UNKNOWN})
    assert after["reply"]["intent"] == "kontak_resmi"


async def test_a_teach_that_breaks_the_check_is_refused_and_the_file_unchanged(
    desk: tuple[web.Application, str], http: aiohttp.ClientSession, settings: Settings
) -> None:
    app, url = desk
    knowledge = app[appkeys.CONVERSATION].engine.knowledge
    # An example of one intent taught to another: the build refuses duplicates across intents.
    owner = next(i for i in knowledge.intents.values() if i.examples and i.id != "kontak_resmi")
    taken = owner.examples[0]
    _, before = await api(http, url, "/api/coba", {"question": taken})
    files = _intent_files(settings)
    for preview in (True, False):
        status, refused = await api(
            http, url, "/api/ajari", {"target": taken, "intent": "kontak_resmi", "preview": preview}
        )
        assert status == 422
        assert any("also an example of" in p for p in refused["problems"])
        assert _intent_files(settings) == files
    status, refused = await api(
        http, url, "/api/ajari", {"target": "apa saja", "intent": "tidak_ada", "preview": False}
    )
    assert status == 422 and "tidak_ada" in refused["error"]
    header, csrf = await log_in(http, url)
    async with http.post(
        url + "/ajari",
        data={"target": taken, "intent": "kontak_resmi", "action": "save", "csrf": csrf},
        headers={"Cookie": header},
    ) as response:
        assert response.status == 422
        assert "File sumber tidak diubah" in await response.text()
    assert _intent_files(settings) == files
    _, still = await api(http, url, "/api/coba", {"question": taken})
    assert still == before


# -- 4. facts ----------------------------------------------------------------------------------


async def test_facts_show_value_validity_source_and_the_checks_problems_with_their_line(
    desk: tuple[web.Application, str], http: aiohttp.ClientSession, settings: Settings
) -> None:
    _, url = desk
    _, facts = await api(http, url, "/api/fakta")
    assert facts["problems"] == []
    jkm = next(f for f in facts["facts"] if f["key"] == "bpu_jkm")
    assert jkm["value"] == "Rp6.800" and jkm["status"] == "berlaku" and jkm["sources"]
    assert jkm["review"] == ""
    for day, review in (("2027-02-15", "tinjau sebelum"), ("2027-04-01", "sudah lewat sejak")):
        _, later = await api(http, url, f"/api/fakta?tanggal={day}")
        [cap] = [
            f for f in later["facts"] if f["key"] == "jp_wage_cap" and f["status"] == "berlaku"
        ]
        assert cap["review"].startswith(review), (day, cap["review"])
    path = settings.knowledge_dir / "facts.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append("bpu_baru,,1000,dollar,,,BPU_VIVA,verified,a unit that does not exist")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, broken = await api(http, url, "/api/fakta")
    [problem] = broken["problems"]
    assert problem["file"] == "knowledge/facts.csv"
    assert problem["line"] == len(lines)
    header, _ = await log_in(http, url)
    async with http.get(url + "/fakta?tanggal=2027-04-01", headers={"Cookie": header}) as r:
        assert "Perlu ditinjau" in await r.text() and "sudah lewat sejak" in await r.text()
    async with http.get(url + "/fakta", headers={"Cookie": header}) as response:
        page = await response.text()
    assert "knowledge/facts.csv" in page and f"<td>{len(lines)}</td>" in page
    assert "Rp6.800" in page
    code, out, _ = cli("facts")
    assert code == 2 and f"knowledge/facts.csv:{len(lines)}" in out


# -- make run with only the token ---------------------------------------------------------------


async def test_the_main_job_serves_the_desk_when_no_channel_is_configured(
    settings: Settings, http: aiohttp.ClientSession
) -> None:
    """`make run` (python -m bot) with a curator token and no channel starts the HTTP server
    instead of the console chat, with the desk on loopback."""
    env = {
        **os.environ,
        "PORT": "0",
        "TELEGRAM_BOT_TOKEN": "",
        "WHATSAPP_ACCESS_TOKEN": "",
        "WHATSAPP_APP_SECRET": "",
        "BOT_CURATOR_PORT": "0",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot",
        stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        url = ""
        while not url:
            line = (await asyncio.wait_for(process.stderr.readline(), 60)).decode()
            assert line, "the bot exited before serving"
            if line.startswith("Meja kurator: "):
                url = line.removeprefix("Meja kurator: ").strip()
        assert url.startswith("http://127.0.0.1:")
        status, trial = await api(http, url, "/api/coba", {"question": "apa itu jht"})
        assert status == 200 and trial["reply"]["intent"]
    finally:
        process.terminate()
        await process.wait()


# -- the same from the command line ---------------------------------------------------------------


def test_teach_preview_on_the_command_line_saves_nothing(settings: Settings) -> None:
    files = _intent_files(settings)
    code, out, err = cli("teach", "--preview", UNKNOWN, "kontak_resmi")
    assert code == 0, err
    assert "preview, nothing saved" in out and f'+  "{UNKNOWN}",' in out
    assert "would be answered as kontak_resmi" in out
    assert _intent_files(settings) == files


def _logged(
    text: str, day: str, kind: str = "fallback", intent: str | None = None
) -> LoggedQuestion:
    return LoggedQuestion("co_x", "console", day, text, text, intent, 0.3, kind, [])


def test_the_report_orders_groups_by_frequency_or_by_the_newest_and_counts_clarifications() -> None:
    from bot.report import build_report

    entries = [
        _logged("cara menanam padi", "2026-11-01"),
        _logged("cara menanam padi di sawah", "2026-11-02"),
        _logged("jadwal kapal ke kupang", "2026-11-20"),
        _logged("iuran atau manfaat", "2026-11-10", kind="clarify", intent="iuran_bpu"),
    ]
    frequent = build_report(entries, set())
    newest = build_report(entries, set(), newest_first=True)
    assert frequent["groups"][0]["examples"][0] == "cara menanam padi"
    assert [g["last_seen"] for g in newest["groups"]] == ["2026-11-20", "2026-11-10", "2026-11-02"]
    assert newest["groups"][1]["kinds"] == {"clarification": 1}
    days = {d["day"]: d for d in frequent["usage"]["per_day"]}
    assert days["2026-11-10"]["clarification_rate"] == 1.0
    assert days["2026-11-01"]["fallbacks"] == 1
