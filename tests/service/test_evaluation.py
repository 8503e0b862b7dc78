"""The evaluation's report sections from stored tickets, against hand-computed days: requests within
their promised time across a weekend, priority waits, complaint resolution days, and the Kasi's
alerts (ticket, service, step and how late; never the applicant)."""
from datetime import UTC, date, datetime

import pytest

from antrean.shared.services.errors import Forbidden, OperationError
from antrean.shared.services.evaluation import alerts, evaluation_figures, save_evaluation_settings
from antrean.shared.services.reports import Period
from tests.support.factories import COMPLAINT, NIK, actor, pickup_code_of, ticket_through

WEEK = Period(date(2026, 11, 24), date(2026, 11, 30))


def ktp_over_the_weekend(desk, staff, clock, called_wib_minute: int, monday_minute: int):
    """A KTP called on Friday 27 Nov at 13:<called_wib_minute> WIB, its first three staff steps
    the same afternoon (2 + 5 + 2 minutes), signed on Monday at 07:<monday_minute>, handed over a
    minute later."""
    clock.now = datetime(2026, 11, 27, 6, called_wib_minute - 5, tzinfo=UTC)
    t = ticket_through(desk, staff, clock, "ktp", [5, 2, 5, 2])
    clock.now = datetime(2026, 11, 30, 0, monday_minute - 1, tzinfo=UTC)  # Monday 07:xx WIB
    desk.complete_step(staff["kasi"], t["id"], 5)
    clock.advance(minutes=1)
    view = desk.complete_step(staff["pelayanan1"], t["id"], 6, pickup_code=pickup_code_of(desk, t["id"]))
    assert view["status"] == "done"
    return t


def test_within_time_counts_working_time_across_a_weekend(desk, staff, clock):
    ticket_through(desk, staff, clock, "ktp", [4, 2, 5, 2, 5, 1])  # Tuesday: 15 minutes, the standard
    # called Fri 13:45: 15 minutes to 14:00 + Mon 07:30-07:34 = 19 working minutes: late
    ktp_over_the_weekend(desk, staff, clock, 45, 34)
    # called Fri 13:50: 10 + Mon 07:30-07:31 = 11 working minutes (almost three days on the calendar): in time
    ktp_over_the_weekend(desk, staff, clock, 50, 31)
    row = next(r for r in evaluation_figures(desk, WEEK)["promised"] if r["service"] == "ktp")
    assert row["promised_minutes"] == 15 and row["n"] == 3 and row["within"] == 2
    assert row["within_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert row["median_minutes"] == 15 and row["p90_minutes"] == pytest.approx(18.2)  # of 11, 15, 19
    assert row["name"] == desk.catalogue.service("ktp").name


def test_priority_waits_against_the_others(desk, staff, clock):
    # issued together; called one by one, 4 minutes apart: the priority ones first
    desk.issue_ticket("ktp")
    desk.issue_ticket("ktp", priority=True, reason="lansia")
    desk.issue_ticket("ktp")
    desk.issue_ticket("ktp", priority=True, reason="disabilitas")
    for _ in range(4):
        clock.advance(minutes=4)
        desk.call_next(staff["pelayanan1"], force=True)  # the tickets before stay called
    figures = evaluation_figures(desk, WEEK)["priority"]
    by_reason = {r["reason"]: r for r in figures["per_reason"]}
    assert by_reason["lansia"]["median"] == 4 and by_reason["disabilitas"]["median"] == 8
    assert by_reason["ibu_hamil_menyusui"]["n"] == 0
    assert figures["priority"] == {"n": 2, "median": 6.0, "p90": pytest.approx(7.6), "tickets": 2}
    assert figures["others"]["median"] == 14.0 and figures["others"]["tickets"] == 2  # 12 and 16
    assert figures["median_gain"] == 8.0


def test_complaint_register_counts_and_resolution_days(desk, staff, clock):
    def take(channel, lapor=""):
        t = desk.issue_ticket("pengaduan")
        desk.call_next(actor(staff, "petugas_pelayanan", 3))
        desk.complete_step(actor(staff, "petugas_pelayanan", 3), t["id"], 2, decision="MS",
                           complaint={**COMPLAINT, "channel": channel, "lapor_number": lapor})
        return t

    def resolve(t, after_days):
        clock.advance(days=after_days)
        for number, role in ((3, "tim_pengaduan"), (4, "sekcam")):
            desk.complete_step(actor(staff, role), t["id"], number)
        desk.complete_step(actor(staff, "camat"), t["id"], 5, complaint={"outcome": COMPLAINT["outcome"]})
        desk.complete_step(actor(staff, "tim_pengaduan"), t["id"], 6, pickup_code=pickup_code_of(desk, t["id"]))

    a = take("langsung", "LPR-2026-0001")  # Tuesday 08:00
    b = take("telepon")
    take("langsung")  # still open
    resolve(a, 2)  # Thursday 08:00: 2 days
    resolve(b, 1)  # Friday 08:00: 3 days
    take("tertulis")  # Friday: open
    # and one returned (TMS) half a day after it was taken
    t = desk.issue_ticket("pengaduan")
    desk.call_next(actor(staff, "petugas_pelayanan", 3))
    clock.advance(hours=12)
    desk.complete_step(actor(staff, "petugas_pelayanan", 3), t["id"], 2, decision="TMS",
                       complaint={**COMPLAINT, "channel": "tertulis"},
                       note="Bukan wewenang kecamatan: disampaikan ke dinas.")
    s = evaluation_figures(desk, WEEK)["complaints"]
    assert s["total"] == 5 and s["by_channel"] == {"langsung": 2, "telepon": 1, "tertulis": 2}
    assert s["by_status"] == {"done": 2, "open": 2, "returned": 1} and s["with_lapor"] == 1
    # 2 days, 3 days and half a day: median 2, p90 2 + 0.8 x 1
    assert s["resolution_days"] == {"n": 3, "median": 2.0, "p90": pytest.approx(2.8)}


def test_alerts_name_the_ticket_step_and_lateness_never_the_applicant(desk, staff, clock, sessions):
    t = ticket_through(desk, staff, clock, "ktp", [1, 2])  # at step 3 (verify, 5 minutes)
    assert alerts(desk) == []
    clock.advance(minutes=7.5)  # exactly 1.5 x the standard: not yet
    assert alerts(desk) == []
    clock.advance(minutes=1)  # 8.5 minutes at a 5-minute step, 10.5 of the 15 promised
    found = alerts(desk)
    assert [(a["kind"], a["number"], a["step"], a["late_minutes"]) for a in found] == [("step", t["number"], 3, 3.5)]
    assert found[0]["service"] == desk.catalogue.service("ktp").name
    assert "Warga" not in str(found) and NIK not in str(found)
    clock.advance(minutes=5)  # 15.5 working minutes since the call: past the promised 15
    kinds = {a["kind"]: a["late_minutes"] for a in alerts(desk)}
    assert kinds == {"step": 8.5, "request": 0.5}
    # a smaller margin alerts sooner; the margin is the administrator's
    with pytest.raises(Forbidden):
        save_evaluation_settings(desk, staff["kasi"], "", "10")
    with pytest.raises(OperationError, match="0 sampai 500"):
        save_evaluation_settings(desk, actor(staff, "admin"), "", "lima puluh")
    save_evaluation_settings(desk, actor(staff, "admin"), "Kursi roda\n\n Jalur landai \n", "10")
    figures = evaluation_figures(desk, WEEK)
    assert figures["accessibility"] == ["Kursi roda", "Jalur landai"]
