"""The staff screens lead: a menu of what the user's roles may open on every staff page (and every
link in it opens), the back-office list of waiting files, Indonesian error pages and names (not codes)
in the exports and on the pages."""
from __future__ import annotations

import csv
import html as htmllib
import io
import re

import pytest
import yaml

from tests.support.staff_pages import service_form, walk_family_b

MENU_RE = re.compile(r'<nav class="staff-menu[^"]*" id="staff-menu".*?</nav>', re.S)
LINK_RE = re.compile(r'<a href="([^"]+)" data-endpoint="([^"]+)"[^>]*>([^<]+)</a>')

EVERY_PAGE = {
    "counter.index": "Loket", "files.index": "Berkas menunggu", "reports.index": "Laporan",
    "reports.register": "Buku Register", "reports.evaluation": "Paket evaluasi", "skm.index": "Hasil SKM",
    "availability.index": "Layanan kios", "printing.index": "Antrean cetak", "outbox.index": "Pesan keluar",
    "display.settings": "Layar & suara", "standards.index": "Standar Pelayanan", "admin.index": "Administrasi",
}
# What each role may open, written out by hand from the office's rules (not from the menu code).
EXPECTED = {
    "pelayanan1": ["counter.index", "files.index", "availability.index", "printing.index"],
    "kasi": ["counter.index", "files.index", "reports.index", "reports.register", "reports.evaluation", "skm.index",
             "availability.index", "printing.index", "outbox.index", "display.settings"],
    "camat": ["counter.index", "files.index", "reports.index", "reports.register", "reports.evaluation", "skm.index",
              "availability.index", "printing.index", "standards.index"],
    "admin": list(EVERY_PAGE),
}


def menu_links(html: str) -> list[tuple[str, str, str]]:
    found = MENU_RE.search(html)
    assert found, "no staff menu on the page"
    return LINK_RE.findall(found.group(0))


@pytest.mark.parametrize("username", list(EXPECTED))
def test_each_role_sees_exactly_what_it_may_open_and_every_link_opens(client, login, username):
    login(username)
    links = menu_links(client.get("/counter/").get_data(as_text=True))
    assert [endpoint for _url, endpoint, _label in links] == EXPECTED[username]
    assert [htmllib.unescape(label) for _u, _e, label in links] == [EVERY_PAGE[e] for e in EXPECTED[username]]
    for url, endpoint, _label in links:
        page = client.get(url)
        assert page.status_code == 200, (endpoint, page.status_code)
        html = page.get_data(as_text=True)
        # every staff page carries the same menu, with the page itself marked
        assert [e for _u, e, _l in menu_links(html)] == EXPECTED[username], endpoint
        assert f'data-endpoint="{endpoint}" aria-current="page"' in html, endpoint
    # and what is not in the menu really is closed to this user
    urls = {"reports.index": "/counter/reports/", "reports.register": "/counter/reports/register",
            "display.settings": "/display/settings", "standards.index": "/counter/standar/", "skm.index": "/counter/skm/",
            "admin.index": "/counter/admin/"}
    for endpoint, url in urls.items():
        if endpoint not in EXPECTED[username]:
            assert client.get(url).status_code == 403, endpoint


def test_no_menu_on_public_pages_or_for_anonymous_visitors(client, login):
    assert "staff-menu" not in client.get("/counter/login").get_data(as_text=True)
    login("kasi")
    for url in ("/kiosk/", "/display/"):
        assert "staff-menu" not in client.get(url).get_data(as_text=True), url


def test_the_403_page_is_indonesian_and_leads_back(client, login):
    login("pelayanan1")
    resp = client.get("/counter/admin/users")
    assert resp.status_code == 403
    html = resp.get_data(as_text=True)
    assert "Akses ditolak" in html and "Peran Anda tidak diizinkan membuka halaman ini" in html
    assert "Forbidden" not in html and "permission" not in html
    assert [e for _u, e, _l in menu_links(html)] == EXPECTED["pelayanan1"]  # somewhere to go
    assert client.get("/counter/admin/users?lang=en").status_code == 403
    english = client.get("/counter/admin/users?lang=en").get_data(as_text=True)
    assert "Access denied" in english and "Akses ditolak" not in english


def test_a_missing_page_is_indonesian(client):
    html = client.get("/counter/tidak-ada").get_data(as_text=True)
    assert "Halaman tidak ditemukan" in html and "Not Found" not in html


def test_a_bad_period_keeps_its_own_message(client, login):
    login("kasi")
    resp = client.get("/counter/reports/?start=bad")
    assert resp.status_code == 400 and "Periode tidak valid" in resp.get_data(as_text=True)


def test_back_office_list_oldest_first_with_ages(client, login, clock):
    first = walk_family_b(client, login, clock)  # B001: signed by the Camat, past the Sekcam's step
    second = client.post("/api/v1/tickets", json={"service": "ahli_waris"}).get_json()
    clock.advance(minutes=30)
    third = client.post("/api/v1/tickets", json={"service": "ahli_waris"}).get_json()
    # both newer files reach the Sekcam (step 5)
    for t in (second, third):
        login("pelayanan2")
        client.post("/counter/loket", data={"loket_id": 2})
        client.post(f"/counter/tickets/{t['id']}/call-chosen")
        client.post(f"/counter/tickets/{t['id']}/step", data={"step": 2, "name": "Warga", "nik": "3503124507540001"})
        client.post("/counter/logout")
        for step, user in [(3, "kasi"), (4, "register")]:
            login(user)
            client.post(f"/counter/tickets/{t['id']}/step", data={"step": step, "decision": "MS"} if step == 3
                        else {"step": step})
            client.post("/counter/logout")
    clock.advance(hours=25)
    login("sekcam")
    html = client.get("/counter/files/").get_data(as_text=True)
    rows = re.findall(r'<tr data-file="([^"]+)"', html)
    assert rows == [second["number"], third["number"]]  # the older file first
    assert first["number"] not in rows  # past the Sekcam's step
    ages = re.findall(r'<td class="age">([^<]+)</td>', html)
    assert ages == ["26 jam", "25 jam"]  # issued 30 minutes apart, a day and an hour ago
    assert "474/002/406.07/2026" in html  # each file's agenda number


def test_exports_open_in_indonesian_excel_with_names_not_codes(client, login, clock):
    walk_family_b(client, login, clock)
    login("kasi")
    for kind in ("steps", "services", "register"):
        resp = client.get(f"/counter/reports/export/{kind}.csv?start=2026-11-24")
        assert resp.status_code == 200
        assert resp.data.startswith(b"\xef\xbb\xbf"), kind  # UTF-8 byte order mark
        text = resp.data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert len(rows[0]) > 3 and all(len(r) == len(rows[0]) for r in rows), kind  # columns, not one
        for code in ("ahli_waris", "petugas_pelayanan", "kasi_pelayanan", "surat_keterangan", "in_progress"):
            assert code not in text, (kind, code)
    steps = list(csv.reader(io.StringIO(client.get("/counter/reports/export/steps.csv?start=2026-11-24")
                                        .data.decode("utf-8-sig")), delimiter=";"))
    assert steps[1][0] == "Surat Keterangan Ahli Waris"
    assert {r[3] for r in steps[1:]} >= {"Petugas Pelayanan", "Kasi Pelayanan dan Perizinan"}
    register = list(csv.reader(io.StringIO(client.get("/counter/reports/export/register.csv?start=2026-11-24")
                                           .data.decode("utf-8-sig")), delimiter=";"))
    assert register[1][6] == "Diproses"
    page = client.get("/counter/reports/?start=2026-11-24").get_data(as_text=True)
    data = re.search(r'<script id="report-data" type="application/json">(.*?)</script>', page, re.S).group(1)
    assert "Surat Keterangan Ahli Waris, langkah 3" in data and "ahli_waris" not in data


def test_agenda_number_stands_out_once_given(client, login, clock):
    t = walk_family_b(client, login, clock)
    login("kasi")
    client.post(f"/counter/tickets/{t['id']}/open")
    html = client.get("/counter/").get_data(as_text=True)
    assert '<p class="agenda-number" data-agenda="474/001/406.07/2026">Nomor agenda <b>474/001/406.07/2026</b></p>' in html


def test_admin_forms_refuse_out_of_bounds_numbers_and_common_passwords(client, login):
    login("admin")
    form = client.get("/counter/admin/services/ahli_waris").get_data(as_text=True)
    assert re.search(r'name="steps-2-minutes" value="5" class="num" min="0" max="1440"', form)
    assert ">Verifikasi (MS/TMS)</option>" in form and ">sign_request</option>" not in form  # kinds by name
    service = next(s for s in yaml.safe_load(client.get("/counter/admin/catalogue.yaml").get_data(as_text=True))
                   ["services"] if s["code"] == "ahli_waris")
    fields = service_form(service)
    fields["steps-2-minutes"] = "999999"
    resp = client.post("/counter/admin/services/ahli_waris", data=fields)
    assert resp.status_code == 400
    assert "menit baku harus angka 0 sampai 1440, bukan 999999" in resp.get_data(as_text=True)
    assert client.get("/api/v1/services").get_json()  # the kiosk still has its services
    office_form = {"name": "Kecamatan Kampak", "regency": "Kabupaten Trenggalek", "code": "406.07",
                   "address": "Jl. Raya Kampak", "phone": "0355-631047", "postal": "66373", "timezone": "Asia/Jakarta",
                   "agenda_format": "{kode}/{urut:03d}/{kantor}/{tahun}", "agenda_code": "474", "quota-ktp": "99999"}
    office = client.post("/counter/admin/office", data=office_form)
    assert office.status_code == 400 and "harus bilangan bulat 0 sampai 10000" in office.get_data(as_text=True)
    resp = client.post("/counter/admin/users/new", data={"username": "rina", "full_name": "Rina", "roles": "camat",
                                                         "active": "1", "password": "password"})
    assert resp.status_code == 400 and "Kata sandi terlalu mudah ditebak" in resp.get_data(as_text=True)


def test_availability_page_names_weekdays_and_bounds_quotas(client, login):
    login("kasi")
    html = client.get("/counter/availability/").get_data(as_text=True)
    if "Jam pelayanan" in html:
        assert "Senin" in html and "mon " not in html and "fri " not in html
    assert 'max="10000"' in html
    resp = client.post("/counter/availability/quota", data={"service": "ktp", "quota": "999999"},
                       follow_redirects=True)
    assert "Kuota harus 0 sampai 10000." in resp.get_data(as_text=True)
    api = client.post("/counter/availability/quota", json={"service": "ktp", "quota": -3})
    assert api.status_code == 400 and api.get_json()["code"] == "bad_quota"


def test_a_refusal_reads_in_indonesian_on_the_screen_and_in_the_api(client, login, app_staff):
    import base64

    t = client.post("/api/v1/tickets", json={"service": "ahli_waris"}).get_json()
    login("pelayanan2")
    client.post("/counter/loket", data={"loket_id": 2})
    client.post("/counter/call-next")
    client.post(f"/counter/tickets/{t['id']}/step", data={"step": 2, "name": "Warga", "nik": "3503124507540001"})
    client.post("/counter/logout")
    login("kasi")
    page = client.post(f"/counter/tickets/{t['id']}/step", data={"step": 3, "decision": "TMS"},
                       follow_redirects=True).get_data(as_text=True)
    assert "TMS memerlukan dokumen yang kurang atau catatan untuk pemohon." in page
    assert "TMS needs" not in page
    basic = {"Authorization": "Basic " + base64.b64encode(f"kasi:{app_staff['kasi']}".encode()).decode()}
    api = client.post(f"/api/v1/staff/tickets/{t['id']}/steps/3", json={"decision": "TMS"}, headers=basic)
    assert api.status_code == 409 and api.get_json()["error"].startswith("TMS memerlukan dokumen")
