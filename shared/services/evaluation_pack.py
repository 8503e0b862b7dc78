"""The evaluator's pack (PEKPPP, PermenPANRB 29/2022): every figure of one period the evaluator asks
for, gathered in one ``reading()`` so the sections agree with each other:

- ``standards``: each service's Standar Pelayanan and its adoption (the Keputusan Camat's number and
  date of the version in force, or none: "belum ditetapkan");
- ``maklumat``: the Maklumat Pelayanan in force (else the draft), its signatory and adoption date;
- ``skm``: the survey's results of the period (``services.skm``'s figures: respondents against the
  minimum sample, NRR per element, IKM and grade, overall and per service, the weakest elements, the
  respondent profile, and the follow-up plans with their share done and speed);
- ``complaints``: the register's counts and its rows **without** the complainant's name or NIK;
- ``priority`` and ``accessibility``: the vulnerable groups' waits and the office's features;
- ``promised``: promised against actual time per service;
- ``steps``: Mutu Baku compliance per SOP step (n, median, p90, within/over the standard).

The screens render it (``counter/evaluation_pack.py``: PDF and XLSX); nothing here knows a format.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from antrean.shared.domain import standards as rules
from antrean.shared.domain.catalogue import Catalogue
from antrean.shared.domain.clock import local
from antrean.shared.domain.evaluation import complaint_status, resolution_days
from antrean.shared.services import skm
from antrean.shared.services.context import Context
from antrean.shared.services.evaluation import evaluation_report
from antrean.shared.services.reports import Period, office_report
from antrean.shared.services.standards import MAKLUMAT
from antrean.shared.store.db import reading
from antrean.shared.store.models import StandardVersion, Ticket


def _in_force(s: Session) -> dict[str, StandardVersion]:
    """The version in force per subject: the newest adopted (by adoption time, then version)."""
    found: dict[str, StandardVersion] = {}
    for row in s.scalars(select(StandardVersion).where(StandardVersion.adopted_at.is_not(None))):
        held = found.get(row.subject)
        if held is None or (row.adopted_at, row.version) > (held.adopted_at, held.version):
            found[row.subject] = row
    return found


def _newest(s: Session, subject: str) -> StandardVersion | None:
    return s.scalar(select(StandardVersion).where(StandardVersion.subject == subject)
                    .order_by(StandardVersion.version.desc()).limit(1))


def standards_section(s: Session, catalogue: Catalogue, in_force: dict[str, StandardVersion]) -> list[dict[str, Any]]:
    """One row per service in the catalogue's order: its name, whether its standard is adopted, the
    version, the decree's number and date (None while not adopted), and how many of the 14
    components the published text fills."""
    rows = []
    for code, service in catalogue.services.items():
        row = in_force.get(code)
        data = dict(row.data) if row else rules.prefill(catalogue, service)
        rows.append({"service": code, "name": service.name, "adopted": row is not None,
                     "version": row.version if row else None,
                     "decree_number": row.decree_number if row else None,
                     "decree_date": row.decree_date if row else None,
                     "components_filled": sum(1 for k in rules.KEYS if str(data.get(k) or "").strip()),
                     "components": len(rules.KEYS)})
    return rows


def maklumat_section(s: Session, catalogue: Catalogue, in_force: dict[str, StandardVersion]) -> dict[str, Any]:
    """The Maklumat in force; before any adoption the newest saved draft (else the prefill), marked
    not adopted."""
    row = in_force.get(MAKLUMAT)
    draft = row or _newest(s, MAKLUMAT)
    data = dict(draft.data) if draft else rules.maklumat_prefill(catalogue.office)
    return {"adopted": row is not None, "text": data.get("text", ""),
            "signatory_name": data.get("signatory_name", ""), "signatory_title": data.get("signatory_title", ""),
            "version": draft.version if draft else None,
            "decree_number": row.decree_number if row and row.decree_number not in (None, "-") else None,
            "decree_date": row.decree_date if row else None}


def skm_section(s: Session, tz: str, period: Period) -> dict[str, Any]:
    """The SKM results of ``period`` (PermenPANRB 14/2017) as the SKM report has them
    (``services.skm.results``): the citizens served and the minimum sample (Krejcie-Morgan), the
    respondents, NRR per element, IKM, its conversion value and grade, overall (``ikm``) and per service,
    the weakest elements, the respondent profile, and the follow-up log of this exact period with its
    share done and speed."""
    return skm.results_between(s, tz, period.start, period.end)


def complaint_register(tickets: list[Ticket], tz: str) -> list[dict[str, Any]]:
    """The complaints taken in the period, oldest first: date, queue number, channel, SP4N-LAPOR!
    number, status and days to resolution. Never the complainant's name or NIK, nor the free text
    (it may name people): the evaluator counts handling, the register page holds the rest."""
    return [{"date": local(t.created_at, tz).date(), "number": t.number, "channel": t.complaint_channel,
             "lapor_number": t.lapor_number or "", "status": complaint_status(t.status),
             "resolution_days": resolution_days(t.status, t.created_at, t.finished_at)}
            for t in tickets if t.complaint_channel is not None]


def pack_report(s: Session, catalogue: Catalogue, period: Period, made_at: datetime) -> dict[str, Any]:
    tz = catalogue.office.timezone
    in_force = _in_force(s)
    evaluation = evaluation_report(s, catalogue, period)
    office = office_report(s, catalogue, period)
    tickets = s.scalars(select(Ticket).where(Ticket.complaint_channel.is_not(None), Ticket.office_day >= period.start,
                                             Ticket.office_day <= period.end).order_by(Ticket.id)).all()
    return {
        "period": period,
        "made_on": local(made_at, tz).date(),
        "tickets": office["tickets"],
        "standards": standards_section(s, catalogue, in_force),
        "maklumat": maklumat_section(s, catalogue, in_force),
        "skm": skm_section(s, tz, period),
        "complaints": {**evaluation["complaints"], "rows": complaint_register(list(tickets), tz)},
        "priority": evaluation["priority"],
        "accessibility": evaluation["accessibility"],
        "promised": evaluation["promised"],
        "working_day_minutes": evaluation["working_day_minutes"],
        "steps": office["steps"],
        "within_standard": office["within_standard"],
    }


def pack_figures(desk: Context, period: Period) -> dict[str, Any]:
    """Every section of the evaluator's pack for ``period``, from one consistent read."""
    with reading(desk.sessions) as s:
        return pack_report(s, desk.catalogue, period, desk.clock())


def semester_of(day: date) -> Period:
    """The semester holding ``day``: January-June or July-December."""
    return (Period(date(day.year, 1, 1), date(day.year, 6, 30)) if day.month <= 6
            else Period(date(day.year, 7, 1), date(day.year, 12, 31)))
