"""Call-to-display latency: from a counter's call request to each waiting-room display receiving the
call, with many displays and counters connected to real `antrean serve` processes.

    .venv/bin/python bench/call_display.py [--db sqlite|postgresql] [--processes N] [--displays 100]
        [--counters 30] [--calls 100] [--rate 4] [--display-procs 4] [--speech on|off]

Displays are python-socketio AsyncClients (WebSocket transport) on namespace ``/display``, spread
over ``--display-procs`` separate processes so that decoding 100 copies of every event is not done
by one Python process. Counters are logged in through the real login form and connected to
``/counter``; each call is ``POST /api/v1/staff/call-next`` with the clerk's device token, sent on
a fixed schedule (``--rate`` calls/s, round-robin over the counters). With several server processes
(PostgreSQL + Redis) displays and counters are spread over them, so most calls cross processes.
Latency is the display's receive time minus the request's send time (one machine, one monotonic
clock); a call that a display never received is counted as lost.
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Office, login_cookie, print_machine, summary_ms  # noqa: E402


async def _connect_all(clients: list, urls: list[str], namespace: str, headers: list[dict] | None = None,
                       batch: int = 10) -> None:
    for i in range(0, len(clients), batch):  # a few at a time: every connect costs the server a snapshot
        await asyncio.gather(*(c.connect(urls[i + j], transports=["websocket"], namespaces=[namespace],
                                         headers=(headers[i + j] if headers else {}), wait_timeout=30)
                               for j, c in enumerate(clients[i:i + batch])))


def _display_process(urls: list[str], ready, stop, out) -> None:
    """Connect ``len(urls)`` displays, report ready, record every call until told to stop."""
    import socketio

    received: list[tuple[str, float]] = []

    async def run() -> None:
        clients = []
        for _ in urls:
            sio = socketio.AsyncClient(reconnection=False)

            @sio.on("call", namespace="/display")
            async def on_call(data):
                received.append((data.get("number"), time.perf_counter()))

            clients.append(sio)
        await _connect_all(clients, urls, "/display")
        ready.put(len(clients))
        while not stop.is_set():
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # stragglers
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)

    usage0 = time.process_time()
    asyncio.run(run())
    out.put((received, time.process_time() - usage0))


async def _counters_and_calls(office: Office, clerks: list[dict], cookies: list[str], calls: int,
                              rate: float) -> tuple[dict, list, list, int]:
    import aiohttp
    import socketio

    ports = office.ports
    urls = [f"http://127.0.0.1:{ports[i % len(ports)]}" for i in range(len(clerks))]
    counter_calls: list[tuple[str, float]] = []
    clients = []
    for _ in clerks:
        sio = socketio.AsyncClient(reconnection=False)

        @sio.on("call", namespace="/counter")
        async def on_call(data):
            counter_calls.append((data.get("number"), time.perf_counter()))

        clients.append(sio)
    await _connect_all(clients, urls, "/counter", headers=[{"Cookie": c} for c in cookies])
    sent: dict[str, float] = {}
    wire: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        async def one(i: int, due: float) -> None:
            nonlocal errors
            pause = due - time.perf_counter()
            if pause > 0:
                await asyncio.sleep(pause)
            clerk = clerks[i % len(clerks)]
            t0 = time.perf_counter()
            try:
                # "force": the clerks call on without serving anyone (else 409 loket_busy)
                async with http.post(f"{urls[i % len(clerks)]}/api/v1/staff/call-next", json={"force": True},
                                     headers={"Authorization": f"Bearer {clerk['token']}"}) as resp:
                    data = await resp.json()
            except aiohttp.ClientError:
                errors += 1
                return
            wire.append(time.perf_counter() - t0)
            ticket = (data or {}).get("ticket")
            if resp.status != 200 or not ticket:
                errors += 1
                return
            sent[ticket["number"]] = t0

        start = time.perf_counter() + 0.2
        await asyncio.gather(*(one(i, start + i / rate) for i in range(calls)))
        await asyncio.sleep(0.5)
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
    return sent, wire, counter_calls, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--processes", type=int, default=1, help="server processes (>1: PostgreSQL + Redis)")
    parser.add_argument("--displays", type=int, default=100)
    parser.add_argument("--counters", type=int, default=30)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--rate", type=float, default=4, help="calls per second, all counters together")
    parser.add_argument("--display-procs", type=int, default=4, help="processes holding the displays")
    parser.add_argument("--speech", default="on", help="the server's speech: on (espeak-ng), tone or off")
    args = parser.parse_args()

    print_machine(args.db, "bench/call_display.py: counter call -> every display")
    office = Office(args.db, args.processes, printer="none", speech=args.speech)
    ctx = multiprocessing.get_context("fork")
    procs = []
    stop = ctx.Event()
    try:
        clerks = office.add_staff(args.counters)
        office.issue_waiting(args.calls + 10)
        office.start()
        print(f"server    : {office.describe()}, speech {args.speech}")
        ports = office.ports
        ready, out = ctx.Queue(), ctx.Queue()
        nprocs = max(1, min(args.display_procs, args.displays))
        for p in range(nprocs):
            urls = [f"http://127.0.0.1:{ports[i % len(ports)]}" for i in range(p, args.displays, nprocs)]
            proc = ctx.Process(target=_display_process, args=(urls, ready, stop, out), daemon=True)
            proc.start()
            procs.append(proc)
        connected = sum(ready.get(timeout=120) for _ in procs)
        cookies = [login_cookie(ports[i % len(ports)], c["username"], c["password"]) for i, c in enumerate(clerks)]
        print(f"clients   : {connected} displays in {nprocs} processes, {len(clerks)} counters (logged in)")
        cpu0, t0 = office.server_cpu(), time.perf_counter()
        loadgen0 = time.process_time()
        sent, wire, counter_calls, errors = asyncio.run(
            _counters_and_calls(office, clerks, cookies, args.calls, args.rate))
        elapsed = time.perf_counter() - t0
        server_cpu = office.server_cpu() - cpu0
        counters_cpu = time.process_time() - loadgen0
        stop.set()
        results = [out.get(timeout=60) for _ in procs]
        for proc in procs:
            proc.join(10)
        latencies, display_cpu = [], 0.0
        for received, cpu in results:
            display_cpu += cpu
            latencies.extend(at - sent[number] for number, at in received if number in sent)
        counter_lat = [at - sent[n] for n, at in counter_calls if n in sent]
        expected = len(sent) * connected
        print(f"{len(sent)} calls at {args.rate:g}/s from {len(clerks)} counters; errors {errors}")
        print(f"  call -> display : {summary_ms(latencies)}; lost {expected - len(latencies)} of {expected}")
        print(f"  call -> counters: {summary_ms(counter_lat)}")
        print(f"  call request    : {summary_ms(wire)}")
        print(f"  cpu             : server {server_cpu / elapsed * 100:.0f}% of one core "
              f"({server_cpu / max(1, len(sent)) * 1000:.1f} ms a call); displays' processes "
              f"{display_cpu:.1f} s in total; counters' process {counters_cpu / elapsed * 100:.0f}%")
        print(f"load avg after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        stop.set()
        for proc in procs:
            if proc.is_alive():
                proc.join(5)
            if proc.is_alive():
                proc.kill()
        office.close()


if __name__ == "__main__":
    main()
