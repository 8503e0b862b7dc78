"""Redis is optional at run time: two `antrean serve` processes (one SQLite file) with REDIS_URL on a
private redis-server that is killed. Staff still log in through the form and use the staff API (the
login limiter counts in the process's memory, and says so once in the log); failed logins are still
limited. When Redis is back, the other process's display is up to date within 2 s, and the next call
reaches it. (The message queue across a restart on PostgreSQL: tests/faults/test_redis_restart.py.)"""
from __future__ import annotations

import base64
import re
import time

import pytest
import requests

from tests.support.clients import DisplayClient, Staff
from tests.support.live_server import LiveServer, redis_pair_env, start_pair
from tests.support.security import TOO_MANY


def basic(server, username, password=None):
    token = base64.b64encode(f"{username}:{password or server.passwords[username]}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def form_login(server, username, password):
    http = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', http.get(f"{server.url}/counter/login", timeout=10).text)
    return http.post(f"{server.url}/counter/login", allow_redirects=False, timeout=10,
                     data={"csrf_token": token.group(1), "username": username, "password": password})


@pytest.mark.redis
def test_with_redis_down_staff_log_in_and_use_the_staff_api(tmp_path, private_redis):
    env = redis_pair_env(private_redis.url, SECRET_KEY="s")
    # two processes on one SQLite file: calls on one, the display on two
    one, two = LiveServer(tmp_path, env), LiveServer(tmp_path, env)
    two.log = tmp_path / "server2.log"
    start_pair(one, two)
    display = None
    try:
        display = DisplayClient(two.url)
        assert requests.get(f"{one.url}/api/v1/staff/me", headers=basic(one, "kasi"), timeout=10).ok
        private_redis.kill()
        down_since = time.monotonic()

        # the login form and the staff API (HTTP Basic) work: no 500 from the limiter's storage
        clerk = Staff(one, "pelayanan1")  # asserts the 302 of a successful login
        me = requests.get(f"{one.url}/api/v1/staff/me", headers=basic(one, "camat"), timeout=10)
        assert me.status_code == 200 and me.json()["username"] == "camat"
        for _ in range(3):
            requests.post(f"{one.url}/api/v1/tickets", json={"service": "ktp"}, timeout=10).raise_for_status()
        called = requests.post(f"{one.url}/api/v1/staff/call-next", json={"loket": 1},
                               headers=basic(one, "pelayanan1"), timeout=10)
        assert called.status_code == 200 and called.json()["ticket"]["number"] == "A001"

        # failed logins are still limited, counted in the process's memory
        for _ in range(5):
            assert form_login(one, "kasi", "salah").status_code == 200
        refused = form_login(one, "kasi", one.passwords["kasi"])
        assert refused.status_code == 429 and TOO_MANY in refused.text
        for _ in range(5):
            assert requests.get(f"{one.url}/api/v1/staff/me", headers=basic(one, "sekcam", "salah"),
                                timeout=10).status_code == 401
        assert requests.get(f"{one.url}/api/v1/staff/me", headers=basic(one, "sekcam"), timeout=10).status_code == 429
        log = one.log.read_text()
        assert log.count("falling back to in-memory storage") == 1, log  # said once, not per request

        # Redis is back after an outage of some seconds (python-socketio and the nudges alone would
        # next listen after 1 + 2 + 4 + 8 s). Within 2 s the display on process two gets a fresh
        # snapshot with what changed on process one meanwhile ...
        time.sleep(max(0.0, 9.0 - (time.monotonic() - down_since)))
        truth = display.sio.call("snapshot", namespace="/display", timeout=5)["waiting"]
        assert truth["adminduk"] == 2
        seen = len(display.snapshots)
        private_redis.start()
        assert display.wait(lambda: any(s["waiting"] == truth for s in display.snapshots[seen:]), timeout=2.5), \
            "process two's display was not brought up to date within 2 s of Redis returning"
        # ... and the next call on process one reaches it as a call (the chime, the flash)
        time.sleep(0.5)
        seen = len(display.calls)
        clerk.post("/counter/call-next", {"force": "1"})  # A001 is still called there: "Panggil tetap"
        assert display.wait(lambda: any(c["number"] == "A002" for c in display.calls[seen:]), timeout=2.0), \
            "a call on process one did not reach process two's display"
        assert one.proc.poll() is None and two.proc.poll() is None
    finally:
        if display is not None:
            display.close()
        one.stop()
        two.stop()
