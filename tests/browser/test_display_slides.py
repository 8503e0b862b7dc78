"""The TV's information slides (the Maklumat, each service's standard) rotate in their own panel and never
hide or delay a call: with slides changing every 2 s, a call made from the counter shows on the display at
once, and the slides keep going. Debian's Chromium against `antrean serve`; screenshots in test-artifacts/."""
from __future__ import annotations

import time

import pytest

from tests.support.clients import Staff
from tests.support.factories import issue
from tests.support.needs_playwright import expect

pytestmark = pytest.mark.browser

TV = {"width": 1920, "height": 1080}


def test_slides_rotate_and_a_call_is_shown_at_once(live_server, new_page, shot):
    tv = new_page(viewport=TV)
    tv.goto(f"{live_server.url}/display/?sound=off&slides=2")
    tv.wait_for_selector('#conn[data-state="online"]', state="attached")
    expect(tv.locator("#slide-title")).to_have_text("Maklumat Pelayanan", ignore_case=True)
    assert "sanggup menyelenggarakan pelayanan" in tv.locator("#slide-body").inner_text()
    expect(tv.locator("#slides")).to_have_attribute("data-slide", "1", timeout=4000)
    assert tv.locator("#slide-title").text_content() == "Perekaman e-KTP"
    assert "Tidak dipungut biaya" in tv.locator("#slide-body").inner_text()
    # the panel stays inside the screen's side column; the page does not scroll
    box = tv.locator("#slides").bounding_box()
    assert box["y"] + box["height"] <= TV["height"] and box["x"] >= TV["width"] * 0.6
    now = tv.locator("#now").bounding_box()
    assert now["x"] + now["width"] <= box["x"]  # the call panel and the slides never overlap

    issue(live_server, "ktp")
    clerk = Staff(live_server, "pelayanan1")
    started = time.monotonic()
    clerk.call_next()
    expect(tv.locator("#now-number")).to_have_text("A001", timeout=3000)
    assert time.monotonic() - started < 3
    shown = tv.locator("#slides").get_attribute("data-slide")
    expect(tv.locator("#slides")).not_to_have_attribute("data-slide", shown, timeout=4000)  # still rotating
    expect(tv.locator("#now-number")).to_have_text("A001")  # and the call stays on screen
    shot(tv, "tv")


def test_slides_can_be_turned_off(live_server, new_page):
    tv = new_page(viewport=TV)
    tv.goto(f"{live_server.url}/display/?sound=off&slides=0")
    assert tv.locator("#slides").count() == 0


@pytest.mark.parametrize("size", [TV, {"width": 1280, "height": 720}, {"width": 1366, "height": 768}],
                         ids=["1080p", "720p", "768p"])
def test_no_slide_line_is_cut_in_half_at_the_bottom_of_the_panel(live_server, new_page, shot, size):
    """What does not fit ends at a whole word with "…" (the whole text is on the information site);
    the title and the foot stay, and the first component (the Maklumat's text, a service's time) shows."""
    tv = new_page(viewport=size)
    tv.goto(f"{live_server.url}/display/?sound=off&slides=2")
    tv.wait_for_selector('#conn[data-state="online"]', state="attached")
    for n in range(4):
        expect(tv.locator("#slides")).to_have_attribute("data-slide", str(n), timeout=5000)
        shot(tv, f"tv-{size['width']}-slide{n}")
        fit = tv.evaluate("""() => {
            const panel = document.getElementById('slides').getBoundingClientRect();
            const lines = [...document.querySelectorAll('#slides *')].filter(e => e.offsetParent && e.textContent.trim());
            const cut = lines.filter(e => { const r = e.getBoundingClientRect();
                return r.height && (r.bottom > panel.bottom + 1 || r.right > panel.right + 1); });
            return {cut: cut.map(e => e.textContent.trim().slice(0, 40)), panel: [panel.bottom, panel.right]};
        }""")
        assert fit["cut"] == [], fit
        assert tv.locator("#slide-body dd").count() >= 1 and len(tv.locator("#slide-body dd").first.inner_text()) > 20
        assert tv.locator("#slide-foot").is_visible()
