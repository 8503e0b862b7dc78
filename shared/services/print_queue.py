"""The printer outbox: print jobs from issue to printed, for the server's printer and print agents.

A ticket is committed together with a ``pending`` print job (``issuing.issue_ticket``). Then:

    pending --claim--> printing --ok--> printed          (the server's printer: PrintWorker)
                          \\--fault--> pending (retried after a growing delay)
    pending --send--> sent --ack--> printed              (a print agent: shared/realtime/print_hub.py)
                         \\--fault ack or no ack in time--> pending / sent again

A claim is one conditional UPDATE ... RETURNING of the oldest due jobs (up to 20), so two workers
(two server processes) never print the same job; a claim is a lease: a worker that died mid-job
leaves ``printing`` jobs that become due again when the lease ends, and a worker that stops early
(a printer fault) gives the jobs it did not try back at once (``release``). Reprints are new jobs
(kind ``reprint``). Every change that staff must see is published as ``printer.printed`` or
``printer.fault`` after the commit. The path every ticket takes (``claim_due``, a printed
``finish``) runs prepared Core statements on a plain connection: two short transactions a ticket.

Functions take the ``Context`` (catalogue, sessions, clock, event bus); no Flask.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import EllipsisType
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, or_, select, update
from sqlalchemy.orm import joinedload

from antrean.shared.domain.clock import local
from antrean.shared.domain.events import PRINT_QUEUED, PRINTER_FAULT, PRINTER_PRINTED, Event
from antrean.shared.services import tickets as ticket_views
from antrean.shared.services.context import Context
from antrean.shared.services.errors import Actor, Conflict, NotFound, record_id
from antrean.shared.services.tokens import check_token
from antrean.shared.store.db import core_transaction, in_each, reading, transaction
from antrean.shared.store.models import AuditEntry, DeviceToken, PrintJob, Ticket

PENDING, PRINTING, SENT, PRINTED, CANCELLED = "pending", "printing", "sent", "printed", "cancelled"
OPEN_STATES = (PENDING, PRINTING, SENT)
LEASE_SECONDS = 120.0  # a claimed job whose worker vanished is due again after this
MAX_BACKOFF_SECONDS = 60.0


def backoff(attempts: int, retry_after: float) -> float:
    """Seconds before the next try after ``attempts`` failures: retry_after, doubled, up to 60 s."""
    return min(MAX_BACKOFF_SECONDS, retry_after * (2 ** min(max(attempts, 1) - 1, 4)))


def _job_dict(job: PrintJob, tz: str) -> dict[str, Any]:
    return {
        "job": job.id, "ticket_id": job.ticket_id, "number": job.ticket.number,
        "service_name": job.ticket.service_name, "kind": job.kind, "status": job.status,
        "attempts": job.attempts, "error": job.last_error, "target": job.target,
        "possible_duplicate": bool(job.possible_duplicate),
        "created_at": local(job.created_at, tz).isoformat(),
        "printed_at": local(job.printed_at, tz).isoformat() if job.printed_at else None,
        "next_try_at": local(job.next_try_at, tz).isoformat() if job.status in OPEN_STATES else None,
    }


def _target_filter(target: str | None):
    return PrintJob.target.is_(None) if target is None else PrintJob.target == target


# -- the server's printer and the agents' jobs -------------------------------------------------

# What a slip and the print hub read of a ticket: plain columns, no ORM object (its stored flow is ~2 KB).
_SLIP_COLUMNS = tuple(Ticket.__table__.c[name] for name in (
    "id", "public_id", "number", "service_name", "lang", "priority", "priority_reason", "pickup_code",
    "created_at", "current_since", "finished_at", "missing_documents", "tms_note"))
_JOBS = cast(Table, PrintJob.__table__)  # a mapped class's table (typed as the wider FromClause)
_TICKETS = Ticket.__table__


def _claim_statement(named: bool):
    """UPDATE the oldest due jobs of one printer (``:printer``, or the server's) to ``:new_status``
    leased until ``:lease_until``, RETURNING them. Built once: the print path runs it for every ticket."""
    target = _JOBS.c.target == bindparam("printer") if named else _JOBS.c.target.is_(None)
    # pending jobs whose time has come, and claimed/sent jobs whose lease or ack time ran out
    due = in_each(_JOBS.c.status, OPEN_STATES) & (_JOBS.c.next_try_at <= bindparam("now")) & target
    oldest = select(_JOBS.c.id).where(due).order_by(_JOBS.c.id).limit(bindparam("limit")).scalar_subquery()
    return (update(_JOBS).where(_JOBS.c.id.in_(oldest), due)  # due again: another worker may have been first
            .values(status=bindparam("new_status"), next_try_at=bindparam("lease_until"))
            .returning(_JOBS.c.id, _JOBS.c.ticket_id, _JOBS.c.kind, _JOBS.c.attempts, _JOBS.c.target,
                       _JOBS.c.created_at))


@functools.cache
def _printed_statement(claimed: tuple[str, ...], whose: str):
    """Mark one job (``:job``) printed if it is in a ``claimed`` state and, by ``whose``, of any
    printer, the server's, or the agent ``:printer``; RETURNING what the event tells."""
    condition = {"any": (), "server": (_JOBS.c.target.is_(None),),
                 "agent": (_JOBS.c.target == bindparam("printer"),)}[whose]
    return (update(_JOBS).where(_JOBS.c.id == bindparam("job"), in_each(_JOBS.c.status, claimed), *condition)
            .values(status=PRINTED, printed_at=bindparam("now"), last_error=None, attempts=_JOBS.c.attempts + 1)
            .returning(_JOBS.c.ticket_id, _JOBS.c.kind, _JOBS.c.attempts, _JOBS.c.target, _JOBS.c.created_at))


# (No parameter is named like a column: SQLAlchemy would make it a SET of that column.)
_CLAIM = {named: _claim_statement(named) for named in (False, True)}
_SLIP_TICKET = select(*_SLIP_COLUMNS).where(_TICKETS.c.id == bindparam("ticket"))


@functools.cache
def _slip_tickets(count: int):
    """The tickets of ``count`` claimed jobs (``:t0`` ... ): one bound parameter per id, one statement
    per batch size (at most the worker's batch), built once each; an expanding IN would be rendered
    again at every burst."""
    return select(*_SLIP_COLUMNS).where(_TICKETS.c.id.in_([bindparam(f"t{i}") for i in range(count)]))


def _slip_rows(conn, ids: list[int]):
    if len(ids) == 1:
        return conn.execute(_SLIP_TICKET, {"ticket": ids[0]})
    return conn.execute(_slip_tickets(len(ids)), {f"t{i}": v for i, v in enumerate(ids)})


_RELEASE = (update(_JOBS).where(_JOBS.c.id.in_(bindparam("ids", expanding=True)),
                                _JOBS.c.status == bindparam("claimed"), _JOBS.c.next_try_at == bindparam("lease"))
            .values(status=PENDING, next_try_at=bindparam("now")))


@dataclass(frozen=True)
class Claim:
    """A job taken for printing (or sending) until ``lease_until``: its slip's view and ticket."""
    job: int
    kind: str
    ticket_id: int
    view: dict[str, Any]   # the ticket's public view (``print_kind`` = kind); a TMS slip needs none
    ticket: Any            # the ticket's fields a slip needs (attributes as on ``Ticket``)
    attempts: int          # tries before this one
    target: str | None
    created_at: datetime
    lease_until: datetime


def claim_due(desk: Context, target: str | None = None, limit: int = 20, lease_seconds: float = LEASE_SECONDS,
              state: str = PRINTING, fresh: dict[int, dict] | None = None) -> list[Claim]:
    """Take the jobs due now for the server's printer (``target=None``) or one agent, oldest first,
    at most ``limit``: one conditional UPDATE (with RETURNING), so two workers never take the same
    job. Each is leased until now + ``lease_seconds``; a job not finished by then is due again.

    ``fresh`` maps ticket ids to the views the kiosk was just given: a ticket's first print uses
    that view (the slip then says what the screen said) instead of working it out again. It is
    read, not emptied: the caller drops a view once its job was tried."""
    now = desk.clock()
    lease_until = now + timedelta(seconds=lease_seconds)
    params = {"now": now, "limit": limit, "new_status": state, "lease_until": lease_until}
    if target is not None:
        params["printer"] = target
    with core_transaction(desk.sessions) as conn:
        jobs = sorted(conn.execute(_CLAIM[target is not None], params))
        if not jobs:
            return []
        ids = sorted({j.ticket_id for j in jobs})
        tickets = {t.id: t for t in _slip_rows(conn, ids)}
    views = {}
    for job in jobs:
        known = fresh.get(job.ticket_id) if fresh is not None and job.kind == "ticket" else None
        if known is not None:
            views[job.id] = dict(known)
        elif job.kind == "tms_slip":
            views[job.id] = {}  # the TMS slip says what the ticket records, not the queue
    if len(views) < len(jobs):  # a reprint, or a first print whose kiosk view this process has not seen
        with reading(desk.sessions) as s:
            for job in jobs:
                if job.id not in views:
                    views[job.id] = ticket_views.view(desk, s, s.get_one(Ticket, job.ticket_id), now)
    claims = []
    for job in jobs:
        view = views[job.id]
        view["print_kind"] = job.kind
        claims.append(Claim(job=job.id, kind=job.kind, ticket_id=job.ticket_id, view=view,
                            ticket=tickets[job.ticket_id], attempts=job.attempts, target=job.target,
                            created_at=job.created_at, lease_until=lease_until))
    return claims


def release(desk: Context, claims: list[Claim], state: str = PRINTING) -> int:
    """Give back claimed jobs that were not tried (the printer failed before them): due again now,
    as if never taken. A job whose lease ran out and that another worker took is left alone."""
    if not claims:
        return 0
    now = desk.clock()
    with core_transaction(desk.sessions) as conn:
        return sum(conn.execute(_RELEASE, {"ids": ids, "claimed": state, "lease": lease, "now": now}).rowcount
                   for lease, ids in _by_lease(claims).items())


def _by_lease(claims: list[Claim]) -> dict[datetime, list[int]]:
    out: dict[datetime, list[int]] = {}
    for c in claims:
        out.setdefault(c.lease_until, []).append(c.job)
    return out


def finish(desk: Context, job_id: int, error: str | None, retry_after: float = 5.0,
           claimed: tuple[str, ...] = (PRINTING,), target: str | None | EllipsisType = ...,
           claim: Claim | None = None, possible_duplicate: bool = False) -> dict[str, Any] | None:
    """Record the outcome of a claimed job: printed, or back to pending with a delay.
    Publishes ``printer.printed`` or ``printer.fault``. None if the job was not in a claimed state
    (or, with ``target``, is not that printer's). ``claim`` (from ``claim_due``) saves reading the
    job's ticket again. ``possible_duplicate`` (with an error): the printer may have printed it
    anyway; the mark stays on the job, so staff see it after the next copy prints."""
    now = desk.clock()
    if error is None:
        result = _printed(desk, job_id, now, claimed, target, claim)
        if result is None:
            return None
    else:
        with transaction(desk.sessions) as s:
            job = s.get(PrintJob, job_id, options=[joinedload(PrintJob.ticket)])  # _job_dict reads the ticket
            if job is None or job.status not in claimed or (target is not ... and job.target != target):
                return None
            job.attempts += 1
            job.status, job.last_error = PENDING, error[:500]
            job.possible_duplicate = job.possible_duplicate or possible_duplicate
            job.next_try_at = now + timedelta(seconds=backoff(job.attempts, retry_after))
            result = _job_dict(job, desk.tz)
    desk._publish([Event(PRINTER_PRINTED if error is None else PRINTER_FAULT, result)])
    return result


def _printed(desk: Context, job_id: int, now: datetime, claimed: tuple[str, ...], target: str | None | EllipsisType,
             claim: Claim | None) -> dict[str, Any] | None:
    """A job printed: one conditional UPDATE; the event's job dict from what it returns."""
    whose = "any" if target is ... else "server" if target is None else "agent"
    params = {"job": job_id, "now": now}
    if whose == "agent":
        params["printer"] = target
    with core_transaction(desk.sessions) as conn:
        job = conn.execute(_printed_statement(tuple(claimed), whose), params).first()
        if job is None:
            return None
        ticket = claim.ticket if claim is not None and claim.ticket_id == job.ticket_id else conn.execute(
            _SLIP_TICKET, {"ticket": job.ticket_id}).one()
    return {
        "job": job_id, "ticket_id": job.ticket_id, "number": ticket.number,
        "service_name": ticket.service_name, "kind": job.kind, "status": PRINTED,
        "attempts": job.attempts, "error": None, "target": job.target,
        "created_at": local(job.created_at, desk.tz).isoformat(),
        "printed_at": local(now, desk.tz).isoformat(), "next_try_at": None,
    }


def make_due_now(desk: Context, target: str | None = None) -> int:
    """The printer is back: every waiting job of it is due now (instead of after its back-off)."""
    now = desk.clock()
    with transaction(desk.sessions) as s:
        return s.execute(update(PrintJob).where(_target_filter(target), PrintJob.status == PENDING,
                                                PrintJob.next_try_at > now)
                         .values(next_try_at=now).execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult; Session.execute is typed as Result


def resend_now(desk: Context, target: str) -> int:
    """An agent (re)connected: everything open for it is due now. Returns how many jobs are open."""
    now = desk.clock()
    with transaction(desk.sessions) as s:
        s.execute(update(PrintJob).where(PrintJob.target == target, PrintJob.status.in_((PENDING, SENT)))
                  .values(next_try_at=now).execution_options(synchronize_session=False))
        return s.scalar(select(func.count()).select_from(PrintJob).where(
            PrintJob.target == target, PrintJob.status.in_(OPEN_STATES))) or 0


# -- what staff and the kiosk see --------------------------------------------------------------


def job_state(desk: Context, ticket_id: Any) -> dict[str, Any]:
    """The print state of a ticket's first print job, for the kiosk: ``printed``, ``printing``
    (not yet tried or being printed), ``fault`` (a try failed; retried), ``cancelled`` or ``none``."""
    ticket_id = record_id(ticket_id)
    with reading(desk.sessions) as s:
        if s.get(Ticket, ticket_id) is None:
            raise NotFound("ticket not found")
        job = s.scalar(select(PrintJob).where(PrintJob.ticket_id == ticket_id).order_by(PrintJob.id).limit(1))
        if job is None:
            return {"status": "none", "attempts": 0}
        if job.status == PRINTED:
            state = "printed"
        elif job.status == CANCELLED:
            state = "cancelled"
        else:
            state = "fault" if job.last_error else "printing"
        return {"status": state, "attempts": job.attempts, "target": job.target}


def list_jobs(desk: Context, limit: int = 100, open_only: bool = False) -> list[dict[str, Any]]:
    """Today's and every still-open job, newest first."""
    now = desk.clock()
    start = local(now, desk.tz).replace(hour=0, minute=0, second=0, microsecond=0)
    with reading(desk.sessions) as s:
        query = select(PrintJob).where(PrintJob.status.in_(OPEN_STATES) if open_only else or_(
            PrintJob.status.in_(OPEN_STATES), PrintJob.created_at >= start))
        jobs = s.scalars(query.order_by(PrintJob.id.desc()).limit(limit)).all()
        return [_job_dict(j, desk.tz) for j in jobs]


def summary(desk: Context) -> dict[str, Any]:
    """Open jobs and faults per printer (``None`` = the server's printer, else an agent's name)."""
    with reading(desk.sessions) as s:
        rows = s.execute(select(PrintJob.target, func.count(), func.max(PrintJob.attempts))
                         .where(PrintJob.status.in_(OPEN_STATES)).group_by(PrintJob.target)).all()
        out: dict[str | None, dict[str, Any]] = {}
        for target, n, attempts in rows:
            last = s.scalar(select(PrintJob).where(_target_filter(target), PrintJob.status.in_(OPEN_STATES),
                                                   PrintJob.last_error.is_not(None))
                            .order_by(PrintJob.id.desc()).limit(1))
            out[target] = {"open": n, "max_attempts": attempts or 0,
                           "error": last.last_error if last else None}
        return {"printers": out, "fault": any(v["error"] for v in out.values())}


def _audit(s, actor: Actor, action: str, job: PrintJob, now: datetime, extra: dict | None = None) -> None:
    s.add(AuditEntry(at=now, user_id=actor.user_id, username=actor.username,
                     role=next(iter(sorted(actor.roles)), None), action=action, ticket_id=job.ticket_id,
                     before=None, after={"job": job.id, "status": job.status, **(extra or {})}))


def reprint(desk: Context, actor: Actor, ticket_id: Any, target: str | None | EllipsisType = ...) -> dict[str, Any]:
    """Print a ticket again (a new job; the first one's history is kept). ``target`` defaults to
    the printer of the ticket's first job."""
    ticket_id = record_id(ticket_id)
    now = desk.clock()
    with transaction(desk.sessions) as s:
        ticket = s.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFound("ticket not found")
        if target is ...:
            first = s.scalar(select(PrintJob).where(PrintJob.ticket_id == ticket_id).order_by(PrintJob.id).limit(1))
            target = first.target if first is not None else desk.print_target
        job = PrintJob(ticket_id=ticket_id, kind="reprint", status=PENDING, created_at=now, next_try_at=now,
                       target=target)
        s.add(job)
        s.flush()
        _audit(s, actor, "print:reprint", job, now, {"number": ticket.number})
        result = _job_dict(job, desk.tz)
    desk._publish([Event(PRINT_QUEUED, result)])
    return result


def retry_now(desk: Context, actor: Actor, job_id: Any) -> dict[str, Any]:
    """Try an open job again now instead of after its back-off."""
    now = desk.clock()
    with transaction(desk.sessions) as s:
        job = _job(s, job_id)
        if job.status != PENDING:
            raise Conflict("only a job waiting for a retry can be retried now", "not_pending")
        job.next_try_at = now
        _audit(s, actor, "print:retry", job, now)
        result = _job_dict(job, desk.tz)
    desk._publish([Event(PRINT_QUEUED, result)])
    return result


def cancel(desk: Context, actor: Actor, job_id: Any) -> dict[str, Any]:
    """Stop trying an open job (the ticket stays valid)."""
    now = desk.clock()
    with transaction(desk.sessions) as s:
        job = _job(s, job_id)
        if job.status not in OPEN_STATES:
            raise Conflict("only an open job can be cancelled", "not_open")
        job.status = CANCELLED
        _audit(s, actor, "print:cancel", job, now)
        result = _job_dict(job, desk.tz)
    return result


def _job(s, job_id: Any) -> PrintJob:
    job = s.get(PrintJob, record_id(job_id, "print job"))
    if job is None:
        raise NotFound("print job not found")
    return job


# -- device tokens and print agents ------------------------------------------------------------


def revoke_token(desk_or_sessions, name: str) -> bool:
    sessions = getattr(desk_or_sessions, "sessions", desk_or_sessions)
    with transaction(sessions) as s:
        row = s.scalar(select(DeviceToken).where(DeviceToken.name == name))
        if row is None:
            return False
        s.delete(row)
        return True


def list_tokens(desk_or_sessions) -> list[dict[str, Any]]:
    sessions = getattr(desk_or_sessions, "sessions", desk_or_sessions)
    with reading(sessions) as s:
        return [{"name": t.name, "kind": t.kind, "active": t.active, "created_at": t.created_at,
                 "last_seen_at": t.last_seen_at}
                for t in s.scalars(select(DeviceToken).order_by(DeviceToken.name))]


def authenticate(desk: Context, token: Any, kind: str = "print_agent") -> str | None:
    """The name of the active device of ``kind`` holding ``token`` (marked seen), or None.
    Tokens are made by ``antrean token create`` (shared/services/tokens.py; only a hash is stored)."""
    if not isinstance(token, str) or not 16 <= len(token) <= 200:
        return None
    row = check_token(desk.sessions, token, kinds=(kind,))
    return row.name if row is not None else None


def agent_names(desk: Context, kind: str = "print_agent") -> list[str]:
    with reading(desk.sessions) as s:
        return list(s.scalars(select(DeviceToken.name).where(DeviceToken.kind == kind,
                                                             DeviceToken.active.is_(True))
                              .order_by(DeviceToken.name)))
