"""Security headers on every page, session cookies (Secure over HTTPS, HttpOnly, SameSite), and the
templates free of inline script, event handlers and style attributes (the CSP allows none)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.env import ROOT

PAGES = ["/", "/kiosk/", "/display/", "/counter/login", "/kiosk/survei/", "/api/v1/services",
         "/static/app.css", "/vendor/socket.io.min.js"]


def csp_of(resp) -> dict[str, str]:
    policy = resp.headers["Content-Security-Policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split(";") if d.strip()}


@pytest.mark.parametrize("url", PAGES)
def test_every_response_carries_the_headers(client, url):
    with client.get(url) as resp:  # closes the file of a static response
        assert resp.status_code == 200
    csp = csp_of(resp)
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert "unsafe" not in resp.headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert csp["connect-src"] == "'self'"  # the Socket.IO websocket on the same origin
    assert csp["media-src"] == "'self' blob:"  # announcement WAVs and the display's silent clip
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in resp.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in resp.headers  # plain HTTP: no HSTS


def test_error_pages_and_the_staff_pages_carry_them_too(client, login):
    assert "Content-Security-Policy" in client.get("/no/such/page").headers
    login("kasi")
    for url in ("/counter/", "/counter/reports/", "/counter/printing/", "/display/settings"):
        resp = client.get(url)
        assert resp.status_code == 200 and resp.headers["X-Frame-Options"] == "DENY", url


def session_cookie(resp) -> str:
    return next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("session="))


def test_cookies_over_http_are_httponly_and_samesite_but_not_secure(client, login):
    c = client
    resp = c.post("/counter/login", data={"username": "kasi", "password": "x"})  # sets the flash
    cookie = session_cookie(resp)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def make_app(tmp_path, clock, printer, env):
    from antrean.shared.app import create_app
    from antrean.shared.config import load_config

    cfg = load_config({"ANTREAN_INSTANCE": str(tmp_path), **env})
    return create_app({"INSTANCE": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
                       "SECRET_KEY": "t", "TESTING": True, "WTF_CSRF_ENABLED": False, "ALWAYS_OPEN": True,
                       "PUBLIC_URL": cfg["PUBLIC_URL"], "SECURE_COOKIES": cfg["SECURE_COOKIES"]},
                      clock=clock, printer=printer, start_workers=False)


@pytest.mark.parametrize("env,secure", [
    ({"ANTREAN_PUBLIC_URL": "https://antrean.kampak.example"}, True),
    ({"ANTREAN_PUBLIC_URL": "http://192.168.1.10:5000"}, False),
    ({"ANTREAN_PUBLIC_URL": "http://192.168.1.10:5000", "ANTREAN_SECURE_COOKIES": "1"}, True),
    ({"ANTREAN_PUBLIC_URL": "https://antrean.kampak.example", "ANTREAN_SECURE_COOKIES": "0"}, False),
])
def test_cookies_are_secure_behind_https(tmp_path, clock, printer, env, secure):
    from antrean.shared.services.demo import create_demo
    from tests.support.fakes import fast_hash

    app = make_app(tmp_path, clock, printer, env)
    try:
        made = {u: p for u, p, _r in create_demo(app.extensions["antrean"].sessions, hasher=fast_hash)}
        client = app.test_client()
        resp = client.post("/counter/login", data={"username": "kasi", "password": made["kasi"]},
                           base_url="https://antrean.kampak.example" if secure else "http://localhost")
        assert resp.status_code == 302
        cookie = session_cookie(resp)
        assert ("Secure" in cookie) is secure and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert not [h for h in resp.headers.getlist("Set-Cookie") if h.startswith("remember_token")]
        assert ("Strict-Transport-Security" in resp.headers) is secure
    finally:
        app.extensions["antrean.engine"].dispose()


TEMPLATES = sorted(p for folder in ("kiosk", "display", "counter", "shared") for p in (ROOT / folder).rglob("*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_hold_no_inline_script_handler_or_style(path: Path):
    text = path.read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag or 'type="application/json"' in tag, f"inline script: {tag}"
    assert not re.search(r"\son[a-z]+\s*=", text), "an on*= event handler attribute"
    assert not re.search(r"\sstyle\s*=", text), "a style= attribute"
    assert "<style" not in text and "javascript:" not in text
