"""A long day does not drift: two minutes of bench/soak.py against a real `antrean serve` (20
displays, 10 counters with their sockets, kiosks, every ticket through every SOP step of its
service). Nothing the server holds grows without bound and every display gets every call.

Bounds, not speeds: on a loaded 2-core CI machine the run does less work, never different work.
The hour-long curve is in docs/performance.md ("Soak").
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from tests.support.env import ROOT

# after warm-up (the first 40 s: caches, the pool, the speech cache fill), to the end of two minutes
FD_BOUND = 3  # open files: one per client connection, the database, the log; nothing per request
THREAD_BOUND = 1  # OS threads: gevent's hub, and at most one of its pool's threads more
GREENLET_BOUND = 25  # one greenlet per connection and per background task; not one per request
MEMORY_BOUND_MB = 12  # memory growth over the second minute (least-squares slope x its length)


def test_a_two_minute_office_day_keeps_files_threads_greenlets_and_memory_flat_and_misses_no_call(tmp_path):
    result = tmp_path / "soak.json"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "soak.py"), "--minutes", "2", "--sample", "10", "--warmup", "40",
         "--rate", "1", "--speech", "tone", "--speech-cache-mb", "1", "--drain", "90", "--json", str(result)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.exists(), out.stdout[-4000:] + out.stderr[-4000:]
    soak = json.loads(result.read_text())
    shown = out.stdout[-3000:]

    # the office worked: tickets walked to their end by the staff API, calls of every kind
    assert soak["errors"] == {}, shown
    assert soak["finished"].get("done", 0) > 0 and soak["finished"].get("returned", 0) > 0, shown
    assert soak["steps"] >= 4 * soak["finished"]["done"], shown  # every staff step, not just the call
    assert {"call", "pickup"} <= set(soak["calls"]), shown

    # no call missed, none twice, on any of the 20 displays or the 10 counters' sockets
    assert len(soak["display_missed"]) == 20 and len(soak["counter_missed"]) == 10
    assert soak["missed"] == 0 and soak["twice"] == 0, shown

    samples = [s for s in soak["samples"] if not s.get("final")]
    base = next(s for s in samples if s["t"] >= soak["warmup"])
    last = samples[-1]
    assert last["t"] - base["t"] >= 60, shown  # a minute and more measured after warm-up
    assert max(s["fds"] for s in samples if s["t"] >= base["t"]) - base["fds"] <= FD_BOUND, shown
    assert max(s["threads"] for s in samples if s["t"] >= base["t"]) - base["threads"] <= THREAD_BOUND, shown
    assert last["greenlets"] - base["greenlets"] <= GREENLET_BOUND, shown
    memory = next(c for c in soak["checks"] if c["what"] == "memory")
    second_half = [(s["t"], s["rss_mb"]) for s in samples if s["t"] >= max(soak["warmup"], last["t"] / 2)]
    growth = _slope(second_half) * (second_half[-1][0] - second_half[0][0])
    assert growth <= MEMORY_BOUND_MB, memory["figures"]
    # the speech cache (one WAV per new phrase) is trimmed to its limit, here 1 MB (ANTREAN_SPEECH_CACHE_MB)
    assert max(s["audio_mb"] for s in soak["samples"]) <= 1.05, shown
    assert next(c for c in soak["checks"] if c["what"] == "speech cache")["flat"], shown
    # the finished day: after the last ticket the same connections are open as during the day
    final = soak["samples"][-1]
    assert final["fds"] - base["fds"] <= FD_BOUND and final["threads"] - base["threads"] <= THREAD_BOUND, shown


def _slope(points: list[tuple[float, float]]) -> float:
    n = len(points)
    mt = sum(t for t, _ in points) / n
    mv = sum(v for _, v in points) / n
    return sum((t - mt) * (v - mv) for t, v in points) / sum((t - mt) ** 2 for t, _ in points)


def _soak_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_soak", ROOT / "bench" / "soak.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_soak_verdict_flags_a_slow_leak_that_a_short_glance_would_miss():
    soak = _soak_module()
    args = argparse.Namespace(rss_tol=16, fd_tol=4, thread_tol=2, greenlet_tol=30, minutes=60, sample=30)
    # an hour sampled every 30 s: memory levels off, but one open file leaks every 5 minutes
    samples = [{"t": t, "rss_mb": 130 + min(t, 300) / 60, "fds": 84 + t // 300, "threads": 2, "greenlets": 135,
                "steps": t // 10} for t in range(0, 3601, 30)]
    checks = {what: flat for what, flat, _ in soak.verdict(samples, args, warm=360)}
    assert checks == {"memory": True, "open files": False, "threads": True, "greenlets": True, "work": True}
    # memory creeping by 30 MB an hour fails too, even with every other figure flat
    samples = [{**s, "fds": 84, "rss_mb": 130 + s["t"] / 120} for s in samples]
    checks = {what: flat for what, flat, _ in soak.verdict(samples, args, warm=360)}
    assert checks == {"memory": False, "open files": True, "threads": True, "greenlets": True, "work": True}


def test_the_soak_verdict_flags_a_day_that_stalled_however_flat_its_memory():
    soak = _soak_module()
    args = argparse.Namespace(rss_tol=16, fd_tol=4, thread_tol=2, greenlet_tol=30, minutes=60, sample=30)
    # nothing grows, and nothing is done after minute 25 (the kiosks held back, no counter could call)
    samples = [{"t": t, "rss_mb": 140, "fds": 84, "threads": 2, "greenlets": 135, "steps": min(t, 1500) // 10}
               for t in range(0, 3601, 30)]
    found = {what: (flat, figures) for what, flat, figures in soak.verdict(samples, args, warm=360)}
    assert found["work"] == (False, "longest stretch without an SOP step 2100 s (allowed 120 s)")
    assert all(flat for what, (flat, _f) in found.items() if what != "work")
