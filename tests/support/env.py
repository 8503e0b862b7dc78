"""The environment checks: which services and programs this machine has.

Tests that need PostgreSQL, Redis, Chromium or espeak-ng skip with a reason on a machine
without them, and fail instead when ANTREAN_REQUIRE_ALL=1 (CI sets it).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
REQUIRE_ALL = os.environ.get("ANTREAN_REQUIRE_ALL") == "1"
PG_ADMIN_URL = os.environ.get("ANTREAN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("ANTREAN_TEST_REDIS", "redis://127.0.0.1:6379/15")


def need(ok: bool, reason: str) -> None:
    """Skip with ``reason`` when ``ok`` is false, or fail when every test is required."""
    if ok:
        return
    if REQUIRE_ALL:
        pytest.fail(f"required (ANTREAN_REQUIRE_ALL=1) but unavailable: {reason}")
    pytest.skip(reason)


def pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:
        return False


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2).ping())
    except Exception:
        return False


def chromium() -> str | None:
    """Debian's chromium (never ``playwright install``), or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def need_chromium() -> str:
    path = chromium()
    need(path is not None, "Debian's chromium is not installed (apt-get install chromium)")
    return path


ESPEAK = shutil.which("espeak-ng") is not None


def need_espeak() -> None:
    need(ESPEAK, "espeak-ng is not installed (apt-get install espeak-ng)")
