"""SKM results on the web: the survey form's optional profile, the staff page (periods, follow-up log,
publication) and its roles, the public results page without login and without personal data, and the PDF
report in the regulation's layout read back with pdftotext."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.support.pdf import pdf_pages_and_text

CITIZEN = {"name": "Siti Rahayu Wulandari", "nik": "3503124507540001"}
PERSON = "Bapak Kasi Pelayanan Sugeng"  # a person responsible typed with a name: never on the public page


def scores(default: int, **override: int) -> dict[str, int]:
    return {**{f"u{i}": default for i in range(1, 10)}, **override}


def staff_actor(desk, username):
    from antrean.shared.services.desk import Actor
    from antrean.shared.store.models import User

    with desk.sessions() as s:
        return Actor.of(s.scalar(select(User).where(User.username == username)))


def served_ticket(desk):
    """A ktp ticket whose applicant gave a name and NIK and which ended with TMS at verification."""
    t = desk.issue_ticket("ktp")
    clerk = staff_actor(desk, "pelayanan1")
    desk.call_next(clerk)
    desk.complete_step(clerk, t["id"], 2, applicant=CITIZEN)
    desk.complete_step(staff_actor(desk, "verifikasi"), t["id"], 3, decision="TMS", missing=["Kartu Keluarga (KK)"])
    return t


@pytest.fixture
def answered(app, app_staff, clock):
    """Five citizens served, four answered (NRR u1-u8 3.00, u3 2.75, u9 2.50; IKM x 25 = 72.92, C)."""
    from antrean.shared.services import survey

    desk = app.extensions["antrean"]
    tickets = [served_ticket(desk) for _ in range(5)]
    answers = [(scores(4), {"sex": "L", "education": "slta"}), (scores(3), {"sex": "P"}),
               (scores(3, u9=1), {"sex": "P", "age_group": "60+"}), (scores(2, u3=1), {})]
    for t, (a, p) in zip(tickets, answers, strict=False):
        survey.submit(desk.sessions, t["public_id"], a, profile=p, clock=clock)
    return desk


def text_of(resp) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", resp.get_data(as_text=True)))


# -- the survey form -------------------------------------------------------------------------------------


def test_survey_form_offers_the_profile_optional_and_refuses_unknown_choices(client, app, app_staff, clock):
    from antrean.shared.store.models import SurveyResponse

    desk = app.extensions["antrean"]
    first, second = served_ticket(desk), served_ticket(desk)
    url = f"/kiosk/survei/{first['public_id']}"
    page = client.get(url).get_data(as_text=True)
    assert "Tentang Anda (opsional)" in page
    for name in ("sex", "age_group", "education", "occupation"):
        assert re.search(rf'<select name="{name}"', page) and "required" not in page.split(f'name="{name}"')[1][:40]
    assert "SD ke bawah" in page and "D4-S1" in page and "Wirausaha" in page and "60 tahun ke atas" in page
    form = {k: str(v) for k, v in scores(3).items()}
    bad = client.post(url, data={**form, "sex": "X", "education": "slta"}).get_data(as_text=True)
    assert "Pilihan tentang Anda tidak dikenal: pilih dari daftar atau biarkan kosong." in bad
    assert 'value="slta" selected' in bad and 'name="u1" value="3" required\n          checked' in bad  # nothing lost
    assert 'id="survey-thanks"' in client.post(url, data={**form, "sex": "P", "occupation": "wirausaha"}).get_data(
        as_text=True)
    # and with nothing about the respondent at all
    assert 'id="survey-thanks"' in client.post(f"/kiosk/survei/{second['public_id']}", data=form).get_data(
        as_text=True)
    with desk.sessions() as s:
        rows = s.scalars(select(SurveyResponse).order_by(SurveyResponse.id)).all()
    assert [(r.sex, r.education, r.occupation, r.age_group) for r in rows] == [
        ("P", None, "wirausaha", None), (None, None, None, None)]


# -- the staff page --------------------------------------------------------------------------------------


def test_staff_page_shows_the_periods_figures_and_who_may_do_what(client, login, answered):
    for user in ("pelayanan1", "register"):
        login(user)
        assert client.get("/counter/skm/?periode=2026-S2").status_code == 403
        client.post("/counter/logout")
    login("camat")
    page = client.get("/counter/skm/?periode=2026-S2")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Semester II 2026" in html
    assert '<b id="skm-value">72.92</b>' in html and "mutu C (Kurang Baik)" in html
    assert '<b id="skm-respondents">4</b>' in html and "sampel minimum 5 (populasi 5 layanan selesai)" in html
    assert 'id="skm-sample-warning"' in html
    assert re.search(r'data-element="u9" class="weak"><td>U9 Sarana dan prasarana</td><td>2.50</td>', html)
    assert 'id="followup-form"' not in html and 'id="skm-publish"' not in html  # the Camat reads only
    assert client.post("/counter/skm/tindak-lanjut?periode=2026-S2", data={"plan": "x"}).status_code == 403
    assert client.post("/counter/skm/terbitkan?periode=2026-S2").status_code == 403
    assert client.get("/counter/skm/?periode=2026-S9").status_code == 400
    client.post("/counter/logout")

    login("kasi")
    bad = client.post("/counter/skm/tindak-lanjut?periode=2026-S2",
                      data={"plan": "", "responsible": "", "due_date": "besok", "status": "selesai"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Tuliskan rencana tindak lanjut." in text
    assert "Pilih satu atau beberapa unsur SKM" in text and "Tanggal target tidak valid (TTTT-BB-HH)." in text
    assert "Isi tanggal selesai untuk tindak lanjut yang selesai." in text
    good = client.post("/counter/skm/tindak-lanjut?periode=2026-S2",
                       data={"plan": "Perbaiki kursi ruang tunggu", "elements": ["u9", "u3"], "responsible": PERSON,
                             "due_date": "2027-01-31", "status": "rencana"}, follow_redirects=True)
    html = good.get_data(as_text=True)
    assert "Rencana tindak lanjut disimpan." in html and "Perbaiki kursi ruang tunggu" in html
    assert "Belum ada yang selesai dari 1 rencana." in html
    assert re.search(r'<td>U3, U9</td><td>Bapak Kasi Pelayanan Sugeng</td>\s*<td>31-01-2027</td><td>Direncanakan</td>',
                     html)
    followup_id = re.search(r'data-followup="(\d+)"', html).group(1)
    edit = client.get(f"/counter/skm/tindak-lanjut/{followup_id}").get_data(as_text=True)
    assert 'value="2027-01-31"' in edit and 'value="u9" checked' in edit


def test_followup_done_is_reported_with_share_and_days(client, login, answered, clock):
    login("kasi")
    data = {"plan": "Pasang papan alur", "elements": ["u2"], "responsible": "Kasi Pelayanan",
            "due_date": "2027-01-31", "status": "rencana"}
    client.post("/counter/skm/tindak-lanjut?periode=2026-S2", data=data)
    client.post("/counter/skm/tindak-lanjut?periode=2026-S2", data={**data, "plan": "Pelatihan petugas"})
    clock.now = datetime(2027, 1, 20, 3, 0, tzinfo=UTC)
    html = client.get("/counter/skm/?periode=2026-S2").get_data(as_text=True)
    first = re.search(r'data-followup="(\d+)"', html).group(1)
    done = client.post(f"/counter/skm/tindak-lanjut/{first}", data={**data, "status": "selesai",
                                                                    "done_date": "2027-01-10"}, follow_redirects=True)
    text = text_of(done)
    # 10 days after the period's end (31 Dec), 47 days after the plan was written (24 Nov)
    assert "Selesai 1 dari 2 (50.0%), tepat waktu 1; rata-rata 10.0 hari sejak akhir periode, 47.0 hari sejak " \
           "rencana dibuat." in text
    wrong = client.post(f"/counter/skm/tindak-lanjut/{first}", data={**data, "status": "rencana",
                                                                     "done_date": "2027-01-10"})
    assert wrong.status_code == 400 and "Tanggal selesai hanya untuk tindak lanjut berstatus selesai." in \
        wrong.get_data(as_text=True)


# -- the public page -------------------------------------------------------------------------------------


def test_public_results_page_without_login_and_without_personal_data(client, login, answered):
    assert "Hasil survei belum diterbitkan." in text_of(client.get("/informasi/skm"))
    assert client.get("/informasi/skm/laporan.pdf").status_code == 404
    assert 'href="/informasi/skm"' in client.get("/informasi/").get_data(as_text=True)
    login("kasi")
    client.post("/counter/skm/tindak-lanjut?periode=2026-S2",
                data={"plan": "Perbaiki kursi ruang tunggu", "elements": ["u9"], "responsible": PERSON,
                      "due_date": "2027-01-31", "status": "proses"})
    client.post("/counter/skm/terbitkan?periode=2026-S2")
    client.post("/counter/logout")
    resp = client.get("/informasi/skm")
    assert resp.status_code == 200
    text = text_of(resp)
    assert "Semester II 2026" in text and "72.92" in text and "Mutu C · Kurang Baik" in text
    assert "4 responden (sampel minimum 5 dari 5 layanan selesai)." in text
    assert "Sarana dan prasarana 2.50" in text and "Waktu penyelesaian 2.75" in text
    assert "Perbaiki kursi ruang tunggu" in text and "Dalam proses" in text and "0 dari 1 rencana selesai." in text
    for private in (CITIZEN["name"], CITIZEN["nik"], PERSON, "Sugeng", "Laki-laki"):
        assert private not in text, private
    assert client.get("/informasi/skm/laporan.pdf").status_code == 200
    english = text_of(client.get("/informasi/skm?lang=en"))
    assert "72.92" in english and "Grade C · Poor" in english and "Facilities 2.50" in english
    assert "Sarana dan prasarana" not in english


# -- the PDF report --------------------------------------------------------------------------------------


def test_pdf_report_in_the_regulations_layout(client, login, answered, tmp_path):
    login("kasi")
    client.post("/counter/skm/tindak-lanjut?periode=2026-S2",
                data={"plan": "Ganti kursi tunggu", "elements": ["u9"], "responsible": "Kasi Pelayanan",
                      "due_date": "2027-01-31", "status": "rencana"})
    resp = client.get("/counter/skm/laporan.pdf?periode=2026-S2")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    pages, text = pdf_pages_and_text(resp.data, tmp_path)
    assert pages and all(p.stat().st_size > 5000 for p in pages)  # every page renders
    flat = re.sub(r"\s+", " ", text)
    for expected in ("PEMERINTAH KABUPATEN TRENGGALEK", "KECAMATAN KAMPAK", "LAPORAN HASIL SURVEI KEPUASAN MASYARAKAT",
                     "Semester II 2026", "1 Juli 2026 s.d. 31 Desember 2026", "4 orang (belum memenuhi sampel minimum)",
                     "5 orang (tabel Krejcie dan Morgan", "Jumlah NRR tertimbang (IKM) 2,917",
                     "IKM unit pelayanan (konversi: IKM x 25) 72,92", "Mutu pelayanan C",
                     "Kinerja unit pelayanan Kurang Baik", "Unsur dengan nilai terendah: Sarana dan prasarana (2,50); "
                     "Waktu penyelesaian (2,75); Persyaratan (3,00).", "Selesai 0 dari 1 rencana (0,0%); tepat waktu 0.",
                     "Kampak, 24 November 2026 CAMAT KAMPAK"):
        assert expected in flat, expected
    assert re.search(r"9 Sarana dan prasarana 2,50 0,278", flat) and re.search(r"3 Waktu penyelesaian 2,75 0,306", flat)
    assert re.search(r"Jenis kelamin Laki-laki 1 25,0%", flat) and re.search(r"Perempuan 2 50,0%", flat)
    assert re.search(r"Pendidikan SD ke bawah 0 0,0%", flat) and re.search(r"SLTA 1 25,0%", flat)
    assert re.search(r"1 +Ganti kursi tunggu +Sarana dan +Kasi Pelayanan +31-01-2027 +Direncanakan +-", text)
    assert CITIZEN["name"] not in flat and CITIZEN["nik"] not in flat
    login("pelayanan1")
    assert client.get("/counter/skm/laporan.pdf?periode=2026-S2").status_code == 403


def test_the_public_pdf_leaves_out_the_person_responsible(client, login, answered, tmp_path):
    login("kasi")
    client.post("/counter/skm/tindak-lanjut?periode=2026-S2",
                data={"plan": "Ganti kursi tunggu", "elements": ["u9"], "responsible": PERSON,
                      "due_date": "2027-01-31", "status": "rencana"})
    client.post("/counter/skm/terbitkan?periode=2026-S2")
    staff_copy = pdf_pages_and_text(client.get("/counter/skm/laporan.pdf?periode=2026-S2").data, tmp_path)[1]
    assert "Sugeng" in staff_copy
    client.post("/counter/logout")
    resp = client.get("/informasi/skm/laporan.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    public = tmp_path / "public"
    public.mkdir()
    pages, text = pdf_pages_and_text(resp.data, public)
    flat = re.sub(r"\s+", " ", text)
    assert pages and "IKM unit pelayanan (konversi: IKM x 25) 72,92" in flat and "Mutu pelayanan C" in flat
    assert re.search(r"1 +Ganti kursi tunggu +Sarana dan prasarana +31-01-2027 +Direncanakan", text)
    for private in ("Penanggung", "Sugeng", CITIZEN["name"], CITIZEN["nik"]):
        assert private not in flat, private
