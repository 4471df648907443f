"""`pip install` of the wheel into a fresh virtual environment outside the checkout: the console
script answers, the knowledge sources travel inside the package, and the data folder is made
outside the installation.

Kept fast for CI: the wheel is built without a download (setuptools comes with the dev extras),
the new environment has no pip of its own (the project's pip installs into it with --python),
and the dependencies are taken from the project's environment by a path file instead of being
downloaded again (`--no-deps`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("pyproject.toml", "README.md", "bot", "knowledge", "handlers", "core")


def run(args: list[str | Path], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=300, check=False, **kw
    )


@dataclass(frozen=True)
class Installed:
    venv: Path
    work: Path
    home: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    tmp_path = tmp_path_factory.mktemp("install")
    source = tmp_path / "source"
    source.mkdir()
    for name in SHIPPED:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / name)
    wheels = tmp_path / "wheels"
    built = run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", wheels, source],
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("tanya_jamsos-*.whl")

    venv = tmp_path / "venv"
    made = run([sys.executable, "-m", "venv", "--without-pip", venv])
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    installed = run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", wheel]
    )
    assert installed.returncode == 0, installed.stderr
    # The dependencies, from the project's environment (a path file adds no package of ours:
    # path files inside that folder, such as the editable install's, are not read).
    target = run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    Path(target.stdout.strip(), "project-deps.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )

    home = tmp_path / "home"
    work = tmp_path / "work"
    work.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOT_", "TELEGRAM_", "WHATSAPP_", "XDG_", "PYTHON"))
    }
    env |= {"HOME": str(home), "BOT_TODAY": "2026-11-21"}
    return Installed(venv, work, home, env)


def test_the_installed_package_answers_from_its_own_knowledge_and_data_folder(
    installed: Installed,
) -> None:
    venv, work, home, env = installed.venv, installed.work, installed.home, dict(installed.env)
    python = venv / "bin" / "python"
    where = run([python, "-c", "import bot; print(bot.__file__)"], cwd=work, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr

    answer = run([venv / "bin" / "tanya-jamsos", "ask", "apa itu jht"], cwd=work, env=env)
    assert answer.returncode == 0, answer.stderr
    assert "Jaminan Hari Tua" in answer.stdout
    # The first run built the knowledge database in the platform's data folder, not next to
    # the code, and not in the working directory.
    data = home / ".local" / "share" / "tanya-jamsos"
    assert (data / "knowledge.db").is_file()
    assert not list(venv.rglob("knowledge.db"))
    assert not list(work.iterdir())

    # BOT_DATA_DIR overrides it; a relative one is relative to the working directory.
    env["BOT_DATA_DIR"] = "botdata"
    again = run([venv / "bin" / "tanya-jamsos", "ask", "--json", "halo"], cwd=work, env=env)
    assert again.returncode == 0, again.stderr
    assert (work / "botdata" / "knowledge.db").is_file()


def test_the_systemd_unit_verifies_against_the_installed_console_script(
    installed: Installed, tmp_path: Path
) -> None:
    """`systemd-analyze verify` of deploy/tanya-jamsos.service, with its /opt/tanya-jamsos
    prefix pointed at the environment just installed (verify checks that ExecStart exists)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        if os.environ.get("CI"):
            pytest.fail("systemd-analyze is missing in CI; `make test` installs Debian's systemd")
        pytest.skip(
            "systemd-analyze is not installed (Debian package systemd; `make test` as root installs it)"
        )
    unit = (ROOT / "deploy" / "tanya-jamsos.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/tanya-jamsos/bin/tanya-jamsos serve" in unit
    copy = tmp_path / "tanya-jamsos.service"
    copy.write_text(unit.replace("/opt/tanya-jamsos/", f"{installed.venv}/"), encoding="utf-8")
    verified = run([analyze, "verify", copy])
    # verify exits 0 on unknown keys and bad values too: only silence means a clean unit.
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.strip() == "" and verified.stderr.strip() == "", verified.stderr


def test_the_environment_template_names_only_settings_the_bot_reads() -> None:
    template = (ROOT / "deploy" / "tanya-jamsos.env").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    names = [
        line.split("=", 1)[0]
        for line in template.splitlines()
        if "=" in line and not line.startswith("#")
    ]
    assert names and all(f"{name}=" in example for name in names), names
