"""`serve` limits the server and its forked worker to one malloc arena (bot.heap): threads that
allocate then share one C heap instead of each filling one of its own."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# Four threads each allocating and keeping buffers larger than Python's small-object allocator
# takes (so that they come from malloc), then glibc's own report of its arenas.
_PROBE = textwrap.dedent(
    """
    import ctypes, sys, threading
    from bot.heap import one_arena
    limited = one_arena() if sys.argv[1] == "limit" else False
    kept = []
    def allocate():
        kept.extend(bytearray(4096) for _ in range(200))
    threads = [threading.Thread(target=allocate) for _ in range(4)]
    for t in threads: t.start()
    for t in threads: t.join()
    print(limited, flush=True)
    ctypes.CDLL(None).malloc_stats()
    """
)


def _arenas(mode: str, **env: str) -> tuple[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, mode],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", **env},
    )
    return done.stdout.strip(), done.stderr.count("Arena ")


glibc = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not _arenas("free")[1],
    reason="glibc's malloc_stats is needed to count arenas",
)


@glibc
def test_threads_share_one_arena() -> None:
    limited, arenas = _arenas("limit")
    assert limited == "True"
    assert arenas == 1
    # The same threads without the limit: an arena each, or nearly.
    unlimited, arenas = _arenas("free")
    assert unlimited == "False"
    assert arenas > 1


@glibc
def test_an_explicit_setting_is_left_to_glibc() -> None:
    limited, arenas = _arenas("limit", MALLOC_ARENA_MAX="3")
    assert limited == "False"
    assert arenas > 1
