"""One malloc arena per process: the C heap of the server and its worker without per-thread
arenas.

glibc gives each thread that allocates (the state database's threads, the conversation turn's)
an arena of its own, up to eight per core, and memory freed in one arena serves only that arena:
SQLite's page cache and the larger Python buffers, allocated by whichever thread ran the query,
end up spread over several partly empty heaps. Both processes hold the GIL for almost all of
their work, so threads hardly ever allocate at the same instant and lose nothing by sharing one
arena; server and worker keep about a megabyte less (PSS, in paired runs under load). Set before the fork (bot.prefork), the
limit holds in both processes; a worker started as a fresh `python -m bot work` sets it too.
An explicit MALLOC_ARENA_MAX in the environment is left to glibc, which has read it already.
"""

from __future__ import annotations

import os
import sys

# mallopt's parameter number for the arena limit (glibc's malloc.h).
_M_ARENA_MAX = -8


def one_arena() -> bool:
    """Limit this process (and what it forks) to one malloc arena; False where it cannot be
    done (not Linux with glibc) or the environment already says otherwise."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_ARENA_MAX, 1))
