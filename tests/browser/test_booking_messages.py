"""Issue #18 end to end, in Debian's Chromium against `antrean serve` with a local HTTP server as the
office's WhatsApp gateway: a citizen books on a phone and gives a WhatsApp number with the consent
ticked; the "booking confirmed" message reaches the gateway; at the kiosk the code is typed on the
on-screen keyboard and the booking becomes a ticket; the clerk calls it ("called" arrives), the
letter walks through its steps to the hand-over and the clerk calls the applicant to collect it
("ready" arrives). Each message once, in order, to the number given at booking, never asked again.
Screenshots: test-artifacts/booking_messages-*.png."""
from __future__ import annotations

import time

import pytest

from tests.support.clients import Staff
from tests.support.factories import walk_to_ready
from tests.support.gateways import whatsapp_texts
from tests.support.live_server import LiveServer, bookable_today_catalogue, wait_until
from tests.support.needs_playwright import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PORTRAIT = {"width": 1080, "height": 1920}


@pytest.fixture
def server(tmp_path, gateway):
    live = LiveServer(tmp_path, {"ANTREAN_CATALOGUE": str(bookable_today_catalogue(tmp_path)),
                                 "ANTREAN_WHATSAPP_URL": gateway.url + "/send",
                                 "ANTREAN_WHATSAPP_TOKEN": "Bearer uji"})
    live.env["ANTREAN_PUBLIC_URL"] = live.url  # the links in the messages
    live.create_demo()
    live.start()
    yield live
    live.stop()


def messages(gateway, n: int) -> list[str]:
    """The gateway's texts once it has ``n`` (and a moment more: a duplicate would show)."""
    wait_until(lambda: len(gateway.received) >= n, timeout=10)
    return whatsapp_texts(gateway)


def check_in_at_the_kiosk(server, new_page, code: str):
    """At the kiosk: "Saya sudah booking", the code typed on the on-screen keyboard, "Check-in"; the
    kiosk shows the new ticket's number. Returns the kiosk page and the check-in's answer."""
    kiosk = new_page(viewport=PORTRAIT, has_touch=True)
    kiosk.goto(f"{server.url}/kiosk/")
    kiosk.tap("#booking-open")
    for ch in code:
        kiosk.tap(f'#booking-keys button[data-key="{ch}"]')
    with kiosk.expect_response(lambda r: "/check-in" in r.url) as answer:
        kiosk.tap("#booking-submit")
    ticket = answer.value.json()
    expect(kiosk.locator("#result-number")).to_have_text(ticket["number"])
    return kiosk, ticket


def test_booked_on_a_phone_with_whatsapp_the_citizen_hears_of_the_booking_the_call_and_the_letter(
        server, gateway, new_page, shot):
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(f"{server.url}/booking/")
    phone.select_option("#service", "ahli_waris")
    phone.tap("form.booking-step button")
    notify = phone.locator("#booking-notify")
    expect(notify.locator("legend")).to_have_text("Kabar lewat WhatsApp/SMS/e-mail (tidak wajib)")
    expect(notify).to_contain_text("pengingat sehari sebelumnya")
    phone.locator("form.booking-slots input[name=slot]").first.check()
    notify.locator("input[value=whatsapp]").check()
    phone.fill("#booking-address", "0812 3456 7890")
    phone.tap("form.booking-slots button.primary")  # the consent not ticked: refused, nothing lost
    expect(phone.locator(".booking-error")).to_have_text(
        "Centang persetujuan agar kami boleh mengirim kabar ke kontak ini.")
    expect(phone.locator("#booking-address")).to_have_value("0812 3456 7890")
    phone.locator("#booking-consent").check()
    shot(phone, "1-consent")
    phone.tap("form.booking-slots button.primary")
    expect(phone.locator("#booking-notify-on")).to_have_text("Kabar dikirim lewat WhatsApp.")
    code = phone.locator(".booking-code").get_attribute("data-code")
    shown_code = phone.locator(".booking-code").inner_text()
    html = phone.content()
    assert "3456" not in html and "6281234567890" not in html  # the page names the channel only
    shot(phone, "2-booked")

    [confirmed] = messages(gateway, 1)
    assert gateway.json_bodies()[0]["to"] == "6281234567890"
    assert confirmed.startswith(f"Kecamatan Kampak: booking {shown_code} untuk ")
    assert "dikonfirmasi" in confirmed and confirmed.endswith(f"{server.url}/booking/{code}")

    kiosk, ticket = check_in_at_the_kiosk(server, new_page, code)
    # the contact came with the booking: the kiosk says so instead of inviting an opt-in
    expect(kiosk.locator("#result-notify-on")).to_have_text(
        "Kabar antrean dikirim ke kontak yang Anda berikan saat booking.")
    expect(kiosk.locator("#result-notify")).to_be_hidden()
    shot(kiosk, "3-checked-in")

    staff = {u: Staff(server, u) for u in ("pelayanan2", "kasi", "register", "sekcam", "camat")}
    for step in walk_to_ready(server, ticket, staff):
        if step == 2:  # called to the loket: the first step is the clerk's
            called = messages(gateway, 2)[1]
            assert f"nomor antrean {ticket['number']} dipanggil ke Loket 2" in called
    staff["pelayanan2"].post(f"/counter/tickets/{ticket['id']}/call", {"kind": "pickup"})
    texts = messages(gateway, 3)
    assert f"({ticket['number']}) siap diambil di Loket 2" in texts[2]
    assert ticket["status_url"] in texts[2]
    time.sleep(1)  # a second copy of any message would have come by now (the worker polls every second)
    assert whatsapp_texts(gateway) == [confirmed, called, texts[2]]
    assert {body["to"] for body in gateway.json_bodies()} == {"6281234567890"}


def test_joined_from_home_with_whatsapp_the_citizen_is_told_when_to_set_off_then_checks_in_and_is_called(
        server, gateway, new_page, shot):
    import requests

    admin = Staff(server, "admin")
    admin.post("/counter/availability/booking", {"remote_ktp": "5", "travel_minutes": "30"})
    walk_ins = [requests.post(f"{server.url}/api/v1/tickets", json={"service": "ktp"}, timeout=10).json()
                for _ in range(8)]

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(f"{server.url}/booking/gabung")
    phone.select_option("#service", "ktp")
    notify = phone.locator("#booking-notify")
    expect(notify).to_contain_text("Kami mengabari Anda saat waktunya berangkat")
    notify.locator("input[value=whatsapp]").check()
    phone.fill("#booking-address", "0812 3456 7890")
    phone.locator("#booking-consent").check()
    phone.tap("main form button.primary")
    expect(phone.locator("#booking-notify-on")).to_have_text("Kabar dikirim lewat WhatsApp.")
    expect(phone.locator(".booking-leave")).to_contain_text("Berangkat sekitar pukul")
    expect(phone.locator(".booking-leave")).to_contain_text("8 orang di depan Anda")
    code = phone.locator(".booking-code").get_attribute("data-code")
    shown_code = phone.locator(".booking-code").inner_text()
    assert "3456" not in phone.content()
    shot(phone, "remote-1-joined")
    later = requests.post(f"{server.url}/api/v1/tickets", json={"service": "ktp"}, timeout=10).json()
    [joined] = messages(gateway, 1)
    assert joined.startswith(f"Kecamatan Kampak: Anda masuk antrean Rekomendasi Kartu Tanda Penduduk (KTP) hari ini "
                             f"(kode {shown_code}). Berangkat sekitar pukul ")
    assert joined.endswith(f"Status dan dokumen yang dibawa: {server.url}/booking/{code}")

    clerk = Staff(server, "pelayanan1")
    calls = 0
    while len(gateway.received) < 2 and calls < len(walk_ins):  # the queue moves until it is time to set off
        clerk.call_next(force=True)
        calls += 1
        time.sleep(0.3)  # the worker asks the joiner's estimate right after each call
    leave = messages(gateway, 2)[1]
    ahead = requests.get(f"{server.url}/api/v1/bookings/{code}", timeout=10).json()["remote"]
    assert ahead["leave_now"] and 0 < calls < len(walk_ins)  # before the turn: the journey takes 30 minutes
    assert leave == (f"Kecamatan Kampak: saatnya berangkat untuk Rekomendasi Kartu Tanda Penduduk (KTP) "
                     f"(kode {shown_code}): {ahead['ahead']} orang di depan Anda. Saat tiba, ketik kode di kiosk. "
                     f"Status dan dokumen yang dibawa: {server.url}/booking/{code}")
    phone.reload()
    expect(phone.locator(".booking-leave .leave-now")).to_have_text("Berangkat sekarang")
    shot(phone, "remote-2-set-off")

    kiosk, ticket = check_in_at_the_kiosk(server, new_page, code)
    expect(kiosk.locator("#result-notify-on")).to_be_visible()
    expect(kiosk.locator("#result-notify")).to_be_hidden()
    before = len(walk_ins) - calls  # the walk-ins who came before the join and are still waiting
    assert ticket["position"] == before  # its place is the moment it joined: before the walk-in who came later
    assert requests.get(f"{server.url}/api/v1/tickets/{later['public_id']}", timeout=10).json()["position"] \
        == before + 1
    shot(kiosk, "remote-3-checked-in")

    for _ in range(before + 1):  # the walk-ins who came before the join, then the joiner
        clerk.call_next(force=True)
    nearly, called = messages(gateway, 4)[2:]  # the ticket's own messages, to the contact given at the join
    assert f"nomor antrean {ticket['number']} (Rekomendasi Kartu Tanda Penduduk (KTP)), " in nearly
    assert "orang lagi sebelum giliran Anda" in nearly
    assert f"nomor antrean {ticket['number']} dipanggil ke Loket 1" in called
    time.sleep(1)  # a second copy would have come by now
    assert whatsapp_texts(gateway) == [joined, leave, nearly, called]
