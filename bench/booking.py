"""Booking over HTTP: 20 concurrent bookers (each a keep-alive connection), and the same bookers
racing for one session's last places (the quota must hold exactly).

    .venv/bin/python bench/booking.py [--db sqlite|postgresql] [--bookers 20] [--bookings 25]
        [--interval 1.0] [--quota 15] [--warmup 20] [--with-contact 0.5]

Open loop (the target's run): each booker books ``--bookings`` times, one every ``--interval``
seconds from a random start within the first interval (20 people booking on their phones at once,
each as fast as a phone form allows), spread over the services, dates and sessions the server
offers (``GET /api/v1/booking-options``); a latency runs from the booking's scheduled time to its
answer. Closed loop (for the record): the same bookers, each sending the next booking as soon as
the last is answered: the server's throughput, and the queueing 20 requests in flight cost.
Then every booker asks at once for a place of a single session whose quota is ``--quota``:
exactly that many must be booked.

``--with-contact`` of the bookings give a WhatsApp number with their consent, as the phone form
lets them: the booking then also stores the contact and writes its "booking confirmed" message in
its transaction, and the server's outbox worker sends it to a gateway on loopback (this process)
while the bookers go on; the run ends when every confirmation has arrived, each once.

Target (docs/performance.md, issue #18): booking answered p99 <= 50 ms under 20 concurrent bookers.
"""
from __future__ import annotations

import argparse
import http.client
import http.server
import json
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Office, pct, post_json, print_machine, summary_ms  # noqa: E402

TARGET_P99_MS = 50.0


def slots(port: int, services: list[str]) -> list[tuple[str, str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    found = []
    for code in services:
        conn.request("GET", f"/api/v1/booking-options?service={code}")
        data = json.loads(conn.getresponse().read())
        found += [(code, day["date"], s["session"]) for day in data.get("days", []) for s in day["sessions"]]
    conn.close()
    return found


class Gateway:
    """A WhatsApp gateway on loopback: counts the messages the server's outbox sends (JSON bodies)."""

    def __init__(self):
        self.received: list[str] = []
        gateway = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802  # http.server's hook name
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                gateway.received.append(body["to"] + ":" + body["text"]["body"])
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def contact_of(n: int, i: int, share: float) -> dict | None:
    """The contact a booking gives (a WhatsApp number, with consent), for ``share`` of them."""
    if random.Random(n * 1000 + i).random() >= share:
        return None
    return {"channel": "whatsapp", "address": f"0812{n:04d}{i:04d}", "consent": True}


def run_bookers(port: int, bookers: int, per_booker: int, choose, interval: float = 0.0, share: float = 0.0
                ) -> tuple[list[float], int, dict[int, int]]:
    """Latencies in seconds (from the scheduled send with ``interval`` > 0), errors, answers by status."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    errors = 0
    start = threading.Barrier(bookers)

    def booker(n: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        seen: dict[int, int] = {}
        start.wait()
        begin = time.perf_counter() + random.random() * interval
        for i in range(per_booker):
            service, day, session = choose(n, i)
            t0 = time.perf_counter()
            if interval > 0:
                t0 = begin + i * interval
                time.sleep(max(0.0, t0 - time.perf_counter()))
            body = {"service": service, "date": day, "session": session}
            contact = contact_of(n, i, share)
            if contact:
                body["contact"] = contact
            status, _body = post_json(conn, "/api/v1/bookings", body)
            mine.append(time.perf_counter() - t0)
            seen[status] = seen.get(status, 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)
            for k, v in seen.items():
                statuses[k] = statuses.get(k, 0) + v
            errors += sum(v for k, v in seen.items() if k not in (201, 409))

    threads = [threading.Thread(target=booker, args=(n,)) for n in range(bookers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--bookers", type=int, default=20)
    parser.add_argument("--bookings", type=int, default=25, help="bookings per booker")
    parser.add_argument("--quota", type=int, default=15, help="the contested session's quota")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between one booker's bookings")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--with-contact", type=float, default=0.5,
                        help="share of the bookings that give a WhatsApp number (their confirmations are sent)")
    args = parser.parse_args()
    gateway = Gateway()

    print_machine(args.db, "bench/booking.py: booking over HTTP")
    office = Office(args.db, 1, printer="none", speech="off",
                    extra_env={"ANTREAN_BOOKING_LIMIT": "10000000 per minute",
                               "ANTREAN_BOOKING_LOOKUP_LIMIT": "10000000 per minute",
                               "ANTREAN_WHATSAPP_URL": gateway.url, "ANTREAN_WHATSAPP_TOKEN": "Bearer bench"})
    try:
        from antrean.shared.domain import booking as rules
        from antrean.shared.domain.catalogue import load_catalogue
        from antrean.shared.store import settings
        from antrean.shared.store.db import transaction

        services = list(load_catalogue().services)
        contested = services[0]
        with transaction(office.sessions) as s:
            settings.put(s, rules.DEFAULT_QUOTA_KEY, rules.QUOTA_BOUNDS[1])
            settings.put(s, rules.QUOTAS_KEY, {contested: args.quota})
        office.start()
        print(f"server    : {office.describe()}")
        free = [slot for slot in slots(office.ports[0], services[1:])]
        if not free:
            raise SystemExit("no bookable session (is the catalogue's office open on any day ahead?)")
        print(f"sessions  : {len(free)} bookable service-sessions, quota {rules.QUOTA_BOUNDS[1]} each")
        run_bookers(office.ports[0], 2, max(1, args.warmup // 2), lambda n, i: free[(n * 7 + i) % len(free)])

        lat, errors, statuses = run_bookers(office.ports[0], args.bookers, args.bookings,
                                            lambda n, i: free[(n * args.bookings + i) % len(free)], args.interval,
                                            args.with_contact)
        with_contact = sum(contact_of(n, i, args.with_contact) is not None
                           for n in range(args.bookers) for i in range(args.bookings))
        print(f"{args.bookers} bookers, {args.bookings} bookings each, one every {args.interval:g} s (open loop); "
              f"{with_contact} with a WhatsApp number")
        print(f"  latency  : {summary_ms(lat)}; errors {errors}; answers {dict(sorted(statuses.items()))}")
        p99 = pct(lat, 99) * 1000
        print(f"  target   : p99 <= {TARGET_P99_MS:g} ms: {'met' if p99 <= TARGET_P99_MS else 'NOT met'} "
              f"({p99:.1f} ms)")
        t0 = time.perf_counter()
        lat_c, errors_c, statuses_c = run_bookers(office.ports[0], args.bookers, args.bookings,
                                                  lambda n, i: free[(n * args.bookings + i + 3) % len(free)])
        elapsed = time.perf_counter() - t0
        print(f"{args.bookers} bookers, {args.bookings} bookings each, back to back (closed loop)")
        print(f"  latency  : {summary_ms(lat_c)}; errors {errors_c}; throughput {len(lat_c) / elapsed:.0f} bookings/s")
        errors += errors_c

        contested_slot = slots(office.ports[0], [contested])[0]
        lat2, errors2, statuses2 = run_bookers(office.ports[0], args.bookers, 1, lambda n, i: contested_slot)
        booked = statuses2.get(201, 0)
        print(f"race      : {args.bookers} bookers for one session of quota {args.quota}: booked {booked}, "
              f"refused {statuses2.get(409, 0)}, errors {errors2}; latency {summary_ms(lat2)}")
        print(f"  quota    : {'held' if booked == min(args.quota, args.bookers) else 'BROKEN'}")
        deadline = time.monotonic() + 60
        while len(gateway.received) < with_contact and time.monotonic() < deadline:
            time.sleep(0.2)
        once = len(set(gateway.received)) == len(gateway.received)
        print(f"messages  : {len(gateway.received)} of {with_contact} confirmations at the gateway, "
              f"{'each once' if once else 'SOME TWICE'}")
        if errors or errors2 or booked != min(args.quota, args.bookers) or not once \
                or len(gateway.received) != with_contact:
            raise SystemExit(1)
    finally:
        office.close()


if __name__ == "__main__":
    main()
