"""Opening rules with a controlled clock: office hours (Friday too), holidays, daily quotas,
services closed for today by staff, and the kiosk's idempotent request id (SQLite)."""
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from antrean.shared.domain.catalogue import CatalogueError, load_catalogue, parse_hours
from antrean.shared.domain.opening_hours import Overrides, evaluate
from antrean.shared.services import availability
from antrean.shared.services.availability import ServiceClosed
from antrean.shared.services.desk import Forbidden, NotFound
from tests.support.factories import make_desk

WIB = ZoneInfo("Asia/Jakarta")


def wib(y, m, d, hh, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=WIB).astimezone(UTC)


@pytest.fixture
def office(catalogue):
    return catalogue.office


@pytest.fixture
def ruled(sessions, catalogue, clock):
    """A Desk that applies the office hours (the shared fixtures run with ANTREAN_ALWAYS_OPEN)."""
    desk = make_desk(sessions, catalogue, clock)
    desk.always_open = False
    return desk




# -- the rules, pure ---------------------------------------------------------------------------


def test_kampak_hours_are_in_the_catalogue(office):
    assert office.hours[0] == (("07:30", "15:30"),)  # Monday
    assert office.hours[4] == (("07:30", "14:00"),)  # Friday: shorter
    assert office.hours[5] == () and office.hours[6] == ()  # weekend: closed


@pytest.mark.parametrize("when, is_open, reason, reopens", [
    (wib(2026, 11, 24, 8, 0), True, None, None),                         # Tuesday 08:00
    (wib(2026, 11, 24, 7, 29), False, "outside_hours", (24, 7, 30)),      # before opening: today 07:30
    (wib(2026, 11, 24, 7, 30), True, None, None),
    (wib(2026, 11, 24, 15, 29), True, None, None),
    (wib(2026, 11, 24, 15, 30), False, "outside_hours", (25, 7, 30)),     # closing time: tomorrow
    (wib(2026, 11, 27, 13, 59), True, None, None),                        # Friday before 14:00
    (wib(2026, 11, 27, 14, 0), False, "outside_hours", (30, 7, 30)),      # Friday 14:00: Monday
    (wib(2026, 11, 28, 9, 0), False, "outside_hours", (30, 7, 30)),       # Saturday: Monday
    (wib(2026, 11, 29, 23, 59), False, "outside_hours", (30, 7, 30)),     # Sunday night
])
def test_office_hours(office, when, is_open, reason, reopens):
    state = evaluate(office, "ktp", when)
    assert (state.open, state.reason) == (is_open, reason)
    if reopens:
        assert (state.reopens_at.day, state.reopens_at.hour, state.reopens_at.minute) == reopens
        assert state.reopens_at.tzinfo is not None and state.reopens_at.utcoffset().total_seconds() == 7 * 3600


def test_holidays_close_the_office_and_push_the_reopening(office):
    holidays = replace(office, holidays=("2026-12-24", "2026-12-25"))
    state = evaluate(holidays, "ktp", wib(2026, 12, 24, 9))
    assert (state.open, state.reason) == (False, "holiday")
    assert state.reopens_at.date() == date(2026, 12, 28)  # Thu, Fri holidays; weekend; Monday
    state = evaluate(holidays, "ktp", wib(2026, 12, 23, 16))  # Wednesday after hours
    assert state.reopens_at.date() == date(2026, 12, 28)


def test_friday_prayer_break_and_last_ticket_minutes(office):
    split = replace(office, hours=parse_hours({"fri": "07:30-11:00, 13:00-14:00"}), last_ticket_minutes=15)
    assert evaluate(split, "ktp", wib(2026, 11, 27, 10, 44)).open
    lunch = evaluate(split, "ktp", wib(2026, 11, 27, 10, 45))  # 15 minutes before the break
    assert lunch.reason == "outside_hours" and (lunch.reopens_at.hour, lunch.reopens_at.minute) == (13, 0)
    assert evaluate(split, "ktp", wib(2026, 11, 27, 13, 0)).open


def test_overrides_and_quotas(office):
    now = wib(2026, 11, 24, 9)
    assert evaluate(office, "ektp", now, overrides=Overrides(closed_services=frozenset({"ektp"}))).reason \
        == "service_closed"
    assert evaluate(office, "ktp", now, overrides=Overrides(closed_services=frozenset({"ektp"}))).open
    assert evaluate(office, "ktp", now, overrides=Overrides(closed_all=True)).reason == "office_closed"
    quota = replace(office, quotas={"ektp": 40})
    assert evaluate(quota, "ektp", now, issued=39).open
    full = evaluate(quota, "ektp", now, issued=40)
    assert (full.reason, full.remaining) == ("quota_full", 0)
    assert full.reopens_at.date() == date(2026, 11, 25)
    # A run-time quota replaces the catalogue's; None there means unlimited.
    assert evaluate(quota, "ektp", now, issued=40, overrides=Overrides(quotas={"ektp": 50})).open
    assert evaluate(quota, "ektp", now, issued=400, overrides=Overrides(quotas={"ektp": None})).open


def test_always_open_ignores_hours_but_not_staff_closures(office):
    night = wib(2026, 11, 28, 23)
    assert evaluate(office, "ktp", night, always_open=True).open
    assert evaluate(office, "ktp", night, overrides=Overrides(closed_all=True), always_open=True).reason \
        == "office_closed"


def test_no_hours_in_the_catalogue_means_no_limits(office):
    assert evaluate(replace(office, hours=None), "ktp", wib(2026, 11, 29, 3)).open


@pytest.mark.parametrize("raw, problem", [
    ({"mon": "7:30-15:30", "fri": "14:00-07:30"}, "ends before it starts"),
    ({"mon": "07:30 to 15:30"}, "not a time range"),
    ({"funday": "07:30-15:30"}, "unknown weekday"),
    ({"mon": "25:00-26:00"}, "not a valid time"),
    ("07:30-15:30", "must be a mapping"),
])
def test_bad_hours_name_the_field(tmp_path, raw, problem):
    import yaml

    data = yaml.safe_load(Path(load_catalogue().path).read_text(encoding="utf-8"))
    data["office"]["hours"] = raw
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError, match="office.hours") as err:
        load_catalogue(path)
    assert problem in str(err.value)


def test_quota_for_an_unknown_service_is_refused(tmp_path):
    import yaml

    data = yaml.safe_load(Path(load_catalogue().path).read_text(encoding="utf-8"))
    data["office"]["quotas"] = {"paspor": 10}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError, match="office.quotas.paspor"):
        load_catalogue(path)


# -- through the Desk (SQLite), with the clock -----------------------------------------------


def test_the_desk_refuses_outside_hours_with_a_409(ruled, clock):
    assert ruled.issue_ticket("ktp")["number"] == "A001"  # Tuesday 08:00
    clock.now = wib(2026, 11, 24, 16)
    with pytest.raises(ServiceClosed) as err:
        ruled.issue_ticket("ktp")
    assert err.value.status == 409 and err.value.code == "outside_hours"
    assert "open again Wednesday 25 November 2026 07:30" in str(err.value)
    clock.now = wib(2026, 11, 25, 7, 30)
    assert ruled.issue_ticket("ktp")["number"] == "A001"  # a new day


def test_a_daily_quota_per_service(sessions, catalogue, clock):
    limited = replace(catalogue, office=replace(catalogue.office, quotas={"ektp": 2}))
    desk = make_desk(sessions, limited, clock)
    desk.always_open = False
    desk.issue_ticket("ektp")
    desk.issue_ticket("ektp")
    with pytest.raises(ServiceClosed) as err:
        desk.issue_ticket("ektp")
    assert err.value.code == "quota_full"
    assert desk.issue_ticket("ktp")["number"] == "A003"  # the same letter, another service: open
    states = availability.service_states(desk)
    assert states["ektp"].to_dict()["remaining"] == 0 and states["ktp"].open
    clock.advance(days=1)
    assert desk.issue_ticket("ektp")["number"] == "A001"


def test_staff_close_a_service_for_today_only(ruled, clock, staff):
    CLERK = staff["pelayanan1"]
    availability.set_closed(ruled, CLERK, "ektp", True)
    with pytest.raises(ServiceClosed) as err:
        ruled.issue_ticket("ektp")
    assert err.value.code == "service_closed"
    assert ruled.issue_ticket("ktp")["number"] == "A001"
    assert availability.service_states(ruled)["ektp"].reopens_at.date() == date(2026, 11, 25)
    clock.advance(days=1)  # Wednesday: open again by itself
    assert ruled.issue_ticket("ektp")["number"] == "A001"
    availability.set_closed(ruled, CLERK, "ektp", True)
    availability.set_closed(ruled, CLERK, "ektp", False)  # and reopened the same day
    assert availability.service_states(ruled)["ektp"].open


def test_staff_close_the_whole_kiosk_and_set_a_quota(ruled, staff):
    CAMAT = staff["camat"]
    availability.set_closed(ruled, CAMAT, None, True)
    assert {st.reason for st in availability.service_states(ruled).values()} == {"office_closed"}
    availability.set_closed(ruled, CAMAT, None, False)
    availability.set_quota(ruled, CAMAT, "ktp", 1)
    ruled.issue_ticket("ktp")
    with pytest.raises(ServiceClosed):
        ruled.issue_ticket("ktp")
    availability.set_quota(ruled, CAMAT, "ktp", None)  # back to the catalogue's: unlimited
    ruled.issue_ticket("ktp")


def test_only_desk_staff_and_heads_change_the_kiosk(ruled, staff):
    with pytest.raises(Forbidden):
        availability.set_closed(ruled, staff["register"], "ektp", True)
    with pytest.raises(NotFound):
        availability.set_closed(ruled, staff["pelayanan1"], "paspor", True)


def test_changes_are_audited(ruled, sessions, staff):
    from sqlalchemy import select

    from antrean.shared.store.models import AuditEntry

    availability.set_closed(ruled, staff["pelayanan1"], "ektp", True)
    availability.set_quota(ruled, staff["camat"], "ktp", 25)
    with sessions() as s:
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(r.action, r.username) for r in rows] == [("kiosk:close", "pelayanan1"), ("kiosk:quota", "camat")]
    assert rows[0].after["service"] == "ektp" and rows[1].after["quota"] == 25


def test_a_repeated_request_id_returns_the_same_ticket(ruled, clock, sessions):
    from sqlalchemy import func, select

    from antrean.shared.store.models import PrintJob, Ticket

    first = ruled.issue_ticket("ktp", request_key="tap-0001-aaaa")
    again = ruled.issue_ticket("ktp", request_key="tap-0001-aaaa")
    assert again["id"] == first["id"] and again["repeated"] and "repeated" not in first
    other = ruled.issue_ticket("ktp", request_key="tap-0002-bbbb")
    assert other["number"] == "A002"
    clock.now = wib(2026, 11, 24, 18)  # the answer to a late retry still comes after closing time
    assert ruled.issue_ticket("ktp", request_key="tap-0002-bbbb")["id"] == other["id"]
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 2
        assert s.scalar(select(func.count()).select_from(PrintJob)) == 2


@pytest.mark.parametrize("key", ["short", "x" * 65, "has space in it", 12345678, ["a" * 10]])
def test_a_bad_request_id_is_refused(ruled, key):
    from antrean.shared.services.desk import OperationError

    with pytest.raises(OperationError) as err:
        ruled.issue_ticket("ktp", request_key=key)
    assert err.value.code == "bad_request_id"


def test_concurrent_taps_with_one_request_id_make_one_ticket(ruled, sessions):
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import func, select

    from antrean.shared.store.models import Ticket

    with ThreadPoolExecutor(8) as pool:
        views = list(pool.map(lambda _: ruled.issue_ticket("ktp", request_key="same-tap-123"), range(8)))
    assert len({v["id"] for v in views}) == 1
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 1
