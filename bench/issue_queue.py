"""Server CPU per ticket issued as the waiting queue grows, in one process (no HTTP server): the
kiosk's ``POST /api/v1/tickets`` through the Flask test client on a fresh SQLite (or PostgreSQL)
database, with no print worker.

    .venv/bin/python bench/issue_queue.py [--db sqlite|postgresql] [--sizes 350,1000,3000,5000]
        [--tickets 300] [--no-display-feed]

The queue is filled with kiosk tickets (every service in turn, as bench/issue.py does) up to each
size; the last ``--tickets`` of each size are timed (process CPU time). Without a background worker
the display feed works inline: every ticket reads a display snapshot unless the code skips it when
no display is connected; ``--no-display-feed`` switches the feed off, to time the issue path alone.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Office, print_machine  # noqa: E402
from print_path import Kiosk, build_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--sizes", default="350,1000,3000,5000", help="waiting tickets after each timed run")
    parser.add_argument("--tickets", type=int, default=300, help="tickets timed at each size")
    parser.add_argument("--no-display-feed", action="store_true", help="the issue path alone")
    args = parser.parse_args()
    sizes = sorted(int(x) for x in args.sizes.split(","))

    print_machine(args.db, "bench/issue_queue.py: server CPU per ticket issued as the queue grows (in-process)")
    office = Office(args.db, 1, printer="none")
    try:
        app = build_app(office)
        if args.no_display_feed:
            app.extensions["antrean.display_feed"].changed = lambda remote=False: None
        kiosk = Kiosk(app)
        kiosk.issue(20)  # warm-up: imports, statement caches
        waiting = 20
        print(f"display feed: {'off' if args.no_display_feed else 'on (inline), no display connected'}")
        for size in sizes:
            kiosk.issue(max(0, size - args.tickets - waiting))
            start = kiosk.n
            t0 = time.process_time()
            kiosk.issue(args.tickets)
            cpu = time.process_time() - t0
            waiting = kiosk.n
            print(f"waiting {start:5d} -> {waiting:5d}: {cpu / args.tickets * 1000:.3f} ms CPU a ticket "
                  f"({args.tickets} tickets)")
            sys.stdout.flush()
        print(f"load avg after: {', '.join(f'{x:.2f}' for x in __import__('os').getloadavg())}")
    finally:
        office.close()


if __name__ == "__main__":
    main()
