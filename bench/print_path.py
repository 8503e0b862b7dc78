"""Server CPU spent printing each queue ticket: the print worker's claim, layout, file write and
finish, in one process (no HTTP timing, no other threads).

    .venv/bin/python bench/print_path.py [--db sqlite|postgresql] [--tickets 300] [--single 100]
        [--renders 300] [--top 25] [--sort tottime|cumulative]

The app is built with ``create_app(start_workers=False)`` on a fresh database and the file
printer (``file://DIR/``, one ``.escpos`` file per ticket, as in bench/issue.py). Tickets are
issued through the Flask test client, untimed; then ``PrintWorker.run_due()`` is timed with
``time.process_time`` (this process's CPU, all threads: none but this one run):

- burst : ``--tickets`` tickets issued, then ``run_due()`` until every one is printed;
- single: ``--single`` times one ticket issued, then ``run_due()`` (the usual case: the worker
  wakes on each ``ticket.issued``);
- layout: the ESC/POS bytes of one slip rendered ``--renders`` times (python-escpos ``Dummy``);
- file write: the file printer writing those bytes ``--renders`` times (a new file each time).

A cProfile top list of one more burst (or ``--profile single``: of single tickets) follows
(``--top 0`` leaves it out). The file printer's folder is under the system's temporary folder
(``TMPDIR``): creating a file costs more on some file systems than on others, and counts here.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Office, print_machine  # noqa: E402


def build_app(office: Office):
    """The app in this process on the office's database, with the file printer and no workers."""
    for key in ("ANTREAN_INSTANCE", "DATABASE_URL", "SECRET_KEY", "ANTREAN_PRINTER", "ANTREAN_ALWAYS_OPEN",
                "ANTREAN_ISSUE_LIMIT"):
        os.environ[key] = office.env[key]
    os.environ["ANTREAN_SPEECH"] = "off"
    os.environ.pop("REDIS_URL", None)
    from antrean.shared.app import create_app

    return create_app(start_workers=False)


def printer_from_url(url: str, instance: Path):
    from antrean.hardware.printer import printer_from_url

    return printer_from_url(url, instance)


class Kiosk:
    def __init__(self, app):
        self.client = app.test_client()
        self.services = [s["code"] for s in self.client.get("/api/v1/services").get_json()["services"]]
        self.n = 0

    def issue(self, count: int) -> None:
        for _ in range(count):
            resp = self.client.post("/api/v1/tickets", json={"service": self.services[self.n % len(self.services)]})
            if resp.status_code != 201:
                raise SystemExit(f"issue failed: {resp.status_code} {resp.get_data(as_text=True)[:300]}")
            self.n += 1


def drain(worker, expected: int) -> tuple[int, int]:
    """``run_due()`` until ``expected`` tickets are printed: (printed, rounds)."""
    printed = rounds = 0
    while printed < expected:
        got = worker.run_due()
        rounds += 1
        if got == 0:
            raise SystemExit(f"the worker stopped after {printed} of {expected} tickets: {worker.last_error}")
        printed += got
    return printed, rounds


def per_ticket(cpu: float, n: int) -> str:
    return f"{cpu / n * 1000:.3f} ms CPU per ticket ({n} tickets, {cpu * 1000:.0f} ms)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--tickets", type=int, default=300, help="tickets of the burst")
    parser.add_argument("--single", type=int, default=100, help="tickets printed one at a time")
    parser.add_argument("--renders", type=int, default=300, help="layout renders of one slip")
    parser.add_argument("--top", type=int, default=25, help="lines of the cProfile list (0: none)")
    parser.add_argument("--sort", choices=("tottime", "cumulative"), default="tottime")
    parser.add_argument("--profile", choices=("burst", "single"), default="burst",
                        help="what the cProfile list is of: one burst, or --single tickets one at a time")
    args = parser.parse_args()

    print_machine(args.db, "bench/print_path.py: server CPU per printed ticket (in-process, file printer)")
    office = Office(args.db, 1)
    try:
        app = build_app(office)
        worker = app.extensions["antrean.printer"]
        print(f"printer   : {worker.printer.describe()}")
        kiosk = Kiosk(app)
        kiosk.issue(3)  # warm-up: imports, statement caches, the printer's folder
        drain(worker, 3)

        kiosk.issue(args.tickets)
        t0 = time.process_time()
        printed, rounds = drain(worker, args.tickets)
        cpu = time.process_time() - t0
        print(f"burst     : {per_ticket(cpu, printed)}, {rounds} run_due() calls")

        cpu = 0.0
        for _ in range(args.single):
            kiosk.issue(1)
            t0 = time.process_time()
            drain(worker, 1)
            cpu += time.process_time() - t0
        print(f"single    : {per_ticket(cpu, args.single)}")

        slips = []
        real = worker.printer.print_slip
        worker.printer.print_slip = lambda slip: (slips.append(slip), real(slip))
        kiosk.issue(1)
        drain(worker, 1)
        del worker.printer.print_slip
        render = worker.printer.render
        t0 = time.process_time()
        for _ in range(args.renders):
            data = render(slips[0])
        cpu = time.process_time() - t0
        print(f"layout    : {cpu / args.renders * 1000:.3f} ms CPU per slip ({len(data)} bytes of ESC/POS)")
        files = printer_from_url(f"file://{office.tmp / 'bench-writes'}/", office.tmp)
        files.render = lambda slip: data
        t0 = time.process_time()
        for _ in range(args.renders):
            files.print_slip(slips[0])
        cpu = time.process_time() - t0
        print(f"file write: {cpu / args.renders * 1000:.3f} ms CPU per slip (the file printer without the layout)")

        files = len(list((office.tmp / "printed").glob("*.escpos")))
        expected = 3 + args.tickets + args.single + 1
        print(f"printed   : {files} files for {expected} tickets")
        if files != expected:
            raise SystemExit("a ticket was not printed exactly once")

        if args.top > 0:
            profile = cProfile.Profile()
            if args.profile == "burst":
                kiosk.issue(args.tickets)
                profile.enable()
                drain(worker, args.tickets)
                profile.disable()
                what = f"one burst of {args.tickets} tickets"
            else:
                for _ in range(args.single):
                    kiosk.issue(1)
                    profile.enable()
                    drain(worker, 1)
                    profile.disable()
                what = f"{args.single} tickets one at a time"
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.top)
            text = out.getvalue()
            print(f"profile   : {what}, top {args.top} by {args.sort}")
            print(text[text.find("   ncalls"):].rstrip())
        sys.stdout.flush()
    finally:
        office.close()


if __name__ == "__main__":
    main()
