"""A throwaway PostgreSQL cluster for the tests and benchmarks: the installed server's initdb and
pg_ctl, in a temporary folder, listening on a Unix socket only, removed afterwards.

initdb refuses to run as root (and CI runs as root), so as root the cluster runs as an
unprivileged system user, created on first use. Nothing here touches a PostgreSQL that is
already installed as a service: its own cluster, folder and socket are left alone.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

PG_USER = "tanyajamsos-pg"  # the OS user that runs the cluster when we are root
SUPERUSER = "postgres"  # the database superuser initdb creates
PREFIX = "tjpg-"  # our clusters' folders in the temporary directory
OWNER = "owner.pid"  # the process that made a cluster, so that a later run can tell it is stale


class PostgresMissing(Exception):
    """No PostgreSQL server binaries on this machine."""


def find_bindir() -> Path:
    """The newest installed server's bin folder (Debian's layout, or pg_config's answer)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if found:
        return Path(found[-1]).parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        bindir = Path(
            subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True
            ).stdout.strip()
        )
        if (bindir / "initdb").exists():
            return bindir
    if shutil.which("initdb"):
        return Path(str(shutil.which("initdb"))).parent
    raise PostgresMissing("no PostgreSQL server found (initdb is not installed)")


def _ensure_user() -> None:
    try:
        pwd.getpwnam(PG_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USER],
            check=True,
            capture_output=True,
        )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def sweep_stale(bindir: Path, as_root: bool, tmp: Path | None = None) -> list[Path]:
    """Stop and remove the clusters of test runs that died without tearing down (a SIGKILL
    skips every `finally`), so killed runs do not leave servers running. A folder whose owner
    is alive, or that names no owner, is left alone. Returns the folders removed."""
    removed = []
    for root in sorted((tmp or Path(tempfile.gettempdir())).glob(PREFIX + "*")):
        try:
            owner = int((root / OWNER).read_text())
        except (OSError, ValueError):
            continue
        if _alive(owner):
            continue
        if (root / "data" / "postmaster.pid").exists():
            command = [str(bindir / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate"]
            command += ["-w", "stop"]
            if as_root:
                command = ["runuser", "-u", PG_USER, "--", *command]
            subprocess.run(command, capture_output=True, check=False, timeout=60)
        shutil.rmtree(root, ignore_errors=True)
        removed.append(root)
    return removed


class Cluster:
    """One running cluster; `url(name)` names a database in it."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.as_root = os.geteuid() == 0
        sweep_stale(self.bindir, self.as_root)
        self.root = Path(tempfile.mkdtemp(prefix=PREFIX))
        (self.root / OWNER).write_text(str(os.getpid()))
        self.data = self.root / "data"
        if self.as_root:
            _ensure_user()
            entry = pwd.getpwnam(PG_USER)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.root.chmod(0o755)
        self.started = False

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", PG_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(
                f"{args[0]} failed: {result.stderr.strip() or result.stdout.strip()}"
            )

    def start(self) -> Cluster:
        self._run(
            "initdb", "-D", str(self.data), "-U", SUPERUSER, "-A", "trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        options = (
            f"-k {self.root} -c listen_addresses='' -c max_connections=200 "
            # A crash of the database is not what these tests are about; a crash of the bot is.
            "-c fsync=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-o",
            options,
            "-w",
            "start",
        )
        self.started = True
        return self

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@/{dbname}?host={self.root}"

    def create_database(self) -> str:
        name = "t_" + secrets.token_hex(6)
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.started:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)
