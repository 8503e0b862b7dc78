"""The benchmark scripts stay runnable: each runs with tiny parameters against real servers and
prints its figure lines. Speed is not asserted here (bench/ and docs/performance.md are for that)."""
from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.support.env import PG_ADMIN_URL, REDIS_TEST_URL, ROOT, need
from tests.support.env import pg_available as _pg_available
from tests.support.env import redis_available as _redis_available


def run_bench(name: str, *args: str) -> str:
    env = {**os.environ, "ANTREAN_BENCH_PG": PG_ADMIN_URL, "ANTREAN_BENCH_REDIS": REDIS_TEST_URL}
    env.pop("DATABASE_URL", None)
    out = subprocess.run([sys.executable, str(ROOT / "bench" / name), *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "machine   :" in out.stdout and "load avg" in out.stdout
    return out.stdout


def test_issue_prints_latency_and_throughput():
    out = run_bench("issue.py", "--seconds", "0.5", "--single-rate", "10", "--kiosks", "2", "--rate", "10",
                    "--clients", "2", "--client-procs", "1", "--warmup", "2")
    assert "1 kiosk, open loop at 10 tickets/s" in out
    assert "2 kiosks, open loop at 10 tickets/s together" in out
    assert "throughput:" in out and "tickets/s" in out
    assert out.count("latency  : p50") == 3 and "errors 0" in out
    assert "floor     : a 404 through the same server at 10 requests/s: p50" in out


def test_issue_queue_prints_cpu_per_ticket_at_each_size():
    for extra in ((), ("--no-display-feed",)):
        out = run_bench("issue_queue.py", "--sizes", "30,60", "--tickets", "5", *extra)
        assert "waiting    25 ->    30: " in out and "waiting    55 ->    60: " in out
        assert out.count("ms CPU a ticket (5 tickets)") == 2
        assert ("display feed: off" in out) == bool(extra)


def test_call_display_prints_latency_and_loses_no_call():
    out = run_bench("call_display.py", "--displays", "3", "--counters", "2", "--calls", "4", "--rate", "10",
                    "--display-procs", "1", "--speech", "off")
    assert "clients   : 3 displays in 1 processes, 2 counters (logged in)" in out
    assert "4 calls at 10/s from 2 counters; errors 0" in out
    assert "call -> display : p50" in out and "lost 0 of 12" in out


def test_history_seeds_and_times_every_operation():
    out = run_bench("history.py", "--levels", "0,300", "--ops", "3", "--per-day", "100",
                    "--index", 'CREATE INDEX ix_bench_smoke ON tickets ("group", called_at)')
    assert "history         0 tickets on sqlite" in out and "history       300 tickets on sqlite" in out
    for name in ("kiosk issue", "waiting list", "display snapshot", "find ticket", "call next"):
        assert out.count(name) == 4, name  # two levels, without and with the index
    assert "with index" in out


def test_several_processes_on_postgresql_and_redis():
    need(_pg_available(), f"PostgreSQL is not reachable at {PG_ADMIN_URL}")
    need(_redis_available(), f"Redis is not reachable at {REDIS_TEST_URL}")
    out = run_bench("call_display.py", "--db", "postgresql", "--processes", "2", "--displays", "4",
                    "--counters", "2", "--calls", "4", "--rate", "10", "--display-procs", "2", "--speech", "off")
    assert "2 `antrean serve` process(es) on postgresql + Redis message queue" in out
    assert "lost 0 of 16" in out  # every display got every call, whichever process it was on
    out = run_bench("issue.py", "--db", "postgresql", "--processes", "2", "--seconds", "0.5", "--kiosks", "2",
                    "--rate", "10", "--clients", "2", "--client-procs", "1", "--warmup", "2")
    assert "throughput:" in out and "errors 0" in out
    out = run_bench("history.py", "--db", "postgresql", "--levels", "200", "--ops", "2", "--per-day", "100")
    assert "history       200 tickets on postgresql" in out and "call next" in out


def test_print_path_prints_cpu_per_printed_ticket():
    out = run_bench("print_path.py", "--tickets", "5", "--single", "3", "--renders", "5", "--top", "5")
    assert "burst     : " in out and " ms CPU per ticket (5 tickets, " in out
    assert "single    : " in out and " ms CPU per ticket (3 tickets, " in out
    assert "layout    : " in out and "file write: " in out
    assert "printed   : 12 files for 12 tickets" in out  # each ticket exactly once
    assert "profile   : one burst of 5 tickets, top 5 by tottime" in out and "ncalls" in out


def test_flood_prints_the_kiosk_memory_and_log_figures():
    out = run_bench("flood.py", "--seconds", "1", "--before", "0.6", "--after", "1.2", "--recovery", "0.4")
    assert "flood     : 1 s from 1 address(es), " in out and "dropped by the server" in out
    for phase in ("before flood", "during flood", "0-0.4 s after flood", "from 0.4 s after flood"):
        assert f"kiosk {phase}" in out and "p99" in out
    assert "kiosk errors: 0 of" in out
    assert "memory    : " in out and "growth" in out and "log       : grew" in out
    assert "server CPU: " in out and " during it, " in out
    assert "targets   : kiosk p99 during flood <= 250 ms: " in out


def test_notify_prints_call_to_gateway_latency_and_loses_no_message():
    out = run_bench("notify.py", "--calls", "4", "--gap", "0")
    assert "call -> whatsapp (HTTP): p50" in out and "call -> e-mail (SMTP)  : p50" in out
    assert "lost 0; messages received 4 (one per call: True)" in out


def test_booking_prints_latency_and_the_quota_holds():
    out = run_bench("booking.py", "--bookers", "4", "--bookings", "3", "--interval", "0.2", "--quota", "2",
                    "--warmup", "2")
    assert "4 bookers, 3 bookings each, one every 0.2 s (open loop)" in out
    assert "target   : p99 <= 50 ms:" in out and "throughput" in out
    assert "race      : 4 bookers for one session of quota 2: booked 2, refused 2, errors 0" in out
    assert "quota    : held" in out
    sent = re.search(r"(\d+) with a WhatsApp number", out)
    assert sent and f"messages  : {sent.group(1)} of {sent.group(1)} confirmations at the gateway, each once" in out
