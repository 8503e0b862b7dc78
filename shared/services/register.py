"""The Buku Register: every file given an agenda number in a period, who signed or verified it, and
the applicant (masked NIK; shown as removed once the retention period purged it); and the register of
complaints (Pengaduan): each complaint's channel, text, outcome (berita acara) and SP4N-LAPOR! number,
for staff only. One read each, in ``reading()``: a Kasi reading the month's register never holds a
kiosk back."""
from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from antrean.shared.domain.applicant import CHANNELS
from antrean.shared.domain.clock import local
from antrean.shared.services import retention
from antrean.shared.services.context import Context
from antrean.shared.services.errors import mask_nik
from antrean.shared.services.reports import Period
from antrean.shared.store.db import reading
from antrean.shared.store.models import Ticket, TicketStep, User


def register_rows(desk: Context, period: Period, query: str = "", purged_label: str = "") -> list[dict[str, Any]]:
    """The register's rows for ``period``, optionally those matching ``query`` (agenda number, queue
    number, service or applicant). ``purged_label`` stands for an applicant removed by retention."""
    with reading(desk.sessions) as s:
        return _rows(s, desk, period, query, purged_label)


def _rows(s: Session, desk: Context, period: Period, query: str, purged_label: str) -> list[dict[str, Any]]:
    stmt = select(Ticket).where(Ticket.agenda_number.is_not(None), Ticket.office_day >= period.start,
                                Ticket.office_day <= period.end)
    if query:
        like = f"%{query}%"
        stmt = stmt.where(or_(Ticket.agenda_number.ilike(like), Ticket.number.ilike(like),
                              Ticket.service_name.ilike(like), Ticket.applicant_name.ilike(like)))
    tickets = s.scalars(stmt.order_by(Ticket.id)).all()
    users = {u.id: u.full_name for u in s.scalars(select(User))}
    by_id = {t.id: t for t in tickets}
    signers: dict[int, list[str]] = {}
    steps = s.scalars(select(TicketStep).where(TicketStep.ticket_id.in_(list(by_id) or [0]))).all()
    for st in steps:
        kind = next((x["kind"] for x in by_id[st.ticket_id].flow if x["number"] == st.number), None)
        if kind == "sign":
            signers.setdefault(st.ticket_id, []).append(users.get(st.user_id, "?") if st.user_id is not None else "?")
    rows = []
    purged_before = retention.purged_before(s)  # personal data removed after the retention period
    for t in tickets:
        applicant = purged_label if retention.is_purged(t, purged_before) else t.applicant_name or ""
        rows.append({
            "agenda_number": t.agenda_number, "date": local(t.created_at, desk.tz).strftime("%Y-%m-%d"),
            "number": t.number, "applicant": applicant, "nik": mask_nik(t.applicant_nik),
            "service": t.service_name, "status": t.status, "signed_by": ", ".join(signers.get(t.id, [])),
        })
    return rows


def complaint_rows(desk: Context, period: Period, query: str = "", purged_label: str = "",
                   anonymous_label: str = "", code_label: str = "") -> list[dict[str, Any]]:
    """The complaints taken in ``period`` (those matching ``query``: queue number, SP4N-LAPOR! number
    or words of the complaint), oldest first. ``anonymous_label`` stands for a complainant who gave
    no name, ``purged_label`` for a text removed by retention, ``code_label`` for a result handed over
    against the pickup code (else the clerk's note of a hand-over without it)."""
    with reading(desk.sessions) as s:
        stmt = select(Ticket).where(Ticket.complaint_channel.is_not(None), Ticket.office_day >= period.start,
                                    Ticket.office_day <= period.end)
        if query:
            like = f"%{query}%"
            stmt = stmt.where(or_(Ticket.number.ilike(like), Ticket.lapor_number.ilike(like.replace("#", "")),
                                  Ticket.complaint_text.ilike(like)))
        tickets = s.scalars(stmt.order_by(Ticket.id)).all()
        handover_steps = {t.id: {st["number"] for st in t.flow if st.get("kind") == "handover"} for t in tickets}
        steps = s.scalars(select(TicketStep).where(TicketStep.ticket_id.in_(list(handover_steps) or [0]))).all()
        handed = {st.ticket_id: st.note or code_label for st in steps if st.number in handover_steps[st.ticket_id]}
        purged_before = retention.purged_before(s)
        rows = []
        for t in tickets:
            purged = retention.is_purged(t, purged_before)
            rows.append({
                "date": local(t.created_at, desk.tz).strftime("%Y-%m-%d"), "number": t.number,
                "complainant": t.applicant_name or anonymous_label, "nik": mask_nik(t.applicant_nik),
                "channel": CHANNELS.get(t.complaint_channel or "", t.complaint_channel or ""),
                "complaint": purged_label if purged else t.complaint_text or "",
                "outcome": purged_label if purged else t.complaint_outcome or "",
                "lapor_number": t.lapor_number or "", "status": t.status, "handed_over": handed.get(t.id, ""),
            })
        return rows
