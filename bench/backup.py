"""Backup, retention purge and copy-db on a database with a large history; prints its figures.

    .venv/bin/python bench/backup.py [--tickets 100000] [--pg postgresql://postgres@127.0.0.1:5432/test]

Makes a SQLite database of N finished tickets (each with 7 steps, a print job and an applicant),
then times: `backup_sqlite` (and the kiosk's ticket latency while it runs), the retention purge of
all of them, and, with --pg, `copy_database` into a fresh PostgreSQL database.
"""
from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from antrean.shared.bootstrap import open_database, open_office  # noqa: E402
from antrean.shared.services import retention  # noqa: E402
from antrean.shared.services.backup import backup_sqlite  # noqa: E402
from antrean.shared.store.db import make_engine, upgrade  # noqa: E402
from antrean.shared.store.models import PrintJob, Ticket, TicketStep  # noqa: E402


def fill(url: str, n: int) -> None:
    engine = make_engine(url)
    old = datetime.now(UTC) - timedelta(days=800)
    flow = [{"number": i, "activity": "x", "actor": "petugas_pelayanan", "minutes": 2} for i in range(1, 8)]
    with engine.begin() as conn:
        for start in range(0, n, 5000):
            tickets, steps, jobs = [], [], []
            for i in range(start, min(n, start + 5000)):
                day = (old + timedelta(days=i // 400)).date()
                tickets.append({"id": i + 1, "public_id": secrets.token_urlsafe(16), "office_day": day, "prefix": "Z",
                                "seq": i % 400 + 1, "number": f"Z{i % 400 + 1:03d}", "service_code": "ktp",
                                "service_name": "Rekomendasi KTP", "group": "adminduk", "flow": flow,
                                "priority": False, "lang": "id", "status": "done", "current_step": 7,
                                "current_since": old, "created_at": old, "finished_at": old, "pickup_code": "ACDEFG",
                                "applicant_name": "Warga Contoh", "applicant_nik": "3503124507540001",
                                "applicant_address": "Desa Contoh", "applicant_phone": "0812",
                                "missing_documents": [], "recalls": 0})
                for k in range(1, 8):
                    steps.append({"ticket_id": i + 1, "number": k, "actor": "petugas_pelayanan", "role": "x",
                                  "available_at": old, "finished_at": old, "standard_minutes": 2.0,
                                  "note": "catatan" if k == 2 else None})
                jobs.append({"ticket_id": i + 1, "kind": "ticket", "status": "printed", "attempts": 1,
                             "created_at": old, "next_try_at": old})
            conn.execute(insert(Ticket), tickets)
            conn.execute(insert(TicketStep), steps)
            conn.execute(insert(PrintJob), jobs)
    engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--pg", default=None, help="admin URL of a PostgreSQL server for the copy-db figure")
    args = ap.parse_args()
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "antrean.db"
        url = f"sqlite:///{db}"
        upgrade(url)
        t = time.perf_counter()
        fill(url, args.tickets)
        print(f"history: {args.tickets} finished tickets, 7 steps each, made in {time.perf_counter() - t:.1f} s; "
              f"file {db.stat().st_size / 2**20:.0f} MiB")

        # backup while a kiosk issues tickets
        database = open_database(url, migrate=False)
        desk = open_office({"ALWAYS_OPEN": True}, sessions=database.sessions)
        latencies: list[float] = []
        stop = threading.Event()

        def kiosk():
            while not stop.is_set():
                s = time.perf_counter()
                desk.issue_ticket("ktp")
                latencies.append(time.perf_counter() - s)

        for _ in range(50):  # warm up
            desk.issue_ticket("ktp")
        quiet = []
        for _ in range(200):
            s = time.perf_counter()
            desk.issue_ticket("ktp")
            quiet.append(time.perf_counter() - s)
        th = threading.Thread(target=kiosk)
        th.start()
        t = time.perf_counter()
        info = backup_sqlite(db, Path(tmp) / "copy.db")
        took = time.perf_counter() - t
        stop.set()
        th.join()
        q = sorted(quiet)
        b = sorted(latencies)
        print(f"backup: {took:.2f} s for {info.size / 2**20:.0f} MiB ({info.tickets} tickets at that moment)")
        print(f"  kiosk issue latency, quiet:        p50 {statistics.median(q) * 1000:.1f} ms, "
              f"p99 {q[int(len(q) * 0.99) - 1] * 1000:.1f} ms")
        if b:
            print(f"  kiosk issue latency during backup: p50 {statistics.median(b) * 1000:.1f} ms, "
                  f"p99 {b[max(0, int(len(b) * 0.99) - 1)] * 1000:.1f} ms, {len(b)} tickets issued meanwhile")

        t = time.perf_counter()
        result = retention.purge(desk.sessions, 365)
        print(f"retention purge: {result.tickets} tickets, {result.step_notes} step notes in "
              f"{time.perf_counter() - t:.2f} s")
        database.engine.dispose()

        if args.pg:
            import psycopg

            from antrean.shared.store.copy_db import copy_database

            name = f"antrean_bench_{secrets.token_hex(4)}"
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            target = args.pg.rsplit("/", 1)[0] + "/" + name
            try:
                t = time.perf_counter()
                copied = copy_database(url, target)
                print(f"copy-db SQLite -> PostgreSQL: {copied.total} rows in {time.perf_counter() - t:.1f} s")
            finally:
                with psycopg.connect(args.pg, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
