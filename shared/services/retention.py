"""Retention of personal data (docs/operations.md#retention).

After ``ANTREAN_RETENTION_DAYS`` days (0, the default, keeps everything), the personal data of a
finished ticket (done, returned, no-show, cancelled) is removed: the applicant's name, NIK,
address and phone, the phone numbers and e-mail addresses given for messages (and the outbox's
copies), the free-text TMS note, a complaint's text and outcome, the notes staff wrote
on its steps, and the comment of its survey answer. What the statistics need stays: the ticket
with its service, number, times, status and agenda number, every step with its times and MS/TMS
decision, the survey scores. So the office reports, the Buku Register (the applicant shown as removed) and the IKM read the same.

One purge is one transaction and one audit entry holding counts only. The server runs it once a
day in a background thread; with several processes each one tries, and the run recorded in the
``settings`` table (claimed under a row lock on PostgreSQL, the write lock on SQLite) makes the
others skip it.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from antrean.shared.domain.clock import utcnow
from antrean.shared.domain.workflow import CLOSED
from antrean.shared.store import settings
from antrean.shared.store.db import reading, transaction
from antrean.shared.store.models import AuditEntry, Booking, Contact, OutboxMessage, SurveyResponse, Ticket, TicketStep

log = logging.getLogger(__name__)

SETTING = "retention"  # {"purged_before": ISO time, "last_run": ISO time, "days": N}
PERSONAL_FIELDS = ("applicant_name", "applicant_nik", "applicant_address", "applicant_phone", "tms_note",
                   "complaint_text", "complaint_outcome")
CLOSED_STATUSES = tuple(sorted(s.value for s in CLOSED))
DAILY = timedelta(hours=20)  # "once a day" with room for a server restarted at another hour


@dataclass(frozen=True)
class PurgeResult:
    tickets: int
    step_notes: int
    survey_comments: int
    cutoff: datetime
    skipped: bool = False
    contacts: int = 0  # phone numbers and e-mail addresses given for messages (shared/services/outbox.py)

    def to_dict(self) -> dict:
        return {"tickets": self.tickets, "step_notes": self.step_notes,
                "survey_comments": self.survey_comments, "contacts": self.contacts, "cutoff": self.cutoff.isoformat()}


def _personal(ticket_cls=Ticket):
    return [getattr(ticket_cls, f).is_not(None) for f in PERSONAL_FIELDS]


def purge(sessions: sessionmaker[Session], days: int, now: datetime | None = None,
          only_if_due: bool = False) -> PurgeResult:
    """Remove the personal data of tickets finished more than ``days`` days before ``now``.

    ``only_if_due``: skip when a purge already ran in the last 20 hours (the daily run of each
    server process)."""
    if days < 1:
        raise ValueError("retention must be at least one day")
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    with transaction(sessions) as s:
        stored = settings.get_for_update(s, SETTING)  # claims the run among processes
        value = dict(stored) if isinstance(stored, dict) else {}
        if only_if_due and value.get("last_run"):
            if now - datetime.fromisoformat(value["last_run"]) < DAILY:
                return PurgeResult(0, 0, 0, cutoff, skipped=True)
        old = (Ticket.status.in_(CLOSED_STATUSES)) & (Ticket.finished_at.is_not(None)) & (Ticket.finished_at < cutoff)
        ids = select(Ticket.id).where(old)
        tickets = s.execute(update(Ticket).where(old, or_(*_personal())).values(
            {f: None for f in PERSONAL_FIELDS}).execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
        notes = s.execute(update(TicketStep).where(TicketStep.ticket_id.in_(ids), TicketStep.note.is_not(None))
                          .values(note=None).execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
        comments = s.execute(update(SurveyResponse).where(SurveyResponse.ticket_id.in_(ids),
                                                          SurveyResponse.comment.is_not(None))
                             .values(comment=None).execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
        # contacts for messages: of the old tickets, and those not tied to a ticket (a booking's) given
        # before the cutoff; the messages' copies of the address go with them
        stale = or_(Contact.ticket_id.in_(ids), Contact.ticket_id.is_(None) & (Contact.consent_at < cutoff))
        gone = s.execute(delete(Contact).where(stale).execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
        s.execute(update(OutboxMessage).where(OutboxMessage.recipient.is_not(None), or_(
            OutboxMessage.ticket_id.in_(ids), OutboxMessage.ticket_id.is_(None) & (OutboxMessage.created_at < cutoff)))
            .values(recipient=None).execution_options(synchronize_session=False))
        # the optional name of a booking (docs/booking.md), once its day is past the retention period
        s.execute(update(Booking).where(Booking.day < cutoff.date(), Booking.name.is_not(None))
                  .values(name=None).execution_options(synchronize_session=False))
        previous = value.get("purged_before")
        watermark = max(cutoff, datetime.fromisoformat(previous)) if previous else cutoff
        value.update({"last_run": now.isoformat(), "days": days, "purged_before": watermark.isoformat()})
        settings.put(s, SETTING, value, now)
        result = PurgeResult(tickets, notes, comments, cutoff, contacts=gone)
        if tickets or notes or comments or gone:
            s.add(AuditEntry(at=now, username="system", action="retention.purge", before=None,
                             after={**result.to_dict(), "days": days}))
    if tickets or notes or comments or gone:
        log.info("retention: personal data removed from %d tickets, %d step notes, %d survey comments, "
                 "%d message contacts (finished before %s)", tickets, notes, comments, gone, cutoff.date().isoformat())
    return result


def pending(sessions: sessionmaker[Session], days: int, now: datetime | None = None) -> int:
    """How many finished tickets still hold personal data past the period (a dry run)."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    with reading(sessions) as s:
        return s.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.status.in_(CLOSED_STATUSES), Ticket.finished_at < cutoff, or_(*_personal()))) or 0


def purged_before(s: Session) -> datetime | None:
    """Tickets finished before this time had their personal data removed."""
    stored = settings.get(s, SETTING)
    if not isinstance(stored, dict) or not stored.get("purged_before"):
        return None
    return datetime.fromisoformat(stored["purged_before"]).astimezone(UTC)


def is_purged(ticket: Ticket, before: datetime | None) -> bool:
    return (before is not None and ticket.applicant_name is None and ticket.finished_at is not None
            and ticket.finished_at < before)


class RetentionWorker:
    """Runs the purge once a day in the server (a daemon thread, a greenlet under gevent)."""

    def __init__(self, sessions: sessionmaker[Session], days: int, clock: Callable[[], datetime] = utcnow,
                 check_seconds: float = 3600.0):
        self.sessions = sessions
        self.days = days
        self.clock = clock
        self.check_seconds = check_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.days > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="antrean-retention", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                purge(self.sessions, self.days, self.clock(), only_if_due=True)
            except Exception as exc:  # a locked or unreachable database: try again at the next check
                log.warning("retention: purge not done now: %s", str(exc).splitlines()[0][:200])
            self._stop.wait(self.check_seconds)
