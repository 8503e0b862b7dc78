"""Redis restarted under two server processes (PostgreSQL + Redis message queue): the processes
stay up, the counter keeps working while Redis is away, and once it is back a call made on
process 1 reaches a display connected to process 2 again. A private redis-server on a free port
is killed and started again (the shared Redis of the machine is left alone)."""
from __future__ import annotations

import time

import psycopg
import pytest
import requests

from tests.support.clients import DisplayClient, Staff
from tests.support.live_server import LiveServer, redis_pair_env, start_pair


@pytest.mark.postgres
@pytest.mark.redis
def test_redis_restart_under_two_processes(tmp_path, pg_url, private_redis):
    env = redis_pair_env(private_redis.url, DATABASE_URL=pg_url, SECRET_KEY="shared-secret-for-both")
    one, two = (LiveServer(tmp_path / f"p{n}", env) for n in (1, 2))
    for s in (one, two):
        s.tmp.mkdir()
    start_pair(one, two)
    display = None
    try:
        display = DisplayClient(two.url)
        clerk = Staff(one, "pelayanan1")

        def issue_and_call() -> str:
            number = requests.post(f"{one.url}/api/v1/tickets", json={"service": "ktp"}, timeout=10).json()["number"]
            page = clerk.post("/counter/call-next", {"force": "1"})  # one after another: "Panggil tetap"
            assert f'data-ticket="{number}"' in page
            return number

        first = issue_and_call()
        assert display.got_call.wait(5) and display.calls[-1]["number"] == first

        private_redis.kill()
        # Redis is away: kiosk and counter go on (the database holds the truth); nothing crashes.
        during = [issue_and_call() for _ in range(2)]
        assert one.proc.poll() is None and two.proc.poll() is None

        private_redis.start()  # the same port, an empty Redis
        display.got_call.clear()
        after = []
        deadline = time.monotonic() + 40  # the queue listens again within a second (shared/realtime/redis_queue.py)
        while time.monotonic() < deadline and not display.got_call.is_set():
            after.append(issue_and_call())
            display.got_call.wait(1)
        assert display.got_call.is_set(), "no call reached process 2 after Redis came back"
        assert display.calls[-1]["number"] in after
        # From now on every call arrives, in order.
        seen = len(display.calls)
        more = [issue_and_call() for _ in range(3)]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(display.calls) < seen + 3:
            time.sleep(0.05)
        assert [c["number"] for c in display.calls[seen:]] == more
        # The display's state is true again too (a fresh snapshot holds every call made meanwhile).
        snap = display.sio.call("snapshot", namespace="/display", timeout=5)
        assert snap["waiting"]["adminduk"] == 0
        assert one.proc.poll() is None and two.proc.poll() is None
        with psycopg.connect(pg_url) as conn:
            called = conn.execute("SELECT count(*) FROM tickets WHERE status='called'").fetchone()[0]
        assert called == 1 + len(during) + len(after) + len(more)
        assert "Cannot receive from redis" in two.log.read_text()  # the outage was seen, and survived
    finally:
        if display is not None:
            display.close()
        one.stop()
        two.stop()
