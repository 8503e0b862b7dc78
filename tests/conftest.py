"""Shared fixtures: a fresh database per test, a controllable clock, the app with a test printer,
PostgreSQL, Redis and a real server when a test asks for them, and the guard of the fast tier.

The helpers these are built from are in tests/support (test modules import them from there).
Tests that need PostgreSQL, Redis, Chromium or espeak-ng skip with a reason on a machine
without them, and fail instead when ANTREAN_REQUIRE_ALL=1 (CI sets it).
"""
from __future__ import annotations

import secrets
from datetime import UTC, datetime

import pytest

from tests.support.env import PG_ADMIN_URL, REDIS_TEST_URL, need, need_chromium, pg_available, redis_available
from tests.support.factories import make_desk
from tests.support.fakes import FakeClock, fast_hash
from tests.support.guard import Guard, guarded
from tests.support.live_server import LiveServer


@pytest.fixture(autouse=True)
def no_network_printer_or_speech(request, monkeypatch):
    """Fails a test under tests/unit, tests/service or tests/web that opens a network socket (other
    than PostgreSQL or Redis here), a python-escpos printer or a pyttsx3 engine (tests/support/guard.py)."""
    if not guarded(request.node.path):
        yield None
        return
    guard = Guard(monkeypatch).install()
    yield guard
    guard.check()


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


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own on a free port (tests/support/private_redis.py), to kill and start."""
    import shutil

    from tests.support.private_redis import PrivateRedis

    need(shutil.which("redis-server") is not None, "redis-server is not installed (apt-get install redis-server)")
    server = PrivateRedis(tmp_path).start()
    yield server
    server.kill()


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    need(pg_available(), f"PostgreSQL is not reachable at {PG_ADMIN_URL}")
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
    from antrean.shared.bootstrap import open_database

    database = open_database(db_url, migrate=False)  # db_url is migrated already
    yield database.sessions
    database.engine.dispose()


@pytest.fixture
def desk(sessions, catalogue, clock):
    return make_desk(sessions, catalogue, clock)


@pytest.fixture
def staff(sessions):
    """Demo lokets and one user per role; returns {username: Actor}."""
    from sqlalchemy import select

    from antrean.shared.services.demo import create_demo
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
         "SECRET_KEY": "test", "TESTING": True, "WTF_CSRF_ENABLED": False, "ALWAYS_OPEN": True,
         # tests take many tickets from one address; the limit itself: tests/web/test_fair_use.py
         "ISSUE_LIMIT": "100000 per minute",
         # the fuzzers send hundreds of events on one test connection; the limits themselves:
         # tests/integration/test_socket_hostile.py
         "SOCKET_EVENT_LIMIT": "1000000 per minute", "SOCKET_CONNECTIONS": 1000},
        clock=clock, printer=printer, start_workers=False,
    )
    yield app
    app.extensions["antrean.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def app_staff(app):
    from antrean.shared.services.demo import create_demo

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


@pytest.fixture
def live_server(tmp_path):
    server = LiveServer(tmp_path)
    server.create_demo()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def two_servers(tmp_path, pg_url):
    """Two `antrean serve` processes of one office: PostgreSQL for the data, Redis for Socket.IO."""
    need(redis_available(), f"Redis is not reachable at {REDIS_TEST_URL}")
    channel = f"antrean-test-{secrets.token_hex(4)}"
    env = {"DATABASE_URL": pg_url, "REDIS_URL": REDIS_TEST_URL, "ANTREAN_SOCKETIO_CHANNEL": channel,
           "ANTREAN_PRINTER": "none", "SECRET_KEY": "shared-secret-for-both"}
    servers = []
    for n in (1, 2):
        folder = tmp_path / f"p{n}"
        folder.mkdir()
        servers.append(LiveServer(folder, env))
    servers[0].create_demo()
    servers[1].passwords = servers[0].passwords
    for s in servers:
        s.start()
    yield servers
    for s in servers:
        s.stop()


@pytest.fixture
def chromium_path() -> str:
    return need_chromium()
