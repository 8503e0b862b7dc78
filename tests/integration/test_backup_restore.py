"""`antrean backup` while a real server issues tickets, and `antrean restore` of what it wrote."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from pathlib import Path

import requests

from tests.support.clients import Staff
from tests.support.env import ROOT
from tests.support.factories import APPLICANT
from tests.support.live_server import LiveServer

TABLES = ("tickets", "ticket_steps", "print_jobs", "sequences", "calls", "audit_log", "users", "lokets")


def rows(db: Path, table: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
    finally:
        conn.close()


def consistent(db: Path) -> tuple[int, int]:
    """Every ticket has its print job, and each day's counter stands at its last number: a copy of
    one moment, not of half a transaction. Returns (tickets, print jobs)."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tickets = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
        jobs = conn.execute("SELECT count(*) FROM print_jobs WHERE kind='ticket'").fetchone()[0]
        for prefix, day, top, n in conn.execute(
                "SELECT prefix, office_day, max(seq), count(*) FROM tickets GROUP BY prefix, office_day"):
            last = conn.execute("SELECT last FROM sequences WHERE name=? AND period=?",
                                (f"ticket:{prefix}", day)).fetchone()[0]
            assert last == top == n, (prefix, day, last, top, n)  # numbering with no gap
        return tickets, jobs
    finally:
        conn.close()


def test_backup_during_writes_is_consistent_and_restores_equal(live_server, tmp_path):
    stop = threading.Event()
    issued = []

    def kiosk(service):
        while not stop.is_set():
            resp = requests.post(f"{live_server.url}/api/v1/tickets", json={"service": service}, timeout=10)
            assert resp.status_code == 201, resp.text
            issued.append(resp.json()["number"])

    clerk = Staff(live_server, "pelayanan2")
    backups = tmp_path / "backups"
    with ThreadPoolExecutor(3) as pool:
        writers = [pool.submit(kiosk, s) for s in ("ktp", "ahli_waris", "kk")]
        try:
            for _ in range(4):  # backups taken while three kiosks and a clerk write
                out = live_server.antrean("backup", "--to", f"{backups}/")
                assert "backup written:" in out
                page = clerk.post("/counter/call-next", {"force": "1"})  # one after another: "Panggil tetap"
                assert "flash error" not in page
        finally:
            stop.set()
            for w in writers:
                w.result()
    copies = sorted(backups.glob("*.db"))
    assert len(copies) == 4 and not list(backups.glob(".*part"))
    counts = [consistent(c) for c in copies]
    assert all(t == j for t, j in counts) and counts[-1][0] > counts[0][0] > 0  # the writes went on meanwhile

    # One more step so the final copy also holds steps and applicant data; then a quiet backup.
    live = live_server.tmp / "antrean.db"
    conn = sqlite3.connect(live)
    ticket_id = conn.execute("SELECT max(id) FROM tickets WHERE status='called' AND prefix='B'").fetchone()[0]
    conn.close()
    page = clerk.post(f"/counter/tickets/{ticket_id}/step", data={"step": 2, **APPLICANT})
    assert "flash error" not in page
    final = live_server.antrean("backup", "--to", str(tmp_path / "final.db"))
    assert "final.db" in final
    assert rows(tmp_path / "final.db", "ticket_steps") and "Sri Wahyuni" in str(rows(tmp_path / "final.db", "tickets"))
    for table in TABLES:
        assert rows(tmp_path / "final.db", table) == rows(live, table), table

    # Restore into another office folder with a database of its own (kept as a copy).
    other = LiveServer(tmp_path / "other")
    other.tmp.mkdir()
    other.antrean("init-db")
    out = other.antrean("restore", str(tmp_path / "final.db"), "--yes")
    assert "restored" in out and "kept at" in out
    restored = other.tmp / "antrean.db"
    for table in TABLES:
        assert rows(restored, table) == rows(live, table), table
    assert list((other.tmp / "backups").glob("before-restore-*.db"))
    # The restored office serves on: its numbering continues after the restored tickets.
    other.passwords = live_server.passwords
    other.start()
    try:
        resp = requests.post(f"{other.url}/api/v1/tickets", json={"service": "ktp"}, timeout=10)
        assert resp.status_code == 201
        taken = {n for n in issued if n.startswith("A")}
        assert resp.json()["number"] == f"A{len(taken) + 1:03d}"
    finally:
        other.stop()


def antrean(env_dir: Path, *args: str) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "ANTREAN_INSTANCE": str(env_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "antrean.shared.cli.main", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_restore_refuses_what_is_not_an_antrean_backup(tmp_path):
    office = tmp_path / "office"
    assert antrean(office, "init-db").returncode == 0
    text_file = tmp_path / "notes.db"
    text_file.write_text("not a database")
    out = antrean(office, "restore", str(text_file), "--yes")
    assert out.returncode != 0 and "not a SQLite database" in out.stderr

    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    out = antrean(office, "restore", str(other), "--yes")
    assert out.returncode != 0 and "not an Antrean database" in out.stderr

    future = tmp_path / "future.db"
    assert antrean(office, "backup", "--to", str(future)).returncode == 0
    conn = sqlite3.connect(future)
    conn.execute("UPDATE alembic_version SET version_num='9999'")
    conn.commit()
    conn.close()
    out = antrean(office, "restore", str(future), "--yes")
    assert out.returncode != 0 and "9999 is unknown" in out.stderr
    assert not (office / "backups").exists()  # nothing was replaced, so nothing was set aside

    out = antrean(office, "restore", str(tmp_path / "final.db"))
    assert out.returncode != 0  # no such file


def test_postgresql_backup_is_a_pg_dump_that_pg_restore_reads(tmp_path, pg_url):
    import os
    import secrets
    import shutil

    import psycopg

    from tests.support.env import PG_ADMIN_URL, need

    need(shutil.which("pg_dump") is not None and shutil.which("pg_restore") is not None,
         "pg_dump/pg_restore are not installed (apt-get install postgresql-client)")
    env = {**os.environ, "ANTREAN_INSTANCE": str(tmp_path), "DATABASE_URL": pg_url}
    run = lambda *a: subprocess.run([sys.executable, "-m", "antrean.shared.cli.main", *a], env=env, cwd=ROOT,  # noqa: E731
                                    capture_output=True, text=True, timeout=120)
    assert run("demo").returncode == 0
    out = run("backup", "--to", str(tmp_path / "office.dump"))
    assert out.returncode == 0, out.stderr
    assert "pg_dump" in out.stdout and (tmp_path / "office.dump").stat().st_size > 0

    name = f"antrean_r_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        done = subprocess.run(["pg_restore", "--no-owner", f"--dbname={url}", str(tmp_path / "office.dump")],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        with psycopg.connect(url) as conn, psycopg.connect(pg_url) as orig:
            for table in ("users", "lokets", "alembic_version"):
                q = f"SELECT * FROM {table} ORDER BY 1"
                assert conn.execute(q).fetchall() == orig.execute(q).fetchall()
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_server_purges_old_personal_data_by_itself(tmp_path):
    """ANTREAN_RETENTION_DAYS set: the running server removes the personal data of a ticket finished
    long ago (made by hand with a clock 400 days back), once, with one audit entry of counts."""
    from datetime import datetime, timedelta

    from sqlalchemy import select

    from antrean.shared.domain.catalogue import load_catalogue
    from antrean.shared.services.desk import Actor
    from antrean.shared.store.db import make_engine, make_sessionmaker
    from antrean.shared.store.models import User
    from tests.support.factories import make_desk
    from tests.support.factories import walk_to_end as walk
    from tests.support.fakes import FakeClock

    server = LiveServer(tmp_path, {"ANTREAN_RETENTION_DAYS": "365"})
    server.create_demo()
    engine = make_engine(f"sqlite:///{tmp_path / 'antrean.db'}")
    sessions = make_sessionmaker(engine)
    clock = FakeClock(datetime.now(UTC) - timedelta(days=400))
    desk = make_desk(sessions, load_catalogue(), clock)
    with sessions() as s:
        staff = {u.username: Actor.of(u) for u in s.scalars(select(User))}
    old = walk(desk, staff, clock, "ahli_waris")
    clock.now = datetime.now(UTC) - timedelta(days=2)
    recent = walk(desk, staff, clock, "ktp")
    engine.dispose()
    db = tmp_path / "antrean.db"

    def names():
        conn = sqlite3.connect(db)
        try:
            return dict(conn.execute("SELECT id, applicant_name FROM tickets").fetchall())
        finally:
            conn.close()

    assert names() == {old["id"]: "Sri Wahyuni", recent["id"]: "Sri Wahyuni"}
    server.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and names()[old["id"]] is not None:
            time.sleep(0.1)
        assert names() == {old["id"]: None, recent["id"]: "Sri Wahyuni"}
        conn = sqlite3.connect(db)
        audit = conn.execute("SELECT username, after FROM audit_log WHERE action='retention.purge'").fetchall()
        conn.close()
        assert len(audit) == 1 and audit[0][0] == "system" and '"tickets": 1' in audit[0][1]
        assert "personal data removed from 1 tickets" in server.log.read_text()
    finally:
        server.stop()


def test_postgresql_without_pg_dump_gets_the_advice(tmp_path):
    import os

    env = {**os.environ, "ANTREAN_INSTANCE": str(tmp_path), "PATH": str(Path(sys.executable).parent),
           "DATABASE_URL": "postgresql://antrean:secret@db.example/antrean"}
    run = lambda *a: subprocess.run([sys.executable, "-m", "antrean.shared.cli.main", *a], env=env, cwd=ROOT,  # noqa: E731
                                    capture_output=True, text=True, timeout=60)
    out = run("backup")
    assert out.returncode != 0 and "pg_dump is not installed here" in out.stderr
    assert "pg_dump --format=custom" in out.stderr and "pg_restore --no-owner" in out.stderr
    assert "secret" not in out.stderr  # the password is not shown
    out = run("restore", __file__, "--yes")
    assert out.returncode != 0 and "restore works on SQLite only" in out.stderr
