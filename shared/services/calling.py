"""Calling applicants to a loket: the waiting list a loket sees, call the next or a chosen ticket,
call again (recall, pickup), the applicant arrived, did not come, or is sent elsewhere.

Each operation is one transaction, then its events (the call first: the displays get it before the
queue is counted again). No Flask."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from antrean.shared.domain.catalogue import Step
from antrean.shared.domain.clock import local
from antrean.shared.domain.events import QUEUE_CHANGED, TICKET_CALLED, TICKET_UPDATED, Event
from antrean.shared.domain.workflow import Status, StepRecord, TicketFlow, WorkflowError
from antrean.shared.services import tickets
from antrean.shared.services.context import Context
from antrean.shared.services.errors import Actor, Conflict, NotFound, OperationError, record_id
from antrean.shared.store import settings
from antrean.shared.store.db import reading, transaction
from antrean.shared.store.models import Call, Loket, Ticket

NO_SHOW_REQUEUES_KEY = "no_show_requeues"  # how often a called applicant who did not come is queued again

FlowAction = Callable[[TicketFlow, datetime, Session], list[StepRecord]]


def loket_of(s: Session, actor: Actor, loket_id: Any = None) -> Loket:
    loket_id = loket_id if loket_id is not None else actor.loket_id
    if loket_id is None:
        raise OperationError("choose a loket first", "no_loket")
    loket = s.get(Loket, record_id(loket_id, "loket"))
    if loket is None or not loket.active:
        raise NotFound("loket not found")
    return loket


def waiting_at(loket: Loket) -> Select[Ticket]:
    """Waiting tickets this loket may call: those transferred to it, and those of what it serves."""
    query = select(Ticket).where(Ticket.status == Status.WAITING.value)
    mine = Ticket.loket_id == loket.id
    free: ColumnElement[bool] = Ticket.loket_id.is_(None)
    if loket.groups:
        free = and_(free, or_(Ticket.group.in_(loket.groups), Ticket.service_code.in_(loket.groups)))
    return query.where(or_(mine, free))


def _in_calling_order(s: Session, loket: Loket) -> Select[Ticket]:
    """The loket's queue in calling order: tickets transferred to it first, then the office's call rule."""
    return waiting_at(loket).order_by((Ticket.loket_id == loket.id).desc(), *tickets.queue_order(tickets.call_rule(s)))


def waiting_list(ctx: Context, actor: Actor, loket_id: Any = None, limit: int = 50) -> list[dict[str, Any]]:
    """The queue a loket sees, in calling order (for 'call a chosen ticket')."""
    now = ctx.clock()
    with reading(ctx.sessions) as s:
        loket = loket_of(s, actor, loket_id)
        found = s.scalars(_in_calling_order(s, loket).limit(limit)).all()
        return [{"id": t.id, "number": t.number, "service": t.service_code, "service_name": t.service_name,
                 "priority": t.priority, "recalls": t.recalls,
                 "waiting_minutes": round((now - t.current_since).total_seconds() / 60, 1)}
                for t in found]


def call_next(ctx: Context, actor: Actor, loket_id: Any = None) -> dict[str, Any] | None:
    """Call the next waiting ticket this loket serves: by the office's rule (priority first)."""
    now = ctx.clock()
    with transaction(ctx.sessions) as s:
        loket = loket_of(s, actor, loket_id)
        query = _in_calling_order(s, loket).limit(1)
        if s.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ticket = s.scalar(query)
        if ticket is None:
            return None
        call, shown = _call(ctx, s, actor, ticket, loket, now)
    _after_call(ctx, call, shown)
    return shown


def call_ticket(ctx: Context, actor: Actor, ticket_id: Any, loket_id: Any = None) -> dict[str, Any]:
    """Call a chosen waiting ticket out of order (the clerk picks it from the list)."""
    now = ctx.clock()
    with transaction(ctx.sessions) as s:
        loket = loket_of(s, actor, loket_id)
        ticket = tickets.load(s, ticket_id, lock=True)
        if ticket.status != Status.WAITING.value:
            raise Conflict(f"{ticket.number} is not waiting", "not_waiting")
        call, shown = _call(ctx, s, actor, ticket, loket, now, action="call_chosen")
    _after_call(ctx, call, shown)
    return shown


def call_payload(ctx: Context, ticket: Ticket, loket: Loket, kind: str, at: datetime,
                 step: Step | None = None) -> dict[str, Any]:
    """A call as the displays get it (``services.display.CALL_FIELDS`` is the same as columns);
    ``step``: the step the applicant is called to, whose purpose the call says."""
    return {"ticket_id": ticket.id, "number": ticket.number, "prefix": ticket.prefix,
            "seq": ticket.seq, "service": ticket.service_code, "service_name": ticket.service_name,
            "group": ticket.group, "loket": loket.number, "loket_name": loket.name, "kind": kind,
            "purpose": step.purpose if step else "", "purpose_en": step.purpose_en if step else "",
            "at": local(at, ctx.tz).isoformat()}


def _call(ctx: Context, s: Session, actor: Actor, ticket: Ticket, loket: Loket, now: datetime,
          action: str = "call") -> tuple[dict[str, Any], dict[str, Any]]:
    before = tickets.state(ticket)
    flow = tickets.flow_of(ticket)
    try:
        flow.call(now)
    except WorkflowError as exc:
        raise Conflict(str(exc), exc.code) from None
    tickets.store_flow(ticket, flow, [])
    ticket.loket_id = loket.id
    ticket.called_at = now
    s.add(Call(ticket_id=ticket.id, loket_id=loket.id, kind="call", at=now))
    tickets.audit(s, actor, action, ticket, before, now, {"loket": loket.number})
    s.flush()
    return call_payload(ctx, ticket, loket, "call", now), tickets.staff_view(ctx, s, ticket, now)


def _after_call(ctx: Context, call: dict[str, Any], shown: dict[str, Any]) -> None:
    # The call goes out first: the displays get it before the queue is counted again.
    ctx.publish([Event(TICKET_CALLED, call)])
    ctx.publish([Event(TICKET_UPDATED, tickets.update_payload(shown)),
                 Event(QUEUE_CHANGED, tickets.queue_counts(ctx))])


def recall(ctx: Context, actor: Actor, ticket_id: Any, kind: str = "recall", loket_id: Any = None) -> dict[str, Any]:
    """Call a ticket again (recall), or call its applicant back for the current step (``pickup``
    or ``in_person``: the step decides which, ``Step.call_kind``; the call says the step's purpose)."""
    if kind not in ("recall", "pickup", "in_person"):
        raise OperationError("kind must be recall, pickup or in_person")
    now = ctx.clock()
    with transaction(ctx.sessions) as s:
        ticket = tickets.load(s, ticket_id)
        if Status(ticket.status).closed or ticket.status == Status.WAITING.value:
            raise Conflict("only a called ticket or one in progress can be called again", "not_in_progress")
        flow = tickets.flow_of(ticket)
        step = flow.step if flow.awaits_applicant else None
        if kind != "recall":
            if ticket.status != Status.IN_PROGRESS.value:
                raise Conflict("only a ticket in progress can be called for pickup", "not_in_progress")
            if step is None or step.call_kind is None:
                raise Conflict("the current step does not call the applicant", "not_awaiting_applicant")
            kind = step.call_kind
        if loket_id is None and actor.loket_id is None:
            loket_id = ticket.loket_id
        loket = loket_of(s, actor, loket_id)
        ticket.loket_id = loket.id
        s.add(Call(ticket_id=ticket.id, loket_id=loket.id, kind=kind, at=now))
        tickets.audit(s, actor, kind, ticket, tickets.state(ticket), now, {"loket": loket.number})
        s.flush()
        call = call_payload(ctx, ticket, loket, kind, now, step)
        shown = tickets.staff_view(ctx, s, ticket, now)
    ctx.publish([Event(TICKET_CALLED, call), Event(TICKET_UPDATED, tickets.update_payload(shown))])
    return call


def arrive(ctx: Context, actor: Actor, ticket_id: Any) -> dict[str, Any]:
    """The called applicant is at the loket: step 1 (submitting the request) is recorded."""
    return _flow_action(ctx, actor, ticket_id, "arrive", lambda flow, now, s: flow.arrive(now))


def no_show(ctx: Context, actor: Actor, ticket_id: Any) -> dict[str, Any]:
    """The called applicant did not come: back to the queue (as often as the office allows), then dropped."""
    def act(flow: TicketFlow, now: datetime, s: Session) -> list[StepRecord]:
        flow.no_show(now, int(settings.get(s, NO_SHOW_REQUEUES_KEY, 1)))
        return []
    return _flow_action(ctx, actor, ticket_id, "no_show", act, release_loket=True)


def transfer(ctx: Context, actor: Actor, ticket_id: Any, loket_id: Any = None, service: Any = None) -> dict[str, Any]:
    """Send a ticket that has not been received yet to another loket or another service.

    It keeps its number and goes to the front of that loket's queue (a transfer to a loket)
    or joins the other service's queue in its place (a transfer to a service)."""
    if loket_id in (None, "") and service in (None, ""):
        raise OperationError("choose a loket or a service to transfer to")
    now = ctx.clock()
    with transaction(ctx.sessions) as s:
        ticket = tickets.load(s, ticket_id, lock=True)
        before = {**tickets.state(ticket), "service": ticket.service_code}
        flow = tickets.flow_of(ticket)
        try:
            flow.requeue(now)
        except WorkflowError as exc:
            raise Conflict(str(exc), exc.code) from None
        target = None
        if service not in (None, ""):
            svc = ctx.service(service)
            ticket.service_code, ticket.service_name, ticket.group = svc.code, svc.name, svc.group
            ticket.flow = [asdict(st) for st in svc.steps]
            flow = tickets.flow_of(ticket)
            flow.status, flow.current_since = Status.WAITING, now
        if loket_id not in (None, ""):
            target = loket_of(s, actor, loket_id)
        tickets.store_flow(ticket, flow, [])
        ticket.loket_id = target.id if target else None
        tickets.audit(s, actor, "transfer", ticket, before, now,
                      {"service": ticket.service_code, "to_loket": target.number if target else None})
        s.flush()
        shown = tickets.staff_view(ctx, s, ticket, now)
    ctx.publish([Event(TICKET_UPDATED, tickets.update_payload(shown)), Event(QUEUE_CHANGED, tickets.queue_counts(ctx))])
    return shown


def _flow_action(ctx: Context, actor: Actor, ticket_id: Any, action: str, act: FlowAction,
                 release_loket: bool = False) -> dict[str, Any]:
    now = ctx.clock()
    with transaction(ctx.sessions) as s:
        ticket = tickets.load(s, ticket_id, lock=True)
        before = tickets.state(ticket)
        flow = tickets.flow_of(ticket)
        try:
            records = act(flow, now, s)
        except WorkflowError as exc:
            raise Conflict(str(exc), exc.code) from None
        tickets.store_flow(ticket, flow, records)
        ticket.recalls = flow.recalls
        if release_loket and flow.status is Status.WAITING:
            ticket.loket_id = None
        tickets.audit(s, actor, action, ticket, before, now)
        s.flush()
        shown = tickets.staff_view(ctx, s, ticket, now)
    ctx.publish([Event(TICKET_UPDATED, tickets.update_payload(shown)), Event(QUEUE_CHANGED, tickets.queue_counts(ctx))])
    return shown
