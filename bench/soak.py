"""Soak: a long office day at high speed against a real `antrean serve`, watching that nothing drifts.

    .venv/bin/python bench/soak.py [--minutes 60] [--db sqlite|postgresql] [--displays 20]
        [--counters 10] [--kiosks 3] [--rate 0.5] [--work 0.3] [--sample 30] [--speech on]

What runs (all against one `antrean serve` process, the command the README starts, here under
bench/soak_probe.py, which adds one observer greenlet that counts greenlets and objects):
- ``--displays`` waiting-room displays: python-socketio clients on ``/display`` in a process of
  their own, each recording every ``call`` it receives;
- ``--counters`` counters: one loket each, a clerk (``petugas_pelayanan``) logged in through the
  login form with a ``/counter`` socket open, working through the staff API with a device token;
  the SOP steps of other actors (verifikasi, register, Kasi, Sekcam, Camat, tim teknis, pengolah
  data, tim pengaduan) are done by those users' tokens, each step by its catalogue actor;
- ``--kiosks`` kiosks taking tickets of every service (some priority) at ``--rate`` tickets/s in
  all, holding back while more than ``--max-waiting`` are waiting (a busy but not endless queue).

Every ticket is called and walked through every step of its service: arrival, then each staff step
in the catalogue's order (the receiving step records an applicant; the decision is MS, or TMS for
``--tms`` of them with a missing document), with a pickup call before the hand-over. ``--recall``
of the calls are repeated; ``--no-show`` of the called applicants do not come (back to the queue
once, then dropped). A counter waits ``--work`` seconds before each action.

The server has no clock override, so the run stays within one office day (``ANTREAN_ALWAYS_OPEN``:
any hour): a long day with thousands of tickets, not several days.

Every ``--sample`` seconds a row: the server's resident memory, open files (/proc/<pid>/fd),
OS threads, greenlets and garbage-collected objects (from the probe), its log's size, tickets
issued and finished, calls made and the fewest and most any display had received. At the end:
the verdict. Flat means the least-squares slope over the second half of the run, times the second
half's length, stays within ``--rss-tol`` MB / ``--fd-tol`` / ``--thread-tol`` / ``--greenlet-tol``,
and the last value is within the same bound of the value after warm-up; no missed call means every
display (and every counter socket) received every call made (a call = ticket and kind: call,
recall, pickup), none twice, and no request failed.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import json
import multiprocessing
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, Office, login_cookie, print_machine  # noqa: E402

NIK = "3503124507540001"
CallKey = tuple[int, str]


# -- the server, seen from outside -------------------------------------------------------------


# A complaint as the Pengaduan forms take it, and the reason a clerk gives to hand over without the code.
COMPLAINT = {"channel": "langsung", "text": "Lampu jalan di depan balai desa mati sejak dua minggu.",
             "outcome": "Berita acara: desa memperbaiki lampu jalan dalam tujuh hari.", "lapor_number": ""}
WAIVER = "Identitas pemohon diperiksa dengan KTP (uji beban)"

def proc_status(pid: int) -> dict[str, int]:
    """VmRSS (kB) and Threads from /proc/<pid>/status, and the number of open files."""
    out = {"rss_kb": 0, "threads": 0, "fds": 0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out["rss_kb"] = int(line.split()[1])
            elif line.startswith("Threads:"):
                out["threads"] = int(line.split()[1])
        out["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    except (OSError, ValueError):
        pass
    return out


def slope_per_s(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (t, value) points; 0 for fewer than two."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mt = sum(t for t, _ in points) / n
    mv = sum(v for _, v in points) / n
    den = sum((t - mt) ** 2 for t, _ in points)
    return sum((t - mt) * (v - mv) for t, v in points) / den if den else 0.0


# -- the displays: a process of their own -------------------------------------------------------


def _call_time(at: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(at).timestamp()


def _display_process(url: str, count: int, ready, stop, seen_counts, connects, out) -> None:
    """``count`` displays on ``/display``; every call each receives, counted by (ticket, kind).

    Each behaves as display/static/display.js does: after a lost connection, the snapshot sent on
    reconnect is a resync, and the calls in its ``recent`` list that this display has not had, newer
    than the newest it had and at most 2 minutes old, are taken as calls (the page announces them);
    those are counted as received, and as caught up."""
    import socketio

    received: list[collections.Counter] = [collections.Counter() for _ in range(count)]
    caught_up = [0] * count
    links: list[list[tuple[str, float]]] = [[] for _ in range(count)]  # ("connect"|"disconnect", time)

    async def run() -> None:
        clients = []
        for i in range(count):
            sio = socketio.AsyncClient(reconnection=True, reconnection_delay=0.5)
            seen: set[tuple] = set()
            state = {"resync": False, "newest": None}

            def handlers(i: int = i, sio: Any = sio, seen: set = seen, state: dict = state) -> None:
                def take(c: dict) -> bool:
                    key = (c.get("ticket_id"), c.get("kind"), c.get("at"))
                    if key in seen:
                        return False
                    seen.add(key)
                    at = _call_time(c["at"])
                    state["newest"] = at if state["newest"] is None else max(state["newest"], at)
                    received[i][key[:2]] += 1
                    seen_counts[i] += 1
                    return True

                @sio.on("call", namespace="/display")
                async def on_call(data):
                    take(data)

                @sio.on("snapshot", namespace="/display")
                async def on_snapshot(snap):
                    if state["resync"]:  # display.js catchUp()
                        state["resync"] = False
                        now, newest = _call_time(snap["at"]), state["newest"]
                        for c in reversed(snap.get("recent") or []):
                            key = (c.get("ticket_id"), c.get("kind"), c.get("at"))
                            at = _call_time(c["at"])
                            if key not in seen and (newest is None or at > newest) and now - at <= 120:
                                caught_up[i] += take(c)
                    elif state["newest"] is None:  # first load: what is on the screen, nothing to announce
                        for c in snap.get("recent") or []:
                            seen.add((c.get("ticket_id"), c.get("kind"), c.get("at")))
                            at = _call_time(c["at"])
                            state["newest"] = at if state["newest"] is None else max(state["newest"], at)

                @sio.on("connect", namespace="/display")
                async def on_connect():
                    connects[i] += 1
                    links[i].append(("connect", time.time()))

                @sio.on("disconnect", namespace="/display")
                async def on_disconnect(*_reason):
                    state["resync"] = True
                    links[i].append(("disconnect", time.time()))

            handlers()
            clients.append(sio)
        for i in range(0, count, 5):  # a few at a time: every connect costs the server a snapshot
            await asyncio.gather(*(c.connect(url, transports=["websocket"], namespaces=["/display"],
                                             wait_timeout=30) for c in clients[i:i + 5]))
        ready.put(count)
        while not stop.is_set():
            await asyncio.sleep(0.1)
        for lk in links:
            lk.append(("stop", time.time()))
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)

    asyncio.run(run())
    out.put({"received": [dict(r) for r in received], "links": links, "caught_up": caught_up})


# -- the office at work ---------------------------------------------------------------------------


@dataclass
class Tally:
    issued: int = 0
    priority: int = 0
    called: set[int] = field(default_factory=set)
    finished: collections.Counter = field(default_factory=collections.Counter)  # done / returned / no_show
    waiting: int = 0  # issued, not called (again)
    requeued: int = 0
    steps: int = 0
    made: collections.Counter = field(default_factory=collections.Counter)  # (ticket, kind) -> calls
    made_at: collections.defaultdict = field(default_factory=lambda: collections.defaultdict(list))  # key -> times
    errors: collections.Counter = field(default_factory=collections.Counter)  # "POST /path 500" -> n
    counter_seen: list[collections.Counter] = field(default_factory=list)
    counter_links: list[list[tuple[str, float]]] = field(default_factory=list)

    @property
    def calls(self) -> int:
        return sum(self.made.values())


class Work:
    """Kiosks and counters, on one asyncio loop, against the server at ``base``."""

    def __init__(self, args: argparse.Namespace, base: str, clerks: list[dict], role_tokens: dict[str, str],
                 cookies: list[str], services: list[str]):
        self.args, self.base, self.clerks, self.role_tokens = args, base, clerks, role_tokens
        self.cookies, self.services = cookies, services
        self.tally = Tally(counter_seen=[collections.Counter() for _ in clerks], counter_links=[[] for _ in clerks])
        self.rng = random.Random(args.seed)
        self.issuing = True
        self.working = True

    @staticmethod
    def device() -> Any:
        """A kiosk's or counter's own HTTP client: one keep-alive connection, as a real device has (so
        the server's open files count the devices, not a shared pool's momentary size)."""
        import aiohttp

        return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1))

    async def post(self, http: Any, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            async with http.post(self.base + path, json=body or {}, headers=headers) as resp:
                data = await resp.json(content_type=None)
                status = resp.status
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
            self.tally.errors[f"POST {path.split('/')[1] if path.count('/') > 1 else path} {type(exc).__name__}"] += 1
            return 0, {}
        if status >= 400:
            shape = "/".join("<id>" if p.isdigit() else p for p in path.split("/"))
            self.tally.errors[f"POST {shape} {status} {(data or {}).get('code')}"] += 1
        return status, data or {}

    # kiosks

    async def kiosk(self, k: int) -> None:
        async with self.device() as http:
            await self._kiosk(http, k)

    async def _kiosk(self, http: Any, k: int) -> None:
        gap = self.args.kiosks / self.args.rate
        await asyncio.sleep(gap * k / self.args.kiosks)
        while self.issuing:
            started = time.monotonic()
            if self.tally.waiting < self.args.max_waiting:
                body: dict[str, Any] = {"service": self.rng.choice(self.services)}
                if self.rng.random() < 0.05:
                    body.update(priority=True, priority_reason="lansia")
                status, _ = await self.post(http, "/api/v1/tickets", "", body)
                if status == 201:
                    self.tally.issued += 1
                    self.tally.waiting += 1
                    self.tally.priority += "priority" in body
            await asyncio.sleep(max(0.0, gap - (time.monotonic() - started)))

    # counters

    def made(self, ticket_id: int, kind: str) -> None:
        self.tally.made[(ticket_id, kind)] += 1
        self.tally.made_at[(ticket_id, kind)].append(time.time())

    async def counter(self, n: int) -> None:
        async with self.device() as http:
            await self._counter(http, n)

    async def _counter(self, http: Any, n: int) -> None:
        clerk = self.clerks[n]
        token = clerk["token"]
        rng = random.Random(self.args.seed * 1000 + n)
        await asyncio.sleep(n * 0.1)
        while self.working:
            status, data = await self.post(http, "/api/v1/staff/call-next", token)
            ticket = data.get("ticket") if status == 200 else None
            if not ticket:
                await asyncio.sleep(self.args.idle)
                continue
            tid = ticket["id"]
            self.made(tid, "call")
            self.tally.waiting -= 1
            self.tally.called.add(tid)
            await asyncio.sleep(self.args.work)
            if rng.random() < self.args.no_show:
                status, view = await self.post(http, f"/api/v1/staff/tickets/{tid}/no-show", token)
                state = (view.get("ticket") or view).get("status")
                if state == "waiting":
                    self.tally.requeued += 1
                    self.tally.waiting += 1
                else:
                    self.tally.finished["no_show"] += 1
                continue
            if rng.random() < self.args.recall:
                if (await self.post(http, f"/api/v1/staff/tickets/{tid}/recall", token, {"kind": "recall"}))[0] == 200:
                    self.made(tid, "recall")
                await asyncio.sleep(self.args.work)
            await self.post(http, f"/api/v1/staff/tickets/{tid}/arrive", token)
            tms = rng.random() < self.args.tms
            outcome = "stuck"
            for st in ticket["steps"][1:]:
                if st["actor"] == "pemohon":
                    break
                await asyncio.sleep(self.args.work)
                if st["kind"] == "handover":  # the result is ready: the applicant is called to collect it
                    if (await self.post(http, f"/api/v1/staff/tickets/{tid}/recall", token, {"kind": "pickup"}))[0] == 200:
                        self.made(tid, "pickup")
                body: dict[str, Any] = {}
                if st["kind"] == "receive":
                    body["applicant"] = {"name": f"Warga Soak {tid}", "nik": NIK, "address": "Desa Bendoagung RT 3",
                                         "phone": "081234567890"}
                if st["decision"]:
                    body.update({"decision": "TMS", "missing": ticket["documents"][:1], "note": "berkas kurang"}
                                if tms else {"decision": "MS"})
                if st.get("form"):  # a complaint's intake (channel, text) or its decision (the berita acara)
                    body["complaint"] = COMPLAINT
                if st["kind"] == "handover":  # the printed code is on paper the soak never reads: an audited waiver
                    body["waiver"] = WAIVER
                actor_token = token if st["actor"] == "petugas_pelayanan" else self.role_tokens[st["actor"]]
                status, view = await self.post(http, f"/api/v1/staff/tickets/{tid}/steps/{st['number']}", actor_token, body)
                if status != 200:
                    break
                self.tally.steps += 1
                shown = view.get("ticket") or view
                if shown.get("status") != "in_progress":
                    outcome = shown.get("status") or "stuck"
                    break
            self.tally.finished[outcome] += 1

    async def counter_sockets(self, connected: asyncio.Event, stop: asyncio.Event) -> None:
        import socketio

        clients = []
        for i, cookie in enumerate(self.cookies):
            sio = socketio.AsyncClient(reconnection=True, reconnection_delay=0.5)

            def handlers(i: int = i, sio: Any = sio) -> None:
                @sio.on("call", namespace="/counter")
                async def on_call(data):
                    self.tally.counter_seen[i][(data.get("ticket_id"), data.get("kind"))] += 1

                @sio.on("connect", namespace="/counter")
                async def on_connect():
                    self.tally.counter_links[i].append(("connect", time.time()))

                @sio.on("disconnect", namespace="/counter")
                async def on_disconnect(*_reason):
                    self.tally.counter_links[i].append(("disconnect", time.time()))

            handlers()
            # the headers as a function: python-engineio (4.15) takes a Cookie header out of the dict it
            # is given, so a reconnect from a dict would come without the session and be refused
            await sio.connect(self.base, transports=["websocket"], namespaces=["/counter"],
                              headers=lambda cookie=cookie: {"Cookie": cookie}, wait_timeout=30)
            clients.append(sio)
        connected.set()
        await stop.wait()
        for lk in self.tally.counter_links:
            lk.append(("stop", time.time()))
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)


# -- the run -------------------------------------------------------------------------------------


COLUMNS = ("min", "rss MB", "fds", "threads", "greenlets", "gc objs", "log KB", "audio MB", "issued", "finished", "waiting",
           "steps", "calls", "seen min", "seen max", "reconn", "errors", "load1")


def row(values: dict[str, Any]) -> str:
    return " ".join(f"{values[c]:>{max(len(c), 6)}}" for c in COLUMNS)


def folder_mb(folder: Path) -> float:
    """MB of the files in ``folder`` (the speech cache: one WAV per phrase)."""
    total = 0
    for p in folder.glob("*") if folder.is_dir() else ():
        try:
            total += p.stat().st_size
        except OSError:
            pass
    return round(total / 2**20, 1)


def missed_of(made: collections.Counter, seen: collections.Counter) -> tuple[int, int]:
    """(calls made that were not received, calls received more often than made)."""
    missed = sum(max(0, n - seen.get(k, 0)) for k, n in made.items())
    extra = sum(max(0, n - made.get(k, 0)) for k, n in seen.items())
    return missed, extra


def disconnects(links: list[tuple[str, float]]) -> list[float]:
    """When a client lost its connection during the run (not the disconnect at its end)."""
    out = []
    for what, t in links:
        if what == "stop":
            break
        if what == "disconnect":
            out.append(t)
    return out


def missed_near_reconnect(made_at: dict, seen: collections.Counter, links: list[tuple[str, float]],
                          window: float = 60.0) -> int:
    """How many of a client's missed calls were made within ``window`` s of one of its disconnects
    (a call made while a client is away is lost for it: the reconnect's snapshot shows the state,
    not the call). The rest were missed on a connection that stayed up."""
    drops = disconnects(links)
    near = 0
    for key, times in made_at.items():
        lost = len(times) - seen.get(key, 0)
        if lost > 0:
            near += min(lost, sum(1 for t in times if any(abs(t - d) <= window for d in drops)))
    return near


def verdict(samples: list[dict[str, Any]], args: argparse.Namespace, warm: float) -> list[tuple[str, bool, str]]:
    """(what, flat?, figures) for memory, open files, threads and greenlets."""
    end = samples[-1]["t"]
    half = [s for s in samples if s["t"] >= max(warm, end / 2)]
    after_warm = next((s for s in samples if s["t"] >= warm), samples[0])
    checks = []
    for key, label, unit, tol in (("rss_mb", "memory", "MB", args.rss_tol), ("fds", "open files", "", args.fd_tol),
                                  ("threads", "threads", "", args.thread_tol),
                                  ("greenlets", "greenlets", "", args.greenlet_tol)):
        pts = [(s["t"], float(s[key])) for s in half if s.get(key) is not None]
        if len(pts) < 2:
            checks.append((label, False, "too few samples in the second half (run longer)"))
            continue
        span = pts[-1][0] - pts[0][0]
        growth = slope_per_s(pts) * span
        since = float(samples[-1][key]) - float(after_warm[key])
        ok = growth <= tol and since <= tol
        checks.append((label, ok, f"second half ({span / 60:.1f} min): slope x span {growth:+.1f} {unit}, "
                                  f"{slope_per_s(pts) * 3600:+.2f} {unit}/h; end - after warm-up {since:+.1f} {unit} "
                                  f"(tolerance {tol:g} {unit})"))
    # the office keeps working: a stretch without a single SOP step means the day stalled (in one run
    # tickets of a service no counter could call piled up until the kiosks held back for good)
    working = [s for s in samples if s["t"] <= args.minutes * 60]
    stall, since = 0.0, working[0]["t"] if working else 0.0
    for before, after in zip(working, working[1:], strict=False):
        if after["steps"] > before["steps"]:
            since = after["t"]
        stall = max(stall, after["t"] - since)
    allowed = max(120.0, 4 * args.sample)
    checks.append(("work", stall <= allowed, f"longest stretch without an SOP step {stall:.0f} s "
                                             f"(allowed {allowed:.0f} s)"))
    # the speech cache (one WAV per new phrase, ~0.3 MB each) stays within its limit all day
    audio = [float(s["audio_mb"]) for s in samples if s.get("audio_mb") is not None]
    if audio:
        limit = getattr(args, "speech_cache_mb", 256)
        bound = limit * 1.05  # a trim runs after the write that passes the limit
        checks.append(("speech cache", max(audio) <= bound,
                       f"largest {max(audio):.1f} MB, at the end {audio[-1]:.1f} MB "
                       f"(limit ANTREAN_SPEECH_CACHE_MB={limit})"))
    return checks


async def run_office(args: argparse.Namespace, office: Office, work: Work, seen_counts, connects,
                     probe: Path) -> list[dict[str, Any]]:
    pid = office.procs[0].pid
    log = office.tmp / "server-1.log"
    audio = office.tmp / "audio"
    samples: list[dict[str, Any]] = []
    t0 = time.monotonic()
    duration = args.minutes * 60
    stop_sockets = asyncio.Event()

    def sample() -> dict[str, Any]:
        st = proc_status(pid)
        try:
            pr = json.loads(probe.read_text())
        except (OSError, ValueError):
            pr = {}
        seen = list(seen_counts)
        tally = work.tally
        s = {"t": time.monotonic() - t0, "rss_mb": round(st["rss_kb"] / 1024, 1), "fds": st["fds"],
             "threads": st["threads"], "greenlets": pr.get("greenlets"), "gc_objects": pr.get("gc_objects"),
             "log_kb": log.stat().st_size // 1024 if log.exists() else 0, "audio_mb": folder_mb(audio),
             "issued": tally.issued,
             "finished": sum(tally.finished.values()), "waiting": tally.waiting, "steps": tally.steps,
             "calls": tally.calls, "seen_min": min(seen), "seen_max": max(seen),
             "reconnects": max(0, sum(connects) - len(seen)) + sum(
                 len(disconnects(lk)) for lk in tally.counter_links),
             "errors": sum(tally.errors.values()), "load1": round(os.getloadavg()[0], 2)}
        samples.append(s)
        print(row({"min": f"{s['t'] / 60:.1f}", "rss MB": s["rss_mb"], "fds": s["fds"], "threads": s["threads"],
                   "greenlets": s["greenlets"], "gc objs": s["gc_objects"], "log KB": s["log_kb"],
                   "audio MB": s["audio_mb"],
                   "issued": s["issued"], "finished": s["finished"], "waiting": s["waiting"], "steps": s["steps"],
                   "calls": s["calls"], "seen min": s["seen_min"], "seen max": s["seen_max"],
                   "reconn": s["reconnects"], "errors": s["errors"], "load1": s["load1"]}), flush=True)
        return s

    connected = asyncio.Event()
    sockets = asyncio.create_task(work.counter_sockets(connected, stop_sockets))
    await asyncio.wait([asyncio.ensure_future(connected.wait()), sockets], return_when=asyncio.FIRST_COMPLETED)
    if sockets.done():
        sockets.result()  # a counter socket could not connect: that error, not a half-started run
    print(row({c: c for c in COLUMNS}), flush=True)
    sample()
    kiosks = [asyncio.create_task(work.kiosk(k)) for k in range(args.kiosks)]
    counters = [asyncio.create_task(work.counter(n)) for n in range(len(work.clerks))]
    next_sample = args.sample
    while True:
        elapsed = time.monotonic() - t0
        if elapsed >= duration:
            break
        await asyncio.sleep(min(1.0, duration - elapsed, max(0.0, next_sample - elapsed)))
        if time.monotonic() - t0 >= next_sample:
            sample()
            next_sample += args.sample
    # the end of the day: no new tickets; the counters finish what is waiting, then stop
    work.issuing = False
    await asyncio.gather(*kiosks, return_exceptions=True)
    drain_until = time.monotonic() + args.drain
    while work.tally.waiting > 0 and time.monotonic() < drain_until:
        await asyncio.sleep(0.5)
    work.working = False
    await asyncio.gather(*counters, return_exceptions=True)
    await asyncio.sleep(2)  # the last calls reach the displays
    sample()["final"] = True
    stop_sockets.set()
    await sockets
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--displays", type=int, default=20)
    parser.add_argument("--counters", type=int, default=10)
    parser.add_argument("--kiosks", type=int, default=3)
    parser.add_argument("--rate", type=float, default=0.5, help="tickets/s the kiosks take together")
    parser.add_argument("--max-waiting", type=int, default=30, help="kiosks hold back above this many waiting")
    parser.add_argument("--work", type=float, default=0.3, help="seconds a counter takes before each action")
    parser.add_argument("--idle", type=float, default=1.0, help="seconds a counter waits when nobody is waiting")
    parser.add_argument("--no-show", type=float, default=0.05, help="share of calls nobody answers")
    parser.add_argument("--recall", type=float, default=0.1, help="share of calls repeated")
    parser.add_argument("--tms", type=float, default=0.1, help="share of decisions TMS")
    parser.add_argument("--sample", type=float, default=30, help="seconds between samples")
    parser.add_argument("--warmup", type=float, default=None,
                        help="seconds before the baseline sample (default: a tenth of the run, at least 20 s)")
    parser.add_argument("--drain", type=float, default=60, help="seconds the counters get to empty the queue")
    parser.add_argument("--speech", default="on", help="the server's speech: on (espeak-ng), tone or off")
    parser.add_argument("--speech-cache-mb", type=int, default=256,
                        help="the server's speech cache limit (ANTREAN_SPEECH_CACHE_MB)")
    parser.add_argument("--rss-tol", type=float, default=16, help="MB of memory growth allowed (second half)")
    parser.add_argument("--fd-tol", type=float, default=4, help="open files of growth allowed")
    parser.add_argument("--thread-tol", type=float, default=2, help="threads of growth allowed")
    parser.add_argument("--greenlet-tol", type=float, default=30, help="greenlets of growth allowed")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the instance folder (database, log)")
    parser.add_argument("--json", type=Path, help="also write the samples and the verdict to this file")
    args = parser.parse_args(argv)
    warm = args.warmup if args.warmup is not None else max(20.0, args.minutes * 6)

    print_machine(args.db, f"bench/soak.py: {args.minutes:g} minutes of office work")
    office = Office(args.db, 1, printer="file", speech=args.speech, keep=args.keep, extra_env={
        "ANTREAN_SOAK_PROBE": "", "ANTREAN_SESSION_MINUTES": str(int(max(480, args.minutes + 120))),
        "ANTREAN_SPEECH_CACHE_MB": str(args.speech_cache_mb)})
    probe = office.tmp / "probe.json"
    office.env["ANTREAN_SOAK_PROBE"] = str(probe)
    office.env["ANTREAN_SOAK_PROBE_SECONDS"] = str(max(1.0, min(10.0, args.sample / 2)))
    office.server_argv = [sys.executable, str(ROOT / "bench" / "soak_probe.py")]
    ctx = multiprocessing.get_context("fork")
    stop = ctx.Event()
    display_proc = None
    try:
        clerks = office.add_staff(args.counters)
        from antrean.shared.domain.catalogue import load_catalogue
        from antrean.shared.services.demo import DEMO_USERS
        from antrean.shared.services.tokens import create_token

        role_tokens: dict[str, str] = {}
        for username, _name, roles, _loket in DEMO_USERS:
            for role in roles:
                if role not in ("petugas_pelayanan", "admin") and role not in role_tokens:
                    role_tokens[role] = create_token(office.sessions, f"soak-{username}", "api", username)
        services = sorted(load_catalogue().services)
        office.start()
        base = f"http://127.0.0.1:{office.ports[0]}"
        print(f"server    : {office.describe()} (pid {office.procs[0].pid}), speech {args.speech}, printer file")
        seen_counts = ctx.Array("l", args.displays, lock=False)
        connects = ctx.Array("l", args.displays, lock=False)
        ready, out = ctx.Queue(), ctx.Queue()
        display_proc = ctx.Process(target=_display_process,
                                   args=(base, args.displays, ready, stop, seen_counts, connects, out), daemon=True)
        display_proc.start()
        ready.get(timeout=120)
        cookies = [login_cookie(office.ports[0], c["username"], c["password"]) for c in clerks]
        print(f"clients   : {args.displays} displays (one process), {len(clerks)} counters (logged in, /counter "
              f"socket, staff API), {args.kiosks} kiosks at {args.rate:g} tickets/s, {len(services)} services; "
              f"SOP actors by token: {', '.join(sorted(role_tokens))}")
        print(f"pace      : {args.work:g} s a counter action, no-show {args.no_show:.0%}, recall {args.recall:.0%}, "
              f"TMS {args.tms:.0%}; samples every {args.sample:g} s, warm-up {warm:g} s; one office day "
              f"(the server has no clock override)")
        work = Work(args, base, clerks, role_tokens, cookies, services)
        samples = asyncio.run(run_office(args, office, work, seen_counts, connects, probe))
        stop.set()
        displays_out = out.get(timeout=60)
        received, links = displays_out["received"], displays_out["links"]
        caught_up = displays_out["caught_up"]
        display_proc.join(10)
    finally:
        stop.set()
        if display_proc is not None and display_proc.is_alive():
            display_proc.join(5)
            if display_proc.is_alive():
                display_proc.kill()
        server_alive = bool(office.procs) and office.procs[0].poll() is None
        if not server_alive and office.procs:
            print("the server process died:\n" + office.server_log())
        office.close()

    tally = work.tally
    made = tally.made
    print()
    print(f"tickets   : {tally.issued} issued ({tally.priority} priority), finished {dict(tally.finished)}, "
          f"{tally.waiting} left waiting, {tally.steps} SOP steps done by the staff API")
    display_missed = [missed_of(made, collections.Counter(r)) for r in received]
    counter_missed = [missed_of(made, seen) for seen in tally.counter_seen]
    missed = sum(m for m, _ in display_missed) + sum(m for m, _ in counter_missed)
    extra = sum(e for _, e in display_missed) + sum(e for _, e in counter_missed)
    kinds = collections.Counter()
    for (_tid, kind), n in made.items():
        kinds[kind] += n
    near = (sum(missed_near_reconnect(tally.made_at, collections.Counter(r), lk) for r, lk in zip(received, links, strict=True))
            + sum(missed_near_reconnect(tally.made_at, seen, lk)
                  for seen, lk in zip(tally.counter_seen, tally.counter_links, strict=True)))
    drops = [len(disconnects(lk)) for lk in links]
    counter_drops = [len(disconnects(lk)) for lk in tally.counter_links]
    print(f"calls     : {tally.calls} made ({dict(kinds)}); displays missed "
          f"{[m for m, _ in display_missed]}, counter sockets missed {[m for m, _ in counter_missed]}; "
          f"received twice {extra}")
    print(f"links     : display disconnects {drops}, counter socket disconnects {counter_drops} "
          f"(each reconnected by itself); {sum(caught_up)} calls caught up from a reconnect's snapshot "
          f"(as display.js does); of the missed calls {near} were made within 60 s of "
          f"the client's disconnect, {missed - near} on a connection that stayed up")
    print(f"errors    : {sum(tally.errors.values())} {dict(tally.errors) if tally.errors else ''}")
    print(f"load avg after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    checks = verdict([s for s in samples if not s.get("final")], args, warm)
    ok = True
    print("verdict:")
    for label, flat, figures in checks:
        ok &= flat
        print(f"  {label:<10}: {'flat' if flat else 'GROWS'}; {figures}")
    calls_ok = missed == 0 and extra == 0 and tally.calls > 0
    errors_ok = not tally.errors
    print(f"  calls     : {'none missed' if calls_ok else 'MISSED'}; {missed} missed, {extra} twice, "
          f"of {tally.calls} calls x {args.displays} displays + {len(tally.counter_seen)} counters")
    print(f"  requests  : {'no error' if errors_ok else 'ERRORS'}")
    ok = ok and calls_ok and errors_ok
    print(f"SOAK {'PASS' if ok else 'FAIL'}")
    if args.json:
        args.json.write_text(json.dumps({
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}, "warmup": warm,
            "samples": samples, "issued": tally.issued, "finished": dict(tally.finished), "steps": tally.steps,
            "calls": dict(kinds), "calls_made": tally.calls, "missed": missed, "twice": extra,
            "display_missed": [m for m, _ in display_missed], "counter_missed": [m for m, _ in counter_missed],
            "missed_near_disconnect": near, "caught_up": caught_up, "display_disconnects": drops,
            "counter_disconnects": counter_drops,
            "display_links": links, "counter_links": tally.counter_links,
            "errors": dict(tally.errors), "checks": [{"what": c[0], "flat": c[1], "figures": c[2]} for c in checks],
            "pass": ok}, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
