"""The evaluator's pack: every section of one period from one read, against a hand-made day
(tests.support.factories.evaluation_day): standards with their decrees, the Maklumat, the SKM,
complaints without names, the priority waits, promised against actual and Mutu Baku per step."""
from datetime import date

import pytest

from antrean.shared.domain.skm import semester
from antrean.shared.services import skm as skm_service
from antrean.shared.services.evaluation_pack import pack_figures, semester_of
from antrean.shared.services.reports import Period
from tests.support.factories import NIK, SKTM_DECREE, actor, evaluation_day, evaluation_followups

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
    skm = pack["skm"]["ikm"]
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


def test_the_skm_section_is_the_full_skm_report_of_the_period(desk, staff, clock):
    evaluation_day(desk, staff, clock)
    evaluation_followups(desk, staff, clock)
    skm_service.add_followup(desk, actor(staff, "kasi_pelayanan"), semester(2026, 2), {
        "plan": "Rencana semester", "elements": ["u1"], "responsible": "Camat", "due_date": "2027-01-31",
        "status": "rencana"})  # another period's plan: not in this pack
    r = pack_figures(desk, DAY)["skm"]
    # two KTP requests handed over that day, both answered: below 10 served, the sample is everyone
    assert (r["served"], r["minimum_sample"], r["respondents"], r["sample_met"]) == (2, 2, 2, True)
    # NRR 4 on the odd elements, (4 + 3) / 2 = 3.5 on the even ones; IKM 34/9; the lowest three by order
    assert [e["element"] for e in r["weakest"]] == ["u2", "u4", "u6"] and r["weakest"][0]["nrr"] == 3.5
    assert (r["ikm"]["value"], r["ikm"]["grade"]) == (94.44, "A")
    assert r["per_service"]["ktp"]["respondents"] == 2 and list(r["per_service"]) == ["ktp"]
    # the first respondent filled the profile, the second left it empty
    assert r["profile"]["sex"] == [("Laki-laki", 0), ("Perempuan", 1), ("Tidak diisi", 1)]
    assert dict(r["profile"]["occupation"])["Wirausaha"] == 1 and dict(r["profile"]["education"])["SLTA"] == 1
    # the follow-up log, by due date: the training (due 30 Nov, done 3 Dec: late) then the flow board
    assert [(f["plan"], f["elements"], f["responsible"], f["due_date"], f["status"], f["done_date"])
            for f in r["followups"]] == [
        ("Pelatihan petugas", ["u4", "u6"], "Sekretaris Kecamatan", date(2026, 11, 30), "selesai", date(2026, 12, 3)),
        ("Papan alur", ["u2"], "Kasi Pelayanan", date(2026, 12, 15), "rencana", None)]
    s = r["followup_summary"]
    assert (s["total"], s["done"], s["share_done"], s["on_time"]) == (2, 1, 50.0, 0)
    # done 3 Dec: 9 days after the period's end (24 Nov), 7 after the plan was written (26 Nov)
    assert s["days_from_period_end"] == {"mean": 9.0, "median": 9} and s["days_from_plan"] == {"mean": 7.0,
                                                                                                "median": 7}


def test_an_empty_period_still_lists_every_standard_as_not_adopted(desk):
    pack = pack_figures(desk, Period(date(2026, 1, 1), date(2026, 6, 30)))
    assert all(not r["adopted"] for r in pack["standards"]) and len(pack["standards"]) == len(desk.catalogue.services)
    assert not pack["maklumat"]["adopted"] and pack["maklumat"]["text"]
    assert pack["skm"]["ikm"]["respondents"] == 0 and pack["skm"]["followups"] == [] and pack["complaints"]["rows"] == []
    assert pack["steps"] == [] and pack["promised"] == []


def test_semesters():
    assert semester_of(date(2026, 6, 30)) == Period(date(2026, 1, 1), date(2026, 6, 30))
    assert semester_of(date(2026, 7, 1)) == Period(date(2026, 7, 1), date(2026, 12, 31))
