"""Issuing a ticket: the kiosk's hot path, in SQLAlchemy Core with as few statements as the rules allow.

One transaction (the caller's), on SQLite and PostgreSQL alike:

1. read the run-time settings the rules need (call rule, closures, quotas) in one ``SELECT``;
2. the waiting queue per group and service in one grouped ``SELECT``: the people ahead of the new
   ticket, the mix of services waiting in its group (for the wait estimate) and the counts the
   displays show;
3. only when someone is ahead: the active lokets (wait estimate). The group's recent desk visits
   come from a per-process cache (``estimate.group_visits``);
4. take the number: ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` (the counter row stays
   locked until the commit, so two kiosks, or two server processes, never get the same number);
5. count today's tickets of the service, only when it has a quota (under the lock: exact);
6. insert the ticket (``RETURNING id``) and 7. its print job.

On SQLite the whole transaction holds the write lock (BEGIN IMMEDIATE), so the people ahead are
exact. On PostgreSQL two kiosks issuing for one group in the same instant may both be told the
same number of people ahead (the status page then counts exactly); the numbers stay unique.

The request id of a kiosk tap is unique in the table, so a repeated tap fails at step 6 and the
caller answers with the ticket made the first time; nothing is read for it on the common path.
Plain Python over SQLAlchemy: no Flask.
"""
from __future__ import annotations

import secrets
from dataclasses import asdict
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, bindparam, case, func, insert, or_, select
from sqlalchemy.engine import Connection

from . import availability, estimate, numbering
from .catalogue import Catalogue, Service
from .db import in_each
from .models import Loket, PrintJob, Setting, Ticket
from .operations import CALL_RULES, PICKUP_ALPHABET, public_view
from .workflow import Status, TicketFlow

SETTING_KEYS = ("call_rule", availability.CLOSED_KEY, availability.QUOTAS_KEY)

_tickets = Ticket.__table__
_jobs = PrintJob.__table__
_settings = Setting.__table__
_lokets = Loket.__table__

# The statements are built once: building one costs more Python than running it on SQLite.
_READ_SETTINGS = select(_settings.c.key, _settings.c.value).where(in_each(_settings.c.key, SETTING_KEYS))
_ISSUED_TODAY = select(func.count()).select_from(_tickets).where(
    _tickets.c.office_day == bindparam("day"), _tickets.c.service_code == bindparam("code"))
_INSERT_TICKET = insert(_tickets).returning(_tickets.c.id)
_INSERT_JOB = insert(_jobs)
_ACTIVE_LOKETS = select(_lokets.c.groups).where(_lokets.c.active.is_(True))


def _queue_statement(rule: str, priority: bool):
    """Waiting tickets per group and service, and how many of them are ahead of a new ticket of
    group ``:group`` queued at ``:now`` (every waiting ticket was queued before it; ids are lower)."""
    c = _tickets.c
    earlier = c.current_since <= bindparam("now", type_=c.current_since.type)
    if rule == "priority_first":
        earlier = and_(c.priority.is_(True), earlier) if priority else or_(c.priority.is_(True), earlier)
    ahead = func.sum(case((and_(c.group == bindparam("group"), earlier), 1), else_=0))
    return (select(c.group, c.service_code, func.count(), ahead)
            .where(c.status == Status.WAITING.value).group_by(c.group, c.service_code))


_QUEUE = {(rule, priority): _queue_statement(rule, priority) for rule in CALL_RULES for priority in (False, True)}
_FLOWS: dict[int, tuple[Service, list[dict[str, Any]]]] = {}  # id(service) -> its steps as stored


def read_settings(conn: Connection) -> dict[str, Any]:
    """The run-time settings the issue rules read, in one query (absent keys are left out)."""
    return {key: value for key, value in conn.execute(_READ_SETTINGS) if value is not None}


def stored_flow(service: Service) -> list[dict[str, Any]]:
    """The service's steps as a ticket stores them (``Ticket.flow``), made once per catalogue version."""
    known = _FLOWS.get(id(service))
    if known is None or known[0] is not service:
        if len(_FLOWS) > 1000:  # many catalogue versions in one process: start again
            _FLOWS.clear()
        known = _FLOWS[id(service)] = (service, [asdict(st) for st in service.steps])
    return known[1]


def call_rule_of(settings: dict[str, Any]) -> str:
    rule = settings.get("call_rule", "priority_first")
    return rule if rule in CALL_RULES else "priority_first"


def check_open(conn: Connection, office, service: Service, now: datetime, day: date,
               settings: dict[str, Any], always_open: bool) -> None:
    """Raise ``availability.ServiceClosed`` unless the service takes tickets now. Today's count of
    the service is read only when it has a quota (after the number was drawn: exact under concurrency)."""
    overrides = availability.overrides_of(settings.get(availability.CLOSED_KEY),
                                          settings.get(availability.QUOTAS_KEY), day)
    quota = availability.quota_of(office, service.code, overrides)
    issued = issued_today(conn, service.code, day) if quota is not None else 0
    state = availability.evaluate(office, service.code, now, issued, overrides, always_open)
    if not state.open:
        if quota is None:  # the refusal reports today's count too
            state = availability.evaluate(office, service.code, now, issued_today(conn, service.code, day),
                                          overrides, always_open)
        raise availability.ServiceClosed(service, state)


def issued_today(conn: Connection, service_code: str, day: date) -> int:
    return conn.execute(_ISSUED_TODAY, {"day": day, "code": service_code}).scalar_one()


def queue_now(conn: Connection, group: str, priority: bool, rule: str, now: datetime
              ) -> tuple[int, dict[str, int], dict[str, int]]:
    """Before the new ticket is inserted: (people ahead of a new ticket of ``group`` issued at
    ``now``, the services waiting in that group, the waiting tickets per group)."""
    rows = conn.execute(_QUEUE[(rule, bool(priority))], {"group": group, "now": now})
    people_ahead, mix, counts = 0, {}, {}
    for grp, code, n, before in rows:
        counts[grp] = counts.get(grp, 0) + n
        if grp == group:
            mix[code] = n
            people_ahead += int(before or 0)
    return people_ahead, mix, counts


PICKUP_LENGTH = 6
_PICKUP_CODES = len(PICKUP_ALPHABET) ** PICKUP_LENGTH  # 25**6: about 244 million


def pickup_code(draw=secrets.randbelow) -> str:
    """Six characters of ``PICKUP_ALPHABET``, uniformly random, from one draw (not one per character):
    the draw's base-25 digits."""
    n = draw(_PICKUP_CODES)
    chars = []
    for _ in range(PICKUP_LENGTH):
        n, digit = divmod(n, len(PICKUP_ALPHABET))
        chars.append(PICKUP_ALPHABET[digit])
    return "".join(chars)


def new_ticket_row(service: Service, seq: int, day: date, now: datetime, priority: bool, reason: str | None,
                   lang: str, request_key: str | None) -> dict[str, Any]:
    return {
        "public_id": secrets.token_urlsafe(16), "office_day": day, "prefix": service.prefix, "seq": seq,
        "number": numbering.ticket_number(service.prefix, seq), "service_code": service.code,
        "service_name": service.name, "group": service.group, "flow": stored_flow(service),
        "priority": bool(priority), "priority_reason": reason if priority else None, "lang": lang,
        "status": Status.WAITING.value, "current_step": 1, "current_since": now, "created_at": now,
        "pickup_code": pickup_code(),
        "missing_documents": [], "request_key": request_key, "recalls": 0,
    }


def issue(conn: Connection, catalogue: Catalogue, service: Service, *, priority: bool, reason: str | None,
          lang: str, request_key: str | None, print_target: str | None, now: datetime, day: date,
          always_open: bool, status_url) -> tuple[dict[str, Any], dict[str, int]]:
    """Issue the ticket and its print job inside the caller's transaction on ``conn``.

    Returns (the ticket's public view, the waiting tickets per group)."""
    # Reads first: the counter row taken below stays locked until the commit, and under PostgreSQL
    # every statement is a round trip in which a busy server process may run other requests first;
    # with the reads before it, the lock spans the number, the inserts and the commit only.
    # (SQLite's BEGIN IMMEDIATE serialises the whole transaction anyway.)
    settings = read_settings(conn)
    ahead, mix, waiting = queue_now(conn, service.group, bool(priority), call_rule_of(settings), now)
    wait = 0
    if ahead > 0:
        mix[service.code] = mix.get(service.code, 0) + 1  # the new ticket waits in the mix too
        lokets = conn.execute(_ACTIVE_LOKETS).scalars()
        wait = estimate.estimate_wait(catalogue, service.code, ahead, mix,
                                      estimate.group_visits(conn, service.group, now),
                                      estimate.serving_count(lokets, service.group, service.code))
    seq = numbering.next_value(conn, f"ticket:{service.prefix}", day.isoformat())
    check_open(conn, catalogue.office, service, now, day, settings, always_open)  # quota: counted after the number
    row = new_ticket_row(service, seq, day, now, priority, reason, lang, request_key)
    ticket_id = conn.execute(_INSERT_TICKET, row).scalar_one()
    conn.execute(_INSERT_JOB, {"ticket_id": ticket_id, "kind": "ticket", "status": "pending", "attempts": 0,
                               "created_at": now, "next_try_at": now, "target": print_target})
    counts = {g: 0 for g in catalogue.groups}
    counts.update(waiting)
    counts[service.group] = counts.get(service.group, 0) + 1
    return new_ticket_view(catalogue, service, ticket_id, row, ahead, wait, status_url), counts


def new_ticket_view(catalogue: Catalogue, service: Service, ticket_id: int, row: dict[str, Any], ahead: int,
                    wait: int, status_url) -> dict[str, Any]:
    """The public view of a ticket just issued, from what was inserted (no read back)."""
    flow = TicketFlow(steps=tuple(service.steps), status=Status.WAITING, current_step=1,
                      current_since=row["current_since"])
    return public_view(SimpleNamespace(id=ticket_id, **row), flow, service, None, ahead, wait,
                       catalogue.office.timezone, status_url)
