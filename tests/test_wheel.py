"""The built wheel installs whole: installed in a fresh venv, far from the checkout, it holds every file
of its packages (pages, hall files, migrations, simulator data), serves the pages and opens the
simulated ID-card reader."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib import metadata
from pathlib import Path

import httpx

from tests.conftest import need
from tests.support.live import CLOCK, free_port, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("queue_server", "devices", "kiosk", "displays")

# Run by the installed venv's python: where each package was imported from, and a card read.
PROBE = """
import json
from datetime import date
import devices, displays, kiosk, queue_server
from queue_server import halls

reader = devices.open_id_reader("sim://?card=2", today=lambda: date(2026, 11, 25))
try:
    name = reader.read_card().name
finally:
    reader.close()
print(json.dumps({"files": [m.__file__ for m in (devices, displays, kiosk, queue_server)],
                  "halls": str(halls.HERE), "card": name}))
"""


def run(args: list, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=120, **kw)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


def setuptools_version() -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in metadata.version("setuptools").split(".")[:2])
    except metadata.PackageNotFoundError:
        return ()


def checkout_files() -> list[str]:
    """The working tree's files that git does not ignore (what a commit of it would ship)."""
    need(shutil.which("git") is not None, "git (the wheel is built from the checkout's files)")
    listed = run(
        [
            "git",
            "ls-files",
            "--cached",
            "--others",
            "--exclude-standard",
            "-z",
            "--",
            *PACKAGES,
            "pyproject.toml",
            "README.md",
        ],
        cwd=ROOT,
    ).stdout
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def test_the_wheel_carries_every_file_and_runs_from_a_fresh_venv(tmp_path):
    # A copy, so no build/ of earlier runs (with files since deleted) slips into the wheel, and
    # the checkout gets no build/ or egg-info.
    files = checkout_files()
    src = tmp_path / "src"
    for name in files:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, src / name)
    dist = tmp_path / "dist"
    # The venv's own setuptools (the dev extra): no download at test time.
    assert setuptools_version() >= (70, 1), "setuptools>=70.1 (the dev extra) is not installed: run `make venv`"
    run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", dist, src], cwd=tmp_path
    )
    (wheel,) = dist.glob("hallq-*.whl")
    inside = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in files if name.startswith(tuple(p + "/" for p in PACKAGES)) and name not in inside]
    assert not missing, f"not in the wheel: {missing}"

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    python, hallq = venv / "bin" / "python", venv / "bin" / "hallq"
    run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel])
    # The dependencies are this interpreter's (already installed; resolving them is pip's part, not
    # the wheel's). A .pth only adds the folders: the editable install's own .pth there is not run.
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    deps = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "hallq-test-dependencies.pth").write_text("".join(f"{d}\n" for d in deps))

    away = tmp_path / "elsewhere"
    away.mkdir()
    assert not away.is_relative_to(ROOT)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HALLQ_", "PYTHON", "VIRTUAL_ENV"))}
    env |= {"HALLQ_DATA_DIR": str(away / "data"), "HALLQ_LOG_LEVEL": "WARNING"}

    need(hasattr(os, "openpty") and os.path.isdir("/dev/pts"), "pseudo-terminals (/dev/pts)")
    probe = json.loads(run([python, "-c", PROBE], cwd=away, env=env).stdout)
    for file in probe["files"]:
        assert Path(file).is_relative_to(site), f"imported from outside the fresh venv: {file}"
    assert probe["card"] == "张建国"

    run([hallq, "init", "--password", "admin-pass-1"], cwd=away, env=env)
    run([hallq, "load-hall", Path(probe["halls"]) / "demo.yaml"], cwd=away, env=env)
    port = free_port()
    server = subprocess.Popen(
        [hallq, "serve", "--port", str(port), "--clock", CLOCK],
        cwd=away,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(server, base, 60, lambda: server.stdout.read().decode())  # type: ignore[union-attr]
        with httpx.Client(base_url=base, timeout=10) as c:
            assert c.get("/api/halls").json() == ["demo"]  # the migrations and the hall files were there
            pages = {
                "/board.html": "board.js",
                "/index.html": "<html",
                "/dashboard.html": "dashboard.js",
                "/js/board.js": "import",
                "/css/base.css": "{",
                "/dashboard/charts.js": "export",
                "/docs": "init.js",
                "/docs/init.js": "SwaggerUI",
                "/favicon.svg": "<svg",
            }
            for path, text in pages.items():
                r = c.get(path)
                assert r.status_code == 200 and text in r.text, (path, r.status_code, r.text[:200])
            # `displays` is a package for the wheel's sake; its Python is no page.
            for path in ("/__init__.py", "/__pycache__/"):
                assert c.get(path).status_code == 404, path
    finally:
        server.terminate()
        server.wait(15)
