"""The Standar Pelayanan and Maklumat pages: the administrator edits (each save a version), the Camat adopts
with the decree's number and date; other staff get 403, anonymous users go to the login page; a bad form
comes back with the input and an Indonesian message, and saves nothing."""
from antrean.shared.services import standards


def draft(client, code="ktp") -> dict:
    return standards.standing(client.application.extensions["antrean"], code).draft


def test_only_the_administrator_and_the_camat_reach_the_pages(client, login):
    for url in ("/counter/standar/", "/counter/standar/ktp", "/counter/standar/maklumat"):
        assert client.get(url).status_code == 302, url  # to the login page
    login("kasi")
    for url in ("/counter/standar/", "/counter/standar/ktp", "/counter/standar/maklumat"):
        assert client.get(url).status_code == 403, url
    assert client.post("/counter/standar/ktp", data=draft(client)).status_code == 403
    assert client.post("/counter/standar/ktp/tetapkan", data={"version": "1"}).status_code == 403
    client.post("/counter/logout")
    login("camat")
    page = client.get("/counter/standar/ktp").get_data(as_text=True)
    assert "readonly" in page and "Simpan sebagai versi baru" not in page
    assert client.post("/counter/standar/ktp", data=draft(client)).status_code == 403  # the Camat does not edit
    client.post("/counter/logout")
    login("admin")
    assert client.post("/counter/standar/ktp/tetapkan", data={"version": "1", "decree_number": "1",
                                                              "decree_date": "2026-11-20"}).status_code == 403
    assert standards.standing(client.application.extensions["antrean"], "ktp").history == []


def test_the_admin_saves_versions_and_the_camat_adopts_one(client, login):
    desk = client.application.extensions["antrean"]
    login("admin")
    page = client.get("/counter/standar/").get_data(as_text=True)
    assert "Perekaman e-KTP" in page and "Maklumat Pelayanan" in page and page.count("belum ditetapkan") >= 23
    form = client.get("/counter/standar/ktp").get_data(as_text=True)
    assert "Tidak dipungut biaya" in form and "Sarjana, Diploma, Minimal SLTA sederajat" in form
    assert form.count("<textarea") == 14
    resp = client.post("/counter/standar/ktp", data={**draft(client), "jumlah_pelaksana": "4 orang", "note": "awal"})
    assert resp.status_code == 302
    resp = client.post("/counter/standar/ktp", data={**draft(client), "jumlah_pelaksana": "5 orang"},
                       follow_redirects=True)
    assert "disimpan sebagai versi 2" in resp.get_data(as_text=True)
    client.post("/counter/logout")
    login("camat")
    bad = client.post("/counter/standar/ktp/tetapkan", data={"version": "1", "decree_number": "",
                                                             "decree_date": "2026-11-20"})
    assert bad.status_code == 400 and "Nomor Keputusan Camat wajib diisi." in bad.get_data(as_text=True)
    future = client.post("/counter/standar/ktp/tetapkan", data={"version": "1", "decree_number": "12/2026",
                                                                "decree_date": "2027-01-01"})
    assert future.status_code == 400 and "tidak boleh sesudah hari ini" in future.get_data(as_text=True)
    assert client.post("/counter/standar/ktp/tetapkan", data={"version": "7", "decree_number": "12",
                                                              "decree_date": "2026-11-20"}).status_code == 404
    resp = client.post("/counter/standar/ktp/tetapkan", data={"version": "1", "decree_number": "100.3.3.2/12/2026",
                                                              "decree_date": "2026-11-20"}, follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "ditetapkan dan dipublikasikan" in page and "100.3.3.2/12/2026" in page
    st = standards.standing(desk, "ktp")
    assert st.adopted.version == 1 and st.published["jumlah_pelaksana"] == "4 orang"
    assert st.latest.version == 2  # the newer draft waits for its own adoption


def test_a_bad_form_comes_back_with_the_input_and_saves_nothing(client, login):
    login("admin")
    form = {**draft(client), "biaya": "", "persyaratan": "Kartu Keluarga asli (tulisan saya)",
            "jumlah_pelaksana": "sepuluh"}
    resp = client.post("/counter/standar/ktp", data=form)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "Biaya/tarif wajib diisi." in page and "Jumlah pelaksana diawali angka" in page
    assert "Kartu Keluarga asli (tulisan saya)" in page  # nothing typed is lost
    assert standards.standing(client.application.extensions["antrean"], "ktp").history == []


def test_the_maklumat_is_edited_and_adopted(client, login):
    desk = client.application.extensions["antrean"]
    login("admin")
    page = client.get("/counter/standar/maklumat").get_data(as_text=True)
    assert "sanggup menyelenggarakan pelayanan" in page and "Camat Kampak" in page
    bad = client.post("/counter/standar/maklumat", data={**standards.maklumat(desk).draft, "signatory_name": ""})
    assert bad.status_code == 400 and "Nama penandatangan wajib diisi" in bad.get_data(as_text=True)
    ok = client.post("/counter/standar/maklumat", data={**standards.maklumat(desk).draft,
                                                        "signatory_name": "Drs. Budi Santoso"})
    assert ok.status_code == 302
    client.post("/counter/logout")
    login("camat")
    assert client.post("/counter/standar/maklumat/tetapkan", data={"version": "1", "decree_date": "kemarin"}
                       ).status_code == 400
    assert client.post("/counter/standar/maklumat/tetapkan", data={"version": "1", "decree_date": "2026-11-23"}
                       ).status_code == 302
    assert standards.maklumat(desk).adopted.version == 1
    assert standards.maklumat(desk).published["signatory_name"] == "Drs. Budi Santoso"


def test_the_admin_pages_link_to_the_standards(client, login):
    login("admin")
    assert 'href="/counter/standar/"' in client.get("/counter/admin/").get_data(as_text=True)


def test_the_camat_finds_the_standards_from_the_reports(client, login):
    login("camat")
    assert 'href="/counter/standar/"' in client.get("/counter/reports/").get_data(as_text=True)
    client.post("/counter/logout")
    login("kasi")  # sees the reports, not the standards
    assert 'href="/counter/standar/"' not in client.get("/counter/reports/").get_data(as_text=True)


def test_a_save_refused_by_a_simultaneous_one_keeps_the_input(client, login, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    def always_refused(*args):
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    login("admin")
    monkeypatch.setattr(standards, "_insert", always_refused)
    resp = client.post("/counter/standar/ktp", data={**draft(client), "biaya": "Gratis (ketikan saya)"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 409 and "coba simpan lagi" in page and "Gratis (ketikan saya)" in page
