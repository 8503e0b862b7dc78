"""The evaluator's pack: every section of one period from one read, against a hand-made day
(tests.support.factories.evaluation_day): standards with their decrees, the Maklumat, the SKM,
complaints without names, the priority waits, promised against actual and Mutu Baku per step."""
from datetime import date

import pytest

from antrean.shared.services.evaluation_pack import pack_figures, semester_of
from antrean.shared.services.reports import Period
from tests.support.factories import NIK, SKTM_DECREE, evaluation_day

DAY = Period(date(2026, 11, 24), date(2026, 11, 24))


def test_the_pack_holds_every_section_of_the_day(desk, staff, clock):
    evaluation_day(desk, staff, clock)
    pack = pack_figures(desk, DAY)
    standards = {r["service"]: r for r in pack["standards"]}
    assert set(standards) == set(desk.catalogue.services)
    assert standards["sktm"]["adopted"] and standards["sktm"]["version"] == 1
    assert (standards["sktm"]["decree_number"], standards["sktm"]["decree_date"]) == (SKTM_DECREE[0], date(2026, 11, 20))
    assert not standards["ktp"]["adopted"] and standards["ktp"]["decree_number"] is None
    assert standards["sktm"]["components"] == 14

    m = pack["maklumat"]
    assert m["adopted"] and m["decree_date"] == date(2026, 11, 24) and m["decree_number"] is None
    assert (m["signatory_name"], m["signatory_title"]) == ("Drs. Budi Santoso", "Camat Kampak") and m["text"]

    # two answers: all 4s, and 4 on the odd elements, 3 on the even ones
    skm = pack["skm"]["overall"]
    nrr = {e["element"]: e["nrr"] for e in skm["elements"]}
    assert skm["respondents"] == 2 and nrr["u1"] == 4 and nrr["u2"] == 3.5
    assert skm["ikm"] == pytest.approx(34 / 9, abs=1e-4) and skm["value"] == 94.44 and skm["grade"] == "A"

    c = pack["complaints"]
    assert c["total"] == 1 and c["with_lapor"] == 1 and c["by_status"] == {"open": 1}
    assert [(r["date"], r["channel"], r["lapor_number"], r["status"], r["resolution_days"]) for r in c["rows"]] == [
        (date(2026, 11, 24), "langsung", "LPR-77", "open", None)]
    assert "Sri" not in str(c) and NIK not in str(c) and "Lampu" not in str(c)  # no names, no free text

    lansia = next(r for r in pack["priority"]["per_reason"] if r["reason"] == "lansia")
    assert (lansia["tickets"], lansia["n"], lansia["median"]) == (1, 1, 3.0)

    ktp = next(r for r in pack["promised"] if r["service"] == "ktp")
    assert (ktp["promised_minutes"], ktp["n"], ktp["within"], ktp["median_minutes"]) == (15, 2, 1, 17.0)

    verify = next(r for r in pack["steps"] if r["service"] == "ktp" and r["step"] == 3)
    assert (verify["standard_minutes"], verify["n"], verify["median"], verify["over_standard"]) == (5, 2, 7.0, 1)
    assert verify["within_standard"] == 0.5
    assert pack["made_on"] == date(2026, 11, 24) and pack["tickets"] == 4


def test_an_empty_period_still_lists_every_standard_as_not_adopted(desk):
    pack = pack_figures(desk, Period(date(2026, 1, 1), date(2026, 6, 30)))
    assert all(not r["adopted"] for r in pack["standards"]) and len(pack["standards"]) == len(desk.catalogue.services)
    assert not pack["maklumat"]["adopted"] and pack["maklumat"]["text"]
    assert pack["skm"]["overall"]["respondents"] == 0 and pack["complaints"]["rows"] == []
    assert pack["steps"] == [] and pack["promised"] == []


def test_semesters():
    assert semester_of(date(2026, 6, 30)) == Period(date(2026, 1, 1), date(2026, 6, 30))
    assert semester_of(date(2026, 7, 1)) == Period(date(2026, 7, 1), date(2026, 12, 31))
