"""The evaluation's report sections (PEKPPP) and the Kasi's live alerts, over the stored tickets:

- complaints (the Pengaduan register): counts by channel and status, SP4N-LAPOR! numbers, days to
  resolution;
- the vulnerable groups (UU 25/2009 Pasal 29): priority tickets by category and their waits against
  the other tickets', and the accessibility features the office lists (a setting the admin edits);
- promised against actual: per service, the share of requests finished within the published time
  (the total Mutu Baku minutes, counted in office working time) and the median and p90;
- alerts: the running requests whose step is past its Mutu Baku by the configured margin, or which
  are past their promised time (ticket number, service, step, how late; never the applicant).

The arithmetic is in shared/domain/evaluation.py; each read here is one ``reading()``.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from antrean.shared.domain import evaluation as ev
from antrean.shared.domain.catalogue import Catalogue
from antrean.shared.domain.opening_hours import working_day_minutes, working_minutes
from antrean.shared.domain.queue import PRIORITY_TEXT
from antrean.shared.services.context import Context
from antrean.shared.services.errors import Actor, Forbidden, OperationError
from antrean.shared.services.reports import Period
from antrean.shared.store import settings
from antrean.shared.store.db import reading, transaction
from antrean.shared.store.models import AuditEntry, Ticket

ALERT_ROLES = frozenset({"kasi_pelayanan"})  # who sees the live alerts


def _tickets(s: Session, period: Period) -> list[Ticket]:
    return list(s.scalars(select(Ticket).where(Ticket.office_day >= period.start, Ticket.office_day <= period.end)
                          .order_by(Ticket.id)))


def promised_minutes(flow: list[dict[str, Any]]) -> float:
    """A request's published time: the total Mutu Baku minutes of its steps (as issued)."""
    return float(sum(float(st.get("minutes") or 0) for st in flow))


def complaint_figures(tickets: list[Ticket]) -> dict[str, Any]:
    items = []
    for t in tickets:
        if t.complaint_channel is None:
            continue
        items.append(ev.Complaint(t.complaint_channel, t.status, t.lapor_number,
                                  ev.resolution_days(t.status, t.created_at, t.finished_at)))
    return ev.complaint_summary(items)


def priority_figures(tickets: list[Ticket]) -> dict[str, Any]:
    per_reason: dict[str, list[float]] = {reason: [] for reason in PRIORITY_TEXT}
    others: list[float] = []
    issued: dict[str, int] = defaultdict(int)
    for t in tickets:
        if t.priority:
            issued[t.priority_reason or ""] += 1
        if t.called_at is None:
            continue
        wait = (t.called_at - t.created_at).total_seconds() / 60
        if t.priority:
            per_reason.setdefault(t.priority_reason or "", []).append(wait)
        else:
            others.append(wait)
    figures = ev.priority_waits(per_reason, others)
    for row in figures["per_reason"]:
        row["tickets"] = issued.get(row["reason"], 0)
    figures["priority"]["tickets"] = sum(issued.values())
    figures["others"]["tickets"] = sum(1 for t in tickets if not t.priority)
    return figures


def promised_figures(tickets: list[Ticket], catalogue: Catalogue) -> list[dict[str, Any]]:
    office = catalogue.office
    day = working_day_minutes(office)
    worked: dict[str, list[float]] = defaultdict(list)
    promised: dict[str, float] = {}
    names: dict[str, str] = {}
    for t in tickets:
        if t.status != "done" or t.called_at is None or t.finished_at is None:
            continue
        worked[t.service_code].append(working_minutes(office, t.called_at, t.finished_at))
        promised.setdefault(t.service_code, promised_minutes(t.flow))
        names.setdefault(t.service_code, t.service_name)
    return [{"service": code, "name": names[code], **ev.promised_row(worked[code], promised[code], day)}
            for code in sorted(worked, key=lambda c: names[c])]


def evaluation_report(s: Session, catalogue: Catalogue, period: Period) -> dict[str, Any]:
    """The three sections of ``period``: ``complaints``, ``priority`` (with ``accessibility``) and
    ``promised`` (one row per service with finished requests)."""
    tickets = _tickets(s, period)
    return {"complaints": complaint_figures(tickets), "priority": priority_figures(tickets),
            "promised": promised_figures(tickets, catalogue),
            "accessibility": ev.accessibility_features(settings.get(s, ev.ACCESSIBILITY_KEY)),
            "working_day_minutes": working_day_minutes(catalogue.office)}


def evaluation_figures(desk: Context, period: Period) -> dict[str, Any]:
    with reading(desk.sessions) as s:
        return evaluation_report(s, desk.catalogue, period)


# -- settings: the accessibility features and the alert margin ---------------------------------------


def evaluation_settings(desk: Context) -> dict[str, Any]:
    with reading(desk.sessions) as s:
        stored = settings.read(s, (ev.ACCESSIBILITY_KEY, ev.ALERT_MARGIN_KEY))
    return {"accessibility": ev.accessibility_features(stored.get(ev.ACCESSIBILITY_KEY)),
            "alert_margin": ev.alert_margin(stored.get(ev.ALERT_MARGIN_KEY))}


def save_evaluation_settings(desk: Context, actor: Actor, features: str | list[str], margin: Any) -> None:
    """The accessibility features (one per line) and the alert margin (whole percent 0-500), by the
    administrator, audited. Bad input raises OperationError (in Indonesian) and stores nothing."""
    if "admin" not in actor.roles:
        raise Forbidden("only an administrator may change the office's set-up")
    lines = features.splitlines() if isinstance(features, str) else list(features)
    names = [line.strip() for line in lines if line.strip()]
    if len(names) > ev.ACCESSIBILITY_MAX:
        raise OperationError(f"Paling banyak {ev.ACCESSIBILITY_MAX} fasilitas.", "bad_setting")
    if any(len(n) > ev.ACCESSIBILITY_MAX_CHARS for n in names):
        raise OperationError(f"Nama fasilitas paling panjang {ev.ACCESSIBILITY_MAX_CHARS} huruf.", "bad_setting")
    if any(ord(c) < 32 for n in names for c in n):
        raise OperationError("Nama fasilitas memuat karakter yang tidak sah.", "bad_setting")
    text = str(margin).strip()
    if not (text.isascii() and text.isdigit() and 0 <= int(text) <= 500):
        raise OperationError("Batas peringatan harus bilangan bulat 0 sampai 500 (persen).", "bad_setting")
    now = desk.clock()
    with transaction(desk.sessions) as s:
        before = {"accessibility": ev.accessibility_features(settings.get(s, ev.ACCESSIBILITY_KEY)),
                  "alert_margin": ev.alert_margin(settings.get(s, ev.ALERT_MARGIN_KEY))}
        after = {"accessibility": names, "alert_margin": int(text)}
        settings.put(s, ev.ACCESSIBILITY_KEY, names, now, actor.user_id)
        settings.put(s, ev.ALERT_MARGIN_KEY, int(text), now, actor.user_id)
        s.add(AuditEntry(at=now, user_id=actor.user_id, username=actor.username, role="admin",
                         action="admin:evaluation", before=before, after=after))


# -- the Kasi's live alerts ---------------------------------------------------------------------


def sees_alerts(actor: Actor) -> bool:
    return bool(set(actor.roles) & ALERT_ROLES)


def alerts(desk: Context, now: datetime | None = None) -> list[dict[str, Any]]:
    """The running requests that are late, the latest first: a step past its Mutu Baku by more than
    the margin (``kind`` "step"), or the request past its promised time (``kind`` "request"). Each:
    ticket number, service name, step number and activity, minutes late (working time). Never the
    applicant's name or NIK."""
    now = now or desk.clock()
    office = desk.catalogue.office
    out: list[dict[str, Any]] = []
    with reading(desk.sessions) as s:
        margin = ev.alert_margin(settings.get(s, ev.ALERT_MARGIN_KEY))
        running = s.scalars(select(Ticket).where(Ticket.status == "in_progress").order_by(Ticket.id)).all()
        for t in running:
            step = next((st for st in t.flow if st.get("number") == t.current_step), None)
            if step is None:
                continue
            base = {"id": t.id, "number": t.number, "service": t.service_name, "step": t.current_step,
                    "activity": step.get("activity", "")}
            if step.get("actor") != "pemohon":  # the applicant's own step is not staff work
                late = ev.step_overrun(working_minutes(office, t.current_since, now), float(step.get("minutes") or 0),
                                       margin)
                if late is not None:
                    out.append({**base, "kind": "step", "late_minutes": late,
                                "standard_minutes": float(step.get("minutes") or 0)})
            if t.called_at is not None:
                late = ev.request_overrun(working_minutes(office, t.called_at, now), promised_minutes(t.flow))
                if late is not None:
                    out.append({**base, "kind": "request", "late_minutes": late,
                                "standard_minutes": promised_minutes(t.flow)})
    return sorted(out, key=lambda a: -a["late_minutes"])
