"""Messages on the web: the citizen opts in on the status page (purpose stated, consent, Indonesian
errors, the number never shown back), the clerk records a contact with the applicant's consent, and
the Kasi's outbox page lists waiting and failed messages with masked recipients and a retry button."""
from __future__ import annotations

import pytest

from antrean.hardware.messaging import RecordingSender
from tests.support.fakes import fast_hash

NUMBER = "0812-3456-7890"


@pytest.fixture
def senders():
    return {"whatsapp": RecordingSender(name="whatsapp"), "email": RecordingSender(name="email")}


@pytest.fixture
def app(tmp_path, clock, printer, senders):
    from antrean.shared.app import create_app

    app = create_app({"INSTANCE": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
                      "SECRET_KEY": "test", "TESTING": True, "WTF_CSRF_ENABLED": False, "ALWAYS_OPEN": True,
                      "ISSUE_LIMIT": "100000 per minute", "PUBLIC_URL": "https://antrean.kampak.id"},
                     clock=clock, printer=printer, start_workers=False, senders=senders)
    yield app
    app.extensions["antrean.engine"].dispose()


@pytest.fixture
def app_staff(app):
    from antrean.shared.services.demo import create_demo

    made = create_demo(app.extensions["antrean"].sessions, hasher=fast_hash)
    return {username: password for username, password, _roles in made}


def issue(client):
    resp = client.post("/api/v1/tickets", json={"service": "ktp"})
    assert resp.status_code == 201
    return resp.get_json()


def test_the_kiosk_points_to_the_status_page_for_messages_and_says_nothing_without_a_gateway(app, client):
    kiosk = client.get("/kiosk/").get_data(as_text=True)
    assert "Ingin kabar lewat WhatsApp/E-mail saat giliran Anda tiba? Pindai kode QR" in kiosk
    app.extensions["antrean"].message_channels = ()
    assert "result-notify" not in client.get("/kiosk/").get_data(as_text=True)


def test_the_status_page_asks_with_the_purpose_and_never_shows_the_number_back(app, client, senders):
    t = issue(client)
    page = client.get(t["status_url"]).get_data(as_text=True)
    assert "Kirim kabar ke WhatsApp/SMS/e-mail?" in page and "saat nomor Anda dipanggil" in page
    assert 'value="whatsapp"' in page and 'value="email"' in page and 'value="sms"' not in page  # as configured
    no_consent = client.post(f"{t['status_url']}/kabar", data={"channel": "whatsapp", "address": NUMBER},
                             follow_redirects=True).get_data(as_text=True)
    assert "Centang persetujuan" in no_consent and "Kabar dikirim lewat" not in no_consent
    wrong = client.post(f"{t['status_url']}/kabar", data={"channel": "whatsapp", "address": "12345", "consent": "1"},
                        follow_redirects=True).get_data(as_text=True)
    assert "Nomor HP harus diawali 08 atau +62." in wrong
    done = client.post(f"{t['status_url']}/kabar", data={"channel": "whatsapp", "address": NUMBER, "consent": "1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Kabar dikirim lewat WhatsApp." in done
    for shown in ("7890", "+6281234567890", "0812"):
        assert shown not in done.replace("0812 3456 7890 / nama@contoh.id", "")  # only the placeholder
    english = client.get(t["status_url"] + "?lang=en").get_data(as_text=True)
    assert "Messages are sent by WhatsApp." in english and "Send me updates by WhatsApp/SMS/e-mail?" in english


def test_a_call_sends_the_citizen_who_opted_in_a_message_in_their_language(app, client, login, senders):
    t = issue(client)
    client.get(t["status_url"] + "?lang=en")
    client.post(f"{t['status_url']}/kabar?lang=en", data={"channel": "email", "address": "sri@contoh.id", "consent": "1"})
    login("pelayanan1")
    assert client.post("/counter/call-next", data={}).status_code in (200, 302)
    worker = app.extensions["antrean.outbox"]
    assert worker.run_due() == 1
    to, message = senders["email"].sent[0]
    assert to == "sri@contoh.id" and "is called to" in message.text
    assert message.text.endswith("https://antrean.kampak.id" + t["status_url"])


def test_the_clerk_records_a_contact_only_with_the_consent_ticked_and_sees_it_masked(app, client, login):
    t = issue(client)
    login("pelayanan1")
    client.post("/counter/call-next", data={})
    page = client.get("/counter/").get_data(as_text=True)
    assert "Pemohon setuju menerima kabar" in page
    refused = client.post(f"/counter/tickets/{t['id']}/contact", data={"channel": "whatsapp", "address": NUMBER},
                          follow_redirects=True).get_data(as_text=True)
    assert "Centang persetujuan" in refused
    ok = client.post(f"/counter/tickets/{t['id']}/contact",
                     data={"channel": "whatsapp", "address": NUMBER, "consent": "1"},
                     follow_redirects=True).get_data(as_text=True)
    assert "Kabar akan dikirim ke +62812****7890." in ok and "+6281234567890" not in ok


def test_the_outbox_page_shows_failures_masked_to_the_kasi_with_a_retry(app, client, login, senders):
    t = issue(client)
    client.post(f"{t['status_url']}/kabar", data={"channel": "whatsapp", "address": NUMBER, "consent": "1"})
    login("pelayanan1")
    client.post("/counter/call-next", data={})
    assert client.get("/counter/pesan/").status_code == 403  # a clerk does not see the outbox
    senders["whatsapp"].fail = True
    worker = app.extensions["antrean.outbox"]
    worker.max_attempts = 1
    worker.run_due()
    client.get("/counter/logout")
    kasi = app.test_client()
    login("kasi", kasi)
    page = kasi.get("/counter/pesan/").get_data(as_text=True)
    assert "+62812****7890" in page and "+6281234567890" not in page
    assert "gagal" in page and "whatsapp: gateway unavailable" in page and "Kirim ulang" in page
    message_id = page.split('data-message="')[1].split('"')[0]
    senders["whatsapp"].fail = False
    assert "Pesan akan dikirim ulang." in kasi.post(f"/counter/pesan/{message_id}/retry",
                                                    follow_redirects=True).get_data(as_text=True)
    worker.run_due()
    assert len(senders["whatsapp"].sent) == 1
    assert "Tidak ada pesan." in kasi.get("/counter/pesan/").get_data(as_text=True)


def test_the_booking_page_asks_with_the_purpose_and_consent_and_names_only_the_channel(app, client, senders):
    form = client.get("/booking/?service=ktp").get_data(as_text=True)
    assert "Kabar lewat WhatsApp/SMS/e-mail (tidak wajib)" in form and "pengingat sehari sebelumnya" in form
    assert 'value="whatsapp"' in form and 'value="sms"' not in form  # as configured
    slot = {"service": "ktp", "slot": "2026-11-25|pagi", "name": "Siti", "channel": "whatsapp", "address": NUMBER}
    refused = client.post("/booking/", data=slot)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Centang persetujuan agar kami boleh mengirim kabar ke kontak ini." in page
    assert f'value="{NUMBER}"' in page and 'value="Siti"' in page and 'value="2026-11-25|pagi" data-date' in page
    wrong = client.post("/booking/", data={**slot, "address": "0812 345", "consent": "1"}).get_data(as_text=True)
    assert "Nomor HP tidak valid. Contoh: 0812 3456 7890." in wrong
    done = client.post("/booking/", data={**slot, "consent": "1"}, follow_redirects=True)
    shown = done.get_data(as_text=True)
    assert "Kabar dikirim lewat WhatsApp." in shown
    for secret in ("7890", "+6281234567890", "Siti"):
        assert secret not in shown
    assert app.extensions["antrean.outbox"].run_due() == 1
    to, message = senders["whatsapp"].sent[0]
    assert to == "+6281234567890" and "dikonfirmasi" in message.text and "/booking/" in message.text


def test_the_booking_api_takes_a_contact_and_refuses_a_bad_one_in_the_callers_language(app, client, senders):
    body = {"service": "ktp", "date": "2026-11-25", "session": "pagi",
            "contact": {"channel": "email", "address": "warga@contoh", "consent": True}}
    resp = client.post("/api/v1/bookings", json=body)
    assert resp.status_code == 400
    assert resp.get_json() == {"error": "Alamat e-mail tidak valid. Contoh: nama@contoh.id.", "code": "email_invalid"}
    english = client.post("/api/v1/bookings?lang=en", json={**body, "contact": {**body["contact"], "consent": False,
                                                                               "address": "warga@contoh.id"}})
    assert english.status_code == 400 and "consent" in english.get_json()["error"].lower()
    made = client.post("/api/v1/bookings?lang=en",
                       json={**body, "lang": "en", "contact": {**body["contact"], "address": "warga@contoh.id"}})
    assert made.status_code == 201 and made.get_json()["messages_to"] == ["email"]
    assert "warga" not in made.get_data(as_text=True)
    assert app.extensions["antrean.outbox"].run_due() == 1
    to, message = senders["email"].sent[0]
    assert to == "warga@contoh.id" and message.subject == "Booking confirmed"


def test_joining_from_afar_with_a_contact_on_the_phone_page_and_the_api(app, client, senders):
    from antrean.shared.services import booking

    booking.save_settings(app.extensions["antrean"], {"booking.remote": {"ktp": 3}, "booking.travel_minutes": 30})
    page = client.get("/booking/gabung").get_data(as_text=True)
    assert "Kami mengabari Anda saat waktunya berangkat" in page and 'value="sms"' not in page
    refused = client.post("/booking/gabung", data={"service": "ktp", "channel": "whatsapp", "address": NUMBER})
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Centang persetujuan" in shown
    assert NUMBER in shown  # what the citizen typed is kept on the refused form, for them to tick and send
    joined = client.post("/booking/gabung", data={"service": "ktp", "channel": "whatsapp", "address": NUMBER,
                                                  "consent": "1"})
    assert joined.status_code == 303
    page = client.get(joined.headers["Location"]).get_data(as_text=True)
    assert "Kabar dikirim lewat WhatsApp." in page and "7890" not in page
    assert '<meta http-equiv="refresh" content="60">' in page  # the estimate stays current
    api = client.post("/api/v1/remote-joins", json={"service": "ktp", "contact": {
        "channel": "email", "address": "warga@contoh.id", "consent": True}})
    assert api.status_code == 201 and api.get_json()["messages_to"] == ["email"]
    assert "warga" not in api.get_data(as_text=True)
    bad = client.post("/api/v1/remote-joins", json={"service": "ktp", "contact": {"channel": "sms", "address": NUMBER,
                                                                                 "consent": True}})
    assert bad.status_code in (400, 409) and bad.get_json()["error"] == "Kanal pesan ini tidak tersedia di kantor ini."


def test_a_checked_in_booking_with_a_contact_is_not_invited_to_opt_in_again(app, client):
    made = client.post("/api/v1/bookings", json={"service": "ktp", "date": "2026-11-24", "session": "siang",
                                                 "contact": {"channel": "whatsapp", "address": NUMBER,
                                                             "consent": True}}).get_json()
    plain = client.post("/api/v1/bookings", json={"service": "ktp", "date": "2026-11-24",
                                                  "session": "siang"}).get_json()
    assert made["messages_to"] == ["whatsapp"]
    checked = client.post(f"/api/v1/bookings/{made['code']}/check-in")
    assert checked.status_code == 201 and checked.get_json()["messages_to"] == ["whatsapp"]
    again = client.post(f"/api/v1/bookings/{made['code']}/check-in")  # pressed twice: the same ticket
    assert again.status_code == 200 and again.get_json()["messages_to"] == ["whatsapp"]
    assert client.post(f"/api/v1/bookings/{plain['code']}/check-in").get_json()["messages_to"] == []
