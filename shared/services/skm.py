"""SKM results and their follow-up (PermenPANRB 14/2017): per period the NRR of each element, the IKM and its
grade, the respondents against the minimum sample for the citizens served, the respondent profile, the
weakest elements, and the follow-up plans with their share done and speed. The office publishes a period's
results (the public page shows the newest published period); the administrator and the Kasi write the
follow-up plans. Each change is one transaction with its audit entry; every read is in ``reading()``.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from antrean.shared.domain import skm as rules
from antrean.shared.domain.catalogue import ADMIN_ROLE
from antrean.shared.domain.clock import local
from antrean.shared.domain.ikm import SKM_ELEMENTS, ikm
from antrean.shared.services.context import Context
from antrean.shared.services.errors import Actor, Forbidden, NotFound, OperationError, clean_text
from antrean.shared.store.db import reading, transaction
from antrean.shared.store.models import AuditEntry, SkmFollowUp, SkmPublication, SurveyResponse, Ticket

EDIT_ROLES = (ADMIN_ROLE, "kasi_pelayanan")  # who writes follow-ups and publishes a period
VIEW_ROLES = (ADMIN_ROLE, "kasi_pelayanan", "sekcam", "camat")  # who reads the staff page and the PDF
SERVED_STATUSES = ("done", "returned")  # a citizen served: the service ended (hand-over or TMS)
ELEMENT_CODES = tuple(code for code, _name in SKM_ELEMENTS)


class FollowUpFormError(OperationError):
    """The follow-up form does not pass; ``errors`` maps each bad field to its Indonesian message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()), "invalid_followup")
        self.errors = errors


def _require_editor(actor: Actor) -> str:
    held = [r for r in EDIT_ROLES if r in actor.roles]
    if not held:
        raise Forbidden("only the administrator or the Kasi may change the SKM follow-up")
    return held[0]


def _audit(s: Session, actor: Actor, role: str, action: str, before: Any, after: Any, now: datetime) -> None:
    s.add(AuditEntry(at=now, user_id=actor.user_id, username=actor.username, role=role, action=action,
                     before=before, after=after))


def _followup_view(row: SkmFollowUp, tz: str) -> dict[str, Any]:
    return {"id": row.id, "plan": row.plan, "elements": list(row.elements), "responsible": row.responsible,
            "due_date": row.due_date, "status": row.status, "status_label": dict(rules.STATUSES)[row.status],
            "done_date": row.done_date, "created_on": local(row.created_at, tz).date(),
            "element_names": [dict(SKM_ELEMENTS)[c] for c in row.elements if c in dict(SKM_ELEMENTS)]}


def _state(row: SkmFollowUp) -> dict[str, Any]:
    return {"plan": row.plan, "elements": list(row.elements), "responsible": row.responsible,
            "due_date": row.due_date.isoformat(), "status": row.status,
            "done_date": row.done_date.isoformat() if row.done_date else None}


def _results(s: Session, tz: str, period: rules.SkmPeriod) -> dict[str, Any]:
    rows = s.scalars(select(SurveyResponse).where(SurveyResponse.office_day >= period.start,
                                                  SurveyResponse.office_day <= period.end)).all()
    served = s.scalar(select(func.count(Ticket.id)).where(Ticket.office_day >= period.start,
                                                          Ticket.office_day <= period.end,
                                                          Ticket.status.in_(SERVED_STATUSES))) or 0
    published = s.scalar(select(SkmPublication.published_at).where(SkmPublication.period_start == period.start,
                                                                   SkmPublication.period_end == period.end))
    plans = s.scalars(select(SkmFollowUp).where(SkmFollowUp.period_start == period.start,
                                                SkmFollowUp.period_end == period.end)
                      .order_by(SkmFollowUp.due_date, SkmFollowUp.id)).all()
    followups = [_followup_view(r, tz) for r in plans]
    index = ikm([r.answers for r in rows])
    per_service: dict[str, list[dict[str, int]]] = {}
    for r in rows:
        per_service.setdefault(r.service_code, []).append(r.answers)
    sample = rules.minimum_sample(served)
    return {
        "period": period, "respondents": index["respondents"], "served": served, "minimum_sample": sample,
        "sample_met": index["respondents"] >= sample and index["respondents"] > 0,
        "ikm": index, "weakest": rules.weakest(index["elements"]),
        "per_service": {code: ikm(answers) for code, answers in sorted(per_service.items())},
        "profile": rules.profile_counts({"sex": r.sex, "age_group": r.age_group, "education": r.education,
                                         "occupation": r.occupation} for r in rows),
        "followups": followups, "followup_summary": rules.followup_summary(followups, period.end),
        "published_at": published,
    }


def results(desk: Context, period: rules.SkmPeriod) -> dict[str, Any]:
    """Every figure of ``period``'s SKM, from one read."""
    with reading(desk.sessions) as s:
        return _results(s, desk.tz, period)


def results_between(s: Session, tz: str, start: date, end: date) -> dict[str, Any]:
    """``results`` of the dates ``start``..``end`` (a semester, a year or a custom range of at most two
    years), read in the caller's session: the evaluator's pack reads it with its other sections."""
    return _results(s, tz, rules.custom(start, end))


def published_periods(desk: Context) -> list[tuple[rules.SkmPeriod, datetime]]:
    """The published periods, the most recently published first."""
    with reading(desk.sessions) as s:
        rows = s.execute(select(SkmPublication.period_start, SkmPublication.period_end,
                                SkmPublication.published_at)
                         .order_by(SkmPublication.published_at.desc(), SkmPublication.id.desc())).all()
    return [(rules.custom(a, b), at) for a, b, at in rows]


def latest_published(desk: Context) -> dict[str, Any] | None:
    """The results of the newest published period (by its end date), or None before any publication."""
    with reading(desk.sessions) as s:
        row = s.execute(select(SkmPublication.period_start, SkmPublication.period_end)
                        .order_by(SkmPublication.period_end.desc(), SkmPublication.published_at.desc())
                        .limit(1)).first()
        return _results(s, desk.tz, rules.custom(row[0], row[1])) if row else None


def publish(desk: Context, actor: Actor, period: rules.SkmPeriod) -> None:
    """Publish ``period``'s results on the public page (again: the publication's time moves)."""
    role = _require_editor(actor)
    now = desk.clock()
    with transaction(desk.sessions) as s:
        row = s.scalar(select(SkmPublication).where(SkmPublication.period_start == period.start,
                                                    SkmPublication.period_end == period.end))
        before = {"period": period.key, "published": row is not None}
        if row is None:
            s.add(SkmPublication(period_start=period.start, period_end=period.end, published_at=now,
                                 published_by=actor.user_id))
        else:
            row.published_at, row.published_by = now, actor.user_id
        _audit(s, actor, role, "skm:terbitkan", before, {"period": period.key, "published": True}, now)


def withdraw(desk: Context, actor: Actor, period: rules.SkmPeriod) -> None:
    """Take ``period``'s results off the public page."""
    role = _require_editor(actor)
    now = desk.clock()
    with transaction(desk.sessions) as s:
        row = s.scalar(select(SkmPublication).where(SkmPublication.period_start == period.start,
                                                    SkmPublication.period_end == period.end))
        if row is None:
            raise NotFound("this period is not published")
        s.delete(row)
        _audit(s, actor, role, "skm:tarik", {"period": period.key, "published": True},
               {"period": period.key, "published": False}, now)


def _validated(desk: Context, values: dict[str, Any]) -> dict[str, Any]:
    clean_text(values)
    try:
        return rules.validate_followup(values, ELEMENT_CODES, local(desk.clock(), desk.tz).date())
    except rules.FollowUpInvalid as exc:
        raise FollowUpFormError(exc.errors) from None


def add_followup(desk: Context, actor: Actor, period: rules.SkmPeriod, values: dict[str, Any]) -> int:
    """Write a follow-up plan for ``period``; returns its id."""
    role = _require_editor(actor)
    data = _validated(desk, values)
    now = desk.clock()
    with transaction(desk.sessions) as s:
        row = SkmFollowUp(period_start=period.start, period_end=period.end, created_at=now, updated_at=now,
                          created_by=actor.user_id, **data)
        s.add(row)
        s.flush()
        _audit(s, actor, role, "skm:tindak_lanjut", None, {"id": row.id, "period": period.key, **_state(row)}, now)
        return row.id


def update_followup(desk: Context, actor: Actor, followup_id: Any, values: dict[str, Any]) -> None:
    """Change a follow-up plan (its status, done date, ...)."""
    role = _require_editor(actor)
    if not isinstance(followup_id, int) or isinstance(followup_id, bool) or not 1 <= followup_id < 2**31:
        raise NotFound("unknown follow-up")
    data = _validated(desk, values)
    now = desk.clock()
    with transaction(desk.sessions) as s:
        row = s.get(SkmFollowUp, followup_id)
        if row is None:
            raise NotFound("unknown follow-up")
        before = _state(row)
        for key, value in data.items():
            setattr(row, key, value)
        row.updated_at = now
        _audit(s, actor, role, "skm:tindak_lanjut", {"id": row.id, **before}, {"id": row.id, **_state(row)}, now)


def followup(desk: Context, followup_id: int) -> dict[str, Any]:
    with reading(desk.sessions) as s:
        row = s.get(SkmFollowUp, followup_id)
        if row is None:
            raise NotFound("unknown follow-up")
        return {**_followup_view(row, desk.tz), "period": rules.custom(row.period_start, row.period_end)}


def today(desk: Context) -> date:
    return local(desk.clock(), desk.tz).date()
