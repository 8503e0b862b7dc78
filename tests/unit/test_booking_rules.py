"""The booking rules over plain values: sessions from office hours, the place rule, the code alphabet."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from antrean.shared.domain import booking as rules
from antrean.shared.domain import queue
from antrean.shared.domain.catalogue import load_catalogue

WIB = ZoneInfo("Asia/Jakarta")
OFFICE = load_catalogue().office
TUESDAY = date(2026, 11, 24)


def test_sessions_come_from_the_day_hours():
    found = rules.sessions(OFFICE, TUESDAY)  # 07:30-15:30
    assert [(s.code, s.start.strftime("%H:%M"), s.end.strftime("%H:%M")) for s in found] == [
        ("pagi", "07:30", "12:00"), ("siang", "12:00", "15:30")]
    friday = rules.sessions(OFFICE, date(2026, 11, 27))  # 07:30-14:00
    assert friday[-1].end.strftime("%H:%M") == "14:00"
    assert rules.sessions(OFFICE, date(2026, 11, 28)) == []  # Saturday: closed


def test_holidays_have_no_sessions():
    from dataclasses import replace

    office = replace(OFFICE, holidays=frozenset({"2026-11-25"}))
    assert rules.sessions(office, date(2026, 11, 25)) == []
    assert rules.refusal(office, date(2026, 11, 25), "pagi", datetime(2026, 11, 24, 8, tzinfo=WIB), 14) == \
        rules.NO_SESSION


def test_no_booking_in_the_past_or_beyond_the_days_ahead():
    now = datetime(2026, 11, 24, 8, 0, tzinfo=WIB)
    assert rules.refusal(OFFICE, TUESDAY, "pagi", now, 14) == rules.PAST  # started at 07:30
    assert rules.refusal(OFFICE, TUESDAY, "siang", now, 14) is None
    assert rules.refusal(OFFICE, TUESDAY - timedelta(days=1), "siang", now, 14) == rules.PAST
    assert rules.refusal(OFFICE, TUESDAY + timedelta(days=15), "pagi", now, 14) == rules.TOO_FAR
    assert rules.refusal(OFFICE, TUESDAY + timedelta(days=4), "pagi", now, 14) == rules.NO_SESSION  # Saturday
    days = rules.bookable_days(OFFICE, now, 7)
    assert days[0][0] == TUESDAY and [s.code for s in days[0][1]] == ["siang"]
    assert all(d.weekday() < 5 for d, _ in days)


def test_code_alphabet_has_no_lookalikes_and_enough_entropy():
    for ch in "01OIL":
        assert ch not in rules.ALPHABET
    assert len(rules.ALPHABET) ** rules.CODE_LENGTH > 10**11
    codes = {rules.new_code() for _ in range(2000)}
    assert len(codes) == 2000 and all(rules.CODE_PATTERN.fullmatch(c) for c in codes)
    code = next(iter(codes))
    assert rules.normalise_code(rules.shown_code(code).lower()) == code
    assert rules.normalise_code(" " + code[:4] + " " + code[4:] + "\n") == code
    assert rules.normalise_code("ABCD-EFG0") is None and rules.normalise_code(None) is None


def test_booked_ticket_goes_first_within_its_session_then_becomes_a_walk_in():
    start = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    on_time = start + timedelta(minutes=10)
    since, kept = queue.booked_since(on_time, start, grace_minutes=15)
    assert kept and since == start
    walk_in = queue.Waiting(1, False, start + timedelta(minutes=5))  # came after the session began
    booked = queue.Waiting(2, False, since)
    assert queue.calling_order(queue.PRIORITY_FIRST, [walk_in, booked])[0] is booked
    earlier = queue.Waiting(3, False, start - timedelta(minutes=30))  # waiting before the session
    assert queue.calling_order(queue.FIFO, [booked, earlier])[0] is earlier
    late = start + timedelta(minutes=16)
    assert queue.booked_since(late, start, grace_minutes=15) == (late, False)
    early = start - timedelta(minutes=20)
    assert queue.booked_since(early, start, 15) == (early, True)


def test_remote_join_keeps_the_moment_it_joined():
    joined = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    assert queue.booked_since(joined + timedelta(hours=1), joined=joined) == (joined, True)


def test_settings_are_bounded():
    cfg = rules.settings_of({rules.QUOTAS_KEY: {"ktp": 4, "kk": 9999, "x": "a"}, rules.GRACE_KEY: -3,
                             rules.REMOTE_KEY: {"ktp": 5}})
    assert cfg.quota("ktp") == 4 and cfg.quota("kk") == rules.DEFAULT_QUOTA
    assert cfg.grace_minutes == rules.DEFAULT_GRACE_MINUTES
    assert cfg.remote_cap("ktp") == 5 and cfg.remote_cap("kk") == 0


def test_leave_now_when_the_turn_is_nearer_than_the_journey():
    now = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    assert rules.leave_at(now, 20, 30) == now
    assert rules.leave_at(now, 90, 30) == now + timedelta(minutes=60)
