"""Shared fixtures: a fresh database per test, a controllable clock, the app with a test printer,
PostgreSQL and a real server when a test asks for them.

Tests that need PostgreSQL, Redis, Chromium or espeak-ng skip with a reason on a machine
without them, and fail instead when ANTREAN_REQUIRE_ALL=1 (CI sets it).
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REQUIRE_ALL = os.environ.get("ANTREAN_REQUIRE_ALL") == "1"
PG_ADMIN_URL = os.environ.get("ANTREAN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("ANTREAN_TEST_REDIS", "redis://127.0.0.1:6379/15")


def need(ok: bool, reason: str) -> None:
    """Skip with ``reason`` when ``ok`` is false, or fail when every test is required."""
    if ok:
        return
    if REQUIRE_ALL:
        pytest.fail(f"required (ANTREAN_REQUIRE_ALL=1) but unavailable: {reason}")
    pytest.skip(reason)


def fast_hash(password: str) -> str:
    """A cheap password hash for test users (the real one, scrypt, costs ~100 ms a user)."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(password, method="pbkdf2:sha256:1000")


class FakeClock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw) -> datetime:
        self.now = self.now + timedelta(**kw)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    # 08:00 WIB on a Tuesday
    return FakeClock(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))


@pytest.fixture
def catalogue():
    from antrean.shared.domain.catalogue import load_catalogue

    return load_catalogue()


@pytest.fixture
def db_url(tmp_path) -> str:
    from antrean.shared.store.db import upgrade

    url = f"sqlite:///{tmp_path / 'antrean.db'}"
    upgrade(url)
    return url


def _pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL.replace("postgresql://", "postgresql://", 1), connect_timeout=3):
            return True
    except Exception:
        return False


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    need(_pg_available(), f"PostgreSQL is not reachable at {PG_ADMIN_URL}")
    import psycopg

    name = f"antrean_t_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    from antrean.shared.store.db import upgrade

    upgrade(url)
    yield url
    from sqlalchemy.pool import NullPool  # noqa: F401  (connections of the test are closed by now)

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sessions(db_url):
    from antrean.shared.store.db import make_engine, make_sessionmaker

    engine = make_engine(db_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def make_desk(sessions, catalogue, clock):
    from antrean.shared.domain.events import EventBus
    from antrean.shared.services.desk import Desk

    desk = Desk(catalogue, sessions, EventBus(), clock=clock)
    desk.always_open = True  # office hours are tested with their own clock (tests/service/test_availability.py)
    return desk


@pytest.fixture
def desk(sessions, catalogue, clock):
    return make_desk(sessions, catalogue, clock)


@pytest.fixture
def staff(sessions):
    """Demo lokets and one user per role; returns {username: Actor}."""
    from sqlalchemy import select

    from antrean.shared.cli.main import create_demo
    from antrean.shared.services.desk import Actor
    from antrean.shared.store.models import User

    create_demo(sessions, hasher=fast_hash)
    with sessions() as s:
        return {u.username: Actor.of(u) for u in s.scalars(select(User))}


@pytest.fixture
def printer():
    from antrean.hardware.printer import RecordingPrinter

    return RecordingPrinter()


@pytest.fixture
def app(tmp_path, clock, printer):
    from antrean.shared.app import create_app

    app = create_app(
        {"INSTANCE": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
         "SECRET_KEY": "test", "TESTING": True, "WTF_CSRF_ENABLED": False, "ALWAYS_OPEN": True},
        clock=clock, printer=printer, start_workers=False,
    )
    yield app
    app.extensions["antrean.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def app_staff(app):
    from antrean.shared.cli.main import create_demo

    made = create_demo(app.extensions["antrean"].sessions, hasher=fast_hash)
    return {username: password for username, password, _roles in made}


@pytest.fixture
def login(client, app_staff):
    def _login(username: str, c=None):
        c = c or client
        resp = c.post("/counter/login", data={"username": username, "password": app_staff[username]})
        assert resp.status_code == 302, "login failed"
        return c
    return _login


# -- a real server -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, tmp: Path, env_extra: dict | None = None):
        self.tmp = tmp
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "ANTREAN_INSTANCE": str(tmp), "PYTHONUNBUFFERED": "1",
                    "ANTREAN_PRINTER": f"file://{tmp / 'printed'}/",
                    "ANTREAN_ALWAYS_OPEN": "1",  # tests run at any hour of any day
                    **(env_extra or {})}
        self.env.pop("DATABASE_URL", None) if "DATABASE_URL" not in (env_extra or {}) else None
        self.passwords: dict[str, str] = {}
        self.proc: subprocess.Popen | None = None
        self.log = tmp / "server.log"

    def antrean(self, *args: str) -> str:
        out = subprocess.run([sys.executable, "-m", "antrean.shared.cli.main", *args], env=self.env, cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return out.stdout

    def create_demo(self) -> None:
        for line in self.antrean("demo").splitlines():
            parts = line.split()
            if len(parts) >= 3 and not line.startswith("Demo"):
                self.passwords[parts[0]] = parts[1]

    def start(self) -> LiveServer:
        self._fh = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "antrean.shared.cli.main", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env, cwd=ROOT, stdout=self._fh, stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self._fh.close()
                raise RuntimeError(f"server exited: {self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not start: {self.log.read_text()}")

    def stop(self, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill() if kill else self.proc.terminate()
            self.proc.wait(10)
        if getattr(self, "_fh", None):
            self._fh.close()


@pytest.fixture
def live_server(tmp_path):
    server = LiveServer(tmp_path)
    server.create_demo()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    need(path is not None, "Debian's chromium is not installed (apt-get install chromium)")
    return path


ARTIFACTS = ROOT / "test-artifacts"
