"""A real ``antrean serve`` (gevent) on 127.0.0.1 in a subprocess, with its own instance folder,
and the polling helpers the tests against it use."""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.support.env import ROOT


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
                    # tests take many tickets from one address (the limit: tests/web/test_fair_use.py)
                    "ANTREAN_ISSUE_LIMIT": "100000 per minute",
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


def bookable_today_catalogue(tmp: Path) -> Path:
    """The Kampak catalogue with the office open from five minutes from now to 23:59 every day, so
    today's first session can be booked whatever the hour of the real clock (the browser tests of
    booking). Skips in the day's last 20 minutes: no session is left to book."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    import pytest
    import yaml

    now = datetime.now(ZoneInfo("Asia/Jakarta"))
    if now.hour == 23 and now.minute >= 40:
        pytest.skip("the office day ends in a few minutes: no session to book")  # 20 minutes a day
    data = yaml.safe_load((ROOT / "shared" / "domain" / "kampak.yaml").read_text(encoding="utf-8"))
    opens = (now + timedelta(minutes=5)).strftime("%H:%M")
    data["office"]["hours"] = {day: f"{opens}-23:59" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    path = tmp / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def redis_pair_env(redis_url: str, **extra: str) -> dict:
    """The environment of two server processes sharing one private Redis (on a channel of their own)."""
    return {"REDIS_URL": redis_url, "ANTREAN_SOCKETIO_CHANNEL": f"antrean-test-{secrets.token_hex(4)}",
            "ANTREAN_PRINTER": "none", **extra}


def start_pair(one: LiveServer, two: LiveServer) -> None:
    """The demo office on ``one``'s database (``two`` shares it and its passwords), both started."""
    one.create_demo()
    two.passwords = one.passwords
    one.start()
    two.start()


def wait_for(predicate, timeout: float = 5.0, step: float = 0.02):
    """Poll ``predicate`` until it gives a true value, for at most ``timeout`` seconds; return its
    last value (false when time ran out: ``assert wait_for(...), "why"``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def wait_until(predicate, timeout: float = 5.0, step: float = 0.05):
    """``wait_for`` that fails the test when time runs out, and returns the true value otherwise."""
    value = wait_for(predicate, timeout, step)
    if not value:
        raise AssertionError(f"not within {timeout} s")
    return value
