"""The message outbox: consent, enqueueing in the event's transaction, each message once and in order,
retries with back-off, a restart mid-queue, booking hooks, and what staff see (masked), on SQLite and
PostgreSQL. The senders here are the test double; the real SMTP server and HTTP gateways:
tests/integration/test_message_gateways.py."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from antrean.hardware.messaging import RecordingSender
from antrean.shared.domain.events import BOOKING_CONFIRMED, BOOKING_REMINDER
from antrean.shared.services import outbox
from antrean.shared.services.errors import Forbidden, OperationError
from antrean.shared.services.outbox_worker import OutboxWorker
from antrean.shared.store.db import transaction
from antrean.shared.store.models import OutboxMessage
from tests.support.factories import FAMILY_B_STEPS, NIK, complete_steps, make_desk
from tests.support.fakes import fast_hash

CHANNELS = ("whatsapp", "sms", "email")


@pytest.fixture(params=["sqlite", "postgresql"])
def office(request, catalogue, clock):
    """(desk, staff) over SQLite or PostgreSQL, sending on every channel."""
    from antrean.shared.services.demo import create_demo
    from antrean.shared.services.desk import Actor
    from antrean.shared.store.db import make_engine, make_sessionmaker
    from antrean.shared.store.models import User

    url = request.getfixturevalue("db_url" if request.param == "sqlite" else "pg_url")
    engine = make_engine(url)
    desk = make_desk(make_sessionmaker(engine), catalogue, clock)
    desk.message_channels = CHANNELS
    create_demo(desk.sessions, hasher=fast_hash)
    with desk.sessions() as s:
        staff = {u.username: Actor.of(u) for u in s.scalars(select(User))}
    yield desk, staff
    engine.dispose()


def worker_for(desk, **senders):
    senders = {c: senders.get(c) or RecordingSender(name=c) for c in CHANNELS}
    return OutboxWorker(desk, senders, public_url=lambda: "https://antrean.kampak.id", retry_seconds=10), senders


def opt_in(desk, ticket, channel="whatsapp", address="0812-3456-7890", lang="id"):
    return outbox.add_contact(desk, ticket["public_id"], channel, address, lang, "status", True)


def rows(desk):
    with desk.sessions() as s:
        return [(m.event, m.channel, m.status, m.attempts) for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_a_contact_needs_consent_and_a_valid_number_and_is_kept_normalised_and_masked(office):
    desk, _ = office
    t = desk.issue_ticket("ktp")
    with pytest.raises(OperationError) as no_consent:
        outbox.add_contact(desk, t["public_id"], "whatsapp", "081234567890", "id", "status", False)
    assert "persetujuan" in str(no_consent.value)
    with pytest.raises(OperationError) as bad:
        opt_in(desk, t, address="12345")
    assert "Nomor HP" in str(bad.value)
    with pytest.raises(OperationError) as bad_mail:
        opt_in(desk, t, channel="email", address="bukan-email")
    assert "e-mail tidak valid" in str(bad_mail.value)
    desk.message_channels = ("email",)
    with pytest.raises(OperationError) as closed:
        opt_in(desk, t)
    assert "tidak tersedia" in str(closed.value)
    desk.message_channels = CHANNELS
    assert opt_in(desk, t) == {"channel": "whatsapp", "masked": "+62812****7890", "lang": "id"}
    assert outbox.contacts_of(desk, t["id"]) == [{"channel": "whatsapp", "masked": "+62812****7890", "source": "status"}]
    assert outbox.public_contacts(desk, t["public_id"]) == ["whatsapp"]


def test_a_call_sends_each_contact_one_message_once_and_tells_the_next_ones_their_turn_is_near(office, clock):
    desk, staff = office
    first, second, third = (desk.issue_ticket("ktp") for _ in range(3))
    opt_in(desk, first)
    opt_in(desk, first, "email", "Sri@Contoh.ID", "en")
    opt_in(desk, second, "sms", "+62 813 1111 2222")
    opt_in(desk, third)
    worker, senders = worker_for(desk)
    assert worker.run_due() == 0  # nothing happened yet: no message
    desk.call_next(staff["pelayanan1"])
    # the first is called; the second (0 ahead) and the third (1 ahead) are within the default 3
    assert rows(desk) == [("called", "whatsapp", "pending", 0), ("called", "email", "pending", 0),
                          ("nearly", "sms", "pending", 0), ("nearly", "whatsapp", "pending", 0)]
    assert worker.run_due() == 4
    to, msg = senders["whatsapp"].sent[0]
    assert to == "+6281234567890" and "A001 dipanggil ke Loket 1" in msg.text
    assert "https://antrean.kampak.id/kiosk/t/" + first["public_id"] in msg.text
    mail_to, mail = senders["email"].sent[0]
    assert mail_to == "Sri@contoh.id" and "ticket A001 is called to Loket 1" in mail.text  # in her language
    assert "0 orang lagi" in senders["sms"].sent[0][1].text
    assert "1 orang lagi" in senders["whatsapp"].sent[1][1].text
    desk.recall(staff["pelayanan1"], first["id"])  # a recall, the next call: nothing twice
    clock.advance(minutes=5)
    desk.call_next(staff["pelayanan1"], force=True)
    assert [r[0:2] for r in rows(desk)][4:] == [("called", "sms")]
    assert worker.run_due() == 1 and worker.run_due() == 0
    assert [len(s.sent) for s in senders.values()] == [2, 2, 1]


def test_tms_pickup_and_hand_over_send_the_missing_documents_the_ready_call_and_the_survey_link(office):
    desk, staff = office
    returned = desk.issue_ticket("ktp")
    opt_in(desk, returned)
    desk.call_next(staff["pelayanan1"])
    desk.complete_step(staff["pelayanan1"], returned["id"], 2, applicant={"name": "Sri", "nik": NIK})
    svc = desk.catalogue.service("ktp")
    missing = [svc.requirements[0]]
    step = next(s for s in svc.steps if s.decision)
    desk.complete_step(next(a for a in staff.values() if step.actor in a.roles), returned["id"], step.number,
                       decision="TMS", missing=missing)
    letter = desk.issue_ticket("ahli_waris")
    opt_in(desk, letter, "email", "warga@contoh.id")
    desk.call_next(staff["pelayanan2"])
    complete_steps(desk, staff, letter["id"], FAMILY_B_STEPS[:-1])
    desk.recall(staff["pelayanan2"], letter["id"], "pickup")
    complete_steps(desk, staff, letter["id"], FAMILY_B_STEPS[-1:])
    worker, senders = worker_for(desk)
    worker.run_due()
    texts = [m.text for _, m in senders["whatsapp"].sent]
    assert len(texts) == 2 and "dipanggil" in texts[0]
    assert any("belum lengkap" in t and missing[0] in t for t in texts)
    mails = [m for _, m in senders["email"].sent]
    assert [m.subject for m in mails] == ["Nomor Anda dipanggil", "Dokumen siap diambil", "Survei kepuasan"]
    assert "Bawa kode pengambilan" in mails[1].text
    assert mails[2].text.endswith(f"https://antrean.kampak.id/kiosk/survei/{letter['public_id']}")


def test_a_gateway_down_and_back_retries_with_back_off_loses_nothing_and_keeps_the_order(office, clock):
    desk, staff = office
    tickets = [desk.issue_ticket("ktp") for _ in range(3)]
    for t in tickets:
        opt_in(desk, t, "sms", "081234567890")
        opt_in(desk, t, "email", "warga@contoh.id")
    down = RecordingSender(fail=True, name="sms")
    worker, senders = worker_for(desk, sms=down)
    for _ in tickets:
        desk.call_next(staff["pelayanan1"], force=True)
    worker.run_due()
    assert len(senders["email"].sent) == 5 and down.sent == []  # 3 calls, 2 "nearly"  # e-mail is not held up by the SMS gateway
    with desk.sessions() as s:
        waiting = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms").order_by(OutboxMessage.id)).all()
        assert [m.status for m in waiting] == ["pending"] * len(waiting)
        assert [m.attempts for m in waiting] == [1] + [0] * (len(waiting) - 1)  # the rest were not tried
        assert waiting[0].last_error == "sms: gateway unavailable"
    assert worker.run_due() == 0  # the first waits its back-off, and the rest wait behind it
    clock.advance(seconds=10)
    worker.run_due()  # still down: the second try, the delay doubles
    with desk.sessions() as s:
        first = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms").order_by(OutboxMessage.id)).first()
        assert first.attempts == 2 and first.next_attempt_at == clock() + timedelta(seconds=20)
    down.fail = False
    clock.advance(seconds=20)
    while worker.run_due():
        pass
    sent = [m.text for _, m in down.sent]
    assert len(sent) == len(waiting) == len(set(sent))  # each once
    # in the order they were written: A001 called, A002 and A003 near, A002 called, A003 called
    assert [(re.search(r"A00\d", t).group(), "dipanggil" in t) for t in sent] == [
        ("A001", True), ("A002", False), ("A003", False), ("A002", True), ("A003", True)]
    assert {r[2] for r in rows(desk)} == {"sent"}


def test_a_worker_that_dies_mid_queue_loses_nothing_and_a_message_is_sent_once(office, clock):
    desk, staff = office
    for _ in range(4):
        opt_in(desk, desk.issue_ticket("ktp"))
    desk.call_next(staff["pelayanan1"])
    taken = outbox.claim_due(desk, limit=2)  # this worker dies before sending
    assert len(taken) == 2
    worker, senders = worker_for(desk)
    assert worker.run_due() == len(rows(desk)) - 2  # the others go; the claimed two are leased
    clock.advance(seconds=outbox.LEASE_SECONDS + 1)  # the restarted server: the lease ran out
    worker.run_due()
    texts = [m.text for _, m in senders["whatsapp"].sent]
    assert len(texts) == len(rows(desk)) == len(set(texts))
    assert {r[2] for r in rows(desk)} == {"sent"}


def test_used_up_attempts_show_as_failed_and_staff_can_try_again(office, clock):
    desk, staff = office
    t = desk.issue_ticket("ktp")
    opt_in(desk, t)
    desk.call_next(staff["pelayanan1"])
    down = RecordingSender(fail=True, name="whatsapp")
    worker, _ = worker_for(desk, whatsapp=down)
    worker.max_attempts = 3
    for _ in range(3):
        worker.run_due()
        clock.advance(minutes=20)
    assert rows(desk) == [("called", "whatsapp", "failed", 3)]
    with pytest.raises(Forbidden):
        outbox.list_messages(desk, staff["pelayanan1"])
    listed = outbox.list_messages(desk, staff["kasi"])
    assert listed[0]["recipient"] == "+62812****7890" and listed[0]["number"] == "A001"
    assert listed[0]["error"] == "whatsapp: gateway unavailable"
    outbox.retry(desk, staff["kasi"], listed[0]["id"])
    down.fail = False
    worker.run_due()
    assert rows(desk) == [("called", "whatsapp", "sent", 1)] and len(down.sent) == 1


def test_booking_messages_are_enqueued_once_each_with_the_booking_page_link(office):
    desk, _ = office
    view = {"code": "BK7Q2M", "service_name": "KTP-el", "date": "2026-11-26", "session": "pagi",
            "session_start": "08:00", "session_end": "12:00"}
    with transaction(desk.sessions) as s:
        outbox.add_contact_in(s, desk, outbox.booking_subject("BK7Q2M"), "whatsapp", "081234567890", "id",
                              "booking", True)
        now = desk.clock()
        written = [outbox.enqueue_booking(s, desk, BOOKING_CONFIRMED, view, now),
                   outbox.enqueue_booking(s, desk, BOOKING_CONFIRMED, view, now),
                   outbox.enqueue_booking(s, desk, BOOKING_REMINDER, view, now),
                   outbox.enqueue_booking(s, desk, BOOKING_REMINDER, view, now)]
    assert written == [1, 0, 1, 0]
    worker, senders = worker_for(desk)
    worker.run_due()
    texts = [m.text for _, m in senders["whatsapp"].sent]
    assert len(texts) == 2
    assert "booking BK7Q2M untuk KTP-el pada 2026-11-26 sesi pagi 08:00-12:00 dikonfirmasi" in texts[0]
    assert texts[0].endswith("Dokumen yang dibawa, pindah atau batal: https://antrean.kampak.id/booking/BK7Q2M")
    assert "besok 2026-11-26 sesi pagi" in texts[1]


def test_a_withdrawn_contact_gets_nothing_more(office):
    desk, staff = office
    t = desk.issue_ticket("ktp")
    opt_in(desk, t)
    assert outbox.remove_contacts(desk, t["public_id"]) == 1
    desk.call_next(staff["pelayanan1"])
    assert rows(desk) == []


def test_two_calls_enqueueing_the_same_message_at_once_write_it_once_and_both_succeed(office):
    """Two transactions (two lokets' calls) find the same waiting ticket near its turn: the second
    insert meets the first's key and writes nothing, and neither transaction fails."""
    import threading

    desk, _ = office
    t = desk.issue_ticket("ktp")
    opt_in(desk, t)
    first_wrote = threading.Event()
    release = threading.Event()
    results = {}

    def first():
        with transaction(desk.sessions) as s:
            results["first"] = outbox.enqueue(s, desk, outbox.ticket_subject(t["id"]), "nearly", {"ahead": 1},
                                              desk.clock(), t["id"])
            first_wrote.set()
            release.wait(10)

    thread = threading.Thread(target=first)
    thread.start()
    assert first_wrote.wait(10)
    threading.Timer(0.3, release.set).start()  # the first commits while the second waits on it
    with transaction(desk.sessions) as s:
        results["second"] = outbox.enqueue(s, desk, outbox.ticket_subject(t["id"]), "nearly", {"ahead": 1},
                                           desk.clock(), t["id"])
    thread.join(10)
    assert results == {"first": 1, "second": 0}
    assert rows(desk) == [("nearly", "whatsapp", "pending", 0)]
