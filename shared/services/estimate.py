"""Wait estimates from the database: the group's recent desk visits (cached per process for a few
seconds), the services waiting in its group and the lokets open for it. The arithmetic is in
``domain.estimate``; these functions read through a SQLAlchemy Session or Connection given by the
caller. No Flask.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from antrean.shared.domain.catalogue import Catalogue
from antrean.shared.domain.estimate import (
    ENDED_EARLY,
    HISTORY_DAYS,
    HISTORY_TICKETS,
    MIN_HISTORY,
    Visit,
    estimate_wait,
    serving_count,
    visit_of,
)
from antrean.shared.store.models import Call, Loket, Ticket, TicketStep

__all__ = ["HISTORY_DAYS", "HISTORY_TICKETS", "MIN_HISTORY", "Visit", "estimate_wait", "forget_visits",
           "group_visits", "open_lokets", "recent_visits", "serving_count", "ticket_wait_minutes"]

Reader = Session | Connection


def _engine_of(s: Reader) -> Engine:
    """The engine behind a Session or a Connection."""
    if isinstance(s, Connection):
        return s.engine
    bind = s.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


_SETTLED: OrderedDict[tuple, Visit | None] = OrderedDict()  # visits that can no longer change
_SETTLED_MAX = 20000
_settled_lock = threading.Lock()


def recent_visits(s: Reader, group: str, now: datetime, days: int = HISTORY_DAYS, limit: int = 200) -> list[Visit]:
    """The real desk visits of a group's tickets called in the last ``days`` days, newest first."""
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
    return [visit for tid, _called in found if (visit := known.get(tid)) is not None]


def open_lokets(s: Reader, group: str, service_code: str | None = None) -> int:
    """Active lokets serving the group."""
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


def group_visits(s: Reader, group: str, now: datetime) -> list[Visit]:
    """``recent_visits`` of the group, from this process's cache when it is fresh."""
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


def ticket_wait_minutes(s: Reader, catalogue: Catalogue, ticket: Any, ahead: int, now: datetime) -> int:
    """Estimated minutes until ``ticket`` is called: the people ahead times the expected visit of
    the services now waiting in its group, shared among the lokets open for it."""
    if ahead <= 0:
        return 0
    mix = dict(s.execute(select(Ticket.service_code, func.count()).where(
        Ticket.status == "waiting", Ticket.group == ticket.group).group_by(Ticket.service_code)).all())
    return estimate_wait(catalogue, ticket.service_code, ahead, mix, group_visits(s, ticket.group, now),
                         open_lokets(s, ticket.group, ticket.service_code))
