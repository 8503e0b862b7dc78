"""Report pages, the Buku Register and their exports (XLSX read back with openpyxl)."""
import csv
import io

from openpyxl import load_workbook

from tests.support.staff_pages import walk_family_b


def test_reports_need_a_reporting_role(client, login):
    assert client.get("/counter/reports/").status_code == 302  # anonymous: to the login
    login("pelayanan1")
    assert client.get("/counter/reports/").status_code == 403
    assert client.get("/counter/reports/export/register.csv").status_code == 403


def test_report_page_shows_the_steps_over_standard(client, login, clock):
    walk_family_b(client, login, clock)
    login("kasi")
    page = client.get("/counter/reports/?start=2026-11-24&end=2026-11-24").get_data(as_text=True)
    assert 'id="kpi-tickets">1<' in page
    assert "Langkah yang melebihi standar" in page and "chart-steps" in page
    assert "/vendor/chart.umd.min.js" in page
    assert "<td>Surat Keterangan</td><td>1</td>" in page  # tickets per service group
    assert "<td>Kasi Pelayanan dan Perizinan</td>" in page  # the step's actor by the office's word
    assert client.get("/counter/reports/?start=bad").status_code == 400
    assert client.get("/counter/reports/?month=2026-11").status_code == 200


def test_register_book_masks_the_nik_and_exports(client, login, clock):
    walk_family_b(client, login, clock)
    login("camat")
    page = client.get("/counter/reports/register?start=2026-11-24").get_data(as_text=True)
    assert "474/001/406.07/2026" in page and "3503********0001" in page and "3503124507540001" not in page
    assert "Camat" in page  # who signed
    resp = client.get("/counter/reports/export/register.xlsx?start=2026-11-24")
    sheet = load_workbook(io.BytesIO(resp.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Nomor agenda" and rows[1][0] == "474/001/406.07/2026"
    assert rows[1][4] == "3503********0001"
    text = client.post("/counter/reports/export/register.csv",
                       data={"start": "2026-11-24", "q": "474"}).data.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text), delimiter=";"))[1][0] == "474/001/406.07/2026"
    found = client.post("/counter/reports/register", data={"start": "2026-11-24", "q": "Sri"}).get_data(as_text=True)
    assert "474/001/406.07/2026" in found and 'value="Sri"' in found  # by the applicant's name
    empty = client.post("/counter/reports/register", data={"start": "2026-11-24", "q": "tidakada"})
    register = empty.get_data(as_text=True).split('<table id="complaints">')[0]  # the complaints' table follows
    assert register.count("<tr>") == 2


def test_the_register_search_never_travels_in_the_address(client, login, clock):
    """A search may be an applicant's name: it is sent in a POSTed form, so it never lands in the
    access log of a proxy; a search in the query string is not used."""
    walk_family_b(client, login, clock)
    login("camat")
    page = client.get("/counter/reports/register?start=2026-11-24").get_data(as_text=True)
    assert '<form method="post"' in page and 'name="q"' in page and "q=" not in page
    assert 'formaction="/counter/reports/export/register.csv"' in page
    ignored = client.get("/counter/reports/register?start=2026-11-24&q=tidakada").get_data(as_text=True)
    assert "474/001/406.07/2026" in ignored


def test_step_export_round_trip(client, login, clock):
    walk_family_b(client, login, clock)
    login("kasi")
    resp = client.get("/counter/reports/export/steps.xlsx?start=2026-11-24")
    rows = list(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))
    header = rows[0]
    verify = next(r for r in rows[1:] if r[1] == 3)
    assert verify[header.index("Standar (menit)")] == 5 and verify[header.index("Median (menit)")] == 4.0
    assert client.get("/counter/reports/export/nothing.csv").status_code == 404
