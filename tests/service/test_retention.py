"""Retention: personal data of finished tickets is removed after the period; the figures stay."""
from datetime import date

from sqlalchemy import select

from antrean.shared.services import retention, survey
from antrean.shared.services.reports import Period, office_report
from antrean.shared.services.survey import ikm_report
from antrean.shared.store.models import AuditEntry, SurveyResponse, Ticket, TicketStep
from tests.support.factories import NIK
from tests.support.factories import SURVEY_ANSWERS as ANSWERS
from tests.support.factories import walk_to_end as walk


def personal(sessions):
    with sessions() as s:
        return [(t.number, t.applicant_name, t.applicant_nik, t.applicant_address, t.applicant_phone, t.tms_note)
                for t in s.scalars(select(Ticket).order_by(Ticket.id))]


def figures(sessions, catalogue, day):
    with sessions() as s:
        return office_report(s, catalogue, Period(day, day)), ikm_report(s, day, day)


def test_old_finished_tickets_lose_personal_data_and_the_figures_stay(desk, staff, clock, sessions, catalogue):
    day = date(2026, 11, 24)
    done = walk(desk, staff, clock, "ktp", note="pemohon Sri Wahyuni minta dipercepat")
    returned = walk(desk, staff, clock, "ktp", decision="TMS", missing=["Kartu Keluarga (KK)"],
                    note="NIK 3503124507540001 belum sesuai")
    survey.submit(sessions, done["public_id"], ANSWERS, comment="Bu Sri: pelayanan cepat", clock=clock)
    open_ticket = desk.issue_ticket("ahli_waris")  # still waiting: nothing of it may change
    before_report, before_ikm = figures(sessions, catalogue, day)
    assert before_report["tickets"] == 3 and before_ikm["overall"]["respondents"] == 1

    clock.advance(days=100)  # within the period: nothing happens
    assert retention.purge(sessions, 365, clock()).tickets == 0
    assert all(row[1] == "Sri Wahyuni" for row in personal(sessions)[:2])

    clock.advance(days=300)
    assert retention.pending(sessions, 365, clock()) == 2
    result = retention.purge(sessions, 365, clock())
    assert (result.tickets, result.survey_comments) == (2, 1) and result.step_notes >= 2

    rows = personal(sessions)
    assert rows[0] == ("A001", None, None, None, None, None)
    assert rows[1] == ("A002", None, None, None, None, None)
    assert rows[2][0] == "B001"  # the open ticket kept what it had (nothing yet)
    with sessions() as s:
        assert s.scalars(select(TicketStep.note).where(TicketStep.note.is_not(None))).all() == []
        answer = s.scalar(select(SurveyResponse))
        assert answer.comment is None and answer.answers == ANSWERS
        kept = s.get(Ticket, done["id"])
        assert kept.agenda_number and kept.status == "done" and len(kept.steps) == len(kept.flow)  # every step kept
        assert s.get(Ticket, returned["id"]).missing_documents == ["Kartu Keluarga (KK)"]
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "retention.purge")).all()
        assert len(audit) == 1 and audit[0].after["tickets"] == 2 and audit[0].after["days"] == 365
        assert "Sri" not in str(audit[0].after) and NIK not in str(audit[0].after)
        assert retention.is_purged(kept, retention.purged_before(s))

    after_report, after_ikm = figures(sessions, catalogue, day)
    assert after_report == before_report  # counts, waiting, step times, TMS rate, per clerk
    assert after_ikm == before_ikm
    # a second run finds nothing and writes no audit entry
    assert retention.purge(sessions, 365, clock()).tickets == 0
    with sessions() as s:
        assert len(s.scalars(select(AuditEntry).where(AuditEntry.action == "retention.purge")).all()) == 1
    assert desk.get_ticket(open_ticket["id"])["status"] == "waiting"


def test_the_daily_run_happens_once_a_day_whatever_the_number_of_processes(desk, staff, clock, sessions):
    walk(desk, staff, clock, "ktp")
    clock.advance(days=40)
    first = retention.purge(sessions, 30, clock(), only_if_due=True)
    walk(desk, staff, clock, "ktp")  # finished now: not yet due anyway
    clock.advance(hours=2)
    second = retention.purge(sessions, 30, clock(), only_if_due=True)  # another process, same day
    assert first.tickets == 1 and not first.skipped and second.skipped
    clock.advance(days=31)
    assert retention.purge(sessions, 30, clock(), only_if_due=True).tickets == 1


def test_register_shows_the_applicant_as_removed(app, login, clock):
    from antrean.shared.services.desk import Actor
    from antrean.shared.store.models import User

    d = app.extensions["antrean"]
    with d.sessions() as s:
        staff = {u.username: Actor.of(u) for u in s.scalars(select(User))}
    client = login("kasi")
    t = walk(d, staff, clock, "ahli_waris")
    page = client.get("/counter/reports/register?start=2026-11-24").get_data(as_text=True)
    assert "Sri Wahyuni" in page
    clock.advance(days=400)
    retention.purge(d.sessions, 365, clock())
    page = client.get("/counter/reports/register?start=2026-11-24").get_data(as_text=True)
    agenda = d.staff_ticket(t["id"])["agenda_number"]
    assert "Sri Wahyuni" not in page and NIK[-4:] not in page
    assert agenda in page and "(dihapus: masa simpan habis)" in page


def test_message_contacts_and_the_outbox_copies_are_purged_with_the_ticket(desk, staff, clock, sessions):
    from antrean.shared.services import outbox
    from antrean.shared.store.db import transaction
    from antrean.shared.store.models import Contact, OutboxMessage

    desk.message_channels = ("whatsapp", "email")
    old = desk.issue_ticket("ktp")
    outbox.add_contact(desk, old["public_id"], "whatsapp", "081234567890", "id", "status", True)
    with transaction(sessions) as s:  # a booking's contact, not tied to a ticket
        outbox.add_contact_in(s, desk, outbox.booking_subject("BK1"), "email", "warga@contoh.id", "id", "booking", True)
    for _ in range(2):  # back to the queue once, then dropped
        desk.call_next(staff["pelayanan1"], force=True)
        shown = desk.no_show(staff["pelayanan1"], old["id"])
    assert shown["status"] == "no_show"
    clock.advance(days=40)
    fresh = desk.issue_ticket("ktp")  # a contact of today: kept
    outbox.add_contact(desk, fresh["public_id"], "whatsapp", "081298765432", "id", "status", True)
    result = retention.purge(sessions, 30, clock())
    assert result.contacts == 2
    with sessions() as s:
        assert [c.address for c in s.scalars(select(Contact))] == ["+6281298765432"]
        assert [m.recipient for m in s.scalars(select(OutboxMessage))] == [None]  # the old call's message
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "retention.purge")).one()
        assert entry.after["contacts"] == 2 and "0812" not in str(entry.after)
