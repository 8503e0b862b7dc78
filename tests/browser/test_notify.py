"""On a phone, in Chromium: the citizen opens the ticket's status page, chooses WhatsApp, types a
mobile number, ticks the consent and sends; the page then says where messages go without showing the
number. The clerk calls the ticket, and the office's WhatsApp gateway (a local HTTP server) receives
one message naming the ticket and the loket. Screenshot: test-artifacts/notify-*.png."""
from __future__ import annotations

import pytest

from tests.support.clients import Staff
from tests.support.factories import issue
from tests.support.live_server import LiveServer, wait_until
from tests.support.needs_playwright import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path, gateway):
    live = LiveServer(tmp_path, {"ANTREAN_WHATSAPP_URL": gateway.url + "/send", "ANTREAN_WHATSAPP_TOKEN": "Bearer uji"})
    live.create_demo()
    live.start()
    yield live
    live.stop()


def test_the_citizen_opts_in_on_the_status_page_and_the_call_reaches_the_gateway(server, gateway, new_page, shot):
    ticket = issue(server, "ktp")
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(server.url + ticket["status_url"])
    form = page.locator("#st-notify-form")
    expect(page.locator("#st-notify summary")).to_have_text("Kirim kabar ke WhatsApp/SMS/e-mail?")
    expect(form).to_contain_text("saat nomor Anda dipanggil")
    form.locator("#st-notify-address").fill("0812 3456 7890")
    with page.expect_navigation():
        form.locator("#st-notify-send").click()
    expect(page.locator("#st-notify .flash.error")).to_contain_text("Centang persetujuan")  # consent first
    page.locator("#st-notify-address").fill("0812 3456 7890")
    page.locator("#st-notify-consent").check()
    with page.expect_navigation():
        page.locator("#st-notify-send").click()
    expect(page.locator("#st-notify-on")).to_have_text("Kabar dikirim lewat WhatsApp.")
    html = page.content()
    assert "3456 7890" not in html.replace("0812 3456 7890 / nama@contoh.id", "") and "6281234567890" not in html
    page.locator("#st-notify").scroll_into_view_if_needed()
    shot(page, "1-opted-in")

    Staff(server, "pelayanan1").call_next()
    wait_until(lambda: len(gateway.received) >= 1, timeout=10)
    received = gateway.json_bodies()
    assert len(received) == 1
    assert received[0]["to"] == "6281234567890"
    text = received[0]["text"]["body"]
    assert f"nomor antrean {ticket['number']} dipanggil ke Loket 1" in text
    assert ticket["status_url"] in text
