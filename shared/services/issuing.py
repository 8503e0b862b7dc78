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

import secrets
from dataclasses import asdict
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.engine import Connection

from antrean.shared.domain import numbering
from antrean.shared.domain.catalogue import Catalogue, Service
from antrean.shared.domain.workflow import Status, TicketFlow
from antrean.shared.services import availability, estimate
from antrean.shared.services.desk import CALL_RULES, PICKUP_ALPHABET, public_view
from antrean.shared.store import sequences
from antrean.shared.store.db import in_each
from antrean.shared.store.models import Loket, PrintJob, Setting, Ticket

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


def _queue_statement():
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
              ) -> tuple[int, dict[str, int], int]:
    """Before the new ticket is inserted: (people ahead of a new ticket of ``group`` issued at
    ``now``, the services waiting in that group, the tickets waiting in that group).

    A waiting ticket is ahead of the new one when it was queued at or before ``now`` (the new
    ticket's id is the highest), and by the office's call rule (``Desk._position``, which the
    status page uses): under ``priority_first`` a priority ticket is ahead of every plain one, and
    a new priority ticket follows only the priority tickets."""
    people_ahead, mix, waiting = 0, {}, 0
    for code, is_priority, n, after in conn.execute(_QUEUE, {"group": group, "now": now}):
        mix[code] = mix.get(code, 0) + n
        waiting += n
        before = n - (after or 0)
        if rule == "priority_first":
            if priority:
                people_ahead += before if is_priority else 0
            else:
                people_ahead += n if is_priority else before
        else:
            people_ahead += before
    return people_ahead, mix, waiting


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

    Returns (the ticket's public view, the waiting tickets of its group: ``{group: n}``; the other
    groups' counts did not change)."""
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
    seq = sequences.next_value(conn, f"ticket:{service.prefix}", day.isoformat())
    check_open(conn, catalogue.office, service, now, day, settings, always_open)  # quota: counted after the number
    row = new_ticket_row(service, seq, day, now, priority, reason, lang, request_key)
    ticket_id = conn.execute(_INSERT_TICKET, row).scalar_one()
    conn.execute(_INSERT_JOB, {"ticket_id": ticket_id, "kind": "ticket", "status": "pending", "attempts": 0,
                               "created_at": now, "next_try_at": now, "target": print_target})
    return (new_ticket_view(catalogue, service, ticket_id, row, ahead, wait, status_url),
            {service.group: waiting + 1})


def new_ticket_view(catalogue: Catalogue, service: Service, ticket_id: int, row: dict[str, Any], ahead: int,
                    wait: int, status_url) -> dict[str, Any]:
    """The public view of a ticket just issued, from what was inserted (no read back)."""
    flow = TicketFlow(steps=tuple(service.steps), status=Status.WAITING, current_step=1,
                      current_since=row["current_since"])
    return public_view(SimpleNamespace(id=ticket_id, **row), flow, service, None, ahead, wait,
                       catalogue.office.timezone, status_url)
