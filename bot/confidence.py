"""The confidence below which a matched answer is a guess: the engine then keeps to the topic
of the conversation rather than jump to a new one, and the curators' report lists such answers
as "low confidence". One number for both, picked on the development set."""

from __future__ import annotations

LOW_CONFIDENCE = 0.62
