"""Booking over the API and the phone pages, without login: Indonesian refusals, the rate limit,
no personal data on public pages, check-in through the API."""
import re

from antrean.shared.domain import booking as rules

TOMORROW = "2026-11-25"  # the app's clock: Tuesday 2026-11-24 08:00 WIB


def test_api_book_get_move_cancel(client):
    opts = client.get("/api/v1/booking-options?service=ktp").get_json()
    assert opts["days"][0]["sessions"][0]["session"] == "siang"  # today's morning has begun
    resp = client.post("/api/v1/bookings", json={"service": "ktp", "date": TOMORROW, "session": "pagi",
                                                 "name": "Siti Aminah"})
    assert resp.status_code == 201
    code = resp.get_json()["code"]
    assert rules.CODE_PATTERN.fullmatch(code) and "Siti" not in resp.get_data(as_text=True)
    got = client.get(f"/api/v1/bookings/{code}").get_json()
    assert got["requirements"] and got["session_start"] == "07:30"
    moved = client.patch(f"/api/v1/bookings/{code}", json={"date": TOMORROW, "session": "siang"})
    assert moved.status_code == 200 and moved.get_json()["session"] == "siang"
    assert client.delete(f"/api/v1/bookings/{code}").get_json()["status"] == "cancelled"
    again = client.delete(f"/api/v1/bookings/{code}")
    assert again.status_code == 409 and again.get_json()["error"] == "Booking ini sudah dibatalkan."


def test_api_refusals_are_indonesian(client):
    resp = client.post("/api/v1/bookings", json={"service": "ktp", "date": "2026-11-23", "session": "pagi"})
    assert resp.status_code == 409 and "sudah lewat" in resp.get_json()["error"]
    resp = client.post("/api/v1/bookings", json={"service": "ktp", "date": "besok", "session": "pagi"})
    assert resp.get_json()["error"] == "Tanggal tidak valid: pilih tanggal dari daftar."
    assert client.post("/api/v1/bookings", json={"service": "ktp", "nik": "1"}).status_code == 400
    resp = client.get("/api/v1/bookings/ABCD0000")
    assert resp.status_code == 404 and "tidak ditemukan" in resp.get_json()["error"]
    en = client.post("/api/v1/bookings?lang=en", json={"service": "ktp", "date": "2026-11-23", "session": "pagi"})
    assert "already passed" in en.get_json()["error"]


def test_phone_pages_book_show_and_cancel_without_login(client):
    page = client.get("/booking/?service=ktp")
    assert page.status_code == 200 and "Dokumen yang perlu dibawa" in page.get_data(as_text=True)
    resp = client.post("/booking/", data={"service": "ktp", "slot": f"{TOMORROW}|pagi", "name": "Budi Santoso"})
    assert resp.status_code == 303
    shown = client.get(resp.headers["Location"])
    html = shown.get_data(as_text=True)
    code = re.search(r'data-code="([A-Z0-9]{8})"', html)[1]
    assert "Budi" not in html and rules.shown_code(code) in html and "07:30" in html
    assert client.get(f"/booking/{code}/qr.svg").mimetype == "image/svg+xml"
    assert client.get(f"/booking/cek?code={code.lower()}").status_code == 303
    bad = client.post("/booking/", data={"service": "ktp", "slot": "2026-11-28|pagi"})
    assert bad.status_code == 409 and "Kantor tutup" in bad.get_data(as_text=True)
    client.post(f"/booking/{code}/batal")
    assert "Dibatalkan" in client.get(f"/booking/{code}").get_data(as_text=True)
    english = client.get(f"/booking/{code}?lang=en").get_data(as_text=True)
    assert "Cancelled" in english


def test_check_in_through_the_api_prints_a_ticket(client, clock, printer):
    made = client.post("/api/v1/bookings", json={"service": "ktp", "date": "2026-11-24", "session": "siang"})
    code = made.get_json()["code"]
    clock.now = clock.now.replace(hour=5, minute=1)
    resp = client.post(f"/api/v1/bookings/{code}/check-in")
    assert resp.status_code == 201 and resp.get_json()["number"].startswith("A")
    assert client.post(f"/api/v1/bookings/{code}/check-in").status_code == 200  # a second scan: same ticket


def test_bookings_are_rate_limited_per_address(app, client):
    app.config["BOOKING_LOOKUP_LIMIT"] = "3 per minute"
    answers = [client.get("/api/v1/bookings/ABCDEFGH").status_code for _ in range(5)]
    assert answers[:3] == [404, 404, 404] and answers[3:] == [429, 429]
    other = app.test_client()
    assert other.get("/api/v1/bookings/ABCDEFGH", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 404


def test_staff_check_in_reports_and_settings(client, login, clock):
    made = client.post("/api/v1/bookings", json={"service": "ktp", "date": "2026-11-24", "session": "siang"})
    code = made.get_json()["code"]
    missed = client.post("/api/v1/bookings", json={"service": "kk", "date": "2026-11-24", "session": "siang"})
    assert missed.status_code == 201
    login("kasi")
    clock.now = clock.now.replace(hour=5, minute=2)
    resp = client.post("/counter/booking-check-in", data={"code": code.lower()}, follow_redirects=True)
    assert "Booking check-in: nomor antrean A001." in resp.get_data(as_text=True)
    resp = client.post("/counter/booking-check-in", data={"code": "ABCDEFGH"}, follow_redirects=True)
    assert "Kode booking tidak ditemukan" in resp.get_data(as_text=True)
    clock.now = clock.now.replace(hour=9, minute=0)  # 16:00 WIB: the afternoon session is over
    page = client.get("/counter/reports/?start=2026-11-24").get_data(as_text=True)
    for name, n in (("booked", 2), ("checked_in", 1), ("no_show", 1)):
        assert f'data-count="{name}">{n}<' in page
    saved = client.post("/counter/availability/booking", data={"quota_ktp": "3", "grace_minutes": "20",
                                                                "remote_ktp": "5"}, follow_redirects=True)
    assert "Pengaturan booking disimpan." in saved.get_data(as_text=True)
    assert client.get("/api/v1/booking-options?service=ktp").get_json()["quota"] == 3
    bad = client.post("/counter/availability/booking", data={"grace_minutes": "999"}, follow_redirects=True)
    assert "di luar batas" in bad.get_data(as_text=True)
    assert 'value="20"' in client.get("/counter/availability/").get_data(as_text=True)


def test_remote_join_page(client, app):
    page = client.get("/booking/gabung").get_data(as_text=True)
    assert "tidak ada layanan yang dapat diantre dari rumah" in page.lower()
    refused = client.post("/booking/gabung", data={"service": "ktp"})
    assert refused.status_code == 400 and "tidak dapat diantre dari rumah" in refused.get_data(as_text=True)
    from antrean.shared.services import booking

    booking.save_settings(app.extensions["antrean"], {"booking.remote": {"ktp": 3}, "booking.travel_minutes": 30})
    resp = client.post("/booking/gabung", data={"service": "ktp", "name": "Ani"})
    assert resp.status_code == 303
    shown = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Berangkat sekarang" in shown and "Ani" not in shown
    poster = client.get("/booking/gabung/qr.svg")
    assert poster.mimetype == "image/svg+xml" and b"<svg" in poster.data


def test_only_a_kiosk_with_its_key_names_a_printer_for_a_check_in(client):
    code = client.post("/api/v1/bookings", json={"service": "ktp", "date": TOMORROW, "session": "pagi"}).get_json()["code"]
    resp = client.post(f"/api/v1/bookings/{code}/check-in", json={"printer": "loket-1"})
    assert resp.status_code == 401 and resp.get_json()["code"] == "kiosk_key_required"
    assert client.post(f"/api/v1/bookings/{code}/check-in", json={"nik": "1"}).status_code == 400


def test_making_bookings_is_rate_limited_per_address(app, client):
    app.config["BOOKING_LIMIT"] = "2 per minute"
    body = {"service": "ktp", "date": TOMORROW, "session": "pagi"}
    answers = [client.post("/api/v1/bookings", json=body) for _ in range(3)]
    assert [r.status_code for r in answers] == [201, 201, 429]
    assert answers[2].get_json()["error"].startswith("Terlalu banyak permintaan booking")
    assert int(answers[2].headers["Retry-After"]) >= 1
