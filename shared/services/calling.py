"""Calling applicants to a loket: the waiting list a loket sees, call the next or a chosen ticket,
call again (recall, pickup), the applicant arrived, did not come, is sent elsewhere or back to the
queue; and what a loket holds (its called and served tickets: server state, the same on every PC).

A clerk is offered only the waiting tickets whose desk step one of their roles does
(``domain.queue.may_call``). A loket that still holds a ticket calls the next one only with
``force`` (audited: the tickets left are named); else ``LoketBusy`` (409 ``loket_busy``).

Each operation is one transaction, then its events (the call first: the displays get it before the
queue is counted again). No Flask."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select
from sqlalchemy.orm import Session

from antrean.shared.domain import queue
from antrean.shared.domain.catalogue import Step
from antrean.shared.domain.clock import local
from antrean.shared.domain.events import QUEUE_CHANGED, TICKET_CALLED, TICKET_UPDATED, Event
from antrean.shared.domain.workflow import Status, StepRecord, TicketFlow, WorkflowError
from antrean.shared.services import outbox, tickets
from antrean.shared.services.context import Context
from antrean.shared.services.errors import Actor, Conflict, NotFound, OperationError, record_id
from antrean.shared.store import settings
from antrean.shared.store.db import reading, transaction
from antrean.shared.store.models import Call, Loket, Ticket, User

NO_SHOW_REQUEUES_KEY = "no_show_requeues"  # how often a called applicant who did not come is queued again

FlowAction = Callable[[TicketFlow, datetime, Session], list[StepRecord]]


class LoketBusy(Conflict):
    """The loket still holds a called or unfinished ticket: the clerk finishes it, marks it not
    present, returns it to the queue, or calls anyway (``force``). ``held``: those tickets."""

    def __init__(self, loket: Loket, held: list[dict[str, Any]]):
        numbers = ", ".join(f"{t['number']} ({t['status']})" for t in held)
        super().__init__(f"{loket.name} still holds {numbers}: finish it, mark it not present, return it "
                         f"to the queue, or call anyway with force", "loket_busy")
        self.held = held


def loket_of(s: Session, actor: Actor, loket_id: Any = None, lock: bool = False) -> Loket:
    """The loket named (else the actor's); ``lock``: FOR UPDATE on PostgreSQL (one call at a time
    per loket, so two PCs of one loket cannot both call while it is free)."""
    loket_id = loket_id if loket_id is not None else actor.loket_id
    if loket_id is None:
        raise OperationError("choose a loket first", "no_loket")
    loket = s.get(Loket, record_id(loket_id, "loket"),
                  with_for_update=lock and s.get_bind().dialect.name == "postgresql")
    if loket is None or not loket.active:
        raise NotFound("loket not found")
    return loket


def loket_view(loket: Loket) -> dict[str, Any]:
    return {"id": loket.id, "number": loket.number, "name": loket.name, "groups": list(loket.groups or [])}


# -- what a loket holds ----------------------------------------------------------------------------

def held_at(s: Session, loket: Loket) -> list[tuple[str, Ticket]]:
    """The tickets the loket holds (``domain.queue.held``), oldest call first: those it called and
    whose applicant has not come, and those whose applicant is at its desk."""
    # called back for the current step (a recall or pickup since it began; the first call is the intake's)
    called_here = exists().where(Call.ticket_id == Ticket.id, Call.loket_id == loket.id, Call.kind != "call",
                                 Call.at > Ticket.current_since)
    rows = s.execute(
        select(Ticket, called_here.label("called_here"))
        .where(Ticket.loket_id == loket.id,
               or_(Ticket.status == Status.CALLED.value,
                   and_(Ticket.status == Status.IN_PROGRESS.value,
                        or_(Ticket.current_step <= 2, called_here))))  # a superset; the rule decides
        .order_by(Ticket.called_at, Ticket.id)).all()
    out = []
    for ticket, called in rows:
        state = queue.held(tickets.flow_of(ticket), bool(called))
        if state is not None:
            out.append((state, ticket))
    return out


def loket_state(ctx: Context, actor: Actor, loket_id: Any = None) -> dict[str, Any]:
    """What a loket holds now, for every PC of it: ``{"loket", "serving": [Ticket], "called": [Ticket]}``."""
    now = ctx.clock()
    with reading(ctx.sessions) as s:
        loket = loket_of(s, actor, loket_id)
        out: dict[str, Any] = {"loket": loket_view(loket), "serving": [], "called": []}
        for state, ticket in held_at(s, loket):
            out[state].append(tickets.staff_view(ctx, s, ticket, now))
        return out


def role_desks(ctx: Context) -> dict[str, list[str]]:
    """Role code -> the names of the lokets where an active user holding it works (where to send a
    ticket whose step the clerk at hand cannot do)."""
    with reading(ctx.sessions) as s:
        rows = s.execute(select(User.roles, Loket.name, Loket.number).join(Loket, User.loket_id == Loket.id)
                         .where(User.active.is_(True), Loket.active.is_(True))).all()
    desks: dict[str, dict[int, str]] = {}
    for roles, name, number in rows:
        for role in roles or ():
            desks.setdefault(role, {})[number] = name
    return {role: [names[n] for n in sorted(names)] for role, names in desks.items()}


def _check_free(s: Session, loket: Loket, force: bool) -> list[Ticket]:
    """The tickets the loket holds; ``LoketBusy`` when there are some and the clerk did not insist."""
    holding = held_at(s, loket)
    if holding and not force:
        raise LoketBusy(loket, [{"id": t.id, "number": t.number, "status": t.status, "held": state,
                                 "returnable": _returnable(tickets.flow_of(t))} for state, t in holding])
    return [t for _state, t in holding]


def _returnable(flow: TicketFlow) -> bool:
    """A held ticket the loket may let go unfinished (``return_to_queue``): one called whose applicant
    has not come, or one called back for a later step; not one whose request is being received."""
    return flow.status is Status.CALLED or (
        flow.status is Status.IN_PROGRESS and queue.held(flow, True) is not None and queue.held(flow, False) is None)


def _left_behind(s: Session, actor: Actor, loket: Loket, left: list[Ticket], called: Ticket,
                 now: datetime) -> dict[str, Any]:
    """Audit each ticket a forced call left at the loket; the call's own audit names them too."""
    for t in left:
        tickets.audit(s, actor, "left_by_forced_call", t, tickets.state(t), now,
                      {"loket": loket.number, "called_instead": called.number})
    return {"forced": True, "left": [t.number for t in left]} if left else {}


def desk_actors(ctx: Context, roles: frozenset[str] | None) -> ColumnElement[bool]:
    """The services (of the catalogue in force) whose desk step one of ``roles`` does, as a WHERE
    clause (``None``: every service). A ticket keeps its flow from the day it was issued: the one
    chosen is checked against its own flow too (``_offered``)."""
    if roles is None:
        return Ticket.id.isnot(None)
    codes = [svc.code for svc in ctx.catalogue.services.values()
             if queue.may_call(roles, _desk_actor(svc.steps))]
    return Ticket.service_code.in_(codes) if codes else false()


def _desk_actor(steps: Any, current: int = 1) -> str | None:
    step = queue.desk_step(steps, current)
    return step.actor if step else None


def _offered(ticket: Ticket, roles: frozenset[str] | None) -> bool:
    return roles is None or queue.may_call(roles, _desk_actor(tickets.flow_of(ticket).steps, ticket.current_step))


def waiting_at(loket: Loket) -> Select[Ticket]:
    """Waiting tickets this loket may call: those transferred to it, and those of what it serves."""
    query = select(Ticket).where(Ticket.status == Status.WAITING.value)
    mine = Ticket.loket_id == loket.id
    free: ColumnElement[bool] = Ticket.loket_id.is_(None)
    if loket.groups:
        free = and_(free, or_(Ticket.group.in_(loket.groups), Ticket.service_code.in_(loket.groups)))
    return query.where(or_(mine, free))


def _in_calling_order(ctx: Context, s: Session, loket: Loket, roles: frozenset[str] | None) -> Select[Ticket]:
    """The loket's queue as offered to ``roles``, in calling order: tickets transferred to it first,
    then the office's call rule (``domain.queue.calling_order``, as SQL)."""
    return (waiting_at(loket).where(desk_actors(ctx, roles))
            .order_by((Ticket.loket_id == loket.id).desc(), *tickets.queue_order(tickets.call_rule(s))))


def waiting_list(ctx: Context, actor: Actor, loket_id: Any = None, limit: int = 50) -> list[dict[str, Any]]:
    """The queue a loket offers this clerk, in calling order (for 'call a chosen ticket'): only the
    tickets whose desk step one of the clerk's roles does."""
    now = ctx.clock()
    with reading(ctx.sessions) as s:
        loket = loket_of(s, actor, loket_id)
        found = s.scalars(_in_calling_order(ctx, s, loket, actor.roles).limit(limit)).all()
        return [{"id": t.id, "number": t.number, "service": t.service_code, "service_name": t.service_name,
                 "priority": t.priority, "recalls": t.recalls,
                 "waiting_minutes": round((now - t.current_since).total_seconds() / 60, 1)}
                for t in found if _offered(t, actor.roles)]


def call_next(ctx: Context, actor: Actor, loket_id: Any = None, force: bool = False) -> dict[str, Any] | None:
    """Call the next waiting ticket this loket serves and one of the clerk's roles can take, by the
    office's rule (priority first). A loket still holding a ticket: ``LoketBusy``, unless ``force``."""
    now = ctx.clock()
    with transaction(ctx.sessions) as s:
        loket = loket_of(s, actor, loket_id, lock=True)
        left = _check_free(s, loket, force is True)
        passed: list[int] = []  # a ticket whose stored flow the catalogue no longer describes
        while True:
            query = _in_calling_order(ctx, s, loket, actor.roles).limit(1)
            if passed:
                query = query.where(Ticket.id.notin_(passed))
            if s.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            ticket = s.scalar(query)
            if ticket is None:
                return None
            if _offered(ticket, actor.roles):
                break
            passed.append(ticket.id)
        call, shown = _call(ctx, s, actor, ticket, loket, now, left=left)
    _after_call(ctx, call, shown)
    return shown


def call_ticket(ctx: Context, actor: Actor, ticket_id: Any, loket_id: Any = None,
                force: bool = False) -> dict[str, Any]:
    """Call a chosen waiting ticket out of order (the clerk picks it from the list). A loket still
    holding a ticket: ``LoketBusy``, unless ``force``."""
    now = ctx.clock()
    with transaction(ctx.sessions) as s:
        loket = loket_of(s, actor, loket_id, lock=True)
        ticket = tickets.load(s, ticket_id, lock=True)
        if ticket.status != Status.WAITING.value:
            raise Conflict(f"{ticket.number} is not waiting", "not_waiting")
        left = _check_free(s, loket, force is True)
        call, shown = _call(ctx, s, actor, ticket, loket, now, action="call_chosen", left=left)
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
          action: str = "call", left: list[Ticket] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
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
    forced = _left_behind(s, actor, loket, left or [], ticket, now)
    tickets.audit(s, actor, action, ticket, before, now, {"loket": loket.number, **forced})
    s.flush()
    outbox.on_called(s, ctx, ticket, _loket_label(loket), "call", None, now)  # the messages, in this transaction
    return call_payload(ctx, ticket, loket, "call", now), tickets.staff_view(ctx, s, ticket, now)


def _loket_label(loket: Loket) -> str:
    return loket.name or f"Loket {loket.number}"


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
        outbox.on_called(s, ctx, ticket, _loket_label(loket), kind, step, now)
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


def return_to_queue(ctx: Context, actor: Actor, ticket_id: Any) -> dict[str, Any]:
    """Free the loket of a ticket without finishing it. A called ticket goes back to the waiting
    queue in the place it had (by the time it was issued; no recall counted); a ticket called back
    for a later step (a pickup, the recording) goes back to waiting for its call. A ticket whose
    request is being received at the desk cannot be returned: its step is finished (or TMS)."""
    now = ctx.clock()
    with transaction(ctx.sessions) as s:
        ticket = tickets.load(s, ticket_id, lock=True)
        before = tickets.state(ticket)
        flow = tickets.flow_of(ticket)
        if not _returnable(flow):
            raise Conflict(f"{ticket.number} cannot be returned to the queue: finish its step", "not_returnable")
        if flow.status is Status.CALLED:
            flow.requeue(now)
            tickets.store_flow(ticket, flow, [])
            ticket.current_since = min(ticket.created_at, now)  # its place in the queue, not the end
            action = "return_to_queue"
        else:
            action = "release"
        ticket.loket_id = None
        tickets.audit(s, actor, action, ticket, before, now)
        s.flush()
        shown = tickets.staff_view(ctx, s, ticket, now)
    ctx.publish([Event(TICKET_UPDATED, tickets.update_payload(shown)), Event(QUEUE_CHANGED, tickets.queue_counts(ctx))])
    return shown


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
