"""JSON text of the values the bot writes on every message (inbox payloads, API calls).

`to_json(value)` is `json.dumps(value, ensure_ascii=False, separators=(",", ":"))` without its
per-call set-up: `json.JSONEncoder.encode` builds a new C encoder on every call, about half of
the time it takes on a small payload. This one is built once. It keeps no record of the
containers it is inside (json's `check_circular`, which a failed call would leave stale in a
shared encoder): a value that contains itself raises RecursionError instead of ValueError. The
bot only writes values it has just built, of dicts, lists and scalars.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable
from typing import Any


def _encoder() -> Callable[[Any], str]:
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # an interpreter without json's C accelerator
        return json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    encode = make(
        None,  # no circular check (see the module docstring)
        json.JSONEncoder().default,  # TypeError for what JSON cannot hold, as json.dumps
        json.encoder.encode_basestring,  # ensure_ascii=False
        None,  # no indent
        ":",
        ",",
        False,  # sort_keys
        False,  # skipkeys
        True,  # allow_nan, as json.dumps
    )

    def to_json(value: Any) -> str:
        return "".join(encode(value, 0))

    return to_json


to_json = _encoder()

__all__ = ["to_json"]
