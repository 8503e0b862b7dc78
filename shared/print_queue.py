"""The printer outbox: print jobs from issue to printed, for the server's printer and print agents.

A ticket is committed together with a ``pending`` print job (``Desk.issue_ticket``). Then:

    pending --claim--> printing --ok--> printed          (the server's printer: PrintWorker)
                          \\--fault--> pending (retried after a growing delay)
    pending --send--> sent --ack--> printed              (a print agent: shared/print_hub.py)
                         \\--fault ack or no ack in time--> pending / sent again

A claim is one conditional UPDATE, so two workers (two server processes) never print the same
job; a claim is a lease: a worker that died mid-job leaves a ``printing`` job that becomes due
again when the lease ends. Reprints are new jobs (kind ``reprint``). Every change that staff
must see is published as ``printer.printed`` or ``printer.fault`` after the commit.

Functions take the ``Desk`` (catalogue, sessions, clock, event bus); no Flask.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload

from .clock import local
from .db import reading, transaction
from .events import Event
from .models import AuditEntry, DeviceToken, PrintJob, Ticket
from .operations import Actor, Conflict, Desk, NotFound
from .tokens import check_token

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
        "created_at": local(job.created_at, tz).isoformat(),
        "printed_at": local(job.printed_at, tz).isoformat() if job.printed_at else None,
        "next_try_at": local(job.next_try_at, tz).isoformat() if job.status in OPEN_STATES else None,
    }


def _target_filter(target: str | None):
    return PrintJob.target.is_(None) if target is None else PrintJob.target == target


def _due(now: datetime):
    """Pending jobs whose time has come, and claimed/sent jobs whose lease or ack time ran out."""
    return PrintJob.status.in_(OPEN_STATES) & (PrintJob.next_try_at <= now)


# -- the server's printer ----------------------------------------------------------------------


def due_jobs(desk: Desk, target: str | None = None, limit: int = 20) -> list[int]:
    """Ids of the jobs due now for the server's printer (``target=None``) or one agent, oldest first."""
    now = desk.clock()
    with reading(desk.sessions) as s:
        return list(s.scalars(select(PrintJob.id).where(_target_filter(target), _due(now))
                              .order_by(PrintJob.id).limit(limit)))


def claim(desk: Desk, job_id: int, lease_seconds: float = LEASE_SECONDS, state: str = PRINTING,
          fresh: dict[int, dict] | None = None):
    """Take a due job for printing (or sending): ``(public view, ticket)``, or None when another
    worker has it, it was printed or cancelled, or it is not due.

    ``fresh`` maps ticket ids to the views the kiosk was just given: a ticket's first print uses
    that view (the slip then says what the screen said) instead of working it out again."""
    now = desk.clock()
    with transaction(desk.sessions) as s:
        taken = s.execute(
            update(PrintJob).where(PrintJob.id == job_id, _due(now))
            .values(status=state, next_try_at=now + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != 1:
            return None
        job = s.get(PrintJob, job_id)
        known = fresh.pop(job.ticket_id, None) if fresh is not None and job.kind == "ticket" else None
        view = dict(known) if known is not None else desk._public_view(s, job.ticket, now)
        view["print_kind"] = job.kind
        return view, job.ticket


def finish(desk: Desk, job_id: int, error: str | None, retry_after: float = 5.0,
           claimed: tuple[str, ...] = (PRINTING,), target: str | None = ...) -> dict[str, Any] | None:
    """Record the outcome of a claimed job: printed, or back to pending with a delay.
    Publishes ``printer.printed`` or ``printer.fault``. None if the job was not in a claimed state
    (or, with ``target``, is not that printer's)."""
    now = desk.clock()
    with transaction(desk.sessions) as s:
        job = s.get(PrintJob, job_id, options=[joinedload(PrintJob.ticket)])  # _job_dict reads the ticket
        if job is None or job.status not in claimed or (target is not ... and job.target != target):
            return None
        job.attempts += 1
        if error is None:
            job.status, job.printed_at, job.last_error = PRINTED, now, None
        else:
            job.status, job.last_error = PENDING, error[:500]
            job.next_try_at = now + timedelta(seconds=backoff(job.attempts, retry_after))
        result = _job_dict(job, desk.tz)
    desk._publish([Event("printer.printed" if error is None else "printer.fault", result)])
    return result


def make_due_now(desk: Desk, target: str | None = None) -> int:
    """The printer is back: every waiting job of it is due now (instead of after its back-off)."""
    now = desk.clock()
    with transaction(desk.sessions) as s:
        return s.execute(update(PrintJob).where(_target_filter(target), PrintJob.status == PENDING,
                                                PrintJob.next_try_at > now)
                         .values(next_try_at=now).execution_options(synchronize_session=False)).rowcount


def resend_now(desk: Desk, target: str) -> int:
    """An agent (re)connected: everything open for it is due now. Returns how many jobs are open."""
    now = desk.clock()
    with transaction(desk.sessions) as s:
        s.execute(update(PrintJob).where(PrintJob.target == target, PrintJob.status.in_((PENDING, SENT)))
                  .values(next_try_at=now).execution_options(synchronize_session=False))
        return s.scalar(select(func.count()).select_from(PrintJob).where(
            PrintJob.target == target, PrintJob.status.in_(OPEN_STATES))) or 0


# -- what staff and the kiosk see --------------------------------------------------------------


def job_state(desk: Desk, ticket_id: Any) -> dict[str, Any]:
    """The print state of a ticket's first print job, for the kiosk: ``printed``, ``printing``
    (not yet tried or being printed), ``fault`` (a try failed; retried), ``cancelled`` or ``none``."""
    try:
        ticket_id = int(ticket_id)
    except (TypeError, ValueError):
        raise NotFound("ticket not found") from None
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


def list_jobs(desk: Desk, limit: int = 100, open_only: bool = False) -> list[dict[str, Any]]:
    """Today's and every still-open job, newest first."""
    now = desk.clock()
    start = local(now, desk.tz).replace(hour=0, minute=0, second=0, microsecond=0)
    with reading(desk.sessions) as s:
        query = select(PrintJob).where(PrintJob.status.in_(OPEN_STATES) if open_only else or_(
            PrintJob.status.in_(OPEN_STATES), PrintJob.created_at >= start))
        jobs = s.scalars(query.order_by(PrintJob.id.desc()).limit(limit)).all()
        return [_job_dict(j, desk.tz) for j in jobs]


def summary(desk: Desk) -> dict[str, Any]:
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


def reprint(desk: Desk, actor: Actor, ticket_id: Any, target: str | None = ...) -> dict[str, Any]:
    """Print a ticket again (a new job; the first one's history is kept). ``target`` defaults to
    the printer of the ticket's first job."""
    try:
        ticket_id = int(ticket_id)
    except (TypeError, ValueError):
        raise NotFound("ticket not found") from None
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
    desk._publish([Event("print.queued", result)])
    return result


def retry_now(desk: Desk, actor: Actor, job_id: Any) -> dict[str, Any]:
    """Try an open job again now instead of after its back-off."""
    now = desk.clock()
    with transaction(desk.sessions) as s:
        job = _job(s, job_id)
        if job.status != PENDING:
            raise Conflict("only a job waiting for a retry can be retried now", "not_pending")
        job.next_try_at = now
        _audit(s, actor, "print:retry", job, now)
        result = _job_dict(job, desk.tz)
    desk._publish([Event("print.queued", result)])
    return result


def cancel(desk: Desk, actor: Actor, job_id: Any) -> dict[str, Any]:
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
    try:
        job = s.get(PrintJob, int(job_id))
    except (TypeError, ValueError):
        job = None
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
    with transaction(sessions) as s:
        return [{"name": t.name, "kind": t.kind, "active": t.active, "created_at": t.created_at,
                 "last_seen_at": t.last_seen_at}
                for t in s.scalars(select(DeviceToken).order_by(DeviceToken.name))]


def authenticate(desk: Desk, token: Any, kind: str = "print_agent") -> str | None:
    """The name of the active device of ``kind`` holding ``token`` (marked seen), or None.
    Tokens are made by ``antrean token create`` (shared/tokens.py; only a hash is stored)."""
    if not isinstance(token, str) or not 16 <= len(token) <= 200:
        return None
    with transaction(desk.sessions) as s:
        row = check_token(s, token, kinds=(kind,))
        return row.name if row is not None else None


def agent_names(desk: Desk, kind: str = "print_agent") -> list[str]:
    with transaction(desk.sessions) as s:
        return list(s.scalars(select(DeviceToken.name).where(DeviceToken.kind == kind,
                                                             DeviceToken.active.is_(True))
                              .order_by(DeviceToken.name)))
