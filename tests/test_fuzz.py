"""Random text through the engine and the renderers: no exception, nothing over a channel's
limits, no placeholder left. Bounded here; `make fuzz` runs many more examples."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from bot.engine import Engine

from .conftest import TODAY
from .fuzzing import CONVERSATIONS, run_conversation


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(messages=CONVERSATIONS)
def test_random_conversations_are_answered_within_every_channels_limits(
    engine: Engine, messages: list[str]
) -> None:
    assert run_conversation(engine, messages, TODAY) == []
