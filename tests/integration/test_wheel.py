"""The wheel built from the checkout: one import package, everything needed to run inside it, and
an install that works read-only, run by an unprivileged user (docs/deployment.md).

The checkout is copied (without .git, .venv, node_modules, build/) and the wheel built from the
copy, so the test neither writes build/ into the checkout nor picks up a stale build/lib from it.
The installed program is run from a folder outside the checkout, with a clean environment, so
nothing of the source tree can be imported by accident.
"""
from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import pytest
import requests
import socketio

from tests.support.env import ROOT, need
from tests.support.live_server import free_port

pytestmark = pytest.mark.slow

NOBODY = 65534
SETPRIV = shutil.which("setpriv")
# everything a server needs at run time, as paths inside the wheel
REQUIRED = [
    "antrean/shared/web/static/vendor/socket.io.min.js",
    "antrean/shared/web/static/vendor/chart.umd.min.js",
    "antrean/shared/web/static/app.css",
    "antrean/shared/web/translations/en/LC_MESSAGES/messages.po",
    "antrean/shared/web/translations/en/LC_MESSAGES/messages.mo",
    "antrean/shared/web/openapi.yaml",
    "antrean/shared/domain/kampak.yaml",
    "antrean/shared/store/migrations/env.py",
    "antrean/shared/store/migrations/script.py.mako",
]
SKIP_COPY = shutil.ignore_patterns(".git", ".venv", "node_modules", "build", "dist", "*.egg-info", "__pycache__",
                                   "instance", "test-artifacts", ".pytest_cache", ".hypothesis", "*.pyc")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src") / "antrean"
    shutil.copytree(ROOT, src, ignore=SKIP_COPY, symlinks=True)
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(src)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    (whl,) = out.glob("antrean-*.whl")
    return whl


def test_the_wheel_has_one_import_package_and_everything_needed_to_run(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    version = wheel.name.split("-")[1]
    assert {n.split("/")[0] for n in names} == {"antrean", f"antrean-{version}.dist-info"}
    missing = [n for n in REQUIRED if n not in names]
    for folder, pattern in [("shared/store/migrations/versions", "*.py"), ("shared/web/templates", "*"),
                            ("kiosk/templates", "*"), ("display/templates", "*"), ("counter/templates", "*"),
                            ("shared/web/static", "*")]:
        files = [p for p in (ROOT / folder).rglob(pattern) if p.is_file() and "__pycache__" not in p.parts]
        assert files, f"nothing in {folder}"
        missing += [f"antrean/{p.relative_to(ROOT).as_posix()}" for p in files
                    if f"antrean/{p.relative_to(ROOT).as_posix()}" not in names]
    assert not missing, f"not in {wheel.name}: {missing}"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def _interpreter_for(uid: int) -> str | None:
    """A Python >= 3.11 that ``uid`` may run (the test's own may live under root's home)."""
    for candidate in (sys._base_executable, sys.executable, "/usr/bin/python3", shutil.which("python3")):
        if not candidate or not os.path.exists(candidate):
            continue
        try:
            out = subprocess.run([*_as(uid), candidate, "-c", "import sys, venv; print(sys.version_info >= (3, 11))"],
                                 capture_output=True, text=True, timeout=30, cwd="/", env=_base_env())
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and out.stdout.strip() == "True":
            return candidate
    return None


def _as(uid: int) -> list[str]:
    return [SETPRIV, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]


def _base_env() -> dict[str, str]:
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}


def _tree(folder: Path) -> dict[str, tuple[int, int, int]]:
    found = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        found[path.relative_to(folder).as_posix()] = (stat.S_IMODE(st.st_mode), st.st_size, st.st_mtime_ns)
    return found


@pytest.fixture
def scratch():
    """A folder the unprivileged user can reach (pytest's tmp_path is root's, mode 0700)."""
    base = Path(tempfile.mkdtemp(prefix="antrean-wheel-"))
    base.chmod(0o755)
    yield base
    subprocess.run(["chmod", "-R", "u+w", str(base)], check=False)
    shutil.rmtree(base, ignore_errors=True)


def test_the_installed_wheel_runs_read_only_as_an_unprivileged_user(wheel, scratch):
    need(hasattr(os, "geteuid") and os.geteuid() == 0, "needs root, to run the install as another user")
    need(SETPRIV is not None, "setpriv is not installed (util-linux)")
    python = _interpreter_for(NOBODY)
    need(python is not None, f"no Python >= 3.11 with venv that uid {NOBODY} may run")

    venv = scratch / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=300, cwd=scratch)
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                           str(wheel)], capture_output=True, text=True, timeout=1200, cwd=scratch)
    assert done.returncode == 0, done.stdout + done.stderr
    subprocess.run(["chmod", "-R", "a-w", str(venv)], check=True)
    before = _tree(venv)
    (package,) = venv.glob("lib/python3*/site-packages/antrean")
    inside = package.relative_to(venv).as_posix() + "/"
    package_before = {p for p in before if p.startswith(inside)}
    assert any(p.endswith("shared/web/static/vendor/socket.io.min.js") for p in package_before)

    instance = scratch / "instance"
    instance.mkdir()
    (instance / "tmp").mkdir()
    for path in (instance, instance / "tmp"):
        os.chown(path, NOBODY, NOBODY)
    port = free_port()
    env = {**_base_env(), "HOME": str(instance), "TMPDIR": str(instance / "tmp"),
           "ANTREAN_INSTANCE": str(instance), "ANTREAN_PRINTER": f"file://{instance / 'printed'}/",
           "ANTREAN_ALWAYS_OPEN": "1", "PYTHONUNBUFFERED": "1"}

    def run(*args: str) -> str:
        out = subprocess.run([*_as(NOBODY), *args], env=env, cwd=instance, capture_output=True, text=True,
                             timeout=300)
        assert out.returncode == 0, f"{args}: {out.stdout}{out.stderr}"
        return out.stdout

    # the source tree cannot be imported: the program comes from the read-only install
    where = run(str(venv / "bin" / "python"), "-c", "import antrean.shared.app as m; print(m.__file__)")
    assert Path(where.strip()).is_relative_to(package), where
    run(str(venv / "bin" / "antrean"), "init-db")
    run(str(venv / "bin" / "antrean"), "demo")

    log = instance / "server.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen([*_as(NOBODY), str(venv / "bin" / "antrean"), "serve", "--host", "127.0.0.1",
                                 "--port", str(port)], env=env, cwd=instance, stdout=fh, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"the server stopped: {log.read_text()}"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                assert time.monotonic() < deadline, f"the server did not start: {log.read_text()}"
                time.sleep(0.2)

        for path in ("/kiosk/", "/display/", "/counter/login", "/?lang=en"):
            resp = requests.get(url + path, timeout=10)
            assert resp.status_code == 200, (path, resp.status_code, log.read_text())
        assert "Take a Queue Number" in requests.get(url + "/kiosk/?lang=en", timeout=10).text  # the .mo
        resp = requests.get(url + "/vendor/socket.io.min.js", timeout=10)
        assert resp.status_code == 200 and "javascript" in resp.headers["Content-Type"]
        assert resp.content == (package / "shared/web/static/vendor/socket.io.min.js").read_bytes()

        snapshot = threading.Event()
        sio = socketio.Client(reconnection=False)
        sio.on("snapshot", lambda data: snapshot.set(), namespace="/display")
        sio.connect(url, namespaces=["/display"], transports=["websocket"], wait_timeout=10)
        try:
            assert snapshot.wait(10), "no snapshot on the /display namespace"
        finally:
            sio.disconnect()
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    text = log.read_text()
    assert "PermissionError" not in text and "Traceback" not in text, text
    after = _tree(venv)
    new = sorted(p for p in after if p.startswith(inside) and p not in package_before)
    assert not new, f"written into the installed package: {new}"
    assert after == before, "the install changed while it ran"
    assert (instance / "antrean.db").is_file() and (instance / "secret_key").is_file()
