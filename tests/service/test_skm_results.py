"""SKM results of a period against figures computed by hand: NRR, IKM, grade, the minimum sample, the
respondent profile, the weakest elements, and the follow-up plans' share done and speed."""
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from antrean.shared.domain import skm as rules
from antrean.shared.domain.ikm import grade
from antrean.shared.services import skm, survey
from antrean.shared.services.desk import Forbidden, OperationError
from antrean.shared.store.models import AuditEntry, SurveyResponse
from tests.support.factories import served_tickets as served
from tests.support.factories import skm_answers as answers

S2 = rules.semester(2026, 2)


# Four respondents, by hand: u1, u2, u4..u8 = (4+3+3+2)/4 = 3.0; u3 = (4+3+3+1)/4 = 2.75;
# u9 = (4+3+1+2)/4 = 2.5. IKM = (7 x 3.0 + 2.75 + 2.5) / 9 = 26.25 / 9 = 2.91667; x 25 = 72.92 -> C.
RESPONSES = [
    (answers(4), {"sex": "L", "age_group": "20-29", "education": "slta", "occupation": "swasta"}),
    (answers(3), {"sex": "P", "age_group": "60+"}),
    (answers(3, u9=1), {"sex": "P", "education": "slta"}),
    (answers(2, u3=1), {}),
]


@pytest.fixture
def period_with_answers(desk, staff, clock, sessions):
    tickets = served(desk, staff, clock, 5)  # five citizens served, four answer
    desk.issue_ticket("ktp")  # still waiting: not served yet
    for t, (scores, profile) in zip(tickets, RESPONSES, strict=False):
        survey.submit(sessions, t["public_id"], scores, profile=profile, clock=clock)
    return tickets


def test_nrr_ikm_grade_and_weakest_elements_by_hand(desk, period_with_answers):
    r = skm.results(desk, S2)
    nrr = {e["element"]: e["nrr"] for e in r["ikm"]["elements"]}
    assert nrr == {"u1": 3.0, "u2": 3.0, "u3": 2.75, "u4": 3.0, "u5": 3.0, "u6": 3.0, "u7": 3.0, "u8": 3.0,
                   "u9": 2.5}
    weighted = {e["element"]: e["weighted"] for e in r["ikm"]["elements"]}
    assert weighted["u9"] == round(2.5 / 9, 4) == 0.2778 and weighted["u1"] == 0.3333
    assert r["ikm"]["ikm"] == 2.9167 and r["ikm"]["value"] == 72.92
    assert (r["ikm"]["grade"], r["ikm"]["performance"]) == ("C", "Kurang Baik")
    assert [e["element"] for e in r["weakest"]] == ["u9", "u3", "u1"]  # lowest NRR first; a tie by order
    assert r["respondents"] == 4 and r["served"] == 5
    assert r["minimum_sample"] == 5 and r["sample_met"] is False  # below 10 served: every one of them


def test_a_period_outside_the_answers_is_empty(desk, period_with_answers):
    r = skm.results(desk, rules.semester(2026, 1))
    assert r["respondents"] == 0 and r["served"] == 0 and r["ikm"]["value"] is None and r["weakest"] == []
    assert skm.results(desk, rules.year(2026))["respondents"] == 4


def test_profile_counts_in_the_regulations_categories(desk, period_with_answers, sessions):
    profile = skm.results(desk, S2)["profile"]
    assert profile["sex"] == [("Laki-laki", 1), ("Perempuan", 2), ("Tidak diisi", 1)]
    assert dict(profile["education"]) == {"SD ke bawah": 0, "SLTP": 0, "SLTA": 2, "D1-D2-D3": 0, "D4-S1": 0,
                                          "S2 ke atas": 0, "Tidak diisi": 2}
    assert dict(profile["age_group"])["60 tahun ke atas"] == 1 and dict(profile["age_group"])["Tidak diisi"] == 2
    assert dict(profile["occupation"]) == {"PNS": 0, "TNI": 0, "POLRI": 0, "Swasta": 1, "Wirausaha": 0,
                                           "Lainnya": 0, "Tidak diisi": 3}
    with sessions() as s:
        stored = s.scalars(select(SurveyResponse).order_by(SurveyResponse.id)).all()
        assert [(r.sex, r.age_group, r.education, r.occupation) for r in stored][:2] == [
            ("L", "20-29", "slta", "swasta"), ("P", "60+", None, None)]


def test_a_bad_profile_is_refused_and_nothing_is_stored(desk, staff, clock, sessions):
    (t,) = served(desk, staff, clock, 1)
    for bad in ({"sex": "X"}, {"age_group": 35}, {"hobby": "catur"}):
        with pytest.raises(OperationError) as err:
            survey.submit(sessions, t["public_id"], answers(4), profile=bad, clock=clock)
        assert err.value.code == "bad_profile"
    with sessions() as s:
        assert s.scalar(select(SurveyResponse)) is None


@pytest.mark.parametrize(("value", "letter"), [(100, "A"), (88.31, "A"), (88.30, "B"), (76.61, "B"),
                                               (76.60, "C"), (65.00, "C"), (64.99, "D"), (25.00, "D")])
def test_grade_boundaries(value, letter):
    assert grade(value)[0] == letter


@pytest.mark.parametrize(("population", "sample"), [
    (0, 0), (1, 1), (9, 9), (10, 10), (11, 11), (15, 14), (16, 16), (20, 19), (100, 80), (101, 86), (280, 162),
    (1000, 278), (1001, 285), (2500, 335), (10000, 370), (10001, 375), (100000, 384), (250000, 384)])
def test_minimum_sample_uses_the_row_at_or_above_the_population(population, sample):
    # 11 served: the row "15 -> 14" applies, but nobody can ask more citizens than were served
    assert rules.minimum_sample(population) == sample


def test_periods_parse_and_name_themselves():
    assert rules.parse_period("2026-S1") == rules.SkmPeriod(date(2026, 1, 1), date(2026, 6, 30), "semester")
    assert rules.parse_period("2026-s2").label == "Semester II 2026"
    assert rules.parse_period("2026").end == date(2026, 12, 31) and rules.parse_period("2026").label == "Tahun 2026"
    custom = rules.parse_period("2026-03-01..2026-05-31")
    assert custom.kind == "custom" and custom.key == "2026-03-01..2026-05-31"
    assert rules.parse_period("2026-07-01..2026-12-31").key == "2026-S2"  # a range that is a semester
    for bad in ("2026-S3", "kemarin", "2026-05-31..2026-03-01", "2020-01-01..2026-01-01", ""):
        with pytest.raises(ValueError, match="[Pp]eriode|[Tt]anggal"):
            rules.parse_period(bad)


def test_followups_share_done_and_days(desk, staff, clock, sessions):
    kasi = staff["kasi"]
    base = {"elements": ["u9"], "responsible": "Kasi Pelayanan dan Perizinan", "due_date": "2027-01-31",
            "status": "rencana"}
    a = skm.add_followup(desk, kasi, S2, {**base, "plan": "Perbaiki kursi ruang tunggu"})  # written 24 Nov 2026
    b = skm.add_followup(desk, kasi, S2, {**base, "plan": "Pasang papan alur", "elements": ["u2", "u3"]})
    skm.add_followup(desk, kasi, S2, {**base, "plan": "Pelatihan petugas", "elements": ["u6"]})
    clock.now = datetime(2027, 1, 15, 3, 0, tzinfo=UTC)
    skm.update_followup(desk, kasi, a, {**base, "plan": "Perbaiki kursi ruang tunggu", "status": "selesai",
                                         "done_date": "2027-01-10"})  # 10 days after 31 Dec, 47 after writing
    skm.update_followup(desk, staff["admin"], b, {**base, "plan": "Pasang papan alur", "elements": ["u2", "u3"],
                                                  "status": "selesai", "done_date": "2026-12-20"})  # 0 and 26
    s = skm.results(desk, S2)["followup_summary"]
    assert (s["total"], s["done"], s["share_done"]) == (3, 2, 66.7)
    assert s["days_from_period_end"] == {"mean": 5.0, "median": 5.0}
    assert s["days_from_plan"] == {"mean": 36.5, "median": 36.5}
    with sessions() as db:
        trail = db.scalars(select(AuditEntry).where(AuditEntry.action == "skm:tindak_lanjut")
                           .order_by(AuditEntry.id)).all()
    assert len(trail) == 5 and trail[3].before["status"] == "rencana" and trail[3].after["status"] == "selesai"
    assert trail[4].username == "admin"


def test_followup_form_is_checked_in_indonesian_and_only_editors_write(desk, staff):
    with pytest.raises(skm.FollowUpFormError) as err:
        skm.add_followup(desk, staff["kasi"], S2, {"plan": "", "elements": ["u10"], "responsible": "",
                                                   "due_date": "31-01-2027", "status": "selesai"})
    assert err.value.errors == {
        "plan": "Tuliskan rencana tindak lanjut.",
        "elements": "Pilih satu atau beberapa unsur SKM yang ditindaklanjuti.",
        "responsible": "Tuliskan penanggung jawab (jabatan).",
        "due_date": "Tanggal target tidak valid (TTTT-BB-HH).",
        "done_date": "Isi tanggal selesai untuk tindak lanjut yang selesai."}
    with pytest.raises(skm.FollowUpFormError, match="masa depan"):
        skm.add_followup(desk, staff["kasi"], S2, {"plan": "x", "elements": ["u1"], "responsible": "Kasi",
                                                   "due_date": "2027-01-01", "status": "selesai",
                                                   "done_date": "2027-01-01"})
    for elements in ([{"u1": 1}], "u1", ["u1", 3]):  # only a list of element codes
        with pytest.raises(skm.FollowUpFormError, match="unsur SKM"):
            skm.add_followup(desk, staff["kasi"], S2, {"plan": "x", "elements": elements, "responsible": "Kasi",
                                                       "due_date": "2027-01-01", "status": "rencana"})
    for user in ("camat", "pelayanan1"):
        with pytest.raises(Forbidden):
            skm.add_followup(desk, staff[user], S2, {})
    assert skm.results(desk, S2)["followups"] == []


def test_publishing_a_period_and_the_latest_one(desk, staff, period_with_answers, sessions):
    assert skm.latest_published(desk) is None
    skm.publish(desk, staff["kasi"], rules.semester(2026, 1))
    skm.publish(desk, staff["kasi"], S2)
    latest = skm.latest_published(desk)
    assert latest["period"].key == "2026-S2" and latest["ikm"]["grade"] == "C"
    skm.withdraw(desk, staff["admin"], S2)
    assert skm.latest_published(desk)["period"].key == "2026-S1"
    with pytest.raises(Forbidden):
        skm.publish(desk, staff["camat"], S2)
    with sessions() as s:
        actions = [a.action for a in s.scalars(select(AuditEntry).where(AuditEntry.action.like("skm:%")))]
    assert actions == ["skm:terbitkan", "skm:terbitkan", "skm:tarik"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def office(request, catalogue, clock):
    from tests.support.factories import demo_office

    url = request.getfixturevalue("db_url" if request.param == "sqlite" else "pg_url")
    yield from demo_office(url, catalogue, clock)


def test_the_same_figures_on_sqlite_and_postgresql(office, clock):
    desk, staff, sessions = office
    for t, (scores, profile) in zip(served(desk, staff, clock, 4), RESPONSES, strict=True):
        survey.submit(sessions, t["public_id"], scores, profile=profile, clock=clock)
    skm.add_followup(desk, staff["kasi"], S2, {"plan": "Papan alur", "elements": ["u2", "u9"], "responsible": "Kasi",
                                               "due_date": "2027-01-31", "status": "rencana"})
    skm.publish(desk, staff["kasi"], S2)
    r = skm.latest_published(desk)
    assert (r["ikm"]["value"], r["ikm"]["grade"], r["respondents"], r["served"]) == (72.92, "C", 4, 4)
    assert r["followups"][0]["elements"] == ["u2", "u9"] and r["profile"]["sex"][1] == ("Perempuan", 2)
