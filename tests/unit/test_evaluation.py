"""The evaluation's arithmetic over plain values, against hand-computed days: working time across a
weekend and a holiday, within-time shares, priority waits, complaint resolution days, alerts."""
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from antrean.shared.domain import evaluation as ev
from antrean.shared.domain.catalogue import load_catalogue
from antrean.shared.domain.opening_hours import working_day_minutes, working_minutes

OFFICE = load_catalogue().office  # Mon-Thu 07:30-15:30, Fri 07:30-14:00 WIB, Sat/Sun closed


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    """November/December 2026, office time (UTC+7)."""
    month, day = (11, day) if day <= 30 else (12, day - 30)
    return datetime(2026, month, day, hour - 7, minute, tzinfo=UTC) if hour >= 7 else \
        datetime(2026, month, day - 1, hour + 17, minute, tzinfo=UTC)


def test_working_minutes_skip_the_weekend_and_the_night():
    # Friday 27 Nov 13:00 -> Monday 30 Nov 08:30: Fri 13:00-14:00 (60) + Mon 07:30-08:30 (60)
    assert working_minutes(OFFICE, wib(27, 13), wib(30, 8, 30)) == 120
    # Tuesday 15:00 -> Wednesday 08:00: 30 + 30
    assert working_minutes(OFFICE, wib(24, 15), wib(25, 8)) == 60
    # inside one morning; backwards and empty give 0
    assert working_minutes(OFFICE, wib(24, 8), wib(24, 8, 45)) == 45
    assert working_minutes(OFFICE, wib(24, 9), wib(24, 8)) == 0
    # a whole working week Mon 07:30 -> Fri 14:00: 4 x 480 + 390
    assert working_minutes(OFFICE, wib(30, 7, 30), wib(34, 14)) == 4 * 480 + 390
    assert working_day_minutes(OFFICE) == 480


def test_a_holiday_is_not_working_time():
    office = replace(OFFICE, holidays=("2026-11-30",))
    # Friday 13:00 -> Tuesday 1 Dec 08:30, Monday a holiday: 60 + 60
    assert working_minutes(office, wib(27, 13), wib(31, 8, 30)) == 120


def test_within_time_share_median_and_p90():
    row = ev.promised_row([19, 15, 11], 15, 480)
    assert row["n"] == 3 and row["within"] == 2 and row["within_share"] == pytest.approx(0.6667)
    assert row["median_minutes"] == 15 and row["p90_minutes"] == pytest.approx(18.2)  # 15 + 0.8 x 4
    assert row["promised_days"] == pytest.approx(0.03)  # 15 / 480
    empty = ev.promised_row([], 15, 480)
    assert empty["within_share"] is None and empty["median_minutes"] is None


def test_priority_waits_against_the_others():
    figures = ev.priority_waits({"lansia": [2, 4], "disabilitas": [6], "ibu_hamil_menyusui": []}, [10, 20, 30])
    lansia = figures["per_reason"][0]
    assert lansia == {"reason": "lansia", "n": 2, "median": 3.0, "p90": pytest.approx(3.8)}
    assert figures["per_reason"][2]["n"] == 0 and figures["per_reason"][2]["median"] is None
    assert figures["priority"]["median"] == 4 and figures["others"]["median"] == 20
    assert figures["median_gain"] == 16  # priority tickets waited 16 minutes less (median)


def test_complaint_summary_counts_and_days():
    items = [ev.Complaint("langsung", "done", "LPR-1", 2.0), ev.Complaint("telepon", "done", None, 4.0),
             ev.Complaint("langsung", "returned", None, 1.0), ev.Complaint("langsung", "in_progress", None, None)]
    s = ev.complaint_summary(items)
    assert s["total"] == 4 and s["by_channel"] == {"langsung": 3, "telepon": 1}
    assert s["by_status"] == {"done": 2, "returned": 1, "open": 1} and s["with_lapor"] == 1
    assert s["resolution_days"] == {"n": 3, "median": 2.0, "p90": pytest.approx(3.6)}


def test_alerts_fire_past_the_margin_only():
    assert ev.step_overrun(7.5, 5, 50) is None  # exactly 1.5 x: not yet
    assert ev.step_overrun(8, 5, 50) == 3  # 3 minutes past the 5-minute standard
    assert ev.step_overrun(100, 0, 50) is None  # a step without a standard
    assert ev.step_overrun(6, 5, 0) == 1
    assert ev.request_overrun(16, 15) == 1 and ev.request_overrun(15, 15) is None
    assert ev.alert_margin("x") == 50 and ev.alert_margin(20) == 20 and ev.alert_margin(999) == 50
