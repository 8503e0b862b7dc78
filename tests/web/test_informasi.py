"""The public information site: no login, Indonesian (English on request), each service's six
published components (the adopted version, else the prefill marked "belum ditetapkan"), the Maklumat,
hours and complaint channels, and the A4 posters as PDF with the text a reader sees; no personal data."""
import shutil
import subprocess

import pytest

from antrean.shared.domain import standards as rules
from tests.support.env import need

SIX = ("Persyaratan", "Sistem, mekanisme dan prosedur", "Jangka waktu penyelesaian", "Biaya/tarif",
       "Produk pelayanan", "Penanganan pengaduan, saran dan masukan")


def text_of(resp) -> str:
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def test_the_site_lists_every_service_hours_and_complaint_channels_without_login(client, app):
    page = text_of(client.get("/informasi/"))
    catalogue = app.extensions["antrean"].catalogue
    for service in catalogue.services.values():
        assert f'href="/informasi/layanan/{service.code}"' in page and service.name in page
    assert "Jam layanan" in page and "07:30–15:30" in page and "07:30–14:00" in page and "Tutup" in page
    assert "https://www.lapor.go.id" in page and catalogue.office.phone in page
    assert "/counter/login" not in page
    english = text_of(client.get("/informasi/?lang=en"))
    assert "Opening hours" in english and "e-KTP recording" in english


def test_a_service_page_shows_the_six_components_of_the_prefill_until_adopted(client, app):
    page = text_of(client.get("/informasi/layanan/sktm"))
    for name in SIX:
        assert name in page
    for hidden in ("Dasar hukum", "Kompetensi pelaksana", "Jumlah pelaksana"):  # management components stay inside
        assert hidden not in page
    assert "Belum ditetapkan" in page and "Tidak dipungut biaya" in page and "15 menit" in page
    assert "Rekomendasi SKTM" in page  # the product, from the catalogue's last step
    assert client.get("/informasi/layanan/tidak_ada").status_code == 404


def test_the_adopted_version_is_published(client, login):
    from antrean.shared.services import standards

    desk = client.application.extensions["antrean"]
    login("admin")
    form = {**standards.standing(desk, "sktm").draft, "biaya": "Gratis, tanpa pungutan apa pun"}
    assert client.post("/counter/standar/sktm", data=form).status_code == 302
    client.post("/counter/logout")
    login("camat")
    resp = client.post("/counter/standar/sktm/tetapkan",
                       data={"version": "1", "decree_number": "100.3.3.2/9/406.07/2026", "decree_date": "2026-11-20"})
    assert resp.status_code == 302
    client.post("/counter/logout")
    page = text_of(client.get("/informasi/layanan/sktm"))
    assert "Gratis, tanpa pungutan apa pun" in page and "Belum ditetapkan" not in page
    assert "Nomor 100.3.3.2/9/406.07/2026 tanggal 20 November 2026" in page


def test_public_pages_hold_no_personal_data(client, desk_with_a_citizen):
    for url in ("/informasi/", "/informasi/layanan/ktp", "/informasi/maklumat"):
        page = text_of(client.get(url))
        assert desk_with_a_citizen["name"] not in page and desk_with_a_citizen["nik"] not in page


@pytest.fixture
def desk_with_a_citizen(app, app_staff):
    """A ticket whose applicant gave a name and NIK at the desk."""
    from sqlalchemy import select

    from antrean.shared.services.desk import Actor
    from antrean.shared.store.models import User

    desk = app.extensions["antrean"]
    citizen = {"name": "Siti Rahayu Wulandari", "nik": "3503124507540001"}
    t = desk.issue_ticket("ktp")
    with desk.sessions() as s:
        actor = Actor.of(s.scalar(select(User).where(User.username == "pelayanan1")))
    desk.call_next(actor)
    desk.complete_step(actor, t["id"], 2, applicant=citizen)
    return citizen


def pdf_text(body: bytes, tmp_path) -> str:
    need(bool(shutil.which("pdftotext") and shutil.which("pdftoppm")),
         "pdftoppm/pdftotext (Debian poppler-utils) are not installed: scripts/install.sh --test")
    path = tmp_path / "poster.pdf"
    path.write_bytes(body)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 1000  # it renders
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_the_service_poster_is_an_a4_pdf_with_the_letterhead_and_six_components(client, tmp_path):
    resp = client.get("/informasi/layanan/sktm/poster.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = pdf_text(resp.data, tmp_path)
    for expected in ("PEMERINTAH KABUPATEN TRENGGALEK", "KECAMATAN KAMPAK", "Jl. Raya Kampak", "STANDAR PELAYANAN",
                     "Rekomendasi SKTM", "Tidak dipungut biaya", "BELUM DITETAPKAN", "www.lapor.go.id",
                     "/informasi/layanan/sktm", "Persyaratan", "Produk pelayanan"):
        assert expected in text, expected
    info = subprocess.run(["pdfinfo", "-"], input=resp.data, capture_output=True, check=True).stdout.decode()
    assert "595.276 x 841.89 pts (A4)" in info


def test_the_maklumat_poster_carries_the_adoption_date_in_indonesian(client, login, tmp_path):
    from antrean.shared.services import standards

    desk = client.application.extensions["antrean"]
    login("admin")
    resp = client.post("/counter/standar/maklumat", data={**standards.maklumat(desk).draft,
                                                          "signatory_name": "Drs. Budi Santoso"})
    assert resp.status_code == 302
    client.post("/counter/logout")
    login("camat")
    assert client.post("/counter/standar/maklumat/tetapkan",
                       data={"version": "1", "decree_date": "2026-11-02"}).status_code == 302
    text = pdf_text(client.get("/informasi/maklumat/poster.pdf").data, tmp_path)
    for expected in ("MAKLUMAT PELAYANAN", "sanggup menyelenggarakan pelayanan", "Kampak, 2 November 2026",
                     "CAMAT KAMPAK", "Drs. Budi Santoso", "/informasi/maklumat"):
        assert expected in text, expected
    page = text_of(client.get("/informasi/maklumat"))
    assert "Drs. Budi Santoso" in page and rules.MAKLUMAT_TEXT in page


def test_the_kiosk_carries_each_services_standard_and_the_status_page_links_to_it(client):
    import json
    import re

    page = text_of(client.get("/kiosk/"))
    info = json.loads(re.search(r'<script id="kiosk-services" type="application/json">(.*?)</script>', page,
                                re.S).group(1))
    sktm = info["sktm"]
    assert [c["label"] for c in sktm["standard"]] == list(SIX) and sktm["adopted"] is False
    assert sktm["standard"][3]["text"] == "Tidak dipungut biaya" and sktm["info_url"] == "http://localhost/informasi/layanan/sktm"
    assert 'id="confirm-info"' in page
    ticket = client.post("/api/v1/tickets", json={"service": "sktm"}).get_json()
    status = text_of(client.get(f"/kiosk/t/{ticket['public_id']}"))
    assert 'href="/informasi/layanan/sktm"' in status and "https://www.lapor.go.id" in status


def test_the_coming_holidays_are_listed_in_the_citizens_language(client, app, app_staff):
    from antrean.shared.services import administration
    from antrean.shared.services.errors import Actor

    desk = app.extensions["antrean"]
    admin = Actor(None, "cli", frozenset({"admin"}))
    # today is 24 November 2026 (the test clock): a past holiday is not listed, the coming ones are
    administration.update_office(desk, admin, {"holidays": "2026-11-02\n2026-12-25\n2027-01-01"})
    page = text_of(client.get("/informasi/"))
    assert "Jumat, 25 Desember 2026" in page and "Jumat, 1 Januari 2027" in page and "2 November" not in page
    assert "Friday, 25 December 2026" in text_of(client.get("/informasi/?lang=en"))
