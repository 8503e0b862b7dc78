"""Office reports: what the Kasi and the Camat read. Plain Python over the stored tickets and steps.

Every figure is computed from the database for a period of office days (inclusive), in the
office's time zone: tickets per service and group, waiting time (ticket to first call), time per
SOP step against its Mutu Baku minutes, the share of steps within standard, the TMS rate and the
documents most often missing, per clerk and per loket, and the busiest hours.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from antrean.shared.domain.clock import local
from antrean.shared.domain.numbering import office_day
from antrean.shared.domain.stats import median, summary
from antrean.shared.store.db import reading
from antrean.shared.store.models import Call, Loket, Ticket, TicketStep, User


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("the period ends before it starts")


def _tickets(s: Session, period: Period) -> list[Ticket]:
    return list(s.scalars(select(Ticket).where(Ticket.office_day >= period.start,
                                               Ticket.office_day <= period.end).order_by(Ticket.id)))


def office_report(s: Session, catalogue, period: Period) -> dict[str, Any]:
    tz = catalogue.office.timezone
    tickets = _tickets(s, period)
    ids = [t.id for t in tickets]
    steps: list[TicketStep] = []
    for chunk in _chunks(ids, 500):
        steps += list(s.scalars(select(TicketStep).where(TicketStep.ticket_id.in_(chunk))))
    by_ticket = {t.id: t for t in tickets}
    users = {u.id: u for u in s.scalars(select(User))}
    lokets = {lk.id: lk for lk in s.scalars(select(Loket))}

    per_service: dict[str, dict[str, Any]] = {}
    per_group: Counter = Counter()
    statuses: Counter = Counter()
    waits: list[float] = []
    waits_by_service: dict[str, list[float]] = defaultdict(list)
    hours: Counter = Counter()
    for t in tickets:
        svc = per_service.setdefault(t.service_code, {"service": t.service_code, "name": t.service_name,
                                                      "group": t.group, "tickets": 0, "done": 0,
                                                      "returned": 0, "no_show": 0})
        svc["tickets"] += 1
        if t.status in ("done", "returned", "no_show"):
            svc[t.status] += 1
        per_group[t.group] += 1
        statuses[t.status] += 1
        hours[local(t.created_at, tz).hour] += 1
        if t.called_at is not None:
            minutes = (t.called_at - t.created_at).total_seconds() / 60
            waits.append(minutes)
            waits_by_service[t.service_code].append(minutes)

    per_loket = _per_loket(s, period, tz, lokets)

    step_minutes: dict[tuple[str, int], list[float]] = defaultdict(list)
    step_within: dict[tuple[str, int], list[bool]] = defaultdict(list)
    step_meta: dict[tuple[str, int], dict[str, Any]] = {}
    per_user: dict[int, dict[str, Any]] = {}
    decisions: dict[str, Counter] = defaultdict(Counter)
    missing: Counter = Counter()
    for st in steps:
        ticket = by_ticket[st.ticket_id]
        if st.decision:
            decisions[ticket.service_code][st.decision] += 1
            if st.decision == "TMS":
                missing.update(ticket.missing_documents or [])
        if st.actor == "pemohon":  # the applicant's own steps (submit, collect) are not staff work
            continue
        minutes = (st.finished_at - st.available_at).total_seconds() / 60
        within = st.standard_minutes == 0 or minutes <= st.standard_minutes
        key = (ticket.service_code, st.number)
        step_minutes[key].append(minutes)
        step_within[key].append(within)
        if key not in step_meta:
            activity = next((x["activity"] for x in ticket.flow if x["number"] == st.number), "")
            step_meta[key] = {"service": ticket.service_code, "step": st.number, "actor": st.actor,
                              "activity": activity, "standard_minutes": st.standard_minutes}
        if st.user_id is not None:
            u = per_user.setdefault(st.user_id, {"user": users[st.user_id].username if st.user_id in users else "?",
                                                 "name": users[st.user_id].full_name if st.user_id in users else "?",
                                                 "steps": 0, "within": 0, "minutes": []})
            u["steps"] += 1
            u["within"] += within
            u["minutes"].append(minutes)

    all_within = [w for ws in step_within.values() for w in ws]
    step_rows = []
    for key in sorted(step_meta, key=lambda k: (k[0], k[1])):
        mins, flags = step_minutes[key], step_within[key]
        step_rows.append({**step_meta[key], **summary(mins),
                          "within_standard": round(sum(flags) / len(flags), 4) if flags else None,
                          "over_standard": len(flags) - sum(flags)})
    tms_rows: list[dict[str, Any]] = []
    for code, counts in sorted(decisions.items()):
        total = counts["MS"] + counts["TMS"]
        tms_rows.append({"service": code, "decisions": total, "tms": counts["TMS"],
                         "tms_rate": round(counts["TMS"] / total, 4) if total else None})
    total_decisions = sum(r["decisions"] for r in tms_rows)
    total_tms = sum(r["tms"] for r in tms_rows)
    for code, row in per_service.items():
        row["waiting"] = summary(waits_by_service.get(code, []))
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "tickets": len(tickets),
        "statuses": dict(statuses),
        "per_group": dict(per_group),
        "per_service": sorted(per_service.values(), key=lambda r: (-r["tickets"], r["service"])),
        "waiting": summary(waits),
        "steps": step_rows,
        "within_standard": round(sum(all_within) / len(all_within), 4) if all_within else None,
        "tms": {"decisions": total_decisions, "tms": total_tms,
                "rate": round(total_tms / total_decisions, 4) if total_decisions else None,
                "per_service": tms_rows, "missing_documents": missing.most_common(10)},
        "per_clerk": sorted(({"user": u["user"], "name": u["name"], "steps": u["steps"],
                              "within_standard": round(u["within"] / u["steps"], 4),
                              "median_minutes": median(u["minutes"])} for u in per_user.values()),
                            key=lambda r: r["user"]),
        "per_loket": per_loket,
        "busiest_hours": [{"hour": h, "tickets": n} for h, n in sorted(hours.items())],
    }


def _per_loket(s: Session, period: Period, tz: str, lokets: dict[int, Loket]) -> list[dict[str, Any]]:
    """The calls made at each loket on the period's office days: every call counts where it was made
    (a first call, a recall, a call to collect the result), not where its ticket ended up. The
    waiting times are those of the tickets each loket called first (issue to first call)."""
    start = datetime.combine(period.start, time.min, UTC) - timedelta(days=1)  # UTC bounds with a day's margin;
    end = datetime.combine(period.end, time.min, UTC) + timedelta(days=2)  # the office day decides below
    rows = s.execute(select(Call.loket_id, Call.kind, Call.at, Call.ticket_id, Ticket.created_at)
                     .join(Ticket, Ticket.id == Call.ticket_id)
                     .where(Call.at >= start, Call.at < end).order_by(Call.at, Call.id)).all()
    out: dict[int, dict[str, Any]] = {}
    first_seen: set[int] = set()
    for loket_id, kind, at, ticket_id, created_at in rows:
        if not period.start <= office_day(at, tz) <= period.end:
            continue
        name = lokets[loket_id].name if loket_id in lokets else "?"
        row = out.setdefault(loket_id, {"loket": name, "number": lokets[loket_id].number if loket_id in lokets else 0,
                                        "called": 0, "calls": 0, "recalls": 0, "pickups": 0, "waits": []})
        row["called"] += 1
        row[{"call": "calls", "recall": "recalls", "pickup": "pickups"}.get(kind, "calls")] += 1
        if kind == "call" and ticket_id not in first_seen:
            first_seen.add(ticket_id)
            row["waits"].append((at - created_at).total_seconds() / 60)
    return [{"loket": r["loket"], "called": r["called"], "calls": r["calls"], "recalls": r["recalls"],
             "pickups": r["pickups"], **{"waiting_" + k: x for k, x in summary(r["waits"]).items() if k != "n"}}
            for r in sorted(out.values(), key=lambda r: (r["number"], r["loket"]))]


def office_figures(desk, period: Period) -> dict[str, Any]:
    """The office report of ``period`` (``office_report``), read in ``reading()``: no write lock, so
    a Kasi opening the month's report never holds a kiosk back."""
    with reading(desk.sessions) as s:
        return office_report(s, desk.catalogue, period)


def office_and_satisfaction(desk, period: Period) -> tuple[dict[str, Any], dict[str, Any]]:
    """The office report and the IKM of ``period``, from one consistent read in ``reading()``."""
    from antrean.shared.services.survey import ikm_report  # survey.py builds on this module

    with reading(desk.sessions) as s:
        return office_report(s, desk.catalogue, period), ikm_report(s, period.start, period.end)


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
