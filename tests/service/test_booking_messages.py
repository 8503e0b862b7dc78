"""A booking's messages: the optional contact given when booking (the outbox's rules, Indonesian
refusals, nothing stored when refused), "booking confirmed" and "moved" written with the booking,
the day-before reminder (once, only tomorrow's active bookings, from the configured hour office
time), and the contact handed on to the ticket at check-in so the ticket's messages reach the same
citizen. The real gateways: tests/integration/test_message_gateways.py; in Chromium:
tests/browser/test_booking_messages.py."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from antrean.hardware.messaging import RecordingSender
from antrean.shared.services import booking, outbox
from antrean.shared.services.errors import OperationError
from antrean.shared.services.outbox_worker import OutboxWorker
from antrean.shared.store.models import Booking, Contact, OutboxMessage
from tests.support.factories import demo_office

TOMORROW = "2026-11-25"  # the clock: Tuesday 2026-11-24 08:00 WIB (01:00 UTC)
NUMBER = "0812-3456-7890"
WA = {"channel": "whatsapp", "address": NUMBER, "consent": True}


@pytest.fixture(params=["sqlite", "postgresql"])
def office(request, catalogue, clock):
    url = request.getfixturevalue("db_url" if request.param == "sqlite" else "pg_url")
    for desk, _staff, _sessions in demo_office(url, catalogue, clock):
        desk.message_channels = ("whatsapp", "email")
        yield desk


def office_staff(desk):
    from antrean.shared.services.desk import Actor
    from antrean.shared.store.models import User

    with desk.sessions() as s:
        return {u.username: Actor.of(u) for u in s.scalars(select(User))}


def sent(desk):
    """Send what is due; the (channel, recipient, text) of each message, in order."""
    senders = {c: RecordingSender(name=c) for c in ("whatsapp", "email")}
    OutboxWorker(desk, senders, public_url=lambda: "https://antrean.kampak.id").run_due()
    return [(c, to, m.text) for c, s in senders.items() for to, m in s.sent]


def events(desk):
    with desk.sessions() as s:
        return list(s.scalars(select(OutboxMessage.event).order_by(OutboxMessage.id)))


def at_wib(clock, day, hour, minute=0):
    """Set the fake clock (UTC) to ``hour:minute`` WIB (UTC+7) on 2026-11-``day``."""
    clock.now = clock.now.replace(day=day, hour=0, minute=0) + timedelta(hours=hour - 7, minutes=minute)


@pytest.mark.parametrize("contact, message", [
    ({"channel": "whatsapp", "address": NUMBER, "consent": False},
     "Centang persetujuan agar kami boleh mengirim kabar ke kontak ini."),
    ({"channel": "whatsapp", "address": "0812 345", "consent": True}, "Nomor HP tidak valid. Contoh: 0812 3456 7890."),
    ({"channel": "email", "address": "warga@", "consent": True},
     "Alamat e-mail tidak valid. Contoh: nama@contoh.id."),
    ({"channel": "sms", "address": NUMBER, "consent": True}, "Kanal pesan ini tidak tersedia di kantor ini."),
    ({"channel": "whatsapp", "address": "", "consent": True}, "Nomor HP belum diisi."),
])
def test_a_contact_at_booking_is_checked_by_the_outbox_rules_and_a_refusal_books_nothing(office, contact, message):
    with pytest.raises(OperationError) as err:
        booking.book(office, "ktp", TOMORROW, "pagi", contact=contact)
    assert str(err.value) == message
    with office.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Booking)) == 0
        assert s.scalar(select(func.count()).select_from(Contact)) == 0


def test_no_contact_no_message_and_a_bad_contact_shape_is_refused(office):
    plain = booking.book(office, "ktp", TOMORROW, "pagi", contact={"channel": "whatsapp", "address": ""})
    assert plain["messages_to"] == [] and events(office) == []
    with pytest.raises(OperationError) as err:
        booking.book(office, "ktp", TOMORROW, "pagi", contact="081234567890")
    assert err.value.code == "bad_contact"


def test_booking_with_a_contact_confirms_in_the_citizens_language_and_a_move_says_so(office):
    made = booking.book(office, "ktp", TOMORROW, "pagi", lang="en", contact=WA)
    assert made["messages_to"] == ["whatsapp"] and "7890" not in str(made)
    assert booking.get(office, made["code"])["messages_to"] == ["whatsapp"]
    booking.move(office, made["code"], "2026-11-26", "siang")
    (_c, to, confirmed), (_c2, _to2, moved) = sent(office)
    assert to == "+6281234567890"
    code = made["shown_code"]
    assert confirmed.startswith(f"Kecamatan Kampak: booking {code} for ")
    assert f"on {TOMORROW} morning session 07:30-" in confirmed
    assert confirmed.endswith(f"Documents to bring, move or cancel: https://antrean.kampak.id/booking/{made['code']}")
    assert "is moved to 2026-11-26 afternoon session" in moved
    assert sent(office) == []  # each once


def test_the_reminder_goes_once_from_the_hour_only_to_tomorrows_active_bookings(office, clock):
    kept = booking.book(office, "ktp", TOMORROW, "pagi", contact=WA)
    booking.book(office, "ktp", TOMORROW, "siang")  # no contact: nothing to send
    cancelled = booking.book(office, "ktp", TOMORROW, "siang",
                             contact={"channel": "email", "address": "warga@contoh.id", "consent": True})
    booking.cancel(office, cancelled["code"])
    assert booking.get(office, cancelled["code"])["messages_to"] == []  # its address is deleted at once
    booking.book(office, "ktp", "2026-11-26", "pagi", contact=WA)  # the day after: its reminder comes later
    sent(office)  # the confirmations

    at_wib(clock, 24, 14, 59)
    assert booking.remind_tomorrow(office) == 0  # before 15:00 office time
    at_wib(clock, 24, 15, 0)
    assert booking.remind_tomorrow(office) == 1
    assert booking.remind_tomorrow(office) == 0  # the worker's next sweep: not again
    [(channel, to, text)] = sent(office)
    assert (channel, to) == ("whatsapp", "+6281234567890")
    assert text.startswith(f"Kecamatan Kampak: pengingat, besok {TOMORROW} sesi pagi 07:30-")
    assert f"(kode {kept['shown_code']})" in text
    at_wib(clock, 24, 21, 0)
    assert booking.remind_tomorrow(office) == 0 and sent(office) == []


def test_tomorrow_is_the_office_days_tomorrow_and_the_hour_is_configurable(office, clock):
    booking.book(office, "ktp", TOMORROW, "pagi", contact=WA)
    booking.book(office, "ktp", "2026-11-26", "pagi", contact=WA)
    at_wib(clock, 24, 20, 0)
    assert booking.remind_tomorrow(office, hour=21) == 0  # the office chose 21:00
    # 00:30 WIB on the 25th is still the 24th in UTC: "tomorrow" is the 26th in the office
    at_wib(clock, 25, 0, 30)
    assert clock.now.day == 24
    assert booking.remind_tomorrow(office, hour=0) == 1
    with office.sessions() as s:
        assert s.scalar(select(OutboxMessage.data).where(OutboxMessage.event == "booking_reminder"))["date"] \
            == "2026-11-26"


def test_the_worker_runs_the_reminder_sweep_every_few_minutes(office, clock):
    booking.book(office, "ktp", TOMORROW, "pagi", contact=WA)
    worker = OutboxWorker(office, {"whatsapp": RecordingSender(name="whatsapp")}, public_url=lambda: "",
                          reminder_hour=16, sweep_seconds=300)
    at_wib(clock, 24, 15, 30)
    assert worker.sweep_if_due() == 0  # before the configured hour
    at_wib(clock, 24, 16, 30)
    assert worker.sweep_if_due() == 0  # swept less than five minutes ago: waits
    worker._swept_at = None  # five minutes later
    assert worker.sweep_if_due() == 1


def test_check_in_hands_the_contact_to_the_ticket_and_its_call_reaches_the_same_citizen(office, clock):
    made = booking.book(office, "ktp", "2026-11-24", "siang", contact=WA)
    sent(office)
    clock.now = clock.now.replace(hour=5, minute=5)  # 12:05 WIB: the afternoon session has begun
    ticket = booking.check_in(office, made["code"])
    assert outbox.public_contacts(office, ticket["public_id"]) == ["whatsapp"]
    assert outbox.contacts_of(office, ticket["id"]) == [
        {"channel": "whatsapp", "masked": "+62812****7890", "source": "booking"}]
    assert booking.get(office, made["code"])["messages_to"] == []  # the booking's contact became the ticket's
    office.call_next(office_staff(office)["pelayanan1"], force=True)
    [(channel, to, text)] = sent(office)
    assert (channel, to) == ("whatsapp", "+6281234567890")
    assert f"nomor antrean {ticket['number']} dipanggil ke Loket 1" in text
    assert booking.remind_tomorrow(office) == 0


def test_a_missed_booking_forgets_its_contact_and_sends_nothing_more(office, clock):
    missed = booking.book(office, "ktp", "2026-11-24", "siang", contact=WA)
    clock.now = clock.now.replace(hour=9, minute=0)  # 16:00 WIB: the afternoon session is over
    assert booking.sweep_no_shows(office) == 1
    with office.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Contact)) == 0
    assert booking.get(office, missed["code"])["messages_to"] == [] and sent(office) == []


# -- joining today's queue from afar, with a contact ------------------------------------------------

def allow_remote(desk, travel=30):
    from antrean.shared.domain import booking as rules

    booking.save_settings(desk, {rules.REMOTE_KEY: {"ktp": 5}, rules.TRAVEL_KEY: travel})


def test_a_remote_joiner_with_a_contact_hears_when_to_set_off_once_then_the_tickets_messages(office, clock):
    allow_remote(office, travel=30)
    for _ in range(8):
        office.issue_ticket("ktp")  # eight ahead: set off later, not now
    joined = booking.join_remote(office, "ktp", lang="id", contact=WA)
    assert joined["messages_to"] == ["whatsapp"] and not joined["remote"]["leave_now"]
    [(channel, to, text)] = sent(office)
    assert (channel, to) == ("whatsapp", "+6281234567890")
    assert text.startswith(f"Kecamatan Kampak: Anda masuk antrean Rekomendasi Kartu Tanda Penduduk (KTP) hari ini "
                           f"(kode {joined['shown_code']}). Berangkat sekitar pukul {joined['remote']['leave_at']}")
    assert text.endswith(f"Status dan dokumen yang dibawa: https://antrean.kampak.id/booking/{joined['code']}")
    assert booking.remind_leave(office) == 0  # not yet

    clerk = office_staff(office)["pelayanan1"]
    while booking.get(office, joined["code"])["remote"]["ahead"] > 1:  # the queue moves on
        office.call_next(clerk, force=True)
    assert booking.get(office, joined["code"])["remote"]["leave_now"]
    assert booking.remind_leave(office) == 1
    assert booking.remind_leave(office) == 0  # once
    [(_c, _to, leave)] = [m for m in sent(office) if "saatnya berangkat" in m[2]]
    assert f"saatnya berangkat untuk Rekomendasi Kartu Tanda Penduduk (KTP) (kode {joined['shown_code']})" in leave

    ticket = booking.check_in(office, joined["code"])
    assert ticket["messages_to"] == ["whatsapp"]  # the kiosk then offers no opt-in
    assert booking.remind_leave(office) == 0  # checked in: nothing more about setting off


def test_a_remote_joiner_with_nobody_ahead_is_told_to_set_off_at_once_in_one_message(office):
    allow_remote(office, travel=30)
    joined = booking.join_remote(office, "ktp", lang="en", contact=WA)
    assert joined["remote"]["leave_now"]
    [(_c, _to, text)] = sent(office)
    assert text.startswith(f"Kecamatan Kampak: time to set off for Rekomendasi Kartu Tanda Penduduk (KTP) "
                           f"(code {joined['shown_code']}): 0 people before you. On arrival, type the code at "
                           f"the kiosk. Status and documents to bring: https://antrean.kampak.id/booking/")
    assert booking.remind_leave(office) == 0 and sent(office) == []


def test_a_remote_join_with_a_refused_contact_joins_nothing(office):
    allow_remote(office)
    with pytest.raises(OperationError) as err:
        booking.join_remote(office, "ktp", contact={"channel": "whatsapp", "address": NUMBER, "consent": False})
    assert str(err.value) == "Centang persetujuan agar kami boleh mengirim kabar ke kontak ini."
    with office.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Booking)) == 0
        assert s.scalar(select(func.count()).select_from(Contact)) == 0


def test_move_and_cancel_answer_which_channels_still_get_messages(office):
    made = booking.book(office, "ktp", TOMORROW, "pagi", contact=WA)
    assert booking.move(office, made["code"], "2026-11-26", "siang")["messages_to"] == ["whatsapp"]
    assert booking.cancel(office, made["code"])["messages_to"] == []


def test_the_worker_marks_no_shows_without_anyone_opening_the_reports(office, clock):
    booking.book(office, "ktp", "2026-11-24", "siang", contact=WA)
    worker = OutboxWorker(office, {"whatsapp": RecordingSender(name="whatsapp")}, public_url=lambda: "")
    clock.now = clock.now.replace(hour=9, minute=0)  # 16:00 WIB: the afternoon session is over
    worker.sweep_if_due()
    with office.sessions() as s:
        assert s.scalar(select(Booking.status)) == "no_show"
        assert s.scalar(select(func.count()).select_from(Contact)) == 0


def test_a_call_makes_the_worker_ask_the_remote_joiners_at_once_not_a_minute_later(office):
    allow_remote(office, travel=30)
    for _ in range(8):
        office.issue_ticket("ktp")
    joined = booking.join_remote(office, "ktp", contact=WA)
    worker = OutboxWorker(office, {"whatsapp": RecordingSender(name="whatsapp")}, public_url=lambda: "")
    worker.sweep_if_due()  # the first sweep: not yet time to set off
    clerk = office_staff(office)["pelayanan1"]
    while booking.get(office, joined["code"])["remote"]["ahead"] > 1:
        office.call_next(clerk, force=True)
    assert worker.sweep_if_due() == 0  # asked less than a minute ago, and no call seen by this worker
    worker.queue_moved()  # what the app subscribes to ticket.called
    assert worker.sweep_if_due() == 1


def test_without_any_channel_the_worker_still_marks_no_shows_and_sends_nothing(office, clock):
    booking.book(office, "ktp", "2026-11-24", "siang")
    worker = OutboxWorker(office, {}, public_url=lambda: "")
    clock.now = clock.now.replace(hour=9, minute=0)  # 16:00 WIB: the afternoon session is over
    assert worker.sweep_if_due() == 0
    with office.sessions() as s:
        assert s.scalar(select(Booking.status)) == "no_show"
