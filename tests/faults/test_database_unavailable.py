"""The database briefly locked (SQLite) or unreachable (PostgreSQL) under a real server: the kiosk
API answers 503 with a JSON error code and an Indonesian message, the counter a 503 page, the
server stays up, a retry with the same request id gets the ticket, and no half-written ticket
(without its print job, or leaving a hole in the numbering) exists."""
from __future__ import annotations

import sqlite3
import threading

import psycopg
import pytest
import requests

from tests.support.clients import Staff
from tests.support.env import PG_ADMIN_URL
from tests.support.live_server import LiveServer, wait_for

REQUEST_ID = "5d0c3c1e-7a31-4d2b-9b55-000000000042"


def ask(server, request_id=None):
    body = {"service": "ktp", **({"request_id": request_id} if request_id else {})}
    return requests.post(f"{server.url}/api/v1/tickets", json=body, timeout=30)


def assert_unavailable(resp):
    assert resp.status_code == 503, resp.text
    assert resp.headers["Retry-After"] == "2"
    body = resp.json()
    assert body["code"] == "database_unavailable"
    assert body["error"] == "Sistem sedang sibuk. Silakan coba lagi sebentar lagi."


def assert_counter_unavailable(clerk: Staff):
    resp = clerk.http.post(f"{clerk.server.url}/counter/call-next", data={"csrf_token": clerk.token},
                           allow_redirects=False, timeout=30)
    assert resp.status_code == 503
    assert "Sistem sedang sibuk" in resp.text and "Data yang sudah tersimpan tetap aman." in resp.text


@pytest.fixture
def sqlite_server(tmp_path):
    server = LiveServer(tmp_path, {"ANTREAN_DB_BUSY_SECONDS": "0.3", "ANTREAN_PRINTER": "none"})
    server.create_demo()
    server.start()
    yield server
    server.stop()


def lock(server) -> sqlite3.Connection:
    """Another program holding SQLite's write lock (an open write transaction)."""
    holder = sqlite3.connect(server.tmp / "antrean.db", isolation_level=None, timeout=5, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def sqlite_state(server) -> tuple[list[str], int, int]:
    conn = sqlite3.connect(server.tmp / "antrean.db")
    try:
        numbers = [r[0] for r in conn.execute("SELECT number FROM tickets ORDER BY seq")]
        jobs = conn.execute("SELECT count(*) FROM print_jobs WHERE kind='ticket'").fetchone()[0]
        last = conn.execute("SELECT last FROM sequences WHERE name='ticket:A'").fetchone()[0]
        return numbers, jobs, last
    finally:
        conn.close()


def test_sqlite_locked_longer_than_the_busy_timeout(sqlite_server):
    server = sqlite_server
    assert ask(server).json()["number"] == "A001"
    clerk = Staff(server, "pelayanan1")
    holder = lock(server)
    try:
        assert_unavailable(ask(server, REQUEST_ID))
        assert_counter_unavailable(clerk)
        # A page that only reads runs in reading() (a deferred BEGIN, shared/store/db.py), not in a write
        # transaction: the kiosk screen still shows its services while another program holds the write lock.
        page = requests.get(f"{server.url}/kiosk/", timeout=10)
        assert page.status_code == 200 and "Surat Keterangan Ahli Waris" in page.text
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert server.proc.poll() is None
    again = ask(server, REQUEST_ID)  # the kiosk's retry, with the same request id
    assert again.status_code == 201 and again.json()["number"] == "A002"
    assert ask(server, REQUEST_ID).json()["repeated"] is True  # and a second retry issues nothing
    assert sqlite_state(server) == (["A001", "A002"], 2, 2)
    assert 'data-ticket="A001"' in clerk.post("/counter/call-next")  # the counter works again
    log = server.log.read_text()
    assert "database unavailable for POST /api/v1/tickets: database is locked" in log
    assert "INSERT" not in log  # the driver's reason only, never the SQL or its parameters


def test_a_short_lock_is_ridden_out_by_the_bounded_retry(sqlite_server):
    server = sqlite_server
    holder = lock(server)
    release = threading.Timer(0.8, lambda: holder.execute("ROLLBACK"))  # longer than one busy timeout
    release.start()
    try:
        resp = ask(server, REQUEST_ID)
    finally:
        release.join()
        holder.close()
    assert resp.status_code == 201 and resp.json()["number"] == "A001"
    assert "database is locked (try 1 of 3); trying again" in server.log.read_text()
    assert sqlite_state(server) == (["A001"], 1, 1)


def _admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


@pytest.mark.postgres
def test_postgresql_unreachable_then_back(tmp_path, pg_url):
    name = pg_url.rsplit("/", 1)[1]
    server = LiveServer(tmp_path, {"DATABASE_URL": pg_url, "ANTREAN_PRINTER": "none"})
    server.create_demo()
    server.start()
    try:
        assert ask(server).json()["number"] == "A001"
        clerk = Staff(server, "pelayanan1")
        # The database goes away: no new connection is allowed and the open ones are cut.
        _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        _admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        try:
            assert_unavailable(ask(server, REQUEST_ID))
            assert_unavailable(ask(server, REQUEST_ID))  # the kiosk asks again: still a clear answer
            assert_counter_unavailable(clerk)
            # A screen that cannot even read says so in Indonesian and reloads itself.
            page = requests.get(f"{server.url}/kiosk/", timeout=10)
            assert page.status_code == 503 and "Sistem sedang sibuk" in page.text
            assert '<meta http-equiv="refresh" content="5">' in page.text and '<html lang="id">' in page.text
            assert server.proc.poll() is None
        finally:
            _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        again = ask(server, REQUEST_ID)
        assert again.status_code == 201 and again.json()["number"] == "A002"
        page = clerk.post("/counter/call-next")
        assert 'data-ticket="A001"' in page
        with psycopg.connect(pg_url) as conn:
            assert [r[0] for r in conn.execute("SELECT number FROM tickets ORDER BY seq")] == ["A001", "A002"]
            assert conn.execute("SELECT count(*) FROM print_jobs").fetchone()[0] == 2
            assert conn.execute("SELECT last FROM sequences WHERE name='ticket:A'").fetchone()[0] == 2
        assert "database unavailable for POST /api/v1/tickets" in server.log.read_text()
    finally:
        server.stop()


@pytest.mark.postgres
def test_postgresql_pool_exhausted_answers_503_not_500(tmp_path, pg_url):
    """Every pooled connection busy (here: kiosk requests stuck behind another program's table lock,
    as a flood once left them): a request that finds no free connection within
    ANTREAN_DB_POOL_SECONDS gets the documented 503, not a 500 or a hang, and the stuck requests finish
    once the lock goes."""
    server = LiveServer(tmp_path, {"DATABASE_URL": pg_url, "ANTREAN_PRINTER": "none", "ANTREAN_SPEECH": "off",
                                   "ANTREAN_DB_POOL_SIZE": "1", "ANTREAN_DB_POOL_SECONDS": "0.5"})
    server.create_demo()
    server.start()
    try:
        assert ask(server).json()["number"] == "A001"
        holder = psycopg.connect(pg_url)
        holder.execute("LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE")
        answers: list[requests.Response] = []
        stuck = [threading.Thread(target=lambda: answers.append(ask(server))) for _ in range(3)]
        try:
            for t in stuck:  # one pooled connection and two more at a peak: all three held by these
                t.start()
            def three_waiting() -> bool:
                with psycopg.connect(PG_ADMIN_URL) as conn:
                    return conn.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()[0] >= 3
            assert wait_for(three_waiting, timeout=20), "the kiosk requests did not reach the lock"
            assert_unavailable(ask(server, REQUEST_ID))
        finally:
            holder.rollback()
            holder.close()
        for t in stuck:
            t.join(30)
        assert sorted(r.status_code for r in answers) == [201, 201, 201]
        again = ask(server, REQUEST_ID)  # the refused kiosk's retry
        assert again.status_code == 201
        log = server.log.read_text()
        assert "database unavailable for POST /api/v1/tickets" in log and "Traceback" not in log
    finally:
        server.stop()
