"""Issuing a ticket: the kiosk's hot path, in SQLAlchemy Core with as few statements as the rules allow.

One transaction (the caller's), on SQLite and PostgreSQL alike:

1. read the run-time settings the rules need (call rule, closures, quotas) in one ``SELECT``;
2. the new ticket's group in the waiting queue, per service and priority, in one grouped
   ``SELECT`` over that group's part of the index: the people ahead of the new ticket, the mix of
   services waiting in its group (for the wait estimate) and its group's count for the counter
   screens (the other groups' counts did not change; the displays count for themselves);
3. only when someone is ahead: the active lokets (wait estimate). The group's recent desk visits
   come from a per-process cache (``estimate.group_visits``);
4. take the number: ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` (the counter row stays
   locked until the commit, so two kiosks, or two server processes, never get the same number);
5. count today's tickets of the service, only when it has a quota (under the lock: exact);
6. insert the ticket (``RETURNING id``) and 7. its print job.

On SQLite the whole transaction holds the write lock (BEGIN IMMEDIATE), so the people ahead are
exact. On PostgreSQL two kiosks issuing for one group in the same instant may both be told the
same number of people ahead, i.e. the later one one fewer than its status page then says (each
reads the queue before the other's ticket is committed); never fewer than zero, since it is a
count of committed rows. The numbers stay unique.

The request id of a kiosk tap is unique in the table, so a repeated tap fails at step 6 and the
caller answers with the ticket made the first time; nothing is read for it on the common path.
Plain Python over SQLAlchemy: no Flask.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from antrean.shared.domain import numbering, queue
from antrean.shared.domain.catalogue import Catalogue, Office, Service
from antrean.shared.domain.events import QUEUE_CHANGED, TICKET_ISSUED, Event
from antrean.shared.domain.numbering import pickup_code
from antrean.shared.domain.opening_hours import CLOSED_KEY, QUOTAS_KEY, evaluate, overrides_of, quota_of
from antrean.shared.domain.workflow import Status, TicketFlow
from antrean.shared.services import estimate, tickets
from antrean.shared.services.availability import ServiceClosed
from antrean.shared.services.context import Context
from antrean.shared.services.errors import Conflict, OperationError, clean_text
from antrean.shared.store import sequences, settings
from antrean.shared.store.db import core_transaction, retry_locked
from antrean.shared.store.models import Loket, PrintJob, Ticket

SETTING_KEYS = (tickets.CALL_RULE_KEY, CLOSED_KEY, QUOTAS_KEY)
REQUEST_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")

# A mapped class's __table__ is a Table (SQLAlchemy types it as the wider FromClause).
_tickets = cast(Table, Ticket.__table__)
_jobs = cast(Table, PrintJob.__table__)
_lokets = cast(Table, Loket.__table__)

# The statements are built once: building one costs more Python than running it on SQLite.
_READ_SETTINGS = settings.statement(SETTING_KEYS)
_ISSUED_TODAY = select(func.count()).select_from(_tickets).where(
    _tickets.c.office_day == bindparam("day"), _tickets.c.service_code == bindparam("code"))
_INSERT_TICKET = insert(_tickets).returning(_tickets.c.id)
_INSERT_JOB = insert(_jobs)
_ACTIVE_LOKETS = select(_lokets.c.groups).where(_lokets.c.active.is_(True))


def _queue_statement() -> Select[Any]:
    """The waiting tickets of group ``:group`` per service and priority, and how many of them were
    queued after ``:now`` (a new ticket queued at ``:now`` is not behind those).

    Only the group's part of the waiting-queue index (``ix_tickets_waiting``: status, group,
    service, priority, since) is read, and nothing is worked out per ticket: the count steps
    through the index entries, and the later ones are found by one index seek per (service,
    priority) row (the subquery; as a rule it finds none: a ticket queued after this request's
    clock reading is one committed by another request in the same instant)."""
    c = _tickets.c
    later = _tickets.alias("later")
    after_now = (select(func.count()).select_from(later)
                 .where(later.c.status == Status.WAITING.value, later.c.group == bindparam("group"),
                        later.c.service_code == c.service_code, later.c.priority == c.priority,
                        later.c.current_since > bindparam("now", type_=c.current_since.type))
                 .scalar_subquery())
    return (select(c.service_code, c.priority, func.count(), after_now)
            .where(c.status == Status.WAITING.value, c.group == bindparam("group"))
            .group_by(c.service_code, c.priority))


_QUEUE = _queue_statement()
_FLOWS: dict[int, tuple[Service, list[dict[str, Any]]]] = {}  # id(service) -> its steps as stored


def read_settings(conn: Connection) -> dict[str, Any]:
    """The run-time settings the issue rules read, in one query (absent keys are left out)."""
    return settings.read(conn, SETTING_KEYS)


def stored_flow(service: Service) -> list[dict[str, Any]]:
    """The service's steps as a ticket stores them (``Ticket.flow``), made once per catalogue version."""
    known = _FLOWS.get(id(service))
    if known is None or known[0] is not service:
        if len(_FLOWS) > 1000:  # many catalogue versions in one process: start again
            _FLOWS.clear()
        known = _FLOWS[id(service)] = (service, [asdict(st) for st in service.steps])
    return known[1]


def check_open(conn: Connection, office: Office, service: Service, now: datetime, day: date,
               stored: dict[str, Any], always_open: bool) -> None:
    """Raise ``availability.ServiceClosed`` unless the service takes tickets now. Today's count of
    the service is read only when it has a quota (after the number was drawn: exact under concurrency)."""
    overrides = overrides_of(stored.get(CLOSED_KEY), stored.get(QUOTAS_KEY), day)
    quota = quota_of(office, service.code, overrides)
    issued = issued_today(conn, service.code, day) if quota is not None else 0
    state = evaluate(office, service.code, now, issued, overrides, always_open)
    if not state.open:
        if quota is None:  # the refusal reports today's count too
            state = evaluate(office, service.code, now, issued_today(conn, service.code, day), overrides, always_open)
        raise ServiceClosed(service, state)


def issued_today(conn: Connection, service_code: str, day: date) -> int:
    return conn.execute(_ISSUED_TODAY, {"day": day, "code": service_code}).scalar_one()


def queue_now(conn: Connection, group: str, priority: bool, rule: str, now: datetime
              ) -> tuple[int, dict[str, int], int]:
    """Before the new ticket is inserted: (people ahead of a new ticket of ``group`` issued at
    ``now``, the services waiting in that group, the tickets waiting in that group).

    A waiting ticket is ahead of the new one when it was queued at or before ``now`` (the new
    ticket's id is the highest), and by the office's call rule: ``domain.queue.ahead_in_counts``,
    the rule ``tickets.position`` (the status page) runs as SQL."""
    mix: dict[str, int] = {}
    counts: list[tuple[bool, int, int]] = []
    waiting = 0
    for code, is_priority, n, after in conn.execute(_QUEUE, {"group": group, "now": now}):
        mix[code] = mix.get(code, 0) + n
        waiting += n
        counts.append((bool(is_priority), n, after or 0))
    return queue.ahead_in_counts(rule, priority, counts), mix, waiting


def new_ticket_row(service: Service, seq: int, day: date, now: datetime, priority: bool, reason: str | None,
                   lang: str, request_key: str | None, since: datetime | None = None) -> dict[str, Any]:
    return {
        "public_id": secrets.token_urlsafe(16), "office_day": day, "prefix": service.prefix, "seq": seq,
        "number": numbering.ticket_number(service.prefix, seq), "service_code": service.code,
        "service_name": service.name, "group": service.group, "flow": stored_flow(service),
        "priority": bool(priority), "priority_reason": reason if priority else None, "lang": lang,
        "status": Status.WAITING.value, "current_step": 1, "current_since": since or now, "created_at": now,
        "pickup_code": pickup_code(),
        "missing_documents": [], "request_key": request_key, "recalls": 0,
    }


def issue(conn: Connection, catalogue: Catalogue, service: Service, *, priority: bool, reason: str | None,
          lang: str, request_key: str | None, print_target: str | None, now: datetime, day: date,
          always_open: bool, status_url: Callable[[str], str], since: datetime | None = None,
          checked: bool = True) -> tuple[dict[str, Any], dict[str, int]]:
    """Issue the ticket and its print job inside the caller's transaction on ``conn``.

    ``since``: the ticket's place in the calling order when it is not ``now`` (a booking checked in:
    ``queue.booked_since``); ``checked=False``: the opening rules were checked when it was booked
    (a booked visit is not refused by today's walk-in quota).

    Returns (the ticket's public view, the waiting tickets of its group: ``{group: n}``; the other
    groups' counts did not change)."""
    # Reads first: the counter row taken below stays locked until the commit, and under PostgreSQL
    # every statement is a round trip in which a busy server process may run other requests first;
    # with the reads before it, the lock spans the number, the inserts and the commit only.
    # (SQLite's BEGIN IMMEDIATE serialises the whole transaction anyway.)
    stored = read_settings(conn)
    rule = queue.call_rule(stored.get(tickets.CALL_RULE_KEY))
    ahead, mix, waiting = queue_now(conn, service.group, bool(priority), rule, since or now)
    wait = 0
    if ahead > 0:
        mix[service.code] = mix.get(service.code, 0) + 1  # the new ticket waits in the mix too
        lokets: Iterable[list[str] | None] = conn.execute(_ACTIVE_LOKETS).scalars()
        wait = estimate.estimate_wait(catalogue, service.code, ahead, mix,
                                      estimate.group_visits(conn, service.group, now),
                                      estimate.serving_count(lokets, service.group, service.code))
    seq = sequences.next_value(conn, f"ticket:{service.prefix}", day.isoformat())
    if checked:
        check_open(conn, catalogue.office, service, now, day, stored, always_open)  # quota: counted after the number
    row = new_ticket_row(service, seq, day, now, priority, reason, lang, request_key, since)
    ticket_id = conn.execute(_INSERT_TICKET, row).scalar_one()
    conn.execute(_INSERT_JOB, {"ticket_id": ticket_id, "kind": "ticket", "status": "pending", "attempts": 0,
                               "created_at": now, "next_try_at": now, "target": print_target})
    return (new_ticket_view(catalogue, service, ticket_id, row, ahead, wait, status_url),
            {service.group: waiting + 1})


def new_ticket_view(catalogue: Catalogue, service: Service, ticket_id: int, row: dict[str, Any], ahead: int,
                    wait: int, status_url: Callable[[str], str]) -> dict[str, Any]:
    """The public view of a ticket just issued, from what was inserted (no read back)."""
    flow = TicketFlow(steps=tuple(service.steps), status=Status.WAITING, current_step=1,
                      current_since=row["current_since"])
    return tickets.public_view(SimpleNamespace(id=ticket_id, **row), flow, service, None, ahead, wait,
                       catalogue.office.timezone, status_url)


def issue_ticket(ctx: Context, service_code: Any, priority: Any = False, reason: Any = None,
                 lang: str = "id", request_key: Any = None,
                 print_target: str | None = None, print_base: str | None = None) -> dict[str, Any]:
    """Issue a ticket (checked against the opening rules) with its print job, in one transaction.

    ``print_base``: the address the printed QR code starts with for this ticket (the one the
    kiosk used), when the office configured none.

    ``request_key`` (the kiosk's id of one tap) makes the call idempotent: a repeated key
    returns the ticket made the first time, marked ``"repeated": True``, and issues nothing.
    """
    clean_text(service_code, reason, lang, request_key)
    if request_key is not None and not (isinstance(request_key, str) and REQUEST_KEY.fullmatch(request_key)):
        raise OperationError("request_id must be 8-64 letters, digits, '-' or '_'", "bad_request_id")
    service = ctx.service(service_code)
    if not isinstance(priority, bool):
        raise OperationError("priority must be true or false")
    if priority and reason is not None and reason not in queue.PRIORITY_REASONS:
        raise OperationError(f"priority reason must be one of {', '.join(queue.PRIORITY_REASONS)}")
    if reason is not None and not priority:
        priority = reason in queue.PRIORITY_REASONS
        if not priority:
            raise OperationError(f"priority reason must be one of {', '.join(queue.PRIORITY_REASONS)}")
    lang = lang if lang in ("id", "en") else "id"
    now = ctx.clock()
    day = numbering.office_day(now, ctx.tz)
    catalogue = ctx.catalogue
    target = print_target or ctx.print_target

    def attempt() -> tuple[dict[str, Any], dict[str, int]]:
        with core_transaction(ctx.sessions) as conn:
            return issue(conn, catalogue, service, priority=priority, reason=reason, lang=lang,
                         request_key=request_key, print_target=target, now=now, day=day,
                         always_open=bool(ctx.always_open), status_url=ctx.status_url)

    try:
        view, counts = retry_locked(attempt)  # SQLite locked past its busy timeout: a short bounded retry
    except (IntegrityError, Conflict):
        # A repeated tap (the request id is unique): the ticket made the first time, issued
        # nothing now -- also when that first ticket took the last place of the quota.
        earlier = tickets.repeated(ctx, request_key, now)
        if earlier is None:
            raise
        return earlier
    # the printer the job went to rides along, so the print hub need not read it back
    issued = {**view, "print_target": target, "print_base": print_base}
    # ``counts``: the new ticket's group only (the counter screens update the groups they are given)
    ctx.publish([Event(TICKET_ISSUED, issued), Event(QUEUE_CHANGED, counts)])
    return view
