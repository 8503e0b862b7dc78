"""The true state for a display: now serving per loket, the last calls, the queue, the files ready.
One read; no Flask.

- **Now serving** ("Sedang dilayani"): per loket, the ticket of the loket's newest call, only while
  that ticket is being served there: called and not yet answered, or with the applicant at the desk
  (from the intake until the MS/TMS decision, and at an in-person step the loket called them to,
  such as the e-KTP recording or the hand-over). A ticket finished, returned (TMS), cancelled, not
  come (no-show), transferred or sent on to the back office leaves the loket's tile.
- **The last calls**: one row per ticket, its newest call (a recall or a pickup call of a number
  already shown replaces its row), with the call's kind and purpose.
- **Ready** ("Dokumen siap diambil"): the tickets whose hand-over of the finished result is the
  current step (``TicketFlow.ready_for_pickup``); an in-person step that is not a hand-over (the
  e-KTP recording) never enters it.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from antrean.shared.domain import numbering
from antrean.shared.domain.catalogue import Step, step_from_dict
from antrean.shared.domain.clock import local
from antrean.shared.domain.workflow import Status, TicketFlow
from antrean.shared.services import tickets
from antrean.shared.services.context import Context
from antrean.shared.store.db import reading
from antrean.shared.store.models import Call, Loket, Ticket

# A call as the displays get it (``calling.call_payload``), as the columns of one row
CALL_FIELDS = (Ticket.id.label("ticket_id"), Ticket.number, Ticket.prefix, Ticket.seq,
               Ticket.service_code.label("service"), Ticket.service_name, Ticket.group,
               Loket.number.label("loket"), Loket.name.label("loket_name"), Call.kind, Call.at)
CALL_KEYS = ("ticket_id", "number", "prefix", "seq", "service", "service_name", "group", "loket", "loket_name",
             "kind")
# What a row needs besides to tell whether its ticket is still served, and what its call was for
TICKET_STATE = (Call.loket_id.label("call_loket_id"), Ticket.loket_id.label("ticket_loket_id"), Ticket.status,
                Ticket.flow, Ticket.current_step, Ticket.current_since)
SERVED = (Status.CALLED.value, Status.IN_PROGRESS.value)


def _flow(flow: list[dict[str, Any]], status: str, current_step: int) -> TicketFlow:
    steps = tuple(step_from_dict(st) for st in flow)
    return TicketFlow(steps=steps, status=Status(status), current_step=current_step)


def _called_for_current_step(row: Any) -> bool:
    """The call was made after the ticket reached its current step (not an older call)."""
    return row.current_since is None or row.at >= row.current_since


def being_served(row: Any) -> bool:
    """Whether the ticket of a loket's newest call (``row``: CALL_FIELDS + TICKET_STATE) is being
    served at that loket now."""
    if row.status not in SERVED or row.ticket_loket_id != row.call_loket_id:
        return False  # finished, returned, cancelled, no-show, back in a queue, or moved to another loket
    if row.status == Status.CALLED.value:
        return True
    flow = _flow(row.flow, row.status, row.current_step)
    step = flow.step
    if step is None:
        return False
    if step.call_kind is not None:  # an in-person step: served once the loket called them to it
        return _called_for_current_step(row)
    decision = next((s.number for s in flow.steps if s.decision), 0)
    return step.number <= decision  # the intake: the applicant stays at the desk until MS/TMS


def _purpose_step(row: Any) -> Step | None:
    """The step a call asked the applicant to come for (its purpose is shown with the call)."""
    if row.kind not in ("pickup", "in_person", "recall") or row.status is None:
        return None
    steps = tuple(step_from_dict(st) for st in row.flow)
    if row.status in SERVED:
        current = _flow(row.flow, row.status, row.current_step).step
        if current is not None and current.call_kind is not None and _called_for_current_step(row):
            return current
    if row.kind == "recall":
        return None
    return next((s for s in steps if s.call_kind == row.kind), None)


def _payload(ctx: Context, row: Any) -> dict[str, Any]:
    step = _purpose_step(row)
    return {**{k: row._mapping[k] for k in CALL_KEYS},
            "purpose": step.purpose if step else "", "purpose_en": step.purpose_en if step else "",
            "at": local(row.at, ctx.tz).isoformat()}


def display_snapshot(ctx: Context, last: int = 8) -> dict[str, Any]:
    """The true state for a display: now serving per loket, the last calls, the queue."""
    now = ctx.clock()
    today = numbering.office_day(now, ctx.tz)
    start = datetime.combine(today, datetime.min.time(), tzinfo=local(now, ctx.tz).tzinfo)
    # Today's calls (over the index on calls.at: MATERIALIZED keeps SQLite from scanning every call
    # of the history by the ticket index instead) ranked newest first per loket (the one a loket may
    # be serving) and per ticket (a number takes one row in the last calls); only those rows come
    # back, with the ticket and loket fields a call shows
    today_calls = (select(Call.id, Call.ticket_id, Call.loket_id, Call.at).where(Call.at >= start)
                   .cte("today_calls").prefix_with("MATERIALIZED"))
    newest_today = (today_calls.c.at.desc(), today_calls.c.id.desc())
    ranked = select(today_calls.c.id,
                    func.row_number().over(partition_by=today_calls.c.loket_id, order_by=newest_today)
                    .label("per_loket"),
                    func.row_number().over(partition_by=today_calls.c.ticket_id, order_by=newest_today)
                    .label("per_ticket")).subquery()
    newest = (Call.at.desc(), Call.id.desc())
    rows_of = (select(*CALL_FIELDS, *TICKET_STATE).join(ranked, ranked.c.id == Call.id)
               .join(Ticket, Ticket.id == Call.ticket_id).join(Loket, Loket.id == Call.loket_id))
    with reading(ctx.sessions) as s:
        newest_per_loket = s.execute(rows_of.where(ranked.c.per_loket == 1)).all()
        recent_rows = s.execute(rows_of.where(ranked.c.per_ticket == 1).order_by(*newest).limit(last)).all()
        lokets = s.execute(select(Loket.id, Loket.number, Loket.name).where(Loket.active.is_(True))
                           .order_by(Loket.number)).all()
        # whether a file is ready depends on its flow and current step only: no step rows
        in_progress = s.execute(select(Ticket.number, Ticket.flow, Ticket.current_step)
                                .where(Ticket.status == Status.IN_PROGRESS.value)
                                .order_by(Ticket.current_since)).all()
        waiting = tickets.queue_counts(ctx, s)
    serving = {row.call_loket_id: _payload(ctx, row) for row in newest_per_loket if being_served(row)}
    recent = [_payload(ctx, row) for row in recent_rows]
    ready = [number for number, flow, step in in_progress
             if _flow(flow, Status.IN_PROGRESS.value, step).ready_for_pickup]
    return {
        "office": {"name": ctx.catalogue.office.name, "regency": ctx.catalogue.office.regency},
        "lokets": [{"number": lk.number, "name": lk.name, "serving": serving.get(lk.id)}
                   for lk in lokets],
        "recent": recent,
        "waiting": waiting,
        "ready": ready,
        "at": local(now, ctx.tz).isoformat(),
    }
