"""The true state for a display: now serving per loket, the last calls, the queue, the files ready.
One read; no Flask."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from antrean.shared.domain import numbering
from antrean.shared.domain.catalogue import step_from_dict
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


def _awaits_applicant(flow: list[dict[str, Any]], current_step: int) -> bool:
    """``TicketFlow.awaits_applicant`` of a ticket in progress, from its stored flow and current step."""
    steps = tuple(step_from_dict(st) for st in flow)
    return TicketFlow(steps=steps, status=Status.IN_PROGRESS, current_step=current_step).awaits_applicant


def display_snapshot(ctx: Context, last: int = 8) -> dict[str, Any]:
    """The true state for a display: now serving per loket, the last calls, the queue."""
    now = ctx.clock()
    today = numbering.office_day(now, ctx.tz)
    start = datetime.combine(today, datetime.min.time(), tzinfo=local(now, ctx.tz).tzinfo)
    newest = (Call.at.desc(), Call.id.desc())
    # Today's calls ranked newest first, per loket and overall (the index on calls.at): only the
    # one each loket serves and the last ``last`` come back, as plain rows with the ticket and
    # loket fields a call shows (not the ticket's stored flow, no ORM objects)
    ranked = select(Call.id,
                    func.row_number().over(partition_by=Call.loket_id, order_by=newest).label("per_loket"),
                    func.row_number().over(order_by=newest).label("overall")).where(Call.at >= start).subquery()
    shown = (select(*CALL_FIELDS, Call.loket_id, ranked.c.overall)
             .join(ranked, ranked.c.id == Call.id).join(Ticket, Ticket.id == Call.ticket_id)
             .join(Loket, Loket.id == Call.loket_id)
             .where(or_(ranked.c.per_loket == 1, ranked.c.overall <= last)).order_by(*newest))
    with reading(ctx.sessions) as s:
        rows = s.execute(shown).all()
        lokets = s.execute(select(Loket.id, Loket.number, Loket.name).where(Loket.active.is_(True))
                           .order_by(Loket.number)).all()
        # whether a file awaits its applicant depends on its flow and current step only: no step rows
        in_progress = s.execute(select(Ticket.number, Ticket.flow, Ticket.current_step)
                                .where(Ticket.status == Status.IN_PROGRESS.value)
                                .order_by(Ticket.current_since)).all()
        waiting = tickets.queue_counts(ctx, s)
    serving: dict[int, dict[str, Any]] = {}
    recent = []
    for row in rows:
        payload = {**{k: row._mapping[k] for k in CALL_KEYS}, "at": local(row.at, ctx.tz).isoformat()}
        serving.setdefault(row.loket_id, payload)
        if row.overall <= last:
            recent.append(payload)
    ready = [number for number, flow, step in in_progress if _awaits_applicant(flow, step)]
    return {
        "office": {"name": ctx.catalogue.office.name, "regency": ctx.catalogue.office.regency},
        "lokets": [{"number": lk.number, "name": lk.name, "serving": serving.get(lk.id)}
                   for lk in lokets],
        "recent": recent,
        "waiting": waiting,
        "ready": ready,
        "at": local(now, ctx.tz).isoformat(),
    }
