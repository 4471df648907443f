"""A test run killed with SIGKILL never reaches its teardown, so its PostgreSQL cluster would go
on running; the next run's setup stops and removes it, and leaves live runs' clusters alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.postgres import OWNER, PREFIX, Cluster, PostgresMissing, find_bindir, sweep_stale
from tests.processes import ROOT

STARTS_AND_WAITS = """
import sys, time
from tests.postgres import Cluster
cluster = Cluster().start()
print(cluster.root, flush=True)
time.sleep(600)
"""


def _bindir() -> Path:
    try:
        return find_bindir()
    except PostgresMissing as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs PostgreSQL: {exc}")
        pytest.skip(f"PostgreSQL tests skipped: {exc}")


def _postmaster(root: Path) -> int | None:
    try:
        return int((root / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_cluster_of_a_killed_run_is_stopped_and_removed_by_the_next() -> None:
    bindir = _bindir()
    run = subprocess.Popen(
        [sys.executable, "-c", STARTS_AND_WAITS], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert run.stdout is not None
        root = Path(run.stdout.readline().strip())
        server = _postmaster(root)
        assert server is not None and _running(server)
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
        if run.stdout is not None:
            run.stdout.close()
    assert root.exists()  # the killed run could not clean up

    removed = sweep_stale(bindir, os.geteuid() == 0)

    assert root in removed
    assert not root.exists()
    assert not _running(server)


def test_a_live_runs_cluster_and_a_folder_naming_no_owner_are_left_alone() -> None:
    bindir = _bindir()
    cluster = Cluster().start()  # owned by this live process
    ownerless = Path(tempfile.mkdtemp(prefix=PREFIX))
    try:
        removed = sweep_stale(bindir, cluster.as_root)
        assert cluster.root not in removed and ownerless not in removed
        assert (cluster.root / OWNER).read_text() == str(os.getpid())
        server = _postmaster(cluster.root)
        assert server is not None and _running(server)
    finally:
        cluster.stop()
        ownerless.rmdir()
