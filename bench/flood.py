"""One anonymous client flooding the public Socket.IO events while a kiosk issues tickets: what the
flood costs the kiosk, the server's memory and its log.

    .venv/bin/python bench/flood.py [--db sqlite|postgresql] [--seconds 10] [--kiosk-interval 0.2]
        [--before 2] [--after 7] [--recovery 2]

The flooder (its own process) opens a raw WebSocket (Engine.IO 4 / Socket.IO 5 by hand), joins
``/display`` and ``/ticket`` and sends ``snapshot`` and ``follow`` (of a real ticket, with an
acknowledgement id, so each one asks for a database read and an answer) as fast as the socket takes
them, for ``--seconds``; it reads everything the server sends in another thread (answering pings),
and when the server drops it, it connects again at once and goes on. With ``--addresses N`` it
claims a new client address for each connection (``X-Forwarded-For``, the server trusting one
proxy), as a flooder with many addresses would. The kiosk (a keep-alive HTTP
connection in this process) posts ``/api/v1/tickets`` every ``--kiosk-interval`` seconds from
``--before`` seconds before the flood to ``--after`` seconds after it; each request's latency runs
from its scheduled send time (open loop). Memory is the server process's resident set, sampled
every 50 ms; the log is the server's stdout and stderr.

Targets (docs/performance.md, issue #16): kiosk p99 <= 250 ms during the flood and <= 20 ms from
``--recovery`` seconds after it, server memory growth <= 50 MB, log growth <= 1 MB, no kiosk error.
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import secrets
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Office, cpu_seconds, pct, print_machine, summary_ms  # noqa: E402


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _flood(port: int, public_id: str, start: float, end: float, out, addresses: int = 1) -> None:
    """The flooder: as many snapshot and follow events as the socket takes, from ``start`` to ``end``
    (``time.monotonic()``, the same clock in every process)."""
    import websocket

    sent = answers = connections = dropped = refused = 0
    lock = threading.Lock()
    time.sleep(max(0.0, start - time.monotonic()))
    follow = json.dumps(["follow", {"public_id": public_id}])

    def drain(ws) -> None:
        nonlocal answers
        while True:
            try:
                message = ws.recv()
            except Exception:  # noqa: BLE001 - closed by the server or by us
                return
            if message == "2":
                try:
                    ws.send("3")
                except Exception:  # noqa: BLE001
                    return
            elif isinstance(message, str) and message.startswith("43/"):
                with lock:
                    answers += 1

    while time.monotonic() < end:
        # several addresses: each connection claims the next one (the server trusts one proxy)
        header = [f"X-Forwarded-For: 10.0.{connections % addresses // 250}.{connections % addresses % 250 + 1}"]
        try:
            ws = websocket.create_connection(f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket",
                                             timeout=5, header=header if addresses > 1 else None)
            ws.recv()  # the Engine.IO handshake
            ws.send("40/display,")
            ws.send("40/ticket,")
        except Exception:  # noqa: BLE001 - refused (over the per-address cap) or the server is stuck
            refused += 1
            time.sleep(0.01)
            continue
        connections += 1
        reader = threading.Thread(target=drain, args=(ws,), daemon=True)
        reader.start()
        n = 0
        try:
            while time.monotonic() < end:
                n += 1
                ws.send(f'42/display,{n}["snapshot"]' if n % 2 else f"42/ticket,{n}{follow}")
                sent += 1
        except Exception:  # noqa: BLE001 - the server dropped the connection
            dropped += 1
        ws.shutdown()  # at once: the reader's recv ends, and the next connection starts
        reader.join(1)
    out.put({"sent": sent, "answers": answers, "connections": connections, "dropped": dropped,
             "refused": refused})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=10, help="how long the flood lasts")
    parser.add_argument("--kiosk-interval", type=float, default=0.2, help="seconds between the kiosk's tickets")
    parser.add_argument("--before", type=float, default=2, help="kiosk alone before the flood (baseline)")
    parser.add_argument("--after", type=float, default=7, help="kiosk alone after the flood")
    parser.add_argument("--recovery", type=float, default=2, help="seconds after the flood not held to the 20 ms")
    parser.add_argument("--addresses", type=int, default=1,
                        help="the flooder claims this many client addresses in turn (X-Forwarded-For, the "
                             "server trusting one proxy): a flooder the per-address pause does not stop")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder (the server log)")
    args = parser.parse_args()

    print_machine(args.db, "bench/flood.py: one client flooding /display and /ticket while a kiosk issues tickets")
    office = Office(args.db, 1, printer="none", speech="off", keep=args.keep,
                    extra_env={"ANTREAN_PROXIES": "1"} if args.addresses > 1 else None)
    try:
        office.add_staff(1)
        office.start()
        port, server = office.ports[0], office.procs[0]
        log_path = office.tmp / "server-1.log"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

        def issue() -> tuple[int, dict]:
            body = json.dumps({"service": "ktp", "request_id": secrets.token_hex(8)})
            conn.request("POST", "/api/v1/tickets", body=body, headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            raw = resp.read()
            try:
                return resp.status, json.loads(raw)
            except ValueError:
                return resp.status, {}

        status, first = issue()
        if status != 201:
            raise SystemExit(f"the kiosk's first ticket failed: HTTP {status}")
        for _ in range(20):  # warm-up
            issue()
        time.sleep(0.5)
        print(f"server    : {office.describe()}; the kiosk issues a ticket every {args.kiosk_interval * 1000:.0f} ms")

        rss0, log0 = rss_mb(server.pid), log_path.stat().st_size
        rss_peak = rss0
        stop_sampling = threading.Event()
        cpu_marks: dict[str, tuple[float, float]] = {}  # phase -> (wall clock, server CPU) when it began

        def sample() -> None:
            nonlocal rss_peak
            while not stop_sampling.is_set():
                rss_peak = max(rss_peak, rss_mb(server.pid))
                now = time.monotonic()
                for name, at in (("flood", flood_start), ("after", flood_end)):
                    if name not in cpu_marks and now >= at:
                        cpu_marks[name] = (now, cpu_seconds(server.pid))
                time.sleep(0.05)

        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        t0 = time.monotonic()
        flood_start, flood_end = t0 + args.before, t0 + args.before + args.seconds
        cpu_marks["before"] = (t0, cpu_seconds(server.pid))
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        flooder = ctx.Process(target=_flood, args=(port, first["public_id"], flood_start, flood_end, out,
                                                   args.addresses))
        flooder.start()  # it waits for flood_start
        samples: list[tuple[float, float, int | str]] = []  # (scheduled, latency, status)
        i = 0
        total = args.before + args.seconds + args.after
        while True:
            scheduled = t0 + i * args.kiosk_interval
            if scheduled - t0 > total:
                break
            now = time.monotonic()
            if scheduled > now:
                time.sleep(scheduled - now)
            try:
                status, _ = issue()
            except Exception as exc:  # noqa: BLE001 - a timeout or a dropped connection is a kiosk error
                status = type(exc).__name__
                conn.close()
            samples.append((scheduled, time.monotonic() - scheduled, status))
            i += 1
        result = out.get(timeout=60)
        flooder.join(10)
        time.sleep(0.5)
        stop_sampling.set()
        sampler.join()
        rss_end, log1 = rss_mb(server.pid), log_path.stat().st_size
        log_lines = log_path.read_text(errors="replace")[log0:].count("\n") if log1 >= log0 else 0

        before = [lat for s, lat, _ in samples if s < flood_start]
        during = [lat for s, lat, _ in samples if flood_start <= s < flood_end]
        early = [lat for s, lat, _ in samples if flood_end <= s < flood_end + args.recovery]
        after = [lat for s, lat, _ in samples if s >= flood_end + args.recovery]
        errors = [st for _, _, st in samples if st != 201]
        print(f"flood     : {args.seconds:g} s from {args.addresses} address(es), {result['sent']} events sent, "
              f"{result['answers']} answered, "
              f"{result['connections']} connections ({result['dropped']} dropped by the server, "
              f"{result['refused']} refused)")
        print(f"kiosk before flood       : {summary_ms(before)}")
        print(f"kiosk during flood       : {summary_ms(during)}")
        print(f"kiosk 0-{args.recovery:g} s after flood  : {summary_ms(early)}")
        print(f"kiosk from {args.recovery:g} s after flood: {summary_ms(after)}")
        print(f"kiosk errors: {len(errors)} of {len(samples)}"
              + (f" ({', '.join(sorted({str(e) for e in errors}))})" if errors else ""))
        end_mark = (time.monotonic(), cpu_seconds(server.pid))
        marks = [cpu_marks.get("before"), cpu_marks.get("flood"), cpu_marks.get("after"), end_mark]
        busy = []
        for a, b in zip(marks, marks[1:], strict=False):
            busy.append(f"{(b[1] - a[1]) / (b[0] - a[0]) * 100:.0f} %" if a and b and b[0] > a[0] else "?")
        print(f"server CPU: {busy[0]} of one core before the flood, {busy[1]} during it, {busy[2]} after it")
        growth = rss_peak - rss0
        print(f"memory    : {rss0:.1f} MB before, peak {rss_peak:.1f} MB, {rss_end:.1f} MB at the end; "
              f"growth {growth:.1f} MB")
        print(f"log       : grew {(log1 - log0) / 1024:.1f} KB ({log_lines} lines)")
        checks = [
            ("kiosk p99 during flood <= 250 ms", bool(during) and pct(during, 99) <= 0.250),
            (f"kiosk p99 from {args.recovery:g} s after <= 20 ms", bool(after) and pct(after, 99) <= 0.020),
            ("memory growth <= 50 MB", growth <= 50),
            ("log growth <= 1 MB", log1 - log0 <= 1024 * 1024),
            ("no kiosk error", not errors),
        ]
        print("targets   : " + "; ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in checks))
        print(f"load avg after: {', '.join(f'{x:.2f}' for x in __import__('os').getloadavg())}")
    finally:
        office.close()


if __name__ == "__main__":
    main()
