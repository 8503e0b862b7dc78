"""What the benchmarks share: the machine they ran on, percentiles, and real `antrean serve`
processes on a fresh SQLite or PostgreSQL database (with Redis as the message queue when there
are several processes).

Not a benchmark itself; the scripts beside it import it.
"""
from __future__ import annotations

import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = os.environ.get("ANTREAN_BENCH_PG", os.environ.get("ANTREAN_TEST_PG",
                                                                  "postgresql://postgres@127.0.0.1:5432/test"))
REDIS_URL = os.environ.get("ANTREAN_BENCH_REDIS", "redis://127.0.0.1:6379/14")
BENCH_PASSWORD = "bench-password"


# -- the machine -----------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def pg_version(url: str = PG_ADMIN_URL) -> str:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:  # noqa: BLE001 - reported, not fatal
        return f"unreachable ({type(exc).__name__})"


def machine_lines(db: str | None = None) -> list[str]:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"machine   : {cpu_model()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        f"python    : {platform.python_version()} ({sys.executable})",
        f"sqlite    : {sqlite3.sqlite_version}",
    ]
    if db in (None, "postgresql"):
        lines.append(f"postgresql: {pg_version()}")
    lines.append(f"load avg  : {load} (1, 5, 15 min; other work on this machine shows here)")
    lines.append(f"date      : {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    return lines


def print_machine(db: str | None = None, title: str = "") -> None:
    if title:
        print(title)
    for line in machine_lines(db):
        print("  " + line)
    sys.stdout.flush()


# -- figures ---------------------------------------------------------------------------------


def pct(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) by the nearest-rank method; nan for no values."""
    if not values:
        return float("nan")
    xs = sorted(values)
    k = max(0, min(len(xs) - 1, int(round(p / 100 * len(xs) + 0.5)) - 1))
    return xs[k]


def summary_ms(values: Sequence[float]) -> str:
    """p50/p99/max of durations in seconds, as milliseconds."""
    if not values:
        return "no samples"
    return (f"p50 {pct(values, 50) * 1000:.2f} ms, p99 {pct(values, 99) * 1000:.2f} ms, "
            f"max {max(values) * 1000:.2f} ms (n={len(values)})")


def cpu_seconds(pid: int) -> float:
    """User+system CPU time of a process (Linux /proc), 0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- a real office on real server processes ----------------------------------------------------


class Office:
    """A fresh database with demo lokets and users, and ``processes`` `antrean serve` processes on it.

    ``db`` is ``sqlite`` (one file in a temporary instance folder) or ``postgresql`` (a fresh
    database on ``PG_ADMIN_URL``, dropped at the end). Several processes need PostgreSQL and share
    Redis (``REDIS_URL``) as Flask-SocketIO's message queue on a channel of their own.
    """

    def __init__(self, db: str = "sqlite", processes: int = 1, printer: str = "file",
                 speech: str = "on", keep: bool = False, extra_env: dict[str, str] | None = None):
        if db not in ("sqlite", "postgresql"):
            raise SystemExit("--db must be sqlite or postgresql")
        if processes > 1 and db != "postgresql":
            raise SystemExit("several processes need --db postgresql (and Redis)")
        self.db, self.processes, self.keep = db, processes, keep
        self.tmp = Path(tempfile.mkdtemp(prefix="antrean-bench-"))
        self.pg_name: str | None = None
        if db == "postgresql":
            import psycopg

            self.pg_name = f"antrean_bench_{secrets.token_hex(4)}"
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.pg_name}"')
            self.url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.pg_name
        else:
            self.url = f"sqlite:///{self.tmp / 'antrean.db'}"
        printer_url = {"file": f"file://{self.tmp / 'printed'}/", "none": "none"}.get(printer, printer)
        self.env = {**os.environ, "ANTREAN_INSTANCE": str(self.tmp), "DATABASE_URL": self.url,
                    "SECRET_KEY": secrets.token_hex(16), "ANTREAN_PRINTER": printer_url,
                    "ANTREAN_ALWAYS_OPEN": "1", "ANTREAN_SPEECH": speech, "PYTHONUNBUFFERED": "1",
                    # every simulated kiosk comes from 127.0.0.1: the per-address issue limit stays on
                    # (its cost is measured) but high enough never to refuse the load
                    "ANTREAN_ISSUE_LIMIT": "10000000 per minute",
                    # ... and every simulated display: the per-address socket cap likewise
                    "ANTREAN_SOCKET_CONNECTIONS": "100000",
                    **(extra_env or {})}
        if processes > 1:
            self.env["REDIS_URL"] = REDIS_URL
            self.env["ANTREAN_SOCKETIO_CHANNEL"] = f"antrean-bench-{secrets.token_hex(4)}"
        self.ports: list[int] = []
        self.procs: list[subprocess.Popen] = []
        # how a server process is started: `antrean serve` (bench/soak.py runs it under an observer)
        self.server_argv: list[str] = [sys.executable, "-m", "antrean.shared.cli.main"]
        if threading.current_thread() is threading.main_thread():  # `kill` cleans up too
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        self._logs: list[Any] = []
        from antrean.shared.bootstrap import open_database

        database = open_database(self.url)
        self.engine = database.engine
        self.sessions = database.sessions

    # set-up before the servers start (the bench process writes the database directly)

    def add_staff(self, lokets: int = 3) -> list[dict[str, Any]]:
        """Demo users, plus one loket, one clerk and one API token per loket up to ``lokets``.

        Returns ``[{"loket": n, "username": u, "password": p, "token": t}, ...]``."""
        from sqlalchemy import select
        from werkzeug.security import generate_password_hash

        from antrean.shared.services.demo import create_demo
        from antrean.shared.services.tokens import create_token
        from antrean.shared.store.db import transaction
        from antrean.shared.store.models import Loket, User

        cheap = lambda pw: generate_password_hash(pw, method="pbkdf2:sha256:1000")  # noqa: E731
        create_demo(self.sessions, hasher=cheap)
        from antrean.shared.domain.catalogue import load_catalogue
        from antrean.shared.domain.queue import desk_step

        desk_roles = sorted({"petugas_pelayanan"} | {step.actor for service in load_catalogue().services.values()
                                                     if (step := desk_step(service.steps)) is not None
                                                     and step.actor != "pemohon"})
        clerks = []
        with transaction(self.sessions) as s:
            for n in range(1, lokets + 1):
                loket = s.scalar(select(Loket).where(Loket.number == n))
                if loket is None:
                    loket = Loket(number=n, name=f"Loket {n}", groups=[], active=True)
                    s.add(loket)
                    s.flush()
                else:
                    loket.groups = []  # every bench loket serves every service
                username = f"bench{n:02d}"
                # a bench loket serves every service, so its clerk holds every desk role: a desk step of
                # Tim Teknis (OSS) is offered to no one else, and its tickets would pile up uncalled
                s.add(User(username=username, full_name=f"Petugas {n}", password_hash=cheap(BENCH_PASSWORD),
                           roles=desk_roles, active=True, loket_id=loket.id))
                clerks.append({"loket": n, "username": username, "password": BENCH_PASSWORD})
        for c in clerks:
            c["token"] = create_token(self.sessions, f"bench-{c['username']}", "api", c["username"])
        return clerks

    def issue_waiting(self, count: int, services: Sequence[str] | None = None) -> None:
        """``count`` waiting tickets, issued through the service layer, their print jobs done."""
        from sqlalchemy import update

        from antrean.shared.bootstrap import open_office
        from antrean.shared.store.db import transaction
        from antrean.shared.store.models import PrintJob

        desk = open_office({"ALWAYS_OPEN": True}, sessions=self.sessions)
        codes = list(services or desk.catalogue.services)
        for i in range(count):
            desk.issue_ticket(codes[i % len(codes)])
        with transaction(self.sessions) as s:
            s.execute(update(PrintJob).values(status="printed"))

    # the servers

    def start(self) -> Office:
        for i in range(self.processes):
            port = free_port()
            log = (self.tmp / f"server-{i + 1}.log").open("ab")
            proc = subprocess.Popen([*self.server_argv, "serve", "--host", "127.0.0.1", "--port", str(port)],
                                    env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            self.ports.append(port)
            self.procs.append(proc)
            self._logs.append(log)
        for port, proc in zip(self.ports, self.procs, strict=True):
            self._wait_ready(port, proc)
        return self

    def _wait_ready(self, port: int, proc: subprocess.Popen) -> None:
        deadline = time.time() + 60
        while time.time() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"server exited:\n{self.server_log()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/api/v1/services")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"server on port {port} did not start:\n{self.server_log()}")

    def server_log(self) -> str:
        return "\n".join((self.tmp / f"server-{i + 1}.log").read_text(errors="replace")[-3000:]
                         for i in range(len(self.procs)) if (self.tmp / f"server-{i + 1}.log").exists())

    def server_cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.procs)

    def describe(self) -> str:
        mq = " + Redis message queue" if self.processes > 1 else ""
        return f"{self.processes} `antrean serve` process(es) on {self.db}{mq}"

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        for log in self._logs:
            log.close()
        self.engine.dispose()
        if self.pg_name:
            import psycopg

            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
        if self.keep:
            print(f"kept: {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> Office:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def login_cookie(port: int, username: str, password: str) -> str:
    """Log in through the real login form (with its CSRF token); returns the Cookie header."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/counter/login")
    resp = conn.getresponse()
    page = resp.read().decode()
    cookie = (resp.getheader("Set-Cookie") or "").split(";", 1)[0]
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    from urllib.parse import urlencode

    body = urlencode({"username": username, "password": password, "csrf_token": match.group(1) if match else ""})
    conn.request("POST", "/counter/login", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    resp = conn.getresponse()
    resp.read()
    if resp.status != 302:
        raise SystemExit(f"login of {username} failed: HTTP {resp.status}")
    cookie = (resp.getheader("Set-Cookie") or cookie).split(";", 1)[0]
    conn.close()
    return cookie


def post_json(conn: http.client.HTTPConnection, path: str, body: dict, headers: dict | None = None
              ) -> tuple[int, dict]:
    data = json.dumps(body).encode()
    conn.request("POST", path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
    resp = conn.getresponse()
    raw = resp.read()
    try:
        return resp.status, json.loads(raw)
    except ValueError:
        return resp.status, {"raw": raw[:200].decode(errors="replace")}
