"""The evaluator's pack page and its two downloads: who may open it (the reporting roles; a clerk gets
403), the XLSX read back with openpyxl (one sheet per table, the right headers and values) and the PDF
rendered with pdftoppm and read with pdftotext (letterhead, contents, each PEKPPP section heading and
its key figures, page numbers; no complainant's name or NIK)."""
import io
import shutil
import subprocess
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from antrean.shared.services.desk import Actor
from antrean.shared.store.models import User
from tests.support.env import need
from tests.support.factories import NIK, SKTM_DECREE, evaluation_day, evaluation_followups

QUERY = "start=2026-11-24&end=2026-11-24"


@pytest.fixture
def day(app, app_staff, clock):
    d = app.extensions["antrean"]
    with d.sessions() as s:
        staff = {u.username: Actor.of(u) for u in s.scalars(select(User))}
    tickets = evaluation_day(d, staff, clock)
    evaluation_followups(d, staff, clock)
    return tickets


def test_the_page_is_for_the_reporting_roles_only(client, login):
    assert client.get("/counter/reports/evaluasi").status_code == 302  # anonymous: to the login
    login("pelayanan1")
    assert client.get("/counter/reports/evaluasi").status_code == 403
    assert client.get(f"/counter/reports/evaluasi/paket.pdf?{QUERY}").status_code == 403
    assert client.get(f"/counter/reports/evaluasi/paket.xlsx?{QUERY}").status_code == 403
    for username in ("kasi", "sekcam", "camat", "admin"):
        login(username)
        page = client.get("/counter/reports/evaluasi")
        assert page.status_code == 200, username
    html = page.get_data(as_text=True)
    # no period chosen: the current semester (the clock is 24 November 2026); the shortcuts offer the others
    assert 'name="start" value="2026-07-01"' in html and 'name="end" value="2026-12-31"' in html
    shortcuts = html.split('id="pack-shortcuts"')[1].split("</p>")[0]
    assert "Semester II 2026" in shortcuts and "start=2026-01-01&amp;end=2026-06-30" in shortcuts
    assert "Tahun 2025" in shortcuts and "start=2025-01-01&amp;end=2025-12-31" in shortcuts
    assert 'id="pack-pdf"' in html and 'id="pack-xlsx"' in html
    assert "Paket evaluasi" in html.split('id="staff-menu"')[1].split("</nav>")[0]  # in the staff menu
    report = client.get("/counter/reports/?start=2026-11-01&end=2026-11-30").get_data(as_text=True)
    assert 'href="/counter/reports/evaluasi?start=2026-11-01&amp;end=2026-11-30" id="to-evaluation-pack"' in report
    chosen = client.get("/counter/reports/evaluasi?start=2026-11-01&end=2026-11-30").get_data(as_text=True)
    assert 'name="start" value="2026-11-01"' in chosen and 'name="end" value="2026-11-30"' in chosen
    assert client.get("/counter/reports/evaluasi?start=bad").status_code == 400
    assert client.get("/counter/reports/evaluasi/paket.doc").status_code == 404


def test_the_xlsx_has_one_sheet_per_table(client, login, day):
    login("camat")
    resp = client.get(f"/counter/reports/evaluasi/paket.xlsx?{QUERY}")
    assert resp.status_code == 200 and 'filename="paket-evaluasi-2026-11-24-2026-11-24.xlsx"' in resp.headers[
        "Content-Disposition"]
    book = load_workbook(io.BytesIO(resp.data))
    assert book.sheetnames == ["Standar Pelayanan", "Maklumat Pelayanan", "SKM", "SKM per unsur", "SKM per layanan",
                               "SKM profil responden", "SKM tindak lanjut", "Pengaduan", "Register pengaduan",
                               "Kelompok rentan", "Fasilitas aksesibilitas",
                               "Waktu penyelesaian", "Kepatuhan Mutu Baku"]
    sheets = {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
    std = sheets["Standar Pelayanan"]
    assert std[0] == ("No.", "Layanan", "Status", "Nomor Keputusan Camat", "Tanggal penetapan", "Versi",
                      "Komponen terisi")
    sktm = next(r for r in std[1:] if r[1] == "Surat Keterangan Tidak Mampu (SKTM)" or r[3] == SKTM_DECREE[0])
    assert sktm[2:5] == ("Ditetapkan", SKTM_DECREE[0], datetime(2026, 11, 20))
    assert sum(1 for r in std[1:] if r[2] == "Belum ditetapkan") == len(std) - 2
    maklumat = dict(sheets["Maklumat Pelayanan"][1:])
    assert maklumat["Status"] == "Ditetapkan" and maklumat["Penanda tangan"] == "Drs. Budi Santoso"
    assert maklumat["Tanggal penetapan"] == datetime(2026, 11, 24)
    skm = dict(sheets["SKM"][1:])
    assert skm["Jumlah responden"] == 2 and skm["Nilai konversi IKM (25-100)"] == 94.44 and skm["Mutu pelayanan"] == "A"
    assert (skm["Layanan selesai (populasi)"], skm["Sampel minimum (Krejcie-Morgan)"],
            skm["Sampel minimum terpenuhi"]) == (2, 2, "Ya")
    assert skm["Unsur terendah 1"] == "U2 Sistem, mekanisme, dan prosedur (NRR 3,50)"
    assert (skm["Rencana tindak lanjut"], skm["Tindak lanjut selesai"], skm["Bagian selesai (%)"],
            skm["Selesai tepat waktu"]) == (2, 1, 50.0, 0)
    assert skm["Rata-rata hari sejak akhir periode sampai selesai"] == 9.0
    assert skm["Rata-rata hari sejak rencana dibuat sampai selesai"] == 7.0
    profile = sheets["SKM profil responden"]
    assert profile[0] == ("Karakteristik", "Indikator", "Jumlah", "Persentase (%)")
    assert ("Jenis kelamin", "Perempuan", 1, 50.0) in profile and ("Pekerjaan", "Wirausaha", 1, 50.0) in profile
    assert ("Jenis kelamin", "Laki-laki", 0, 0.0) in profile and ("Usia", "Tidak diisi", 1, 50.0) in profile
    followups = sheets["SKM tindak lanjut"]
    assert followups[0] == ("No.", "Rencana tindak lanjut", "Unsur", "Penanggung jawab", "Target", "Status",
                            "Tanggal selesai")
    assert followups[1] == (1, "Pelatihan petugas", "U4 Biaya/tarif; U6 Kompetensi pelaksana",
                            "Sekretaris Kecamatan", datetime(2026, 11, 30), "Selesai", datetime(2026, 12, 3))
    assert followups[2][1:] == ("Papan alur", "U2 Sistem, mekanisme, dan prosedur", "Kasi Pelayanan",
                                datetime(2026, 12, 15), "Direncanakan", None) and len(followups) == 3
    assert sheets["SKM per unsur"][0] == ("Unsur", "Nama unsur", "NRR", "NRR tertimbang")
    assert sheets["SKM per unsur"][2][:3] == ("U2", "Sistem, mekanisme, dan prosedur", 3.5)
    complaints = dict(sheets["Pengaduan"][1:])
    assert complaints["Jumlah pengaduan"] == 1 and complaints["Dengan nomor SP4N-LAPOR!"] == 1
    register = sheets["Register pengaduan"]
    assert register[0] == ("No.", "Tanggal", "Nomor antrean", "Disampaikan", "No. SP4N-LAPOR!", "Status",
                           "Lama penyelesaian (hari)")
    assert register[1][4:6] == ("LPR-77", "Belum selesai") and len(register) == 2
    groups = sheets["Kelompok rentan"]
    assert groups[1] == ("Lansia", 1, 1, 3.0, 3.0) and groups[-1][0] == "Tiket lain (bukan prioritas)"
    promised = sheets["Waktu penyelesaian"]
    assert promised[0][:3] == ("Layanan", "Waktu dijanjikan (menit kerja)", "Waktu dijanjikan (hari kerja)")
    assert [r[1:7] for r in promised[1:]] == [(15, pytest.approx(15 / 480, abs=0.01), 2, 1, 0.5, 17.0)]
    steps = sheets["Kepatuhan Mutu Baku"]
    assert steps[0][4:] == ("Mutu Baku (menit)", "Jumlah", "Median (menit)", "P90 (menit)", "Sesuai standar",
                            "Melebihi standar")
    verify = next(r for r in steps[1:] if r[1] == 3)
    assert verify[4:] == (5, 2, 7.0, pytest.approx(8.6), 0.5, 1)
    everything = str(sheets)
    assert "Sri" not in everything and NIK not in everything and "Lampu jalan" not in everything


def pdf_text(body: bytes, tmp_path) -> str:
    need(bool(shutil.which("pdftotext") and shutil.which("pdftoppm")),
         "pdftoppm/pdftotext (Debian poppler-utils) are not installed: scripts/install.sh --test")
    path = tmp_path / "paket.pdf"
    path.write_bytes(body)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 1000  # it renders
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_the_pdf_has_the_letterhead_contents_sections_and_figures(client, login, day, tmp_path):
    login("kasi")
    resp = client.get(f"/counter/reports/evaluasi/paket.pdf?{QUERY}")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = pdf_text(resp.data, tmp_path)
    flat = " ".join(text.split())
    assert "KECAMATAN" in text and "PAKET EVALUASI PELAYANAN PUBLIK" in text
    assert "Periode 24 November 2026 s.d. 24 November 2026" in flat
    headings = ["1. Standar Pelayanan", "2. Maklumat Pelayanan", "3. Survei Kepuasan Masyarakat (SKM)",
                "4. Pengaduan", "5. Pelayanan Khusus Kelompok Rentan", "6. Waktu Penyelesaian",
                "7. Kepatuhan Mutu Baku"]
    contents = flat.split("Daftar Isi")[1]
    for h in headings:
        assert h in contents.split(headings[0], 1)[0] + headings[0] + contents.split(headings[0], 1)[1], h
        assert flat.count(h) >= 2, h  # in the contents and as the section's heading
    pages = len(list(tmp_path.glob("page-*.png")))
    assert f"Halaman 1 dari {pages}" in flat and f"Halaman {pages} dari {pages}" in flat
    # key figures of each section
    assert SKTM_DECREE[0] in flat and "20 November 2026" in flat and "Belum ditetapkan" in flat
    assert "Drs. Budi, Camat Kampak" not in flat and "Drs. Budi Santoso, Camat Kampak" in flat
    skm = flat.split("3. Survei Kepuasan Masyarakat (SKM) Layanan selesai")[1].split("4. Pengaduan")[0]
    assert ("pada periode ini (populasi): 2. Sampel minimum (tabel Krejcie dan Morgan, PermenPANRB 14/2017): 2. "
            "Responden: 2 (memenuhi sampel minimum). IKM 3,78; nilai konversi 94,44; mutu pelayanan A "
            "(Sangat Baik).") in skm
    assert ("Unsur dengan nilai terendah: U2 Sistem, mekanisme, dan prosedur (3,50); U4 Biaya/tarif (3,50); "
            "U6 Kompetensi pelaksana (3,50).") in skm
    assert "Profil responden" in skm and "Jenis kelamin Laki-laki 0 0 Perempuan 1 50 Tidak diisi 1 50" in skm
    assert "Pekerjaan PNS 0 0" in skm and "Wirausaha 1 50" in skm
    assert "Rencana tindak lanjut hasil SKM" in skm and "Sekretaris" in skm and "30-11-2026 Selesai 03-12-2026" in skm
    assert "Papan alur" in skm and "15-12-2026 Direncanakan -" in skm
    assert ("Selesai 1 dari 2 rencana (50,0%); tepat waktu 0. Rata-rata 9,0 hari sejak akhir periode dan 7,0 hari "
            "sejak rencana dibuat hingga selesai.") in skm
    assert "LPR-77" in flat and "Belum selesai" in flat
    assert "Median tunggu tiket prioritas 1 menit lebih singkat daripada tiket lain." in flat
    # 11 staff steps, one over its Mutu Baku (the second verification: 9 minutes against 5)
    assert "Bagian langkah yang selesai dalam Mutu Baku: 91%." in flat
    assert "satu hari kerja = 480 menit" in flat and "15 0,03 2 1 50% 17 18,60" in flat
    assert "Sri" not in text and NIK not in text and "3503" not in text and "Lampu jalan" not in text


def test_an_empty_semester_still_makes_both_files(client, login, tmp_path):
    login("sekcam")
    query = "start=2026-01-01&end=2026-06-30"
    text = " ".join(pdf_text(client.get(f"/counter/reports/evaluasi/paket.pdf?{query}").data, tmp_path).split())
    assert "Periode 1 Januari 2026 s.d. 30 Juni 2026" in text and "0 dari 22 layanan" in text
    assert "Responden: 0 (belum memenuhi sampel minimum). Tidak ada jawaban SKM pada periode ini." in text
    assert "Belum ada rencana tindak lanjut." in text and "Tidak ada pengaduan pada periode ini." in text
    assert "Belum ditetapkan (rancangan)" in text  # the Maklumat not adopted yet
    book = load_workbook(io.BytesIO(client.get(f"/counter/reports/evaluasi/paket.xlsx?{query}").data))
    assert list(book["Register pengaduan"].iter_rows(values_only=True)) == [
        ("No.", "Tanggal", "Nomor antrean", "Disampaikan", "No. SP4N-LAPOR!", "Status", "Lama penyelesaian (hari)")]
    skm = dict(list(book["SKM"].iter_rows(values_only=True))[1:])
    assert (skm["Jumlah responden"], skm["Sampel minimum (Krejcie-Morgan)"], skm["Rencana tindak lanjut"]) == (0, 0, 0)
    assert len(list(book["SKM tindak lanjut"].iter_rows(values_only=True))) == 1  # the header only


def test_a_signatory_typed_as_a_formula_stays_text(client, login, app, app_staff):
    from antrean.shared.services import standards

    d = app.extensions["antrean"]
    with d.sessions() as s:
        admin = Actor.of(s.scalar(select(User).where(User.username == "admin")))
    standards.save_maklumat(d, admin, standards.maklumat(d).draft["text"], '=HYPERLINK("http://x","klik")', "Camat")
    login("admin")
    book = load_workbook(io.BytesIO(client.get(f"/counter/reports/evaluasi/paket.xlsx?{QUERY}").data))
    cell = next(row[1] for row in book["Maklumat Pelayanan"].iter_rows() if row[0].value == "Penanda tangan")
    assert cell.value == "'=HYPERLINK(\"http://x\",\"klik\")" and cell.data_type == "s"


def test_the_office_logo_heads_the_pdf(client, login, tmp_path):
    from PIL import Image

    need(bool(shutil.which("pdfimages")), "pdfimages (Debian poppler-utils) is not installed: scripts/install.sh --test")
    img = io.BytesIO()
    Image.new("RGB", (120, 140), (10, 90, 40)).save(img, "PNG")
    login("admin")
    client.post("/counter/admin/logo", data={"logo": (io.BytesIO(img.getvalue()), "logo.png")},
                content_type="multipart/form-data")
    path = tmp_path / "paket.pdf"
    path.write_bytes(client.get(f"/counter/reports/evaluasi/paket.pdf?{QUERY}").data)
    images = subprocess.run(["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True).stdout
    first_page = [row for row in (line.split() for line in images.splitlines()[2:]) if row[0] == "1" and row[2] == "image"]
    assert [(row[3], row[4]) for row in first_page] == [("120", "140")]  # the logo, on page 1
