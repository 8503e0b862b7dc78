"""The waiting-room display tells the truth, in Debian's Chromium against `antrean serve`, at the
TV sizes an office has (1920x1080, 1366x768, 1280x720), with the running text on:

- the "Dokumen siap diambil" list is never covered by the ticker, nor cut by its column;
- the called number keeps a contrast of at least 4.5:1 through the whole flash (measured: every
  animation of the page paused at each 20 ms of the flash, the computed colours read back);
- the "tap to enable sound" overlay never covers the called number (nor the ready list), and its
  icon is an inline SVG, not a character a font must have;
- "Sedang dilayani" clears when a ticket leaves the desk; a number called again takes one row of the
  last calls, marked in words; the e-KTP recording is called for the recording, not as a document.

Screenshots are kept in ``test-artifacts/`` (look at them as the waiting room would).
"""
from __future__ import annotations

import re

import pytest

from tests.support.clients import Staff
from tests.support.factories import APPLICANT, FAMILY_B_FORMS, issue
from tests.support.live_server import LiveServer
from tests.support.needs_playwright import expect

pytestmark = pytest.mark.browser

SIZES = [(1920, 1080), (1366, 768), (1280, 720)]
RUNNING_TEXT = ("Selamat datang di Kecamatan Kampak. Pelayanan buka Senin-Kamis 07.30-15.30, Jumat 07.30-14.00. "
                "Siapkan dokumen asli dan fotokopinya. Layanan tidak dipungut biaya.")
READY = 14  # more documents ready than fit: the list shows what fits and "+N lainnya"
REFUSE_AUTOPLAY = """
(() => {
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () {
    if (!navigator.userActivation.hasBeenActive) {
      return Promise.reject(new DOMException("play() needs a tap first", "NotAllowedError"));
    }
    return play.call(this);
  };
})();
"""


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """A server with a busy morning: READY letters signed and waiting to be collected, a number called
    again twice, the running text on, an e-KTP applicant called for the recording."""
    server = LiveServer(tmp_path_factory.mktemp("display"), {"ANTREAN_SPEECH": "tone"})
    server.create_demo()
    server.start()
    staff = {u: Staff(server, u) for u in ("pelayanan1", "pelayanan2", "verifikasi", "register", "kasi",
                                           "sekcam", "camat")}
    staff["kasi"].post("/display/settings", {"running_text": RUNNING_TEXT, "announce_lang": "id",
                                             "announce_reading": "number"})
    letters = [issue(server, "ahli_waris") for _ in range(READY)]
    for i, t in enumerate(letters):  # called at Loket 2, received, verified, registered, signed: ready
        staff["pelayanan2"].send(f"/counter/tickets/{t['id']}/call-chosen", {"force": "1"})
        if i == READY - 1:  # the applicant did not answer at once: called again twice, still one row
            for _ in range(2):
                staff["pelayanan2"].send(f"/counter/tickets/{t['id']}/call", {"kind": "recall"})
        for number, user, extra in FAMILY_B_FORMS[:5]:
            staff[user].send(f"/counter/tickets/{t['id']}/step",
                             {"step": number, **extra, **(APPLICANT if number == 2 else {})})
    for _ in range(3):
        issue(server, "ktp")
    yield server, staff, letters
    server.stop()


def box(page, selector):
    b = page.locator(selector).bounding_box()
    assert b is not None, selector
    return b


def intersects(a, b) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def inside(inner, outer, slack=0.5) -> bool:
    return (inner["x"] >= outer["x"] - slack and inner["y"] >= outer["y"] - slack
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack)


def open_display(new_page, server, size, init_script=None):
    page = new_page(viewport={"width": size[0], "height": size[1]})
    if init_script:
        page.add_init_script(init_script)
    page.goto(f"{server.url}/display/")
    page.wait_for_selector('#conn[data-state="online"]', state="attached")
    page.wait_for_function("() => document.querySelectorAll('#recent li').length > 0")
    return page


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_ready_list_is_never_covered_by_the_running_text(office, new_page, shot, size):
    server, _staff, letters = office
    page = open_display(new_page, server, size)
    expect(page.locator("#ticker")).to_be_visible()
    expect(page.locator("#running-text")).to_have_text(RUNNING_TEXT)
    ready, ticker, side = box(page, "#ready-box"), box(page, "#ticker"), box(page, ".side")
    assert not intersects(ready, ticker), (ready, ticker)
    assert ready["y"] + ready["height"] <= ticker["y"]
    assert inside(ready, side), (ready, side)  # not cut off by its column either
    assert ready["height"] > 0 and ready["y"] >= 0
    # the numbers shown are whole, the first ones ready, and the rest counted
    numbers = page.locator("#ready span:not(.more)").all_inner_texts()
    assert len(numbers) >= 2 and numbers == [t["number"] for t in letters][:len(numbers)]
    for i in range(len(numbers)):
        assert inside(box(page, f"#ready span:nth-child({i + 1})"), ready)
    if len(numbers) < READY:
        expect(page.locator("#ready .more")).to_have_text(f"+{READY - len(numbers)} lainnya")
        assert inside(box(page, "#ready .more"), ready)
    assert page.evaluate("() => { const p = document.getElementById('ready');"
                         " return p.scrollHeight <= p.clientHeight + 1; }")
    # the last calls show whole rows only, inside their box, one row per number
    rows = page.locator("#recent li:not([hidden])")
    assert rows.count() >= 2
    recent_box = box(page, ".recent-box")
    for i in range(rows.count()):
        assert inside(rows.nth(i).bounding_box(), recent_box)
    shown = [re.match(r"[A-Z]\d+", t).group(0) for t in page.locator("#recent li b").all_inner_texts()]
    assert len(shown) == len(set(shown))
    recalled = page.locator("#recent li", has_text=letters[-1]["number"])
    expect(recalled).to_have_count(1)
    expect(recalled).to_have_attribute("data-kind", "recall")
    expect(recalled.locator(".tag")).to_have_text("Panggilan ulang")
    # everything of the screen on the screen
    for sel in ("#now-number", "#lokets", "#recent", "#waiting", "#ready", "#clock", "#ticker"):
        b = box(page, sel)
        assert b["x"] >= 0 and b["y"] >= 0 and b["x"] + b["width"] <= size[0] + 0.5 \
            and b["y"] + b["height"] <= size[1] + 0.5, (sel, b)
    # the information slides under the lists, squeezed by them: still no line cut in half
    cut = page.evaluate("""() => { const panel = document.getElementById('slides');
        if (!panel) return [];
        const bottom = panel.getBoundingClientRect().bottom;
        return [...panel.querySelectorAll('*')].filter(e => e.offsetParent && e.textContent.trim()
            && e.getBoundingClientRect().height && e.getBoundingClientRect().bottom > bottom + 1)
            .map(e => e.textContent.trim().slice(0, 40)); }""")
    assert cut == [], cut
    shot(page, f"ready-and-ticker-{size[0]}x{size[1]}")


def luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg, bg) -> float:
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def rgb(css: str) -> tuple[int, int, int]:
    parts = [float(x) for x in re.findall(r"[\d.]+", css)]
    assert len(parts) == 3 or parts[3] == 1, css  # opaque colours only
    return tuple(round(x) for x in parts[:3])


# Pause every animation of the flash at each ``step`` ms and read the colours of each (text, background)
# pair back (in one go: an animation set to its end is finished and gone).
SAMPLE_FLASH = """([pairs, step]) => {
  const anims = document.getAnimations().filter(a => a.animationName && a.animationName.startsWith('called'));
  anims.forEach(a => a.pause());
  const end = Math.max(...anims.map(a => a.effect.getComputedTiming().endTime));
  const out = pairs.map(() => []);
  for (let t = 0; t <= end; t += step) {
    anims.forEach(a => { a.currentTime = t; });
    pairs.forEach(([fg, bg], i) => out[i].push({
      t: t, fg: getComputedStyle(document.querySelector(fg)).color,
      bg: getComputedStyle(document.querySelector(bg)).backgroundColor}));
  }
  return {count: anims.length, end: end, samples: out};
}"""
PAIRS = [("#now-number", "#now"), ("#now-kind", "#now"), ("#now-loket", "#now"),
         ("#lokets [data-loket='1'] .num", "#lokets [data-loket='1']")]


def test_the_called_number_keeps_its_contrast_through_the_whole_flash(office, new_page, shot):
    server, staff, _letters = office
    page = open_display(new_page, server, SIZES[0])
    staff["pelayanan1"].send("/counter/call-next", {"force": "1"})
    expect(page.locator("#now")).to_have_class(re.compile(r"\bcalled\b"))
    expect(page.locator("#lokets [data-loket='1']")).to_have_class(re.compile(r"\bcalled\b"))
    page.wait_for_timeout(250)
    shot(page, "flash-1920x1080")
    measured = page.evaluate(SAMPLE_FLASH, [PAIRS, 20])
    assert measured["count"] >= 4 and measured["end"] >= 6000  # the flash itself is measured
    for (fg, _bg), samples in zip(PAIRS, measured["samples"], strict=True):
        ratios = [(s["t"], contrast(rgb(s["fg"]), rgb(s["bg"]))) for s in samples]
        worst = min(ratios, key=lambda r: r[1])
        print(f"\n{fg}: {len(ratios)} samples over {measured['end']:.0f} ms, lowest contrast {worst[1]:.2f}:1 "
              f"at {worst[0]} ms; colour pairs {sorted({(s['fg'], s['bg']) for s in samples})}")
        assert worst[1] >= 4.5, (fg, worst)
        assert len({(s["fg"], s["bg"]) for s in samples}) >= 2  # it does flash


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_sound_overlay_never_covers_the_called_number(office, new_page, shot, size):
    server, _staff, _letters = office
    page = open_display(new_page, server, size, init_script=REFUSE_AUTOPLAY)
    gate = page.locator("#sound-gate")
    expect(gate).to_be_visible()
    expect(gate).to_contain_text("Ketuk untuk mengaktifkan suara")
    g = box(page, "#sound-gate")
    for sel in ("#now", "#now-number", "#now-loket", "#ready-box", "#lokets"):
        assert not intersects(g, box(page, sel)), sel
    # the icon is drawn, not a character: an inline SVG with a size, and only plain text besides
    icon = box(page, "#sound-gate svg")
    assert icon["width"] > 20 and icon["height"] > 20
    assert gate.inner_text().strip() == "Ketuk untuk mengaktifkan suara"
    shot(page, f"sound-overlay-{size[0]}x{size[1]}")
    gate.click()
    expect(gate).to_be_hidden()


def test_no_glyph_needs_a_font_the_tv_may_lack(office, new_page):
    server, _staff, _letters = office
    page = open_display(new_page, server, SIZES[0], init_script=REFUSE_AUTOPLAY)
    expect(page.locator("#sound-gate")).to_be_visible()
    # every character on the screen (text and CSS generated content) is Latin script or common punctuation
    chars = page.evaluate("""() => {
      let text = document.body.innerText;
      for (const el of document.querySelectorAll('*')) {
        for (const pseudo of ['::before', '::after']) {
          const c = getComputedStyle(el, pseudo).content;
          if (c && c !== 'none' && c !== 'normal') text += c;
        }
      }
      return text;
    }""")
    odd = sorted({ch for ch in chars if not (ch.isspace() or " " <= ch <= "\u024f" or ch in "\u2013\u2014\u2019")})
    assert odd == [], odd


def test_now_serving_clears_and_the_e_ktp_recording_is_called_for_the_recording(office, new_page, shot):
    server, staff, letters = office
    page = open_display(new_page, server, SIZES[2])
    tile2 = page.locator("#lokets [data-loket='2'] .num")
    # Loket 2 called every letter; each went on to the back office after its MS: nobody is served there
    expect(tile2).to_have_text("-")
    # the first letter is called to collect it: served at Loket 2 and marked as a pickup
    staff["pelayanan2"].send(f"/counter/tickets/{letters[0]['id']}/call", {"kind": "pickup"})
    expect(tile2).to_have_text(letters[0]["number"])
    expect(page.locator("#now-kind")).to_have_text("untuk pengambilan surat")
    row = page.locator("#recent li").first
    expect(row).to_have_attribute("data-kind", "pickup")
    expect(row.locator(".tag")).to_have_text("Pengambilan surat")
    expect(page.locator("#recent li", has_text=letters[0]["number"])).to_have_count(1)
    # an e-KTP applicant at the recording step is called for the recording, and is no document ready
    ektp = issue(server, "ektp")
    staff["pelayanan1"].send(f"/counter/tickets/{ektp['id']}/call-chosen", {"force": "1"})
    for number, user, extra in ((2, "pelayanan1", APPLICANT), (3, "verifikasi", {"decision": "MS"}),
                                (4, "register", {}), (5, "kasi", {})):
        staff[user].send(f"/counter/tickets/{ektp['id']}/step", {"step": number, **extra})
    expect(page.locator("#lokets [data-loket='1'] .num")).to_have_text("-")  # the file went on
    staff["pelayanan1"].send(f"/counter/tickets/{ektp['id']}/call", {"kind": "pickup"})
    expect(page.locator("#now-number")).to_have_text(ektp["number"])
    expect(page.locator("#now-kind")).to_have_text("untuk perekaman e-KTP")
    expect(page.locator("#lokets [data-loket='1'] .num")).to_have_text(ektp["number"])
    expect(page.locator("#recent li").first.locator(".tag")).to_have_text("Perekaman e-KTP")
    assert ektp["number"] not in page.locator("#ready").inner_text()
    shot(page, "e-ktp-recording-1280x720")
    # a reload shows the same truth from the snapshot alone
    page.reload()
    page.wait_for_selector('#conn[data-state="online"]', state="attached")
    expect(page.locator("#lokets [data-loket='1'] .num")).to_have_text(ektp["number"])
    expect(page.locator("#now-kind")).to_have_text("untuk perekaman e-KTP")
    expect(tile2).to_have_text(letters[0]["number"])


def test_after_a_reconnect_a_number_finished_meanwhile_is_not_shown_as_served(office, new_page, shot):
    server, staff, _letters = office
    page = open_display(new_page, server, SIZES[1])
    page.evaluate("() => { const s = window.antreanDisplay.socket; s.io.reconnection(false); s.io.engine.close(); }")
    expect(page.locator("#conn")).to_have_attribute("data-state", "offline")
    # while the screen is away: a ticket is called at Loket 3 and sent on to Loket 1's queue
    t = issue(server, "oss")
    teknis = Staff(server, "teknis")
    teknis.send(f"/counter/tickets/{t['id']}/call-chosen", {"force": "1"})
    teknis.send(f"/counter/tickets/{t['id']}/transfer", {"loket_id": "1"})
    page.evaluate("() => { const s = window.antreanDisplay.socket; s.io.reconnection(true); s.connect(); }")
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    expect(page.locator("#now-number")).to_have_text(t["number"])  # the missed call is still shown
    expect(page.locator("#lokets [data-loket='3'] .num")).to_have_text("-")  # but nobody is served there
    shot(page, "after-reconnect-1366x768")
