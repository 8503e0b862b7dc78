"""Ticket issue over real HTTP to real `antrean serve` processes: latency with one kiosk, latency
with many kiosks offering a fixed rate (open loop), and the saturation throughput.

    .venv/bin/python bench/issue.py [--db sqlite|postgresql] [--processes N] [--seconds 10]
        [--single-rate 5] [--kiosks 20] [--rate 100] [--clients 16] [--client-procs 2]
        [--printer file|none]

Each kiosk is a keep-alive HTTP connection (http.client) posting ``/api/v1/tickets`` as the kiosk
page does (a service and a request id). Open loop: every request has a scheduled send time; its
latency runs from that time, so a slow answer that delays the kiosk's next request counts against
the server, not hidden by it. The saturation run is closed loop: ``--clients`` connections in
``--client-procs`` separate load processes send as fast as answers come back. Several server
processes (PostgreSQL + Redis) get the kiosks round-robin.
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import resource
import secrets
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Office, print_machine, summary_ms  # noqa: E402


def _issue(conn: http.client.HTTPConnection, service: str) -> int:
    body = json.dumps({"service": service, "request_id": secrets.token_hex(8)})
    conn.request("POST", "/api/v1/tickets", body=body, headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    resp.read()
    return resp.status


def machine_busy() -> tuple[int, int] | None:
    """(busy, total) CPU time of the whole machine so far, in clock ticks (Linux /proc/stat)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def http_floor(port: int, rate: float, n: int) -> list[float]:
    """Latencies of a request that does nothing (a 404 from Flask) at the one kiosk's pace."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request("GET", "/api/v1/no-such-thing")
        conn.getresponse().read()
        out.append(time.perf_counter() - t0)
        time.sleep(max(0.0, 1 / rate - (time.perf_counter() - t0)))
    conn.close()
    return out


def open_loop(ports: list[int], services: list[str], kiosks: int, rate: float, seconds: float
              ) -> tuple[list[float], list[float], int, float]:
    """``kiosks`` threads, each one connection, together offering ``rate`` tickets per second.

    Returns (latency from the scheduled time, time on the wire, errors, client CPU seconds)."""
    interval = kiosks / rate  # each kiosk's own period
    per_kiosk = max(1, int(seconds * rate / kiosks))
    start = time.perf_counter() + 0.2
    give_up = start + 3 * seconds + 5  # a server far behind the schedule: stop, count the rest
    latencies: list[float] = []
    wire: list[float] = []
    errors = [0]
    unsent = [0]
    lock = threading.Lock()

    def kiosk(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", ports[i % len(ports)], timeout=30)
        mine, mine_wire, bad = [], [], 0
        for k in range(per_kiosk):
            due = start + (i / kiosks) * interval + k * interval  # kiosks staggered evenly
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            sent = time.perf_counter()
            if sent > give_up:
                with lock:
                    unsent[0] += per_kiosk - k
                break
            try:
                status = _issue(conn, services[(i + k) % len(services)])
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", ports[i % len(ports)], timeout=30)
                status = 0
            done = time.perf_counter()
            if status != 201 and status != 200:
                bad += 1
            mine.append(done - due)
            mine_wire.append(done - sent)
        conn.close()
        with lock:
            latencies.extend(mine)
            wire.extend(mine_wire)
            errors[0] += bad

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(kiosks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    if unsent[0]:
        print(f"  (the server fell behind the schedule: {unsent[0]} requests not sent after "
              f"{3 * seconds + 5:g} s; every figure below is queueing)")
    return latencies, wire, errors[0], (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)


def _load_process(ports: list[int], services: list[str], clients: int, first: int, seconds: float,
                  start_at: float, out) -> None:
    """A separate load process: ``clients`` connections sending back to back until the end."""
    end = start_at + seconds
    counts, lat = [0] * clients, [[] for _ in range(clients)]
    errors = [0] * clients

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", ports[(first + i) % len(ports)], timeout=30)
        k = 0
        while True:
            t0 = time.perf_counter()
            if t0 >= end:
                break
            try:
                status = _issue(conn, services[(first + i + k) % len(services)])
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", ports[(first + i) % len(ports)], timeout=30)
                status = 0
            k += 1
            if status in (200, 201):
                counts[i] += 1
                lat[i].append(time.perf_counter() - t0)
            else:
                errors[i] += 1
        conn.close()

    pause = start_at - time.perf_counter()
    if pause > 0:
        time.sleep(pause)
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out.put((sum(counts), [x for xs in lat for x in xs], sum(errors), usage.ru_utime + usage.ru_stime))


def saturation(ports: list[int], services: list[str], clients: int, procs: int, seconds: float
               ) -> tuple[float, list[float], int, float]:
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    start_at = time.perf_counter() + 0.5  # perf_counter is CLOCK_MONOTONIC: the same in the children
    per = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    workers, first = [], 0
    for n in per:
        if n:
            workers.append(ctx.Process(target=_load_process, args=(ports, services, n, first, seconds,
                                                                   start_at, out)))
            first += n
    for w in workers:
        w.start()
    results = [out.get(timeout=seconds + 120) for _ in workers]
    for w in workers:
        w.join()
    done = sum(r[0] for r in results)
    return done / seconds, [x for r in results for x in r[1]], sum(r[2] for r in results), sum(r[3] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--processes", type=int, default=1, help="server processes (>1: PostgreSQL + Redis)")
    parser.add_argument("--seconds", type=float, default=10, help="length of each run")
    parser.add_argument("--single-rate", type=float, default=5, help="tickets/s of the one kiosk")
    parser.add_argument("--kiosks", type=int, default=20)
    parser.add_argument("--rate", type=float, default=100, help="tickets/s the kiosks offer together")
    parser.add_argument("--clients", type=int, default=16, help="connections in the saturation run (0: skip)")
    parser.add_argument("--client-procs", type=int, default=2, help="load processes in the saturation run")
    parser.add_argument("--printer", default="file", help="file (default: every ticket printed to a file) or none")
    parser.add_argument("--warmup", type=int, default=50, help="tickets issued before measuring")
    args = parser.parse_args()

    print_machine(args.db, "bench/issue.py: ticket issue over HTTP")
    office = Office(args.db, args.processes, printer=args.printer, speech="off")
    try:
        office.add_staff(3)
        office.start()
        print(f"server    : {office.describe()}, printer {args.printer}")
        from antrean.shared.domain.catalogue import load_catalogue

        services = list(load_catalogue().services)
        open_loop(office.ports, services, 1, 200, args.warmup / 200)  # warm caches and connections

        def report(name: str, lat, wire, errors, client_cpu, cpu0, elapsed) -> None:
            server = office.server_cpu() - cpu0
            print(f"{name}")
            print(f"  latency  : {summary_ms(lat)}; errors {errors}")
            print(f"  on wire  : {summary_ms(wire)}")
            print(f"  cpu      : server {server / elapsed * 100:.0f}% of one core "
                  f"({server / max(1, len(lat)) * 1000:.1f} ms a ticket, printing included), "
                  f"load generator {client_cpu / elapsed * 100:.0f}%")
            sys.stdout.flush()

        floor = http_floor(office.ports[0], args.single_rate, max(10, int(args.seconds * args.single_rate)))
        print(f"floor     : a 404 through the same server at {args.single_rate:g} requests/s: {summary_ms(floor)}")
        print("            (HTTP, Flask and a process woken from idle: what any request costs at this pace)")
        cpu0, t0 = office.server_cpu(), time.perf_counter()
        lat, wire, errors, ccpu = open_loop(office.ports, services, 1, args.single_rate, args.seconds)
        report(f"1 kiosk, open loop at {args.single_rate:g} tickets/s for {args.seconds:g} s",
               lat, wire, errors, ccpu, cpu0, time.perf_counter() - t0)

        cpu0, t0 = office.server_cpu(), time.perf_counter()
        lat, wire, errors, ccpu = open_loop(office.ports, services, args.kiosks, args.rate, args.seconds)
        report(f"{args.kiosks} kiosks, open loop at {args.rate:g} tickets/s together for {args.seconds:g} s",
               lat, wire, errors, ccpu, cpu0, time.perf_counter() - t0)

        if args.clients > 0:
            busy0 = machine_busy()
            cpu0, t0 = office.server_cpu(), time.perf_counter()
            rate, lat, errors, ccpu = saturation(office.ports, services, args.clients, args.client_procs,
                                                 args.seconds)
            elapsed = time.perf_counter() - t0
            print(f"saturation: {args.clients} connections in {args.client_procs} load processes, "
                  f"closed loop for {args.seconds:g} s")
            print(f"  throughput: {rate:.0f} tickets/s")
            print(f"  latency  : {summary_ms(lat)}; errors {errors}")
            server = office.server_cpu() - cpu0
            print(f"  cpu      : server {server / elapsed * 100:.0f}% of one core "
                  f"({server / max(1, len(lat)) * 1000:.1f} ms a ticket), load generator {ccpu / elapsed * 100:.0f}%")
            busy1 = machine_busy()
            if busy0 and busy1:
                share = (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1])
                print(f"  machine  : {share * 100:.0f}% of all {os.cpu_count()} cores busy (servers, database, "
                      f"Redis, load generators and anything else running)")
        print(f"load avg after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        office.close()


if __name__ == "__main__":
    main()
