"""Booking through the service layer: quota under concurrent bookers (SQLite and PostgreSQL), cancel and
move, check-in at the booked place or as a walk-in, no-shows, the remote join's cap."""
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from antrean.shared.domain import booking as rules
from antrean.shared.services import booking
from antrean.shared.services.booking import BookingRefused
from antrean.shared.services.errors import NotFound
from antrean.shared.store import settings
from antrean.shared.store.db import transaction
from antrean.shared.store.models import Booking, PrintJob, Ticket
from tests.support.factories import demo_office

TOMORROW = "2026-11-25"  # the clock: Tuesday 2026-11-24 08:00 WIB


def set_settings(desk, **values):
    with transaction(desk.sessions) as s:
        for key, value in values.items():
            settings.put(s, key, value)


def test_book_view_cancel_and_move(desk):
    made = booking.book(desk, "ktp", TOMORROW, "pagi", name="Siti")
    assert rules.CODE_PATTERN.fullmatch(made["code"]) and made["status"] == "booked"
    assert made["session_start"] == "07:30" and made["requirements"]
    assert "Siti" not in str(made)  # never the name in the public view
    shown = booking.get(desk, made["shown_code"].lower())
    assert shown["date"] == TOMORROW and shown["session"] == "pagi"
    moved = booking.move(desk, made["code"], "2026-11-26", "siang")
    assert (moved["date"], moved["session"]) == ("2026-11-26", "siang")
    assert booking.cancel(desk, made["code"])["status"] == "cancelled"
    with pytest.raises(BookingRefused) as err:
        booking.cancel(desk, made["code"])
    assert err.value.code == "is_cancelled"
    with pytest.raises(NotFound):
        booking.get(desk, "ZZZZZZZZ")


def test_bad_dates_and_sessions_are_refused(desk):
    for day, session, why in (("2026-11-23", "pagi", "past"), ("2026-11-24", "pagi", "past"),
                              ("2026-12-20", "pagi", "too_far"), ("2026-11-28", "pagi", "no_session"),
                              ("25-11-2026", "pagi", "bad_date"), (TOMORROW, "malam", "bad_session")):
        with pytest.raises(BookingRefused) as err:
            booking.book(desk, "ktp", day, session)
        assert err.value.code == why, (day, session)
    assert booking.book(desk, "ktp", "2026-11-24", "siang")["session"] == "siang"


def test_quota_frees_a_place_when_cancelled(desk):
    set_settings(desk, **{rules.QUOTAS_KEY: {"ktp": 2}})
    a = booking.book(desk, "ktp", TOMORROW, "pagi")
    booking.book(desk, "ktp", TOMORROW, "pagi")
    with pytest.raises(BookingRefused) as err:
        booking.book(desk, "ktp", TOMORROW, "pagi")
    assert err.value.code == "session_full"
    with pytest.raises(BookingRefused):  # moving into a full session is refused too
        booking.move(desk, booking.book(desk, "ktp", TOMORROW, "siang")["code"], TOMORROW, "pagi")
    booking.cancel(desk, a["code"])
    assert booking.book(desk, "ktp", TOMORROW, "pagi")["status"] == "booked"
    day = next(d for d in booking.options(desk, "ktp")["days"] if d["date"] == TOMORROW)
    assert [s["left"] for s in day["sessions"]] == [0, 1]


@pytest.mark.parametrize("database", ["db_url", "pg_url"])
def test_concurrent_bookers_never_exceed_the_quota(request, database, catalogue, clock):
    url = request.getfixturevalue(database)
    for desk, _staff, _sessions in demo_office(url, catalogue, clock):
        set_settings(desk, **{rules.QUOTAS_KEY: {"ktp": 5}})

        def one(_, desk=desk):
            try:
                return booking.book(desk, "ktp", TOMORROW, "pagi")["code"]
            except BookingRefused as exc:
                return exc.code

        with ThreadPoolExecutor(12) as pool:
            results = list(pool.map(one, range(30)))
        assert sum(1 for r in results if r != "session_full") == 5
        with desk.sessions() as s:
            assert len(s.scalars(select(Booking).where(Booking.status == "booked")).all()) == 5


def test_check_in_on_time_goes_before_walk_ins_of_the_session(desk, clock):
    b = booking.book(desk, "ktp", "2026-11-24", "siang")
    clock.now = clock.now.replace(hour=5, minute=5)  # 12:05 WIB: the session began at 12:00
    walk_in = desk.issue_ticket("ktp")  # came at 12:05
    clock.advance(minutes=5)  # 12:10: within the 15 minutes' grace
    ticket = booking.check_in(desk, b["code"])
    assert ticket["position"] == 0 and desk.get_ticket(walk_in["id"])["position"] == 1
    with desk.sessions() as s:
        assert s.scalar(select(PrintJob).where(PrintJob.ticket_id == ticket["id"])) is not None
    again = booking.check_in(desk, b["code"])  # a second scan: the same ticket
    assert again["repeated"] and again["number"] == ticket["number"]
    assert booking.get(desk, b["code"])["ticket"]["number"] == ticket["number"]


def test_late_check_in_becomes_a_walk_in(desk, clock):
    b = booking.book(desk, "ktp", "2026-11-24", "siang")
    clock.now = clock.now.replace(hour=5, minute=5)
    walk_in = desk.issue_ticket("ktp")
    clock.now = clock.now.replace(hour=5, minute=20)  # 12:20: past the grace
    ticket = booking.check_in(desk, b["code"])
    assert ticket["position"] == 1 and desk.get_ticket(walk_in["id"])["position"] == 0


def test_check_in_refused_on_another_day(desk):
    b = booking.book(desk, "ktp", TOMORROW, "pagi")
    with pytest.raises(BookingRefused) as err:
        booking.check_in(desk, b["code"])
    assert err.value.code == "wrong_day"


def test_no_show_releases_and_is_counted(desk, clock):
    kept = booking.book(desk, "ktp", "2026-11-24", "siang")
    missed = booking.book(desk, "kk", "2026-11-24", "siang")
    clock.now = clock.now.replace(hour=5, minute=0)
    booking.check_in(desk, kept["code"])
    clock.now = clock.now.replace(hour=9, minute=0)  # 16:00: the afternoon session is over
    assert booking.get(desk, missed["code"])["status"] == "no_show"
    with pytest.raises(BookingRefused):
        booking.check_in(desk, missed["code"])
    counts = booking.report(desk, clock.now.date(), clock.now.date())
    assert (counts["booked"], counts["checked_in"], counts["no_show"]) == (2, 1, 1)
    with desk.sessions() as s:
        assert s.scalar(select(Booking.status).where(Booking.code == missed["code"])) == "no_show"
        assert len(s.scalars(select(Ticket)).all()) == 1  # a no-show never held a ticket


def test_remote_join_is_off_by_default_and_capped(desk, clock):
    with pytest.raises(BookingRefused) as err:
        booking.join_remote(desk, "ktp")
    assert err.value.code == "no_remote"
    set_settings(desk, **{rules.REMOTE_KEY: {"ktp": 2}, rules.TRAVEL_KEY: 45})
    first = booking.join_remote(desk, "ktp")
    assert first["kind"] == "remote" and first["remote"]["leave_now"]
    booking.join_remote(desk, "ktp")
    with pytest.raises(BookingRefused) as err:
        booking.join_remote(desk, "ktp")
    assert err.value.code == "remote_full"
    # a walk-in after the remote joiner; the joiner checks in later and keeps the earlier place
    clock.advance(minutes=10)
    walk_in = desk.issue_ticket("ktp")
    clock.advance(minutes=30)
    ticket = booking.check_in(desk, first["code"])
    assert ticket["position"] == 0 and desk.get_ticket(walk_in["id"])["position"] == 1


def test_remote_joiner_is_told_when_to_set_off(desk, clock):
    set_settings(desk, **{rules.REMOTE_KEY: {"ktp": 5}, rules.TRAVEL_KEY: 0})
    for _ in range(6):
        desk.issue_ticket("ktp")
    joined = booking.join_remote(desk, "ktp")
    est = joined["remote"]
    assert est["ahead"] == 6 and est["estimated_wait_minutes"] > 0
    assert not est["leave_now"]  # no journey: set off only when the turn comes


def test_settings_are_edited_within_bounds(desk):
    saved = booking.save_settings(desk, {rules.QUOTAS_KEY: {"ktp": 3}, rules.GRACE_KEY: 30})
    assert saved.quota("ktp") == 3 and saved.grace_minutes == 30
    with pytest.raises(BookingRefused):
        booking.save_settings(desk, {rules.GRACE_KEY: 999})
    with pytest.raises(BookingRefused):
        booking.save_settings(desk, {rules.QUOTAS_KEY: {"ktp": -1}})


def test_booking_confirmed_event_without_the_name(desk):
    seen = []
    desk.events.subscribe("booking.confirmed", seen.append)
    booking.book(desk, "ktp", TOMORROW, "pagi", name="Budi Santoso")
    assert len(seen) == 1 and seen[0].payload["service"] == "ktp" and "Budi" not in str(seen[0].payload)


def test_days_ahead_setting(desk, clock):
    set_settings(desk, **{rules.DAYS_AHEAD_KEY: 2})
    assert booking.options(desk, "ktp")["days"][-1]["date"] <= (clock.now + timedelta(days=2)).date().isoformat()
    with pytest.raises(BookingRefused):
        booking.book(desk, "ktp", "2026-11-27", "pagi")


def test_the_retention_purge_removes_a_booking_name(desk, clock):
    from antrean.shared.services.retention import purge

    made = booking.book(desk, "ktp", TOMORROW, "pagi", name="Siti")
    purge(desk.sessions, 30, clock.now + timedelta(days=20))
    with desk.sessions() as s:
        assert s.scalar(select(Booking.name).where(Booking.code == made["code"])) == "Siti"  # not old enough
    purge(desk.sessions, 30, clock.now + timedelta(days=40))
    with desk.sessions() as s:
        assert s.scalar(select(Booking.name).where(Booking.code == made["code"])) is None


@pytest.mark.parametrize("database", ["db_url", "pg_url"])
def test_a_code_scanned_twice_at_once_makes_one_ticket(request, database, catalogue, clock):
    url = request.getfixturevalue(database)
    for desk, _staff, _sessions in demo_office(url, catalogue, clock):
        code = booking.book(desk, "ktp", "2026-11-24", "siang")["code"]
        clock.now = clock.now.replace(hour=5, minute=0)

        def scan(_, desk=desk, code=code):
            return booking.check_in(desk, code)["number"]

        with ThreadPoolExecutor(6) as pool:
            numbers = set(pool.map(scan, range(6)))
        assert numbers == {"A001"}
        with desk.sessions() as s:
            assert len(s.scalars(select(Ticket)).all()) == 1
