"""Browser fixtures: one headless Debian Chromium per test module, a fresh context per page,
and a screenshot helper that keeps its files under ``test-artifacts/``.

The browser is Debian's ``chromium`` (never ``playwright install``). Without it, or without the
playwright package, the tests skip (or fail when ANTREAN_REQUIRE_ALL=1).
"""
from __future__ import annotations

import re

import pytest

from tests.support.browser import CHROMIUM_ARGS, DEFAULT_TIMEOUT_MS, screenshot
from tests.support.env import need, need_chromium
from tests.support.gateways import http_gateway


@pytest.fixture(scope="module")
def playwright_sync():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        need(False, "the playwright Python package is not installed")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright_sync):
    path = need_chromium()  # as the function-scoped ``chromium_path`` fixture, usable at module scope
    browser = playwright_sync.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser):
    """``new_page(**context_options)``: a page in its own fresh context, closed after the test."""
    contexts = []

    def _new_page(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()


@pytest.fixture
def shot(request):
    """``shot(page, step)`` saves ``test-artifacts/<test name>-<step>.png`` and returns its path."""
    name = re.sub(r"[^\w.-]+", "_", request.node.name)

    def _shot(page, step: str):
        return screenshot(page, f"{name}-{step}")

    return _shot


@pytest.fixture
def gateway():
    """A local HTTP server standing in for the office's WhatsApp gateway (tests/support/gateways.py)."""
    with http_gateway() as made:
        yield made
