"""Call-to-message latency: from a clerk's call request to the message reaching the office's gateway,
through a real `antrean serve` process and its outbox worker.

    .venv/bin/python bench/notify.py [--db sqlite|postgresql] [--calls 40] [--gap 0.2]

This process runs the gateways on loopback: an SMTP server (aiosmtpd) and an HTTP server standing in
for a WhatsApp gateway (JSON body, as the WhatsApp Business Cloud API takes it), and starts the server
with ``ANTREAN_SMTP_HOST``/``ANTREAN_WHATSAPP_URL`` pointing at them. For each call: a ticket is issued
(``POST /api/v1/tickets``), its citizen's contact is written (the outbox service, as the status page's
opt-in does; alternately WhatsApp and e-mail), and the call is ``POST /api/v1/staff/call-next`` with the
clerk's device token. Latency is the gateway's receive time minus the call request's send time (one
process, one monotonic clock). The target (issue 18): every message within 1 s.
"""
from __future__ import annotations

import argparse
import http.client
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Office, pct, post_json, print_machine  # noqa: E402

TARGET_SECONDS = 1.0


class Arrivals:
    """Messages received by either gateway: the ticket number each one names and when it came."""

    def __init__(self):
        self.at: dict[str, float] = {}
        self.count = 0
        self.cond = threading.Condition()

    def record(self, text: str) -> None:
        now = time.perf_counter()
        number = next((w.rstrip(".,") for w in text.split() if w[:1] == "A" and w[1:4].isdigit()), "?")
        with self.cond:
            self.at.setdefault(number, now)
            self.count += 1
            self.cond.notify_all()

    def wait_for(self, number: str, timeout: float) -> float | None:
        with self.cond:
            self.cond.wait_for(lambda: number in self.at, timeout)
            return self.at.get(number)


def start_gateways(arrivals: Arrivals):
    from aiosmtpd.controller import Controller

    class Mail:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802  # aiosmtpd's hook name
            arrivals.record(envelope.content.decode(errors="replace"))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(Mail(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  # http.server's hook name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            arrivals.record(json.loads(body)["text"]["body"])
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    http_server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=http_server.serve_forever, daemon=True).start()
    return smtp, smtp_port, http_server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--gap", type=float, default=0.2, help="seconds between one message's arrival and the next call")
    args = parser.parse_args()

    arrivals = Arrivals()
    smtp, smtp_port, http_server = start_gateways(arrivals)
    wa_url = f"http://127.0.0.1:{http_server.server_address[1]}/v19.0/1/messages"
    office = Office(args.db, 1, printer="none", speech="off", extra_env={
        "ANTREAN_SMTP_HOST": "127.0.0.1", "ANTREAN_SMTP_PORT": str(smtp_port), "ANTREAN_SMTP_SECURITY": "none",
        "ANTREAN_WHATSAPP_URL": wa_url, "ANTREAN_WHATSAPP_TOKEN": "Bearer bench",
        "ANTREAN_PUBLIC_URL": "https://antrean.example.id"})
    try:
        clerk = office.add_staff(1)[0]
        office.start()
        print_machine(args.db, f"bench/notify.py: call -> message at the gateway, {args.calls} calls")
        from antrean.shared.domain.catalogue import load_catalogue
        from antrean.shared.services import outbox
        from antrean.shared.services.context import Context

        ctx = Context(load_catalogue(), office.sessions)
        ctx.message_channels = ("whatsapp", "email")
        conn = http.client.HTTPConnection("127.0.0.1", office.ports[0], timeout=30)
        token = {"Authorization": f"Bearer {clerk['token']}"}
        latencies: dict[str, list[float]] = {"whatsapp": [], "email": []}
        lost = 0
        for i in range(args.calls):
            status, ticket = post_json(conn, "/api/v1/tickets", {"service": "ktp"})
            if status != 201:
                raise SystemExit(f"issue failed: {status} {ticket}")
            channel = ("whatsapp", "email")[i % 2]
            outbox.add_contact(ctx, ticket["public_id"], channel,
                               "081234567890" if channel == "whatsapp" else "warga@example.id", "id", "status", True)
            sent = time.perf_counter()
            status, called = post_json(conn, "/api/v1/staff/call-next", {"force": True}, token)
            if status != 200 or (called.get("ticket") or {}).get("number") != ticket["number"]:
                raise SystemExit(f"call failed: {status} {called}")
            arrived = arrivals.wait_for(ticket["number"], 10.0)
            if arrived is None:
                lost += 1
            else:
                latencies[channel].append(arrived - sent)
            time.sleep(args.gap)
        every = latencies["whatsapp"] + latencies["email"]
        for name, values in (("whatsapp (HTTP)", latencies["whatsapp"]), ("e-mail (SMTP)", latencies["email"]),
                             ("all", every)):
            if values:
                print(f"  call -> {name:15}: p50 {pct(values, 50) * 1000:.0f} ms, p95 {pct(values, 95) * 1000:.0f} ms, "
                      f"p99 {pct(values, 99) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms (n={len(values)})")
        within = sum(1 for v in every if v <= TARGET_SECONDS)
        print(f"  within {TARGET_SECONDS:.0f} s  : {within} of {args.calls}; lost {lost}; "
              f"messages received {arrivals.count} (one per call: {arrivals.count == args.calls})")
    finally:
        office.close()
        smtp.stop()
        http_server.shutdown()


if __name__ == "__main__":
    main()
