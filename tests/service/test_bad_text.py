"""NUL and lone surrogates are refused by the services (``bad_text``, a 400) before a transaction: on
PostgreSQL a NUL in a text column is a DataError and a surrogate cannot be encoded (both were a 500),
and SQLite cannot encode a surrogate either. The ticket stays as it was."""
import pytest

from antrean.shared.services.errors import OperationError
from tests.support.factories import demo_office

APPLICANT = {"name": "Sri Wahyuni", "nik": "3503124507540001"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def office(request, catalogue, clock):
    url = request.getfixturevalue("db_url" if request.param == "sqlite" else "pg_url")
    for desk, staff, _sessions in demo_office(url, catalogue, clock):
        yield desk, staff


@pytest.mark.parametrize("bad", ["Sri\x00Wahyuni", "Sri \ud800"], ids=["nul", "lone-surrogate"])
def test_an_applicant_field_or_a_tms_note_with_bad_text_is_refused(office, bad):
    desk, staff = office
    t = desk.issue_ticket("ahli_waris")
    desk.call_next(staff["pelayanan2"])
    for field in ("name", "address", "phone"):
        with pytest.raises(OperationError) as refused:
            desk.complete_step(staff["pelayanan2"], t["id"], 2, applicant={**APPLICANT, field: bad})
        assert refused.value.code == "bad_text" and refused.value.status == 400
    desk.complete_step(staff["pelayanan2"], t["id"], 2, applicant=APPLICANT)
    for kw in ({"note": bad}, {"missing": [bad]}):
        with pytest.raises(OperationError) as refused:
            desk.complete_step(staff["kasi"], t["id"], 3, decision="TMS", **kw)
        assert refused.value.code == "bad_text"
    view = desk.staff_ticket(t["id"])
    assert view["status"] != "returned" and view["applicant_name"] == "Sri Wahyuni"
    with pytest.raises(OperationError):
        desk.get_ticket_by_public_id(bad)  # a lookup is not found, not a driver error
    with pytest.raises(OperationError):
        desk.find_tickets(bad)
