"""The waiting-room display in Debian's Chromium at 1920x1080 (and 1280x720), against `antrean serve`.

What is checked is the page's own audio state: ``body[data-audio]`` ("idle", "playing",
"blocked", "off"), ``body[data-announced]``, the playing <audio> element, and
``window.antreanAudio.log`` (the start and end of every file played). Headless Chromium plays
sound without a sound card and in real time, so 'ended' comes when a real speaker would finish.
Screenshots are kept in ``test-artifacts/``.
"""
from __future__ import annotations

import shutil
import time

import pytest

from tests.support.clients import Staff
from tests.support.env import need
from tests.support.factories import issue
from tests.support.live_server import LiveServer
from tests.support.needs_playwright import expect

pytestmark = pytest.mark.browser

KIOSK_MODE_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--autoplay-policy=no-user-gesture-required",
]
FULL_HD = {"width": 1920, "height": 1080}

# Headless Chromium lets every page play sound, whatever --autoplay-policy says (measured here),
# so a desktop browser's refusal is reproduced: play() without a user gesture is refused the way
# Chromium refuses it, with a NotAllowedError.
REFUSE_AUTOPLAY = """
(() => {
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () {
    if (!navigator.userActivation.hasBeenActive) {
      return Promise.reject(new DOMException(
        "play() failed because the user didn't interact with the document first.", "NotAllowedError"));
    }
    return play.call(this);
  };
})();
"""


@pytest.fixture(scope="module")
def kiosk_browser(playwright_sync):
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    need(path is not None, "Debian's chromium is not installed (apt-get install chromium)")
    browser = playwright_sync.chromium.launch(executable_path=path, headless=True, args=KIOSK_MODE_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def display_page(kiosk_browser):
    contexts = []

    def _open(url, viewport=FULL_HD, init_script=None):
        context = kiosk_browser.new_context(viewport=viewport)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        if init_script:
            page.add_init_script(init_script)
        page.goto(url)
        page.wait_for_selector('#conn[data-state="online"]', state="attached")
        return page

    yield _open
    for context in contexts:
        context.close()


def audio_state(page) -> dict:
    return page.evaluate("""() => {
        const a = window.antreanAudio;
        return {state: document.body.dataset.audio, announced: +document.body.dataset.announced,
                queued: +document.body.dataset.queued, log: a.log};
    }""")


def wait_announced(page, n: int, timeout_ms: int = 30_000) -> None:
    page.wait_for_function(f"() => +document.body.dataset.announced >= {n}", timeout=timeout_ms)


def assert_never_overlapping(log: list[dict]) -> None:
    parts = [p for entry in log for p in entry["parts"]]
    for before, after in zip(parts, parts[1:], strict=False):
        assert after["start"] >= before["end"] - 1, (before, after)  # one sound at a time


def test_a_call_appears_within_a_second_and_its_announcement_plays(live_server, display_page, shot):
    need(shutil.which("espeak-ng") is not None, "espeak-ng is not installed (apt-get install espeak-ng)")
    page = display_page(f"{live_server.url}/display/")
    expect(page.locator("body")).to_have_attribute("data-audio", "idle")
    expect(page.locator("#sound-gate")).to_be_hidden()   # the kiosk-mode flag: no tap needed
    expect(page.locator("body")).to_have_attribute("data-speech", "on")
    issue(live_server, "ktp")
    issue(live_server, "ktp")
    clerk = Staff(live_server, "pelayanan1")

    started = time.monotonic()
    clerk.call_next(force=True)
    expect(page.locator("#now-number")).to_have_text("A001", timeout=1000)
    shown = time.monotonic() - started
    page.wait_for_function("() => { const a = window.antreanAudio; return !a.element.paused"
                           " && a.element.currentTime > 0; }", timeout=3000)
    sounding = time.monotonic() - started
    expect(page.locator("body")).to_have_attribute("data-audio", "playing")
    expect(page.locator("#now-loket")).to_have_text("silakan menuju Loket 1")
    expect(page.locator("#lokets [data-loket='1'] .num")).to_have_text("A001")
    expect(page.locator("#now")).to_have_class("now called")  # flashing
    shot(page, "display-1920-called")

    wait_announced(page, 1)
    st = audio_state(page)
    entry = st["log"][-1]
    assert entry["number"] == "A001" and entry["texts"] == ["Nomor antrian, A satu, silakan menuju loket satu"]
    chime, speech = entry["parts"]
    assert chime["src"].endswith("/display/audio/chime.wav") and chime["ok"]
    assert speech["src"].startswith("/display/audio/") and speech["ok"]
    played = (speech["end"] - speech["start"]) / 1000
    print(f"\ncall -> shown on the display {shown * 1000:.0f} ms (HTTP call-next included), "
          f"-> audio playing {sounding * 1000:.0f} ms; chime {(chime['end'] - chime['start']) / 1000:.2f} s, "
          f"speech played {played:.2f} s")
    assert shown < 1.0
    assert 2.5 < played < 9                                     # the spoken sentence, played to its end
    assert_never_overlapping(st["log"])
    expect(page.locator("body")).to_have_attribute("data-audio", "idle")

    page.set_viewport_size({"width": 1280, "height": 720})
    for sel in ("#now-number", "#lokets", "#recent", "#waiting", "#clock"):
        box = page.locator(sel).bounding_box()
        assert box and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= 1280 and \
            box["y"] + box["height"] <= 720, (sel, box)
    shot(page, "display-1280")


@pytest.fixture
def tone_server(tmp_path):
    """`antrean serve` with the tone test double instead of words: short, real WAV files."""
    server = LiveServer(tmp_path, {"ANTREAN_SPEECH": "tone"})
    server.create_demo()
    server.start()
    yield server
    server.stop()


def test_a_burst_of_ten_calls_is_announced_in_order_on_two_displays_never_overlapping(tone_server, display_page,
                                                                                     shot):
    displays = [display_page(f"{tone_server.url}/display/") for _ in range(2)]
    silent = display_page(f"{tone_server.url}/display/?sound=off")  # a speaker agent speaks for this one
    expect(silent.locator("body")).to_have_attribute("data-audio", "off")
    for _ in range(5):
        issue(tone_server, "ktp")
        issue(tone_server, "ahli_waris")
    clerks = [Staff(tone_server, "pelayanan1"), Staff(tone_server, "pelayanan2")]
    for i in range(10):
        clerks[i % 2].call_next(force=True)
    for page in displays:
        expect(page.locator("body")).to_have_attribute("data-audio", "playing")
    shot(displays[0], "display-burst")
    for page in displays:
        wait_announced(page, 10, timeout_ms=60_000)
    expected = [f"A{n:03d}" if i % 2 == 0 else f"B{n:03d}" for n in range(1, 6) for i in range(2)]
    for page in displays:
        st = audio_state(page)
        assert [e["number"] for e in st["log"]] == expected   # every call, in the order made
        assert all(len(e["parts"]) == 2 and all(p["ok"] for p in e["parts"]) for e in st["log"])
        assert_never_overlapping(st["log"])
        assert st["state"] == "idle" and st["queued"] == 0
    expect(displays[0].locator("#recent li").first).to_contain_text("B005")
    expect(silent.locator("#now-number")).to_have_text("B005")
    assert audio_state(silent)["log"] == [] and silent.evaluate("window.antreanAudio.element.paused")


def test_without_the_kiosk_flag_the_page_asks_for_a_tap_and_then_plays_what_waited(tone_server, display_page,
                                                                                   shot):
    page = display_page(f"{tone_server.url}/display/", init_script=REFUSE_AUTOPLAY)
    expect(page.locator("body")).to_have_attribute("data-audio", "blocked")
    gate = page.locator("#sound-gate")
    expect(gate).to_be_visible()
    expect(gate).to_contain_text("Ketuk untuk mengaktifkan suara")
    issue(tone_server, "ktp")
    Staff(tone_server, "pelayanan1").call_next(force=True)
    expect(page.locator("#now-number")).to_have_text("A001")      # shown even while silent
    page.wait_for_function("() => +document.body.dataset.queued === 1")
    shot(page, "display-tap-to-enable-sound")
    gate.click()
    expect(gate).to_be_hidden()
    wait_announced(page, 1)
    st = audio_state(page)
    assert st["log"][0]["number"] == "A001" and all(p["ok"] for p in st["log"][0]["parts"])


def test_the_page_reconnects_after_a_server_restart_and_catches_up(tone_server, display_page, shot):
    page = display_page(f"{tone_server.url}/display/")
    kasi = Staff(tone_server, "kasi")
    kasi.post("/display/settings", {"running_text": "Selamat datang di Kecamatan Kampak",
                                    "announce_lang": "id", "announce_reading": "number"})
    expect(page.locator("#running-text")).to_have_text("Selamat datang di Kecamatan Kampak")  # pushed live
    expect(page.locator("#ticker")).to_be_visible()
    issue(tone_server, "ktp")
    issue(tone_server, "ktp")
    Staff(tone_server, "pelayanan1").call_next(force=True)
    wait_announced(page, 1)

    tone_server.stop(kill=True)
    expect(page.locator("#conn")).to_have_attribute("data-state", "offline")
    shot(page, "display-offline")
    tone_server.start()
    restarted = time.monotonic()
    expect(page.locator("#conn")).to_have_attribute("data-state", "online", timeout=10_000)
    print(f"\nthe page was back online {time.monotonic() - restarted:.2f} s after the server restarted")
    assert time.monotonic() - restarted < 5
    expect(page.locator("#conn")).to_be_hidden()
    expect(page.locator("#running-text")).to_have_text("Selamat datang di Kecamatan Kampak")
    clerk = Staff(tone_server, "pelayanan1")
    clerk.call_next(force=True)
    expect(page.locator("#now-number")).to_have_text("A002", timeout=2000)
    wait_announced(page, 2)
    assert [e["number"] for e in audio_state(page)["log"]] == ["A001", "A002"]  # nothing twice

    # the network drops (the server stays up) while a call is made: on reconnection the page
    # shows and announces the call it missed
    page.evaluate("() => { const s = window.antreanDisplay.socket; s.io.reconnection(false); s.io.engine.close(); }")
    expect(page.locator("#conn")).to_have_attribute("data-state", "offline")
    issue(tone_server, "ktp")
    clerk.call_next(force=True)
    page.wait_for_timeout(300)
    expect(page.locator("#now-number")).to_have_text("A002")
    page.evaluate("() => { const s = window.antreanDisplay.socket; s.io.reconnection(true); s.connect(); }")
    expect(page.locator("#now-number")).to_have_text("A003")
    wait_announced(page, 3)
    assert [e["number"] for e in audio_state(page)["log"]] == ["A001", "A002", "A003"]


@pytest.fixture
def mute_server(tmp_path):
    server = LiveServer(tmp_path, {"ANTREAN_SPEECH": "off"})
    server.create_demo()
    server.start()
    yield server
    server.stop()


def test_without_speech_the_display_still_shows_and_chimes(mute_server, display_page):
    assert "speech   : unavailable (" in mute_server.log.read_text()
    page = display_page(f"{mute_server.url}/display/")
    expect(page.locator("body")).to_have_attribute("data-speech", "off")
    issue(mute_server, "ktp")
    Staff(mute_server, "pelayanan1").call_next(force=True)
    expect(page.locator("#now-number")).to_have_text("A001")
    wait_announced(page, 1)
    parts = audio_state(page)["log"][0]["parts"]
    assert [p["src"] for p in parts] == ["/display/audio/chime.wav"] and parts[0]["ok"]
