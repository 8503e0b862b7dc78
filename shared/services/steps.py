"""Doing a step of a ticket's SOP: the workflow's check, the applicant's data at the receiving step,
the TMS slip of a returned file, the agenda number at registration. One transaction, then the event.
No Flask."""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from antrean.shared.domain import numbering
from antrean.shared.domain.clock import local
from antrean.shared.domain.events import TICKET_UPDATED, Event
from antrean.shared.domain.workflow import WorkflowError
from antrean.shared.services import tickets
from antrean.shared.services.context import Context
from antrean.shared.services.errors import Actor, Conflict, OperationError, clean_text
from antrean.shared.store import sequences
from antrean.shared.store.db import transaction
from antrean.shared.store.models import PrintJob, Ticket

NIK_RE = re.compile(r"^\d{16}$")


def complete_step(
    ctx: Context, actor: Actor, ticket_id: Any, step: Any, decision: Any = None,
    missing: Sequence[str] = (), note: str = "", applicant: dict[str, Any] | None = None,
) -> dict[str, Any]:
    now = ctx.clock()
    clean_text(decision, missing, note, applicant)  # NUL, lone surrogates: 400 before the database
    try:
        step = int(step)
    except (TypeError, ValueError):
        raise OperationError("step must be a step number") from None
    if decision not in (None, "MS", "TMS"):
        raise OperationError("decision must be MS or TMS")
    missing = [str(m) for m in (missing or []) if str(m).strip()]
    note = (note or "").strip()
    with transaction(ctx.sessions) as s:
        ticket = tickets.load(s, ticket_id, lock=True)
        flow = tickets.flow_of(ticket)
        before = tickets.state(ticket)
        try:
            records = flow.complete(step, actor.roles, actor.user_id, now, decision=decision,
                                    missing=missing, note=note)
        except WorkflowError as exc:
            raise Conflict(str(exc), exc.code) from None
        current = flow.steps[[st.number for st in flow.steps].index(step)]
        # Step data is checked after the workflow accepted the action; any error rolls back both.
        if current.kind == "receive":
            record_applicant(ticket, applicant or {})
        if decision == "TMS":
            # named from the service's list; free text when the service has none (or was removed)
            known = set(tickets.step_requirements(ctx.catalogue, ticket))
            unknown = [m for m in missing if known and m not in known]
            if unknown:
                raise OperationError(f"unknown documents: {', '.join(unknown)}", "unknown_document")
            ticket.missing_documents = missing
            ticket.tms_note = note or None
            s.add(PrintJob(ticket_id=ticket.id, kind="tms_slip", status="pending", created_at=now,
                           next_try_at=now, target=ctx.print_target))
        if current.kind == "register":
            ticket.agenda_number = next_agenda_number(ctx, s, ticket, now)
        tickets.store_flow(ticket, flow, records)
        tickets.audit(s, actor, f"step:{current.kind}", ticket, before, now,
                      {"done_step": step, "decision": decision})
        s.flush()
        shown = tickets.staff_view(ctx, s, ticket, now)
    ctx.publish([Event(TICKET_UPDATED, tickets.update_payload(shown))])
    return shown


def record_applicant(ticket: Ticket, applicant: dict[str, Any]) -> None:
    name = str(applicant.get("name") or "").strip()
    nik = re.sub(r"\s", "", str(applicant.get("nik") or ""))
    if not name:
        raise OperationError("the applicant's name is required", "name_required")
    if not NIK_RE.match(nik):
        raise OperationError("NIK must be 16 digits", "bad_nik")
    ticket.applicant_name = name[:120]
    ticket.applicant_nik = nik
    ticket.applicant_address = (str(applicant.get("address") or "").strip() or None)
    phone = str(applicant.get("phone") or "").strip()
    if phone and not re.fullmatch(r"\+?[0-9 \-]{6,20}", phone):
        raise OperationError("the phone number is not valid", "bad_phone")
    ticket.applicant_phone = phone or None


def next_agenda_number(ctx: Context, s: Session, ticket: Ticket, now: datetime) -> str:
    """The next agenda number of the service's (else the office's) agenda code this year."""
    service = ctx.catalogue.services.get(ticket.service_code)
    office = ctx.catalogue.office
    kode = (service.agenda_code if service else None) or office.agenda_code
    year = local(now, ctx.tz).year
    urut = sequences.next_value(s, f"agenda:{kode}", str(year))
    return numbering.agenda_number(office.agenda_format, kode=kode, urut=urut,
                                   kantor=office.code, tahun=year)
