"""Exports an attacker cannot turn against the Kasi: an applicant's name never becomes a formula in
the register's CSV or XLSX, a control character in one name never fails the export, and no export
failure or log line carries an applicant's name, NIK, e-mail or phone number."""
import csv
import io
import logging

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from antrean.shared.store.models import Ticket

HOSTILE = {
    '=HYPERLINK("http://x","y")': '\'=HYPERLINK("http://x","y")',
    "+1": "'+1",
    "-2+3": "'-2+3",
    "@SUM(A1)": "'@SUM(A1)",
    "\t=1+1": "'\t=1+1",
    "Sri\x0bWahyuni": "SriWahyuni",
    "Budi\x00Santoso": "BudiSantoso",
    "Siti Aminah": "Siti Aminah",
}


def registered_ticket(client, login, clock):
    """One ahli waris file walked to the register (it gets an agenda number); returns its id."""
    t = client.post("/api/v1/tickets", json={"service": "ahli_waris"}).get_json()
    login("pelayanan2")
    client.post("/counter/loket", data={"loket_id": 2})
    client.post("/counter/call-next")
    clock.advance(minutes=3)
    client.post(f"/counter/tickets/{t['id']}/step", data={"step": 2, "name": "Warga", "nik": "3503124507540001"})
    for step, user in [(3, "kasi"), (4, "register")]:
        client.post("/counter/logout")
        login(user)
        clock.advance(minutes=4)
        client.post(f"/counter/tickets/{t['id']}/step", data={"step": step, "decision": "MS"} if step == 3
                    else {"step": step})
    client.post("/counter/logout")
    return t["id"]


def name_tickets(app, names_by_id):
    """The names go straight into the database: a form or the API may refuse some of them one day,
    the export must stay safe for whatever is stored."""
    with app.extensions["antrean"].sessions.begin() as s:
        for ticket in s.scalars(select(Ticket).where(Ticket.id.in_(list(names_by_id)))):
            ticket.applicant_name = names_by_id[ticket.id]


@pytest.fixture
def hostile_register(app, client, login, clock):
    ids = {registered_ticket(client, login, clock): name for name in HOSTILE}
    name_tickets(app, ids)
    with app.extensions["antrean"].sessions() as s:
        agenda = {t.id: t.agenda_number for t in s.scalars(select(Ticket))}
    assert all(agenda[i] for i in ids)
    login("kasi")
    return {agenda[i]: name for i, name in ids.items()}  # agenda number -> stored name


def test_register_csv_shows_every_hostile_name_as_inert_text(client, hostile_register):
    resp = client.get("/counter/reports/export/register.csv?start=2026-11-24")
    assert resp.status_code == 200
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][3] == "Pemohon"
    by_agenda = {r[0]: r for r in rows[1:]}
    assert len(by_agenda) == len(HOSTILE)
    for agenda, name in hostile_register.items():
        assert by_agenda[agenda][3] == HOSTILE[name], name
        assert by_agenda[agenda][4] == "3503********0001"  # the rest of the row intact
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
        assert not any(ch in cell for cell in row for ch in "\x00\x0b")


def test_register_xlsx_answers_with_every_name_as_text_and_no_control_character(client, hostile_register):
    resp = client.get("/counter/reports/export/register.xlsx?start=2026-11-24")
    assert resp.status_code == 200
    sheet = load_workbook(io.BytesIO(resp.data)).active
    rows = list(sheet.iter_rows())
    assert rows[0][3].value == "Pemohon"
    by_agenda = {r[0].value: r for r in rows[1:]}
    assert len(by_agenda) == len(HOSTILE)
    for agenda, name in hostile_register.items():
        cell = by_agenda[agenda][3]
        assert cell.value == HOSTILE[name] and cell.data_type == "s", name
        assert by_agenda[agenda][4].value == "3503********0001"
    assert not any(cell.data_type == "f" for row in rows for cell in row)


def test_numbers_we_write_stay_numbers(client, hostile_register):
    rows = list(load_workbook(io.BytesIO(client.get("/counter/reports/export/steps.xlsx?start=2026-11-24").data))
                .active.iter_rows(values_only=True))
    header = rows[0]
    verify = next(r for r in rows[1:] if r[1] == 3)
    assert isinstance(verify[header.index("Jumlah")], int) and verify[header.index("Standar (menit)")] == 5


def test_one_cell_that_cannot_be_written_leaves_the_export_whole_and_the_name_out_of_the_log(
        app, client, login, clock, monkeypatch, caplog):
    """Forced: the spreadsheet library refuses one name, with the name in its message (as openpyxl's
    IllegalCharacterError does). The export still answers, the other rows are there, and the log says
    which column failed, not what it held."""
    from openpyxl.cell import cell as openpyxl_cell

    secret = "Rahasia Ningsih"
    ids = {registered_ticket(client, login, clock): name for name in (secret, "Siti Aminah")}
    name_tickets(app, ids)
    bind = openpyxl_cell.Cell._bind_value

    def refusing(self, value):
        if isinstance(value, str) and secret in value:
            raise ValueError(f"{value} cannot be used in worksheets")
        return bind(self, value)

    monkeypatch.setattr(openpyxl_cell.Cell, "_bind_value", refusing)
    login("kasi")
    with caplog.at_level(logging.INFO):
        resp = client.get("/counter/reports/export/register.xlsx?start=2026-11-24")
    assert resp.status_code == 200
    values = [r[3] for r in load_workbook(io.BytesIO(resp.data)).active.iter_rows(min_row=2, values_only=True)]
    assert sorted(values, key=str) == [None, "Siti Aminah"]
    assert "left empty (ValueError)" in caplog.text
    assert secret not in caplog.text and "Ningsih" not in caplog.text


def test_the_app_masks_personal_data_in_every_log_line(tmp_path, clock, printer):
    """create_app installs the filter on the handlers already in place (``antrean serve`` configures
    them first): a record from any module comes out with its NIK, e-mail and phone number masked."""
    from antrean.shared.app import create_app

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        app = create_app({"INSTANCE": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
                          "SECRET_KEY": "test", "TESTING": True}, clock=clock, printer=printer, start_workers=False)
        logging.getLogger("antrean.shared.services.steps").error(
            "applicant %s, %s, %s", "3503124507540001", "sri@example.id", "081234567890")
        try:
            raise RuntimeError("nik=3503124507540001")
        except RuntimeError:
            app.logger.exception("Exception on /counter/reports/export/register.xlsx [GET]")
        app.extensions["antrean.engine"].dispose()
    finally:
        root.removeHandler(handler)
    text = stream.getvalue()
    assert "applicant [NIK], [email], [phone]" in text and "RuntimeError: nik=[NIK]" in text
    assert "3503124507540001" not in text and "sri@example.id" not in text and "081234567890" not in text
