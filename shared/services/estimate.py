"""Wait estimates: the queue ahead, the lokets open for it, and how long a desk visit takes.

A *desk visit* is what keeps a loket busy with one applicant: from the call to the end of the first
run of front-desk steps after the applicant hands in the request (receive, verify, register; a TMS
decision ends it early). By the SOP it lasts the sum of those steps' Mutu Baku minutes; once there
is history, the recent real visits of the same service (or, with too few of those, of its group,
as a ratio to the SOP minutes) replace the catalogue's minutes.

The pure functions take plain values; ``recent_visits`` and ``ticket_wait_minutes`` read the
database through a SQLAlchemy session given by the caller. No Flask.
"""
from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from antrean.shared.domain.catalogue import Service, Step

DESK_KINDS = ("receive", "verify", "register")
HISTORY_DAYS = 14  # look back this far for real desk visits
HISTORY_TICKETS = 20  # at most this many recent visits per service
MIN_HISTORY = 5  # fewer real visits than this: use the catalogue (or the group's ratio)
MAX_VISIT_MINUTES = 240  # a longer "visit" is a ticket left open, not a desk visit


def _kind(step: Step | Mapping[str, Any]) -> str:
    return step.kind if isinstance(step, Step) else str(step.get("kind"))


def _number(step: Step | Mapping[str, Any]) -> int:
    return step.number if isinstance(step, Step) else int(step.get("number"))


def desk_steps(steps: Iterable[Step | Mapping[str, Any]]) -> list:
    """The first run of front-desk steps after step 1 (Step objects or stored step dicts)."""
    run = []
    for step in sorted(steps, key=_number):
        if _number(step) == 1:
            continue
        if _kind(step) not in DESK_KINDS:
            break
        run.append(step)
    return run


def desk_minutes(service: Service) -> float:
    """Minutes of the desk visit by the SOP (the Mutu Baku of the front-desk steps), at least 1.
    Worked out once per service object (a catalogue version's services never change)."""
    known = _DESK_MINUTES.get(id(service))
    if known is None or known[0] is not service:
        if len(_DESK_MINUTES) > 1000:  # many catalogue versions in one process: start again
            _DESK_MINUTES.clear()
        known = _DESK_MINUTES[id(service)] = (service, max(1.0, float(sum(s.minutes for s in desk_steps(service.steps)))))
    return known[1]


_DESK_MINUTES: dict[int, tuple[Service, float]] = {}


def per_ticket_minutes(service: Service, recent_minutes: Sequence[float] = (), min_history: int = MIN_HISTORY) -> float:
    """Recent real desk times once there are enough of them, the catalogue's minutes until then."""
    if len(recent_minutes) >= min_history:
        return max(0.5, median(recent_minutes))
    return desk_minutes(service)


def wait_minutes(people_ahead: int, minutes_each: float, open_lokets: int) -> int:
    if people_ahead <= 0:
        return 0
    return math.ceil(people_ahead * minutes_each / max(1, open_lokets))


@dataclass(frozen=True)
class Visit:
    """One real desk visit: its service, how long it took, and the SOP minutes it stood for."""

    service: str
    minutes: float
    standard: float


def visit_of(flow: Sequence[Mapping[str, Any]], called_at: datetime | None,
             finished: Mapping[int, datetime], ended: bool = False) -> tuple[float, float] | None:
    """(real minutes, SOP minutes) of a ticket's desk visit, or None if it did not happen (yet).

    ``flow`` is the ticket's stored steps, ``finished`` the end time of each recorded step,
    ``ended`` whether the ticket ended early (a TMS return ends the visit at the decision).
    """
    run = desk_steps(flow)
    done = [s for s in run if _number(s) in finished]
    if not run or not done:
        return None
    if len(done) < len(run) and not ended:
        return None  # still at the desk
    start = called_at or finished.get(1)
    if start is None:
        return None
    if finished.get(1) is not None and finished[1] < start:
        start = finished[1]
    end = max(finished[_number(s)] for s in done)
    minutes = (end - start).total_seconds() / 60
    if not 0 < minutes <= MAX_VISIT_MINUTES:
        return None
    return minutes, float(sum(float(s.get("minutes") or 0) for s in done))


def _engine_of(s):
    """The engine behind a Session or a Connection."""
    from sqlalchemy.engine import Connection

    return s.engine if isinstance(s, Connection) else s.get_bind()


ENDED_EARLY = ("returned", "cancelled", "no_show")  # closed before the desk run was complete
_SETTLED: OrderedDict[tuple, Visit | None] = OrderedDict()  # visits that can no longer change
_SETTLED_MAX = 20000
_settled_lock = threading.Lock()


def recent_visits(s, group: str, now: datetime, days: int = HISTORY_DAYS, limit: int = 200) -> list[Visit]:
    """The real desk visits of a group's tickets called in the last ``days`` days, newest first."""
    from sqlalchemy import select

    from antrean.shared.store.models import Call, Ticket, TicketStep

    since = now - timedelta(days=days)
    if _engine_of(s).dialect.name == "sqlite":
        # Through the calls of those days (the index on calls.at), newest first: a ticket's last
        # call is the one at its called_at. SQLite walks that index and stops at ``limit``; the
        # tickets table has no index on (group, called_at), and scanning it cost ~2 ms per
        # thousand historical tickets on every ticket issued.
        query = (select(Ticket.id, Ticket.called_at).join(Call, Call.ticket_id == Ticket.id)
                 .where(Call.kind == "call", Call.at >= since, Call.at <= now,
                        Ticket.called_at == Call.at, Ticket.group == group)
                 .order_by(Call.at.desc(), Ticket.id.desc()))
    else:
        # PostgreSQL's planner hashes the join above with a scan of the group's tickets; this
        # shape is one index range scan once tickets has an index on ("group", called_at)
        # (docs/performance.md) and a scan of the table until then.
        query = (select(Ticket.id, Ticket.called_at)
                 .where(Ticket.group == group, Ticket.called_at.is_not(None),
                        Ticket.called_at >= since, Ticket.called_at <= now)
                 .order_by(Ticket.called_at.desc(), Ticket.id.desc()))
    found = s.execute(query.limit(limit)).all()
    db = str(_engine_of(s).url)
    keys = {tid: (db, tid, called) for tid, called in found}
    with _settled_lock:
        known = {tid: _SETTLED[k] for tid, k in keys.items() if k in _SETTLED}
    todo = [tid for tid in keys if tid not in known]
    if todo:
        # plain rows, not ORM objects, and only for visits not settled before: this runs for every
        # ticket issued, and up to ``limit`` tickets each carry their whole SOP flow
        finished: dict[int, dict[int, datetime]] = {}
        for ticket_id, number, at in s.execute(
                select(TicketStep.ticket_id, TicketStep.number, TicketStep.finished_at)
                .where(TicketStep.ticket_id.in_(todo))):
            finished.setdefault(ticket_id, {})[number] = at
        for t in s.execute(select(Ticket.id, Ticket.flow, Ticket.called_at, Ticket.status, Ticket.service_code)
                           .where(Ticket.id.in_(todo))):
            got = visit_of(t.flow, t.called_at, finished.get(t.id, {}), ended=t.status in ENDED_EARLY)
            visit = Visit(t.service_code, got[0], got[1]) if got is not None else None
            known[t.id] = visit
            if visit is not None or t.status == "done" or t.status in ENDED_EARLY:
                with _settled_lock:  # a finished desk visit (or a closed ticket) never changes again
                    _SETTLED[keys[t.id]] = visit
                    while len(_SETTLED) > _SETTLED_MAX:
                        _SETTLED.popitem(last=False)
    return [known[tid] for tid, _called in found if known.get(tid) is not None]


def minutes_per_visit(service: Service, visits: Sequence[Visit], per_service: int = HISTORY_TICKETS,
                      min_history: int = MIN_HISTORY) -> float:
    """A service's expected desk visit: the median of its own recent visits when there are enough;
    else its SOP minutes times how the group's recent visits compared with their SOP minutes;
    else the SOP minutes."""
    own = [v.minutes for v in visits if v.service == service.code][:per_service]
    if len(own) >= min_history:
        return max(0.5, median(own))
    ratios = [v.minutes / v.standard for v in visits[:per_service * 5] if v.standard > 0]
    if len(ratios) >= min_history:
        return max(0.5, desk_minutes(service) * median(ratios))
    return desk_minutes(service)


def serving_count(loket_groups: Iterable[Sequence[str] | None], group: str, service_code: str | None = None) -> int:
    """How many of the active lokets (given by their ``groups`` lists) serve ``group`` (a loket lists
    groups or service codes; none = all)."""
    return sum(1 for groups in loket_groups
               if not groups or group in groups or (service_code is not None and service_code in groups))


def open_lokets(s, group: str, service_code: str | None = None) -> int:
    """Active lokets serving the group."""
    from sqlalchemy import select

    from antrean.shared.store.models import Loket

    return serving_count(s.execute(select(Loket.groups).where(Loket.active.is_(True))).scalars(),
                         group, service_code)


# -- the recent visits of a group, per process, for a few seconds --------------------------------
#
# Every ticket issued (and every status page) needs the group's recent desk visits, which means
# reading up to 200 recent calls. They change only when a desk visit ends or a ticket is called,
# so each process keeps them per group for ``VISITS_TTL`` seconds; ``forget_visits`` (called by the
# Desk after every staff action it publishes) drops them at once in the process that acted. Another
# process sees a finished visit within ``VISITS_TTL`` seconds: an estimate, not a count.

VISITS_TTL = 5.0
_visits_cache: dict[tuple[str, str], tuple[float, datetime, int, list[Visit]]] = {}
_visits_generation = 0


def forget_visits() -> None:
    global _visits_generation
    with _settled_lock:
        _visits_generation += 1
        _visits_cache.clear()


def group_visits(s, group: str, now: datetime) -> list[Visit]:
    """``recent_visits`` of the group, from this process's cache when it is fresh."""
    import time

    key = (str(_engine_of(s).url), group)
    tick = time.monotonic()
    with _settled_lock:
        hit = _visits_cache.get(key)
        generation = _visits_generation
    if (hit is not None and hit[2] == generation and tick - hit[0] < VISITS_TTL
            and abs((now - hit[1]).total_seconds()) < VISITS_TTL):
        return hit[3]
    visits = recent_visits(s, group, now)
    with _settled_lock:
        if generation == _visits_generation:  # no staff action since the read began
            _visits_cache[key] = (tick, now, generation, visits)
    return visits


def estimate_wait(catalogue, service_code: str, ahead: int, mix: Mapping[str, int], visits: Sequence[Visit],
                  open_count: int) -> int:
    """Minutes until a ticket of ``service_code`` with ``ahead`` people ahead is called, given the
    services waiting in its group (``mix``: service code -> tickets), the group's recent visits and
    the lokets open for it."""
    if ahead <= 0:
        return 0
    mix = dict(mix)
    mix.setdefault(service_code, 1)
    total = weight = 0.0
    for code, n in mix.items():
        service = catalogue.services.get(code)
        if service is None:
            continue
        total += n * minutes_per_visit(service, visits)
        weight += n
    each = total / weight if weight else 5.0
    return wait_minutes(ahead, each, open_count)


def ticket_wait_minutes(s, catalogue, ticket, ahead: int, now: datetime) -> int:
    """Estimated minutes until ``ticket`` is called: the people ahead times the expected visit of
    the services now waiting in its group, shared among the lokets open for it."""
    if ahead <= 0:
        return 0
    from sqlalchemy import func, select

    from antrean.shared.store.models import Ticket

    mix = dict(s.execute(select(Ticket.service_code, func.count()).where(
        Ticket.status == "waiting", Ticket.group == ticket.group).group_by(Ticket.service_code)).all())
    return estimate_wait(catalogue, ticket.service_code, ahead, mix, group_visits(s, ticket.group, now),
                         open_lokets(s, ticket.group, ticket.service_code))
