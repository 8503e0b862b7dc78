"""The satisfaction survey: anonymous, one per ticket, after the service ended; IKM per period."""
from datetime import date

import pytest
from sqlalchemy import select

from antrean.shared.services import survey
from antrean.shared.services.desk import Conflict, NotFound, OperationError
from antrean.shared.store.models import SurveyResponse

ALL_FOUR = {f"u{i}": 4 for i in range(1, 10)}


def finished_ticket(desk, staff, decision="TMS"):
    t = desk.issue_ticket("ktp")
    desk.call_next(staff["pelayanan1"])
    desk.complete_step(staff["pelayanan1"], t["id"], 2, applicant={"name": "Warga", "nik": "3503124507540001"})
    desk.complete_step(staff["verifikasi"], t["id"], 3, decision="TMS", missing=["Kartu Keluarga (KK)"])
    return t


def test_survey_after_the_service_once_and_anonymous(desk, staff, sessions):
    t = finished_ticket(desk, staff)
    assert survey.ticket_for_survey(sessions, t["public_id"])["open"] is True
    survey.submit(sessions, t["public_id"], ALL_FOUR, comment="Petugas ramah")
    assert survey.ticket_for_survey(sessions, t["public_id"])["answered"] is True
    with pytest.raises(Conflict, match="answered already"):
        survey.submit(sessions, t["public_id"], ALL_FOUR)
    with sessions() as s:
        row = s.scalar(select(SurveyResponse))
        assert row.service_code == "ktp" and row.answers == ALL_FOUR
        assert not hasattr(row, "user_id") and "Warga" not in str(row.__dict__)
        report = survey.ikm_report(s, date(2026, 11, 24), date(2026, 11, 24))
    assert report["overall"]["value"] == 100.0 and report["overall"]["respondents"] == 1
    assert report["per_service"]["ktp"]["grade"] == "A"


def test_survey_is_refused_before_the_end_and_for_bad_answers(desk, staff, sessions):
    t = desk.issue_ticket("ktp")
    with pytest.raises(Conflict):
        survey.submit(sessions, t["public_id"], ALL_FOUR)
    with pytest.raises(NotFound):
        survey.submit(sessions, "nope", ALL_FOUR)
    with pytest.raises(OperationError, match="u9"):
        survey.submit(sessions, t["public_id"], {**ALL_FOUR, "u9": 7})


def test_questionnaire_has_nine_elements_with_four_answers():
    q = survey.questionnaire("id")
    assert [x["element"] for x in q] == [f"u{i}" for i in range(1, 10)]
    assert all([a["score"] for a in x["answers"]] == [1, 2, 3, 4] for x in q)
    assert q[3]["answers"][3]["label"] == "Gratis"
    assert survey.questionnaire("en")[0]["question"].startswith("How")
