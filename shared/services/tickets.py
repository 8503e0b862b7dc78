"""Tickets as the public and the staff see them: loading, the people ahead, the public and staff
views, lookups and the work queue; and the bookkeeping every staff action shares (storing a flow's
new state, the audit entry). Reads run in ``reading()``; no Flask."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import Session, joinedload, selectinload

from antrean.shared.domain import handover, queue
from antrean.shared.domain.applicant import CHANNELS
from antrean.shared.domain.catalogue import Catalogue, Service, step_from_dict
from antrean.shared.domain.clock import local
from antrean.shared.domain.workflow import CLOSED, Status, StepRecord, TicketFlow
from antrean.shared.services import estimate
from antrean.shared.services.context import Context
from antrean.shared.services.errors import Actor, NotFound, OperationError, clean_text, mask_nik, record_id
from antrean.shared.store import settings
from antrean.shared.store.db import reading
from antrean.shared.store.models import AuditEntry, Call, Ticket, TicketStep

CALL_RULE_KEY = "call_rule"
WRONG_CODE = "handover:wrong_code"  # the audit action of a refused pickup code (counted per ticket)


def flow_of(ticket: Ticket) -> TicketFlow:
    steps = tuple(step_from_dict(s) for s in ticket.flow)
    records = [
        StepRecord(number=r.number, actor=r.actor, role=r.role, user_id=r.user_id,
                   available_at=r.available_at, finished_at=r.finished_at,
                   standard_minutes=r.standard_minutes, decision=r.decision,
                   missing=tuple(ticket.missing_documents or ()) if r.decision == "TMS" else (),
                   note=r.note or "")
        for r in ticket.steps
    ]
    return TicketFlow(steps=steps, status=Status(ticket.status), current_step=ticket.current_step,
                      current_since=ticket.current_since, records=records, recalls=ticket.recalls or 0)


def public_view(ticket: Any, flow: TicketFlow, service: Service | None, loket_name: str | None, ahead: int,
                wait: int, tz: str, status_url: Callable[[str], str], called_in_person: bool = False) -> dict[str, Any]:
    """What anyone may see of a ticket (a Ticket, or the values of one just inserted): no name, no NIK.
    ``called_in_person``: the loket called the applicant to the current in-person step (the e-KTP
    recording): ``called_for`` says what for, as the display does."""
    step = flow.step
    called_for = step if called_in_person and step is not None and step.call_kind == "in_person" else None
    return {
        "id": ticket.id,
        "public_id": ticket.public_id,
        "number": ticket.number,
        "service": ticket.service_code,
        "service_name": ticket.service_name,
        "group": ticket.group,
        "priority": ticket.priority,
        "status": ticket.status,
        "position": ahead,
        "estimated_wait_minutes": wait,
        "current_step": None if step is None else {
            "number": step.number, "activity": step.activity, "actor": step.actor_name,
            "minutes": step.minutes,
        },
        "steps_total": len(flow.steps),
        "ready": flow.ready_for_pickup,  # the result is ready: the applicant is to collect it at a loket
        "called_for": called_for.purpose if called_for else None,  # wanted at the loket, for this
        "called_for_en": called_for.purpose_en if called_for else None,
        "loket": loket_name,
        "issued_at": local(ticket.created_at, tz).isoformat(),
        "office_day": ticket.office_day.isoformat(),
        "status_url": status_url(ticket.public_id),
        "requirements": list(service.requirements) if service else [],
        "missing_documents": list(ticket.missing_documents or []) if ticket.status == Status.RETURNED.value else [],
    }


# -- the queue -------------------------------------------------------------------------------------

def call_rule(s: Session) -> str:
    """The office's call rule: 'priority_first' (default: lansia, disabilitas, ibu hamil/menyusui
    first) or 'fifo'."""
    return queue.call_rule(settings.get(s, CALL_RULE_KEY))


_ORDER_COLUMNS = {"priority": Ticket.priority.desc(), "since": Ticket.current_since.asc(), "id": Ticket.id.asc()}


def queue_order(rule: str) -> tuple[Any, ...]:
    """``domain.queue.QUEUE_ORDER`` as ORDER BY clauses."""
    return tuple(_ORDER_COLUMNS[name] for name in queue.QUEUE_ORDER[queue.call_rule(rule)])


def _priority_in(values: frozenset[bool]) -> ColumnElement[bool]:
    if values == {True, False}:
        return true()
    if not values:
        return false()
    return Ticket.priority.is_(next(iter(values)))


def position(s: Session, ticket: Ticket, rule: str | None = None) -> int:
    """People ahead of a waiting ticket in its group's queue, by the office's call rule
    (``domain.queue.ahead_rule``, as SQL)."""
    if ticket.status != Status.WAITING.value:
        return 0
    ahead = queue.ahead_rule(rule if rule is not None else call_rule(s), bool(ticket.priority))
    earlier = or_(Ticket.current_since < ticket.current_since,
                  and_(Ticket.current_since == ticket.current_since, Ticket.id < ticket.id))
    clauses = []
    if ahead.always:
        clauses.append(_priority_in(ahead.always))
    if ahead.if_earlier:
        clauses.append(and_(_priority_in(ahead.if_earlier), earlier))
    count = select(func.count()).select_from(Ticket).where(
        Ticket.status == Status.WAITING.value, Ticket.group == ticket.group, Ticket.id != ticket.id,
        or_(*clauses))
    return s.scalar(count) or 0


def queue_counts(ctx: Context, s: Session | None = None) -> dict[str, int]:
    """Waiting tickets per group (inside the caller's transaction ``s`` when given)."""
    if s is None:
        with reading(ctx.sessions) as s2:
            return queue_counts(ctx, s2)
    rows = s.execute(select(Ticket.group, func.count()).where(
        Ticket.status == Status.WAITING.value).group_by(Ticket.group)).all()
    counts = {g: 0 for g in ctx.catalogue.by_group()}
    counts.update({g: n for g, n in rows})
    return counts


# -- loading and viewing ---------------------------------------------------------------------------

def load(s: Session, ticket_id: Any, lock: bool = False) -> Ticket:
    """The ticket with this id (``lock``: FOR UPDATE on PostgreSQL), else ``NotFound``."""
    ticket_id = record_id(ticket_id)
    ticket = s.get(Ticket, ticket_id, with_for_update=lock and s.get_bind().dialect.name == "postgresql")
    if ticket is None:
        raise NotFound("ticket not found")
    return ticket


def step_requirements(catalogue: Catalogue, ticket: Ticket) -> list[str]:
    service = catalogue.services.get(ticket.service_code)
    return list(service.requirements) if service else []


def view(ctx: Context, s: Session, ticket: Ticket, now: datetime) -> dict[str, Any]:
    """What anyone may see of a ticket: no name, no NIK."""
    ahead = position(s, ticket)
    wait = estimate.ticket_wait_minutes(s, ctx.catalogue, ticket, ahead, now)
    flow = flow_of(ticket)
    return public_view(ticket, flow, ctx.catalogue.services.get(ticket.service_code),
                       ticket.loket.name if ticket.loket else None, ahead, wait, ctx.tz, ctx.status_url,
                       called_in_person=_called_for_step(s, ticket, flow))


def _called_for_step(s: Session, ticket: Ticket, flow: TicketFlow) -> bool:
    """The applicant was called back to a loket since the current in-person step began."""
    step = flow.step
    if ticket.status != Status.IN_PROGRESS.value or step is None or step.call_kind != "in_person":
        return False
    since = [Call.ticket_id == ticket.id, Call.kind != "call"]
    if ticket.current_since is not None:
        since.append(Call.at >= ticket.current_since)
    return s.execute(select(Call.id).where(*since).limit(1)).first() is not None


def staff_view(ctx: Context, s: Session, ticket: Ticket, now: datetime) -> dict[str, Any]:
    """A ticket as the counter screens show it (NIK masked). Not the pickup code: the applicant shows
    it at the hand-over (``handover``: the current step is one, and how many wrong codes were typed).
    A complaint's text and outcome are for staff only, never in a public view or event."""
    shown = view(ctx, s, ticket, now)
    flow = flow_of(ticket)
    done = {r.number: r for r in flow.records}
    service = ctx.catalogue.services.get(ticket.service_code)
    current = flow.step
    wrong = wrong_codes(s, ticket.id) if current is not None and current.kind == "handover" else 0
    shown.update({
        "applicant_name": ticket.applicant_name,
        "applicant_nik": mask_nik(ticket.applicant_nik),
        "agenda_number": ticket.agenda_number,
        "pickup_code": None,  # never shown to staff: asked for at the hand-over
        "handover": None if current is None or current.kind != "handover" else {
            "wrong_codes": wrong, "attempts_left": max(0, handover.MAX_WRONG_CODES - wrong),
            "code_locked": wrong >= handover.MAX_WRONG_CODES},
        "anonymous": bool(service and service.anonymous),
        "complaint": None if not (ticket.complaint_text or ticket.complaint_channel or ticket.lapor_number
                                  or ticket.complaint_outcome) else {
            "channel": ticket.complaint_channel, "channel_name": CHANNELS.get(ticket.complaint_channel or "", ""),
            "text": ticket.complaint_text, "outcome": ticket.complaint_outcome,
            "lapor_number": ticket.lapor_number},
        "tms_note": ticket.tms_note,
        "missing_documents": list(ticket.missing_documents or []),
        "timer": flow.timer_state(now),
        "elapsed_minutes": round(flow.elapsed_minutes(now), 1),
        "since": local(ticket.current_since, ctx.tz).isoformat(),  # with its offset: counter.js times from it
        # A called ticket is timed against the receiving step: its time runs from the call.
        "step_minutes": (flow.steps[1].minutes if flow.status is Status.CALLED
                         else flow.step.minutes if flow.step else 0),
        "actor": flow.step.actor if flow.step else None,
        "actor_name": flow.step.actor_name if flow.step else None,
        "awaits_applicant": flow.awaits_applicant,
        # what the applicant is called back for (the counter's button says it): the step's purpose
        "call_kind": flow.step.call_kind if flow.step and flow.awaits_applicant else None,
        "call_purpose": flow.step.purpose if flow.step and flow.awaits_applicant else "",
        "recalls": ticket.recalls,
        "created_at": local(ticket.created_at, ctx.tz).isoformat(),
        "steps": [
            {"number": st.number, "activity": st.activity, "actor": st.actor,
             "actor_name": st.actor_name, "minutes": st.minutes, "kind": st.kind,
             "decision": st.decision, "output": st.output, "form": st.form,
             "state": "done" if st.number in done else (
                 "current" if not flow.closed and st.number == flow.current_step else "todo"),
             "took_minutes": round(done[st.number].minutes, 1) if st.number in done else None,
             "within_standard": done[st.number].within_standard if st.number in done else None,
             "result": done[st.number].decision if st.number in done else None}
            for st in flow.steps
        ],
        "documents": step_requirements(ctx.catalogue, ticket),
    })
    return shown


def get_ticket(ctx: Context, ticket_id: Any) -> dict[str, Any]:
    with reading(ctx.sessions) as s:
        return view(ctx, s, load(s, ticket_id), ctx.clock())


def get_ticket_by_public_id(ctx: Context, public_id: str) -> dict[str, Any]:
    try:
        clean_text(public_id)  # a NUL would reach PostgreSQL's driver: a 500 (or a Socket.IO error)
    except OperationError:
        raise NotFound("ticket not found") from None
    if not isinstance(public_id, str) or len(public_id) > 64:
        raise NotFound("ticket not found")
    with reading(ctx.sessions) as s:
        ticket = s.scalar(select(Ticket).where(Ticket.public_id == public_id))
        if ticket is None:
            raise NotFound("ticket not found")
        return view(ctx, s, ticket, ctx.clock())


def repeated(ctx: Context, request_key: str | None, now: datetime) -> dict[str, Any] | None:
    """The view of the ticket issued earlier for this kiosk request id, marked ``repeated``."""
    if request_key is None:
        return None
    with reading(ctx.sessions) as s:
        earlier = s.scalar(select(Ticket).where(Ticket.request_key == request_key))
        return None if earlier is None else {**view(ctx, s, earlier, now), "repeated": True}


def staff_ticket(ctx: Context, ticket_id: Any) -> dict[str, Any]:
    with reading(ctx.sessions) as s:
        return staff_view(ctx, s, load(s, ticket_id), ctx.clock())


def find_tickets(ctx: Context, text: str) -> list[dict[str, Any]]:
    """Open tickets by number (any day: a file may wait overnight) or by pickup code, and complaints
    open or closed by their SP4N-LAPOR! tracking number (``text``: no spaces, upper case; a leading
    ``#`` of a tracking number is ignored)."""
    if not text:
        return []
    clean_text(text)
    now = ctx.clock()
    lapor = text.lstrip("#")
    with reading(ctx.sessions) as s:
        found = s.scalars(select(Ticket).where(or_(
            and_(or_(Ticket.number == text, Ticket.pickup_code == text),
                 Ticket.status.notin_([st.value for st in CLOSED])),
            Ticket.lapor_number == lapor)).order_by(Ticket.id.desc()).limit(20)).all()
        return [staff_view(ctx, s, t, now) for t in found]


def wrong_codes(s: Session, ticket_id: int) -> int:
    """Wrong pickup codes typed so far for a ticket, from the audit trail (``services/steps.py``
    writes them): the count survives a restart and every server process sees it."""
    return s.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.ticket_id == ticket_id, AuditEntry.action == WRONG_CODE)) or 0


def work_queue(ctx: Context, actor: Actor) -> list[dict[str, Any]]:
    """Tickets in progress whose current step this user's roles may do, oldest first."""
    with reading(ctx.sessions) as s:
        now = ctx.clock()
        found = s.scalars(select(Ticket).where(Ticket.status == Status.IN_PROGRESS.value)
                          .options(selectinload(Ticket.steps), joinedload(Ticket.loket))
                          .order_by(Ticket.current_since)).all()
        out = []
        for t in found:
            step = flow_of(t).step
            if step is not None and step.actor in actor.roles:
                out.append(staff_view(ctx, s, t, now))
        return out


# -- what every staff action stores ---------------------------------------------------------------

def state(ticket: Ticket) -> dict[str, Any]:
    """What the audit trail records of a ticket before and after an action."""
    return {"status": ticket.status, "step": ticket.current_step, "loket": ticket.loket_id,
            "agenda": ticket.agenda_number}


def store_flow(ticket: Ticket, flow: TicketFlow, records: list[StepRecord]) -> None:
    """The flow's new state and its new step records, onto the ticket row."""
    for r in records:
        ticket.steps.append(TicketStep(number=r.number, actor=r.actor, role=r.role,
                                       user_id=r.user_id, available_at=r.available_at,
                                       finished_at=r.finished_at, standard_minutes=r.standard_minutes,
                                       decision=r.decision, note=r.note or None))
    ticket.status = flow.status.value
    ticket.current_step = flow.current_step
    if flow.current_since is not None:  # a stored ticket's flow always has one
        ticket.current_since = flow.current_since
    if flow.closed:
        ticket.finished_at = flow.current_since


def _step_actor(ticket: Ticket, before: dict[str, Any] | None) -> str | None:
    if not before:
        return None
    for st in ticket.flow:
        if st["number"] == before.get("step"):
            return str(st["actor"])
    return None


def audit(s: Session, actor: Actor, action: str, ticket: Ticket | None, before: dict[str, Any] | None,
          at: datetime, extra: dict[str, Any] | None = None) -> None:
    after = {**state(ticket), **(extra or {})} if ticket is not None else extra
    role = next(iter(sorted(actor.roles)), None)
    if ticket is not None and action.startswith("step:"):
        role = _step_actor(ticket, before) or role
    s.add(AuditEntry(at=at, user_id=actor.user_id, username=actor.username, role=role,
                     action=action, ticket_id=ticket.id if ticket else None, before=before,
                     after=after))


def update_payload(shown: dict[str, Any]) -> dict[str, Any]:
    """The ``ticket.updated`` event of a staff view. ``actor``: the role whose step is current
    (counter screens refresh for files reaching them)."""
    return {k: shown[k] for k in ("id", "number", "status", "current_step", "actor", "loket", "group",
                                  "public_id", "position")}
