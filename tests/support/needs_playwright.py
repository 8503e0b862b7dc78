"""Playwright's ``expect`` for the browser test modules (``from tests.support.needs_playwright
import expect``). Without the playwright package the importing module is skipped with the reason,
or fails when every test is required (ANTREAN_REQUIRE_ALL=1)."""
import pytest

from tests.support.env import REQUIRE_ALL

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - depends on the machine
    if REQUIRE_ALL:
        raise
    pytest.skip("the playwright Python package is not installed", allow_module_level=True)

__all__ = ["expect"]
