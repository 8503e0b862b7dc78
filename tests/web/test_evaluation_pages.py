"""The evaluation's sections of the report page (promised against actual, the vulnerable groups, the
complaint register's counts), their exports read back (CSV with ';', XLSX with openpyxl), the
accessibility list and alert margin the administrator keeps, and the Kasi's alerts."""
import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from antrean.shared.services.desk import Actor
from antrean.shared.store.models import User
from tests.support.factories import COMPLAINT, issue, pickup_code_of, ticket_through


def office(app, app_staff):
    d = app.extensions["antrean"]
    with d.sessions() as s:
        staff = {u.username: Actor.of(u) for u in s.scalars(select(User))}
    return d, staff


def some_work(app, app_staff, clock):
    d, staff = office(app, app_staff)
    ticket_through(d, staff, clock, "ktp", [4, 2, 5, 2, 5, 1])  # 15 working minutes: in time
    ticket_through(d, staff, clock, "ktp", [6, 2, 9, 2, 5, 1])  # 19: late
    d.issue_ticket("ktp", priority=True, reason="lansia")
    clock.advance(minutes=3)
    d.call_next(staff["pelayanan1"])
    t = d.issue_ticket("pengaduan")
    loket3 = Actor(staff["pelayanan1"].user_id, "pelayanan1", staff["pelayanan1"].roles, 3)
    d.call_next(loket3)
    d.complete_step(loket3, t["id"], 2, decision="MS", complaint={**COMPLAINT, "lapor_number": "LPR-77"})
    return d, staff


def test_report_page_shows_the_evaluation_sections(client, login, app, app_staff, clock):
    some_work(app, app_staff, clock)
    login("kasi")
    page = client.get("/counter/reports/?start=2026-11-24").get_data(as_text=True)
    assert "Waktu yang dijanjikan dan waktu nyata" in page
    promised = page.split('id="promised"')[1].split("</table>")[0]
    assert 'data-service="ktp"' in promised and "1 (50%)" in promised and "15 menit kerja" in promised
    priority = page.split('id="priority"')[1].split("</table>")[0]
    assert '<tr data-reason="lansia"><td>Lansia</td>\n      <td>1</td><td>1</td><td>3.0</td>' in priority
    assert "Penyandang disabilitas" in priority and "Tiket lain (bukan prioritas)" in priority
    summary = page.split('id="complaint-summary"')[1].split("</table>")[0]
    assert "Disampaikan: Langsung (datang ke kantor)" in summary and "Status: Belum selesai" in summary
    assert 'id="complaints-lapor">1<' in summary
    assert "Sri" not in page and "Warga" not in page  # counts, never a name


def test_evaluation_exports_read_back(client, login, app, app_staff, clock):
    some_work(app, app_staff, clock)
    login("camat")
    text = client.get("/counter/reports/export/promised.csv?start=2026-11-24").data
    assert text.startswith(b"\xef\xbb\xbf")  # the byte order mark Excel needs
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == ["Layanan", "Waktu dijanjikan (menit kerja)", "Waktu dijanjikan (hari kerja)",
                           "Permohonan selesai", "Selesai tepat waktu", "Bagian tepat waktu"]
    ktp = next(r for r in rows[1:] if "KTP" in r[0] or "Tanda Penduduk" in r[0])
    assert ktp[1] == "15.0" and ktp[3] == "2" and ktp[4] == "1" and ktp[5] == "0.5" and ktp[6] == "17.0"
    sheet = load_workbook(io.BytesIO(client.get("/counter/reports/export/priority.xlsx?start=2026-11-24").data)).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0] == ("Kelompok", "Tiket", "Dipanggil", "Median menunggu (menit)", "P90 menunggu (menit)")
    assert table[1] == ("Lansia", 1, 1, 3.0, 3.0) and table[-1][0] == "Tiket lain (bukan prioritas)"
    sheet = load_workbook(io.BytesIO(
        client.get("/counter/reports/export/complaint_summary.xlsx?start=2026-11-24").data)).active
    items = dict(sheet.iter_rows(values_only=True))
    assert items["Jumlah pengaduan"] == 1 and items["Dengan nomor SP4N-LAPOR!"] == 1
    assert items["Disampaikan: Langsung (datang ke kantor)"] == 1 and items["Status: Belum selesai"] == 1
    # the register's rows carry the days to resolution, and the status by name
    register = client.get("/counter/reports/export/complaints.csv?start=2026-11-24").data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(register), delimiter=";"))
    assert lines[0][-1] == "Lama penyelesaian (hari)" and lines[1][7] == "LPR-77" and lines[1][-1] == ""


def test_a_resolved_complaint_shows_its_days(client, login, app, app_staff, clock):
    d, staff = some_work(app, app_staff, clock)
    t = next(x for x in d.find_tickets("LPR-77"))
    clock.advance(days=2)
    for number, role in ((3, "tim_pengaduan"), (4, "sekcam")):
        who = next(a for a in staff.values() if role in a.roles)
        d.complete_step(who, t["id"], number)
    camat = next(a for a in staff.values() if "camat" in a.roles)
    d.complete_step(camat, t["id"], 5, complaint={"outcome": COMPLAINT["outcome"]})
    team = next(a for a in staff.values() if "tim_pengaduan" in a.roles)
    d.complete_step(team, t["id"], 6, pickup_code=pickup_code_of(d, t["id"]))
    login("kasi")
    page = client.get("/counter/reports/?start=2026-11-24").get_data(as_text=True)
    assert 'data-status="done"' in page and 'id="complaints-median">2.0' in page
    register = client.get("/counter/reports/register?start=2026-11-24").get_data(as_text=True)
    assert "<td>Selesai</td>" in register and "<td>2.0</td>" in register


def test_the_administrator_keeps_the_accessibility_list_and_the_alert_margin(client, login):
    login("admin")
    page = client.get("/counter/admin/office").get_data(as_text=True)
    assert 'id="evaluation-form"' in page
    bad = client.post("/counter/admin/evaluation", data={"accessibility": "Kursi roda", "alert_margin": "banyak"})
    assert bad.status_code == 302
    page = client.get("/counter/admin/office").get_data(as_text=True)
    assert "Batas peringatan harus bilangan bulat 0 sampai 500" in page
    client.post("/counter/admin/evaluation", data={"accessibility": "Kursi roda\nJalur landai\nLoket prioritas",
                                                   "alert_margin": "20"})
    page = client.get("/counter/admin/office").get_data(as_text=True)
    assert "Kursi roda\nJalur landai\nLoket prioritas</textarea>" in page and 'value="20"' in page
    report = client.get("/counter/reports/").get_data(as_text=True)
    assert "<li>Kursi roda</li><li>Jalur landai</li><li>Loket prioritas</li>" in report


def test_the_kasi_sees_late_requests_and_others_do_not(client, login, app, app_staff, clock):
    d, staff = office(app, app_staff)
    t = ticket_through(d, staff, clock, "ktp", [1, 2])  # at step 3, verification (5 minutes)
    login("kasi")
    assert client.get("/counter/files/alerts").get_json() == {"alerts": []}
    page = client.get("/counter/").get_data(as_text=True)
    assert 'id="late-alerts"' in page and "alerts.js" in page
    clock.advance(minutes=9)  # 9 minutes at a 5-minute step: past 150%
    alerts = client.get("/counter/files/alerts").get_json()["alerts"]
    assert [(a["number"], a["kind"], a["step"], a["late_minutes"]) for a in alerts] == [(t["number"], "step", 3, 4.0)]
    assert "4 menit melewati Mutu Baku 5 menit" in alerts[0]["text"] and "Warga" not in str(alerts)
    listing = client.get("/counter/files/").get_data(as_text=True)
    assert f'data-ticket="{t["number"]}"' in listing and "langkah 3" in listing
    login("pelayanan1")
    assert client.get("/counter/files/alerts").status_code == 403
    assert 'id="late-alerts"' not in client.get("/counter/").get_data(as_text=True)


def test_the_kiosk_and_the_status_page_name_sp4n_lapor(client):
    kiosk = client.get("/kiosk/").get_data(as_text=True)
    corner = kiosk.split('id="kiosk-lapor"')[1].split("</div>")[0]
    assert "lapor.go.id" in corner and 'src="/kiosk/lapor.svg"' in corner
    assert kiosk.index('id="kiosk-lapor"') < kiosk.index('<main id="kiosk"')  # in the header, not among the buttons
    svg = client.get("/kiosk/lapor.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    ticket = issue(client, "ktp")
    status = client.get(ticket["status_url"]).get_data(as_text=True)
    assert '<a href="https://www.lapor.go.id" rel="noopener">SP4N-LAPOR! (lapor.go.id)</a>' in status
