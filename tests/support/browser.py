"""Headless Debian Chromium for the browser tests: its flags, its default timeout, screenshots
kept under ``test-artifacts/``. Playwright's ``expect`` is in ``tests.support.needs_playwright``."""
from __future__ import annotations

from pathlib import Path

from tests.support.env import ARTIFACTS

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
DEFAULT_TIMEOUT_MS = 10_000


def screenshot(page, name: str) -> Path:
    """Save ``test-artifacts/<name>.png`` (the whole page) and return its path."""
    path = ARTIFACTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


CONFIRM_GUARD_MS = 650  # the kiosk's confirmation step ignores taps for 600 ms (the finger that chose)


def take_ticket(page, tap: bool = False) -> None:
    """On the kiosk, after a tap on a service: its confirmation step (on by default) is shown; press
    "Ambil tiket" as a citizen would, after the step's guard against a double tap."""
    page.locator("#step-confirm").wait_for(state="visible")
    page.wait_for_timeout(CONFIRM_GUARD_MS)
    if tap:
        page.tap("#confirm-take")
    else:
        page.click("#confirm-take")


def log_in(page, base: str, username: str, password: str) -> None:
    """The staff login form, filled and sent as a clerk does; the counter page (or the page the
    role lands on) is loaded when this returns."""
    page.goto(f"{base}/counter/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("#login")
