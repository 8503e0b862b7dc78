"""Doing a step of a ticket's SOP: the workflow's check, the applicant's data at the receiving step,
the TMS slip of a returned file, the agenda number at registration, a complaint at its intake and its
outcome at the decision, and the hand-over only against the pickup code (or a clerk's waiver with a
reason). One transaction, then the event. No Flask."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from antrean.shared.domain import applicant as rules
from antrean.shared.domain import handover, numbering
from antrean.shared.domain.catalogue import Step
from antrean.shared.domain.clock import local
from antrean.shared.domain.events import TICKET_UPDATED, Event
from antrean.shared.domain.privacy import mask_personal
from antrean.shared.domain.workflow import WorkflowError
from antrean.shared.services import outbox, tickets
from antrean.shared.services.context import Context
from antrean.shared.services.errors import Actor, Conflict, OperationError, clean_text
from antrean.shared.store import sequences
from antrean.shared.store.db import transaction
from antrean.shared.store.models import PrintJob, Ticket

WRONG_CODE = tickets.WRONG_CODE
WAIVED = "handover:waiver"  # the audit action of a hand-over without the code


def complete_step(
    ctx: Context, actor: Actor, ticket_id: Any, step: Any, decision: Any = None,
    missing: Sequence[str] = (), note: str = "", applicant: dict[str, Any] | None = None,
    pickup_code: Any = None, waiver: Any = None, complaint: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Complete ``step`` of a ticket. ``applicant``: name, nik, address, phone at the receiving step;
    ``complaint``: channel, text, lapor_number at a complaint's intake, outcome (and lapor_number) at
    its decision; ``pickup_code`` or ``waiver`` (the reason to hand over without it) at a hand-over."""
    now = ctx.clock()
    clean_text(decision, missing, note, applicant, pickup_code, waiver, complaint)  # NUL, lone surrogates: 400
    if complaint is not None and not isinstance(complaint, Mapping):
        raise OperationError("complaint must be an object with channel, text, outcome, lapor_number")
    try:
        step = int(step)
    except (TypeError, ValueError):
        raise OperationError("step must be a step number") from None
    if decision not in (None, "MS", "TMS"):
        raise OperationError("decision must be MS or TMS")
    missing = [str(m) for m in (missing or []) if str(m).strip()]
    note = (note or "").strip()
    refused: handover.HandoverRefused | None = None
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
        if current.kind == "handover":
            try:
                verdict = handover.decide(ticket.pickup_code, pickup_code, waiver, tickets.wrong_codes(s, ticket.id))
            except handover.HandoverRefused as exc:
                if exc.code == "pickup_code_locked":
                    raise Conflict(str(exc), exc.code) from None
                if not exc.wrong_code:  # no code, or a waiver without a real reason
                    raise OperationError(str(exc), exc.code) from None
                # A wrong code: the step is not done (the flow is not stored), the attempt is audited
                # and counted, and the refusal is raised after this commit.
                tickets.audit(s, actor, WRONG_CODE, ticket, before, now, {"step": current.number})
                refused = exc
            else:
                if verdict is handover.Verdict.WAIVER:
                    reason = mask_personal(handover.clean_reason(waiver))  # no NIK or phone in the trail
                    tickets.audit(s, actor, WAIVED, ticket, before, now, {"step": current.number, "reason": reason})
                    records = _with_note(records, current.number, f"Diserahkan tanpa kode pengambilan: {reason}")
        if refused is None:
            _finish(ctx, s, actor, ticket, flow, records, current, before, now, decision, missing, note,
                    applicant, complaint or {}, step)
            shown = tickets.staff_view(ctx, s, ticket, now)
    if refused is not None:
        raise Conflict(str(refused), refused.code)
    ctx.publish([Event(TICKET_UPDATED, tickets.update_payload(shown))])
    return shown


def _finish(ctx: Context, s: Session, actor: Actor, ticket: Ticket, flow: Any, records: list, current: Step,
            before: dict[str, Any], now: datetime, decision: Any, missing: list[str], note: str,
            applicant: dict[str, Any] | None, complaint: Mapping[str, Any], step: int) -> None:
    """The step's data, its records and its audit entry, inside the caller's transaction."""
    service = ctx.catalogue.services.get(ticket.service_code)
    if current.kind == "receive":
        record_applicant(ticket, applicant or {}, anonymous=bool(service and service.anonymous))
    if current.form == "complaint":
        record_complaint(ticket, complaint)
    elif current.form == "outcome":
        record_outcome(ticket, complaint)
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
        outbox.on_tms(s, ctx, ticket, missing, now)  # the message, next to the slip, in this transaction
    if current.kind == "handover":
        outbox.on_handover(s, ctx, ticket, now)  # the survey link
    if current.kind == "register":
        ticket.agenda_number = next_agenda_number(ctx, s, ticket, now)
    tickets.store_flow(ticket, flow, records)
    tickets.audit(s, actor, f"step:{current.kind}", ticket, before, now,
                  {"done_step": step, "decision": decision})
    s.flush()


def _with_note(records: list, number: int, text: str) -> list:
    """The step records with ``text`` added to step ``number``'s note."""
    return [replace(r, note=(f"{r.note} · {text}" if r.note else text)[:1000]) if r.number == number else r
            for r in records]


def record_applicant(ticket: Ticket, applicant: dict[str, Any], anonymous: bool = False) -> None:
    """The applicant's name, NIK, address and phone. ``anonymous`` (a complaint): name and NIK may be
    left out; a NIK that is typed is still checked."""
    name = str(applicant.get("name") or "").strip()
    nik_typed = rules.clean_nik(applicant.get("nik"))
    if not name and not anonymous:
        raise OperationError("Nama pemohon wajib diisi.", "name_required")
    if nik_typed or not anonymous:
        try:
            nik: str | None = rules.check_nik(nik_typed)
        except rules.ApplicantError as exc:
            raise OperationError(str(exc), exc.code) from None
    else:
        nik = None
    ticket.applicant_name = name[:120] or None
    ticket.applicant_nik = nik
    ticket.applicant_address = (str(applicant.get("address") or "").strip() or None)
    phone = str(applicant.get("phone") or "").strip()
    if phone and not re.fullmatch(r"\+?[0-9 \-]{6,20}", phone):
        raise OperationError("Nomor telepon tidak sah.", "bad_phone")
    ticket.applicant_phone = phone or None


def _checked(check: Any, value: Any) -> Any:
    try:
        return check(value)
    except rules.ApplicantError as exc:
        raise OperationError(str(exc), exc.code) from None


def record_complaint(ticket: Ticket, complaint: Mapping[str, Any]) -> None:
    """A complaint's intake: its channel and text (required), an SP4N-LAPOR! number (optional)."""
    ticket.complaint_channel = _checked(rules.check_channel, complaint.get("channel"))
    ticket.complaint_text = _checked(rules.check_complaint, complaint.get("text"))
    lapor = _checked(rules.check_lapor_number, complaint.get("lapor_number"))
    if lapor:
        ticket.lapor_number = lapor


def record_outcome(ticket: Ticket, complaint: Mapping[str, Any]) -> None:
    """A complaint's outcome, the berita acara (required); an SP4N-LAPOR! number known by now."""
    ticket.complaint_outcome = _checked(rules.check_outcome, complaint.get("outcome"))
    lapor = _checked(rules.check_lapor_number, complaint.get("lapor_number"))
    if lapor:
        ticket.lapor_number = lapor


def next_agenda_number(ctx: Context, s: Session, ticket: Ticket, now: datetime) -> str:
    """The next agenda number of the service's (else the office's) agenda code this year."""
    service = ctx.catalogue.services.get(ticket.service_code)
    office = ctx.catalogue.office
    kode = (service.agenda_code if service else None) or office.agenda_code
    year = local(now, ctx.tz).year
    urut = sequences.next_value(s, f"agenda:{kode}", str(year))
    return numbering.agenda_number(office.agenda_format, kode=kode, urut=urut,
                                   kantor=office.code, tahun=year)
