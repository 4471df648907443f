"""bot.jsontext.to_json writes what json.dumps writes, without its per-call set-up."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.jsontext import to_json

_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_the_text_is_json_dumps_compact_and_unescaped(value: object) -> None:
    assert to_json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_a_payload_reads_back_and_keeps_its_words_unescaped() -> None:
    payload = {"kind": "text", "text": "berapa iuran? 🙏", "received_at": 1.5, "choice": None}
    text = to_json(payload)
    assert "🙏" in text
    assert json.loads(text) == payload


def test_what_json_cannot_hold_is_refused_as_json_dumps_refuses_it() -> None:
    with pytest.raises(TypeError):
        to_json({"when": {1, 2}})
    # A failed call leaves nothing behind that would refuse the next one.
    assert to_json({"a": [1]}) == '{"a":[1]}'
