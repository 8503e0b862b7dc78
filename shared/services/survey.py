"""Survei Kepuasan Masyarakat (SKM, PermenPANRB 14/2017): the questionnaire and its answers.

One anonymous answer per ticket, given at hand-over (or after a TMS) on a tablet, the kiosk or the
applicant's phone; no name, NIK or clerk is stored with it.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from antrean.shared.domain.clock import utcnow
from antrean.shared.domain.ikm import SKM_ELEMENTS, ikm, validate_answers
from antrean.shared.domain.skm import validate_profile
from antrean.shared.services.errors import Conflict, NotFound, OperationError, clean_text
from antrean.shared.store.db import reading, transaction
from antrean.shared.store.models import SurveyResponse, Ticket

# The standard questionnaire: per element the question and its four answers (score 1..4).
QUESTIONS: dict[str, dict[str, Any]] = {
    "u1": {"id": ("Bagaimana pendapat Anda tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
                  ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
           "en": ("How well did the requirements fit the service?",
                  ("Not at all", "Poorly", "Well", "Very well"))},
    "u2": {"id": ("Bagaimana pemahaman Anda tentang kemudahan prosedur pelayanan di unit ini?",
                  ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah")),
           "en": ("How easy was the procedure?", ("Not easy", "Not very easy", "Easy", "Very easy"))},
    "u3": {"id": ("Bagaimana pendapat Anda tentang kecepatan waktu dalam memberikan pelayanan?",
                  ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat")),
           "en": ("How fast was the service?", ("Not fast", "Not very fast", "Fast", "Very fast"))},
    "u4": {"id": ("Bagaimana pendapat Anda tentang kewajaran biaya/tarif dalam pelayanan?",
                  ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")),
           "en": ("How fair was the cost?", ("Very expensive", "Rather expensive", "Cheap", "Free"))},
    "u5": {"id": ("Bagaimana pendapat Anda tentang kesesuaian hasil pelayanan dengan yang tercantum "
                  "dalam standar pelayanan?",
                  ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
           "en": ("Did the result match the published service standard?",
                  ("Not at all", "Poorly", "Yes", "Fully"))},
    "u6": {"id": ("Bagaimana pendapat Anda tentang kompetensi/kemampuan petugas dalam pelayanan?",
                  ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten")),
           "en": ("How competent were the staff?",
                  ("Not competent", "Not very competent", "Competent", "Very competent"))},
    "u7": {"id": ("Bagaimana pendapat Anda tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
                  ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah")),
           "en": ("How polite and friendly were the staff?",
                  ("Not at all", "Not very", "Polite and friendly", "Very polite and friendly"))},
    "u8": {"id": ("Bagaimana pendapat Anda tentang penanganan pengaduan pengguna layanan?",
                  ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik")),
           "en": ("How are complaints handled?",
                  ("Not at all", "There is a channel but it does not work", "It works partly", "Handled well"))},
    "u9": {"id": ("Bagaimana pendapat Anda tentang kualitas sarana dan prasarana?",
                  ("Buruk", "Cukup", "Baik", "Sangat baik")),
           "en": ("How good are the facilities?", ("Poor", "Fair", "Good", "Very good"))},
}
assert tuple(QUESTIONS) == tuple(code for code, _ in SKM_ELEMENTS)

OPEN_FOR = ("done", "returned")  # a survey is taken once the service ended (hand-over or TMS)


def questionnaire(lang: str = "id") -> list[dict[str, Any]]:
    lang = lang if lang in ("id", "en") else "id"
    return [{"element": code, "name": name, "question": QUESTIONS[code][lang][0],
             "answers": [{"score": i + 1, "label": label} for i, label in enumerate(QUESTIONS[code][lang][1])]}
            for code, name in SKM_ELEMENTS]



def find_ticket(sessions: sessionmaker[Session], number: str, pickup_code: str) -> str | None:
    """The public id of the newest ticket with this queue number and pickup code (both printed on
    the ticket), or None."""
    try:
        clean_text(number, pickup_code)
    except OperationError:
        return None
    with reading(sessions) as s:
        return s.scalar(select(Ticket.public_id).where(Ticket.number == number, Ticket.pickup_code == pickup_code)
                        .order_by(Ticket.id.desc()).limit(1))


def ticket_for_survey(sessions: sessionmaker[Session], public_id: str) -> dict[str, Any]:
    with reading(sessions) as s:
        ticket = s.scalar(select(Ticket).where(Ticket.public_id == public_id))
        if ticket is None:
            raise NotFound("ticket not found")
        answered = s.scalar(select(SurveyResponse.id).where(SurveyResponse.ticket_id == ticket.id)) is not None
        return {"number": ticket.number, "service_name": ticket.service_name, "status": ticket.status,
                "open": ticket.status in OPEN_FOR and not answered, "answered": answered}


def submit(sessions: sessionmaker[Session], public_id: str, answers: Any, comment: str = "",
           clock: Callable[[], datetime] = utcnow, profile: dict[str, Any] | None = None) -> None:
    """Store one answer. ``profile`` is the optional respondent profile (sex, age_group, education,
    occupation: codes of ``domain.skm.PROFILE``; each may be left out)."""
    clean_text(public_id, answers, comment, profile)
    try:
        scores = validate_answers(answers)
    except ValueError as exc:
        raise OperationError(str(exc), "bad_answers") from None
    try:
        who = validate_profile(profile or {})
    except ValueError as exc:
        raise OperationError(str(exc), "bad_profile") from None
    try:
        with transaction(sessions) as s:
            ticket = s.scalar(select(Ticket).where(Ticket.public_id == public_id))
            if ticket is None:
                raise NotFound("ticket not found")
            if ticket.status not in OPEN_FOR:
                raise Conflict("the survey opens when the service has ended", "not_finished")
            s.add(SurveyResponse(ticket_id=ticket.id, service_code=ticket.service_code,
                                 office_day=ticket.office_day, answers=scores,
                                 comment=(comment or "").strip()[:1000] or None, created_at=clock(), **who))
    except IntegrityError:
        raise Conflict("this ticket's survey has been answered already", "answered") from None


def ikm_report(s: Session, start: date, end: date) -> dict[str, Any]:
    """The IKM of a period, overall and per service, with the respondent counts."""
    rows = s.scalars(select(SurveyResponse).where(SurveyResponse.office_day >= start,
                                                  SurveyResponse.office_day <= end)).all()
    per_service: dict[str, list[dict[str, int]]] = {}
    for r in rows:
        per_service.setdefault(r.service_code, []).append(r.answers)
    return {"overall": ikm([r.answers for r in rows]),
            "per_service": {code: ikm(answers) for code, answers in sorted(per_service.items())}}
