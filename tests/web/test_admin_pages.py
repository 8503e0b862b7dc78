"""Administration pages: only the admin role; forms change the kiosk at once; a bad form is shown again
with the administrator's input and a clear message, and changes nothing."""
import io

import yaml
from PIL import Image

from tests.support.staff_pages import service_form


def exported(client) -> dict:
    resp = client.get("/counter/admin/catalogue.yaml")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    return yaml.safe_load(resp.get_data(as_text=True))


def kiosk_services(client) -> dict:
    return {s["code"]: s for s in client.get("/api/v1/services").get_json()["services"]}


def test_administration_needs_the_admin_role(client, login):
    for url in ("/counter/admin/", "/counter/admin/office", "/counter/admin/services/ektp",
                "/counter/admin/users", "/counter/admin/catalogue.yaml"):
        assert client.get(url).status_code == 302, url  # anonymous: to the login page
    login("kasi")
    for url in ("/counter/admin/", "/counter/admin/services", "/counter/admin/lokets"):
        assert client.get(url).status_code == 403, url
    assert client.post("/counter/admin/services/ektp/delete").status_code == 403
    assert "ektp" in kiosk_services(client)


def test_every_admin_page_renders(client, login):
    login("admin")
    for url, marker in [("/counter/admin/", "catalogue-source"), ("/counter/admin/office", "office-form"),
                        ("/counter/admin/services", "Perekaman e-KTP"), ("/counter/admin/services/ektp", "service-form"),
                        ("/counter/admin/services/new", "Layanan baru"), ("/counter/admin/lokets", "new-loket"),
                        ("/counter/admin/users", "pelayanan1"), ("/counter/admin/users/new", "user-form")]:
        resp = client.get(url)
        assert resp.status_code == 200 and marker in resp.get_data(as_text=True), url


def test_edit_a_step_and_the_kiosk_shows_it_at_once(client, login):
    login("admin")
    svc = next(s for s in exported(client)["services"] if s["code"] == "ahli_waris")
    form = service_form(svc)
    form["steps-2-minutes"] = "12"
    form["requirements"] += "\nSurat pernyataan ahli waris bermeterai"
    resp = client.post("/counter/admin/services/ahli_waris", data=form)
    assert resp.status_code == 302
    kiosk = kiosk_services(client)["ahli_waris"]
    assert kiosk["steps"][2]["minutes"] == 12
    assert "Surat pernyataan ahli waris bermeterai" in kiosk["requirements"]
    page = client.get("/counter/admin/").get_data(as_text=True)
    assert "versi 1" in page and "ubah layanan ahli_waris" in page


def test_a_bad_edit_is_shown_again_with_the_input_and_changes_nothing(client, login):
    login("admin")
    svc = next(s for s in exported(client)["services"] if s["code"] == "ahli_waris")
    form = service_form(svc)
    form["name"] = "Surat Keterangan Ahli Waris (baru)"
    form["steps-3-minutes"] = "lima"
    resp = client.post("/counter/admin/services/ahli_waris", data=form)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "Perubahan ditolak" in page and "minutes" in page
    assert 'value="Surat Keterangan Ahli Waris (baru)"' in page and 'value="lima"' in page  # nothing typed is lost
    assert kiosk_services(client)["ahli_waris"]["name"] == svc["name"]


def test_add_a_step_from_a_blank_row_and_remove_another(client, login):
    login("admin")
    svc = next(s for s in exported(client)["services"] if s["code"] == "sktm")
    form = service_form(svc)
    n = len(svc["steps"])
    form.update({f"steps-{n}-order": "4.5", f"steps-{n}-activity": "Cek data DTKS", f"steps-{n}-actor": "pengolah_data",
                 f"steps-{n}-kind": "process", f"steps-{n}-minutes": "3"})
    form["steps-4-delete"] = "1"
    assert client.post("/counter/admin/services/sktm", data=form).status_code == 302
    steps = kiosk_services(client)["sktm"]["steps"]
    assert [s["number"] for s in steps] == list(range(1, n + 1))
    assert steps[4]["activity"] == "Cek data DTKS" and steps[4]["actor"] == "pengolah_data"
    assert svc["steps"][4]["activity"] not in [s["activity"] for s in steps]


def test_new_service_reaches_the_kiosk_and_issues_tickets(client, login):
    login("admin")
    ktp = next(s for s in exported(client)["services"] if s["code"] == "ktp")
    form = service_form({**ktp, "code": "legalisir_kk", "name": "Legalisir Kartu Keluarga", "prefix": "L",
                         "name_en": "", "source": ""})
    assert client.post("/counter/admin/services/new", data=form).status_code == 302
    assert kiosk_services(client)["legalisir_kk"]["name"] == "Legalisir Kartu Keluarga"
    ticket = client.post("/api/v1/tickets", json={"service": "legalisir_kk"}).get_json()
    assert ticket["number"] == "L001"
    again = client.post("/counter/admin/services/new", data=form)
    assert again.status_code == 400 and "sudah dipakai" in again.get_data(as_text=True)


def test_delete_a_service(client, login):
    login("admin")
    assert client.post("/counter/admin/services/bepergian/delete").status_code == 302
    assert "bepergian" not in kiosk_services(client)
    assert client.post("/api/v1/tickets", json={"service": "bepergian"}).status_code == 404


def test_office_profile_form(client, login):
    login("admin")
    page = client.get("/counter/admin/office").get_data(as_text=True)
    assert 'value="Kecamatan Kampak"' in page
    form = {"name": "Kecamatan Dongko", "regency": "Kabupaten Trenggalek", "code": "406.08",
            "address": "Jl. Raya Dongko", "phone": "0355-1", "postal": "66363", "timezone": "Asia/Jakarta",
            "agenda_format": "{kode}/{urut:03d}/{kantor}/{tahun}", "agenda_code": "470", "limit_hours": "1",
            "hours-mon": "07:30-15:30", "hours-fri": "07:30-11:00", "holidays": "2026-12-25",
            "last_ticket_minutes": "15", "quota-ektp": "30"}
    assert client.post("/counter/admin/office", data=form).status_code == 302
    assert "Kecamatan Dongko" in client.get("/kiosk/").get_data(as_text=True)
    office = exported(client)["office"]
    assert office["hours"]["fri"] == "07:30-11:00" and office["hours"]["tue"] == "closed"
    assert office["quotas"] == {"ektp": 30} and office["holidays"] == ["2026-12-25"]

    bad = client.post("/counter/admin/office", data={**form, "name": "Kecamatan Baru", "hours-mon": "16:00-07:00"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Jam layanan tidak sah" in text
    assert 'value="Kecamatan Baru"' in text and 'value="16:00-07:00"' in text
    assert exported(client)["office"]["name"] == "Kecamatan Dongko"


def test_export_and_import_a_catalogue_file(client, login):
    login("admin")
    data = exported(client)
    data["office"]["name"] = "Kecamatan Bendungan"
    data["services"] = data["services"][:3]
    body = yaml.safe_dump(data, allow_unicode=True).encode()
    resp = client.post("/counter/admin/catalogue/import", data={"file": (io.BytesIO(body), "bendungan.yaml")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "diimpor sebagai versi 1" in resp.get_data(as_text=True)
    assert len(kiosk_services(client)) == 3
    broken = yaml.safe_dump({**data, "services": [{**data["services"][0], "prefix": "a1"}]}).encode()
    resp = client.post("/counter/admin/catalogue/import", data={"file": (io.BytesIO(broken), "rusak.yaml")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "Perubahan ditolak" in resp.get_data(as_text=True) and "huruf awalan (prefix)" in resp.get_data(as_text=True)
    assert len(kiosk_services(client)) == 3
    # back to the first version through the history
    client.post("/counter/admin/catalogue/restore", data={"version": "1"})
    assert exported(client)["office"]["name"] == "Kecamatan Bendungan"


def test_lokets_and_users_forms(client, login, app_staff):
    login("admin")
    assert client.post("/counter/admin/lokets", data={"number": "4", "name": "Loket OSS", "groups": ["perizinan"],
                                                      "active": "1"}).status_code == 302
    assert "Loket OSS" in client.get("/counter/admin/lokets").get_data(as_text=True)
    dup = client.post("/counter/admin/lokets", data={"number": "4", "name": "Lagi", "active": "1"})
    assert dup.status_code == 400 and "sudah ada" in dup.get_data(as_text=True)

    resp = client.post("/counter/admin/users/new", data={"username": "rina", "full_name": "Rina", "roles": ["camat"],
                                                         "active": "1", "password": "kata-sandi-rina"})
    assert resp.status_code == 302
    client.post("/counter/logout")
    assert client.post("/counter/login", data={"username": "rina", "password": "kata-sandi-rina"}).status_code == 302
    assert client.get("/counter/admin/").status_code == 403  # a Camat, not an administrator


def test_logo_upload_shows_on_the_display(client, login):
    login("admin")
    img = io.BytesIO()
    Image.new("RGB", (800, 800), "navy").save(img, "PNG")
    client.post("/counter/admin/logo", data={"logo": (io.BytesIO(img.getvalue()), "logo.png")},
                content_type="multipart/form-data")
    assert 'class="logo"' in client.get("/display/").get_data(as_text=True)
    assert 'class="kiosk-logo"' in client.get("/kiosk/").get_data(as_text=True)
    logo = client.get("/display/logo")
    assert logo.status_code == 200 and Image.open(io.BytesIO(logo.data)).size == (512, 512)
    resp = client.post("/counter/admin/logo", data={"logo": (io.BytesIO(b"not an image"), "x.png")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "bukan gambar" in resp.get_data(as_text=True)


def test_names_page_renames_a_group_on_the_kiosk(client, login):
    login("admin")
    page = client.get("/counter/admin/names").get_data(as_text=True)
    assert 'value="Administrasi Kependudukan"' in page and 'value="kasi_pelayanan"' in page
    form = {}
    for kind in ("groups", "actors"):
        for i, (code, name) in enumerate(exported(client)[kind].items()):
            form[f"{kind}-{i}-code"], form[f"{kind}-{i}-name"] = code, name
    form["groups-0-name"] = "Adminduk"
    n = len(exported(client)["actors"])
    form[f"actors-{n}-code"], form[f"actors-{n}-name"] = "kasi_trantib", "Kasi Trantib"
    assert client.post("/counter/admin/names", data=form).status_code == 302
    assert ">Adminduk<" in client.get("/kiosk/").get_data(as_text=True)
    assert "Kasi Trantib" in client.get("/counter/admin/users/new").get_data(as_text=True)
    form["groups-1-delete"] = "1"  # surat_keterangan is still used by services
    bad = client.post("/counter/admin/names", data=form)
    assert bad.status_code == 400 and "surat_keterangan" in bad.get_data(as_text=True)


def test_editing_the_complaints_service_keeps_its_anonymity_and_forms(client, login):
    login("admin")
    page = client.get("/counter/admin/services/pengaduan").get_data(as_text=True)
    assert 'name="anonymous" value="1" checked' in page
    assert '<option value="complaint" selected>' in page and '<option value="outcome" selected>' in page
    service = next(s for s in exported(client)["services"] if s["code"] == "pengaduan")
    form = service_form(service)
    form["name"] = "Pengaduan Masyarakat"
    assert client.post("/counter/admin/services/pengaduan", data=form).status_code == 302
    saved = next(s for s in exported(client)["services"] if s["code"] == "pengaduan")
    assert saved["name"] == "Pengaduan Masyarakat" and saved["anonymous"] is True
    assert [st.get("form", "") for st in saved["steps"]] == ["", "complaint", "", "", "outcome", ""]
    del form["anonymous"]  # the administrator unticks it: the applicant must give a name and NIK again
    assert client.post("/counter/admin/services/pengaduan", data=form).status_code == 302
    assert "anonymous" not in next(s for s in exported(client)["services"] if s["code"] == "pengaduan")
