"""The curators' desk in a real headless Chromium (Debian's chromium + chromium-driver, driven
over the WebDriver protocol): log in, ask a question, find the answer and its sources."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from .desk_support import TOKEN, cli, running_desk, scratch_env
from .webdriver import browser_or_skip, chromium

QUESTION = "berapa iuran petani penghasilan 2 juta"


async def test_a_curator_logs_in_asks_and_sees_the_answer_with_its_sources(
    tmp_path: Path, sources: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser_or_skip()
    settings = scratch_env(sources, data_dir, monkeypatch)
    expected = json.loads(cli("ask", "--json", QUESTION)[1])
    async with running_desk(settings) as (_, url), chromium() as browser:
        await browser.open(f"{url}/coba")
        assert (await browser.url()).endswith("/curator/masuk")
        await browser.type("input[name=token]", TOKEN)
        await browser.click("form[action='/curator/masuk'] button")
        await browser.type("textarea[name=question]", QUESTION)  # waits for the next page
        assert (await browser.url()).endswith("/curator/coba")
        await browser.click("form[action='/curator/coba'] button")
        # Only the answer page has the channel views; finding them waits for it.
        telegram = await browser.text(".telegram .bubble .text")
        whatsapp = await browser.text(".whatsapp .bubble .text")
        sources = await browser.text(".sources")
        summary = await browser.text(".summary")
        (tmp_path / "desk.png").write_bytes(base64.b64decode(await browser.screenshot()))
    first_line = expected["text"].splitlines()[0]
    assert first_line in telegram and first_line in whatsapp
    assert all(source in sources for source in expected["sources"])
    assert "(facts.csv)" in sources  # each figure with the knowledge row behind it
    assert expected["intent"] in summary
