"""Every option id the knowledge can produce: each intent, its follow-ups, and each intent with
each region as its argument (the buttons of an ambiguous place name). A channel that sends an
option id in a shortened form resolves it against these after a restart."""

from __future__ import annotations

from collections.abc import Iterator

from knowledge.store import Knowledge


def option_ids(knowledge: Knowledge) -> Iterator[str]:
    regions = list(knowledge.regions)
    for intent in knowledge.intents.values():
        yield intent.id
        yield from intent.followups
        for region in regions:
            yield f"{intent.id}:{region}"
