"""Report figures and the IKM formula, checked against hand-computed examples."""
from datetime import date

import pytest

from antrean.shared.domain.ikm import ikm, validate_answers
from antrean.shared.domain.stats import p90
from antrean.shared.services.reports import Period, office_report
from tests.support.factories import NIK, ticket_through


def test_office_report_against_hand_computed_figures(desk, staff, clock, sessions, catalogue):
    # KTP: steps 2..6 standards 2,5,2,5,1 minutes
    ticket_through(desk, staff, clock, "ktp", [10, 1, 4, 2, 6, 1])  # step 5 over (6 > 5)
    ticket_through(desk, staff, clock, "ktp", [20, 3, 5, 1, 5, 1])  # step 2 over (3 > 2)
    ticket_through(desk, staff, clock, "ktp", [30, 2, 9], decision="TMS",  # step 3 over (9 > 5)
                   missing=["Kartu Keluarga (KK)"])
    with sessions() as s:
        r = office_report(s, catalogue, Period(date(2026, 11, 24), date(2026, 11, 24)))
    assert r["tickets"] == 3 and r["per_group"] == {"adminduk": 3}
    assert r["statuses"] == {"done": 2, "returned": 1}
    # waiting (ticket to call): each ticket was issued when the previous one was finished
    assert r["waiting"]["n"] == 3 and r["waiting"]["median"] == 20.0
    step2 = next(x for x in r["steps"] if x["service"] == "ktp" and x["step"] == 2)
    assert step2["n"] == 3 and step2["median"] == 2.0 and step2["over_standard"] == 1
    assert step2["within_standard"] == pytest.approx(2 / 3, abs=1e-4)
    step3 = next(x for x in r["steps"] if x["step"] == 3)
    assert step3["median"] == 5.0 and step3["p90"] == pytest.approx(8.2)  # 4,5,9 -> 8.2
    # 12 staff steps (5 + 5 + 2), 3 over the standard
    assert r["within_standard"] == pytest.approx(9 / 12, abs=1e-4)
    assert r["tms"]["decisions"] == 3 and r["tms"]["tms"] == 1
    assert r["tms"]["rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert r["tms"]["missing_documents"] == [("Kartu Keluarga (KK)", 1)]
    clerk = next(c for c in r["per_clerk"] if c["user"] == "pelayanan1")
    assert clerk["steps"] == 5 and clerk["within_standard"] == pytest.approx(4 / 5)  # steps 2,2,2,6,6
    assert r["per_loket"] == [{"loket": "Loket 1", "called": 3, "calls": 3, "recalls": 0, "pickups": 0,
                               "waiting_median": 20.0,
                               "waiting_p90": pytest.approx(28.0), "waiting_mean": 20.0}]
    assert r["busiest_hours"][0]["hour"] == 8
    assert "Warga" not in str(r) and NIK not in str(r)


def test_report_period_excludes_other_days(desk, staff, clock, sessions, catalogue):
    ticket_through(desk, staff, clock, "ktp", [1, 1, 1, 1, 1, 1])
    clock.advance(days=1)
    ticket_through(desk, staff, clock, "ktp", [1, 1, 1, 1, 1, 1])
    with sessions() as s:
        assert office_report(s, catalogue, Period(date(2026, 11, 25), date(2026, 11, 25)))["tickets"] == 1
        assert office_report(s, catalogue, Period(date(2026, 11, 24), date(2026, 11, 25)))["tickets"] == 2
    with pytest.raises(ValueError):
        Period(date(2026, 11, 25), date(2026, 11, 24))


def test_p90_linear_interpolation():
    assert p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == pytest.approx(9.1)
    assert p90([7]) == 7 and p90([]) is None


def test_ikm_hand_computed():
    # Two respondents; NRR per element: (4+3)/2 = 3.5 for u1..u8, (2+2)/2 = 2 for u9
    a = {f"u{i}": 4 for i in range(1, 10)} | {"u9": 2}
    b = {f"u{i}": 3 for i in range(1, 10)} | {"u9": 2}
    result = ikm([a, b])
    # IKM = (8 * 3.5 + 2) / 9 = 30 / 9 = 3.3333; conversion 83.33 -> B, Baik
    assert result["respondents"] == 2
    assert result["ikm"] == pytest.approx(3.3333, abs=1e-4)
    assert result["value"] == 83.33 and result["grade"] == "B" and result["performance"] == "Baik"
    assert result["elements"][8]["nrr"] == 2.0


@pytest.mark.parametrize("score, value, grade", [(4, 100.0, "A"), (3, 75.0, "C"), (2, 50.0, "D"), (1, 25.0, "D")])
def test_ikm_categories(score, value, grade):
    result = ikm([{f"u{i}": score for i in range(1, 10)}])
    assert result["value"] == value and result["grade"] == grade


def test_ikm_boundaries():
    # 3.5324 x 25 = 88.31 -> A; 88.30 -> B (PermenPANRB 14/2017)
    from antrean.shared.domain.ikm import SKM_CATEGORIES

    assert SKM_CATEGORIES[0][:2] == (88.31, "A") and SKM_CATEGORIES[1][:2] == (76.61, "B")
    assert ikm([])["ikm"] is None


def test_answers_are_validated():
    good = {f"u{i}": 3 for i in range(1, 10)}
    assert validate_answers(good) == good
    for bad in ({**good, "u3": 5}, {**good, "u3": 0}, {**good, "u3": "4"}, {**good, "u10": 2},
                {k: v for k, v in good.items() if k != "u9"}, [3] * 9, {**good, "u1": True}):
        with pytest.raises(ValueError):
            validate_answers(bad)
