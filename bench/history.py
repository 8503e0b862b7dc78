"""Queue operations as history grows: kiosk issue, call next, a loket's waiting list, the display
snapshot and the counter's ticket search, timed with 0, 100k and 1M historical tickets in the database.

    .venv/bin/python bench/history.py [--db sqlite|postgresql] [--levels 0,100000,1000000] [--ops 100]
        [--per-day 1000] [--index "CREATE INDEX ..."]...

For each level a fresh database gets that many closed tickets of earlier days, seeded with bulk
inserts (executemany on SQLite, COPY on PostgreSQL): each ticket with its stored SOP flow, its call
and its printed print job, the last 20 days also with their desk steps (the wait estimate reads
them). Then, through the service layer (the Desk, in this process, no HTTP), ``--ops`` tickets are
issued, waiting lists and display snapshots read, tickets searched by number (the counter's
search box), and ``--ops`` calls made. Each ``--index``
statement is then created and the same operations timed again, to show what an index would change.
PostgreSQL gets ANALYZE after seeding (autovacuum does the same on a live server); SQLite none.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Office, print_machine, summary_ms  # noqa: E402

TICKET_COLS = ("id", "public_id", "office_day", "prefix", "seq", "number", "service_code", "service_name",
               "group", "flow", "priority", "priority_reason", "lang", "status", "current_step",
               "current_since", "loket_id", "created_at", "called_at", "finished_at", "pickup_code",
               "missing_documents", "recalls")
CALL_COLS = ("id", "ticket_id", "loket_id", "kind", "at")
JOB_COLS = ("id", "ticket_id", "kind", "status", "attempts", "created_at", "next_try_at", "printed_at")
STEP_COLS = ("ticket_id", "number", "actor", "role", "available_at", "finished_at", "standard_minutes")
STEP_DAYS = 20  # tickets of the last days get their desk steps too


def history_rows(catalogue, count: int, per_day: int, today):
    """(ticket, call, print job, [steps]) tuples of closed tickets, newest day = yesterday, oldest first."""
    tz = ZoneInfo(catalogue.office.timezone)
    services = list(catalogue.services.values())
    flows = {s.code: json.dumps([asdict(st) for st in s.steps]) for s in services}
    days = (count + per_day - 1) // per_day
    for i in range(count):
        day = today - timedelta(days=days - i // per_day)
        k = i % per_day
        service = services[i % len(services)]
        opened = datetime.combine(day, dtime(7, 30), tzinfo=tz).astimezone(UTC)
        created = opened + timedelta(seconds=k * 27000 / per_day)  # spread over 7.5 office hours
        called = created + timedelta(minutes=6)
        finished = called + timedelta(minutes=14)
        status = "done" if i % 20 else ("returned" if i % 40 else "no_show")
        ticket_id = i + 1
        ticket = (ticket_id, f"hist{ticket_id:012d}", day, service.prefix, k + 1, f"{service.prefix}{k + 1:03d}",
                  service.code, service.name, service.group, flows[service.code], i % 7 == 0, None, "id",
                  status, len(service.steps), finished, 1 + i % 3, created, called, finished, "ACDEFG", "[]", 0)
        steps = []
        if (today - day).days <= STEP_DAYS:
            at = called
            for st in service.steps[1:4]:
                at2 = at + timedelta(minutes=max(1, st.minutes))
                steps.append((ticket_id, st.number, st.actor, st.actor, at, at2, float(st.minutes)))
                at = at2
        yield ticket, (ticket_id, ticket_id, 1 + i % 3, "call", called), \
            (ticket_id, ticket_id, "ticket", "printed", 1, created, created, created), steps


def _sqlite_value(v):
    cls = type(v)
    if cls is datetime:  # stored as SQLAlchemy stores a naive UTC datetime on SQLite
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if cls is date:
        return v.isoformat()
    return v


def seed(office: Office, catalogue, count: int, per_day: int, batch: int = 20000) -> float:
    """Bulk-insert ``count`` historical tickets; returns the seconds it took."""
    if count <= 0:
        return 0.0
    from antrean.shared.domain.clock import utcnow
    from antrean.shared.domain.numbering import office_day

    today = office_day(utcnow(), catalogue.office.timezone)
    started = time.perf_counter()
    raw = office.engine.raw_connection()
    try:
        cur = raw.cursor()
        if office.db == "sqlite":  # a bulk load: durability of each batch does not matter here
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA foreign_keys=OFF")  # the rows are made consistent here
            cur.execute("PRAGMA cache_size=-262144")
        rows = history_rows(catalogue, count, per_day, today)
        tables = (("tickets", TICKET_COLS), ("calls", CALL_COLS), ("print_jobs", JOB_COLS),
                  ("ticket_steps", STEP_COLS))
        while True:
            chunk = [next(rows, None) for _ in range(batch)]
            chunk = [c for c in chunk if c is not None]
            if not chunk:
                break
            parts = ([c[0] for c in chunk], [c[1] for c in chunk], [c[2] for c in chunk],
                     [st for c in chunk for st in c[3]])
            for (table, cols), values in zip(tables, parts, strict=True):
                if not values:
                    continue
                names = ", ".join(f'"{c}"' for c in cols)
                if office.db == "sqlite":
                    cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(cols))})",
                                    [tuple(_sqlite_value(v) for v in row) for row in values])
                else:
                    with cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                        for row in values:
                            copy.write_row(row)
            raw.commit()
        if office.db == "postgresql":
            for table in ("tickets", "calls", "print_jobs", "ticket_steps"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
            raw.commit()
            cur.execute("ANALYZE")  # in a transaction: fine for ANALYZE (not for VACUUM)
            raw.commit()
        cur.close()
    finally:
        raw.close()
    return time.perf_counter() - started


def time_operations(office: Office, catalogue, ops: int) -> dict[str, list[float]]:
    """Issue ``ops`` tickets, read waiting lists and snapshots, make ``ops`` calls: durations."""
    from sqlalchemy import select

    from antrean.shared.bootstrap import open_office
    from antrean.shared.services.desk import Actor
    from antrean.shared.store.models import User

    desk = open_office({"ALWAYS_OPEN": True}, sessions=office.sessions, catalogue=catalogue)
    with office.sessions() as s:
        actors = [Actor.of(u) for u in s.scalars(select(User).where(User.username.like("bench%")))]
    codes = list(catalogue.services)
    out: dict[str, list[float]] = {"kiosk issue": [], "waiting list": [], "display snapshot": [],
                                   "find ticket": [], "call next": []}

    def timed(name: str, fn) -> None:
        t0 = time.perf_counter()
        fn()
        out[name].append(time.perf_counter() - t0)

    numbers: list[str] = []
    for i in range(ops):
        code = codes[i % len(codes)]
        timed("kiosk issue", lambda code=code: numbers.append(desk.issue_ticket(code)["number"]))
    for i in range(ops):
        clerk = actors[i % len(actors)]
        timed("waiting list", lambda clerk=clerk: desk.waiting_list(clerk))
        timed("display snapshot", lambda: desk.display_snapshot())
        if i < 20:  # the counter's search box (without an index a scan: 20 are enough)
            timed("find ticket", lambda number=numbers[i]: desk.find_tickets(number))
    for i in range(ops):
        clerk = actors[i % len(actors)]
        called: list[dict] = []
        timed("call next", lambda clerk=clerk, called=called: called.append(desk.call_next(clerk)))
        if called[-1] is not None:  # untimed: the applicant does not come, so the loket is free again
            desk.no_show(clerk, called[-1]["id"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--levels", default="0,100000,1000000", help="historical tickets, comma-separated")
    parser.add_argument("--ops", type=int, default=100, help="operations of each kind per measurement")
    parser.add_argument("--per-day", type=int, default=1000, help="historical tickets per office day")
    parser.add_argument("--index", action="append", default=[],
                        help="a CREATE INDEX statement to time the operations with, after without")
    args = parser.parse_args()

    from sqlalchemy import text

    from antrean.shared.domain.catalogue import load_catalogue

    catalogue = load_catalogue()
    print_machine(args.db, "bench/history.py: queue operations as history grows (service layer, no HTTP)")
    for level in [int(x) for x in args.levels.split(",") if x.strip()]:
        office = Office(args.db, 1)
        try:
            office.add_staff(3)
            took = seed(office, catalogue, level, args.per_day)
            rate = f", {level / took:,.0f} tickets/s" if took else ""
            print(f"history {level:>9,} tickets on {args.db}: seeded in {took:.1f} s{rate}")
            variants = [("", [])] + ([("with index", args.index)] if args.index else [])
            for label, statements in variants:
                with office.engine.begin() as conn:
                    for sql in statements:
                        t0 = time.perf_counter()
                        conn.execute(text(sql))
                        print(f"  {sql}  ({time.perf_counter() - t0:.1f} s)")
                for name, values in time_operations(office, catalogue, args.ops).items():
                    print(f"  {name:<17}{(' ' + label) if label else '':<11}: {summary_ms(values)}")
            sys.stdout.flush()
        finally:
            office.close()


if __name__ == "__main__":
    main()
