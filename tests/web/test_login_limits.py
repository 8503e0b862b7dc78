"""Failed staff logins are limited per user name and address (shared/web/login_limits.py): the login
page says so in Indonesian with a 429; the right password waits too; other users, other addresses,
the kiosk and the display go on. Counted in Redis when REDIS_URL is set, so processes share it."""
from __future__ import annotations

import base64
import re
import time

import pytest

from antrean.shared.services.tokens import create_token
from tests.support.security import TOO_MANY


def attempt(client, username, password, addr="10.0.0.5"):
    return client.post("/counter/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": addr})


def test_five_failures_lock_that_user_at_that_address_with_a_clear_message(client, app_staff):
    for _ in range(5):
        resp = attempt(client, "kasi", "salah")
        assert resp.status_code == 200 and "kata sandi salah" in resp.get_data(as_text=True)
    resp = attempt(client, "kasi", app_staff["kasi"])  # the right password waits as well
    page = resp.get_data(as_text=True)
    assert resp.status_code == 429
    assert TOO_MANY in page and re.search(r"coba lagi dalam \d+ detik", page)
    assert 'id="login"' in page  # still the login page, with its form
    assert 1 <= int(resp.headers["Retry-After"]) <= 60
    assert client.get("/counter/").status_code == 302  # not logged in
    # the same name is refused in any letter case; other users and other addresses are not
    assert attempt(client, " KASI ", app_staff["kasi"]).status_code == 429
    assert attempt(client, "sekcam", app_staff["sekcam"]).status_code == 302
    assert attempt(client, "kasi", app_staff["kasi"], addr="10.0.0.6").status_code == 302


def test_the_english_page_says_it_in_english(client, app_staff):
    client.get("/counter/login?lang=en")
    for _ in range(5):
        attempt(client, "kasi", "wrong")
    page = attempt(client, "kasi", "wrong").get_data(as_text=True)
    assert "Too many failed sign-in attempts" in page and TOO_MANY not in page


def test_successful_logins_and_page_views_do_not_count(client, app_staff):
    for _ in range(12):
        assert client.get("/counter/login", environ_base={"REMOTE_ADDR": "10.0.0.5"}).status_code == 200
        assert attempt(client, "pelayanan1", app_staff["pelayanan1"]).status_code == 302
        client.post("/counter/logout")
    for _ in range(4):
        attempt(client, "pelayanan1", "salah")
    assert attempt(client, "pelayanan1", app_staff["pelayanan1"]).status_code == 302


def test_the_kiosk_display_and_public_api_are_never_limited(client, app, app_staff):
    for _ in range(6):
        attempt(client, "kasi", "salah", addr="127.0.0.1")
    assert attempt(client, "kasi", "salah", addr="127.0.0.1").status_code == 429
    numbers = []
    # the kiosk (with its kiosk key: its own allowance of tickets) at the same address as the locked-out login
    key = create_token(app.extensions["antrean"].sessions, "kiosk-1", "kiosk")
    for _ in range(40):
        resp = client.post("/api/v1/tickets", json={"service": "ktp"}, headers={"X-Kiosk-Key": key})
        assert resp.status_code == 201
        numbers.append(resp.get_json()["number"])
        for url in ("/kiosk/", "/display/", "/display/state.json", "/api/v1/services"):
            assert client.get(url).status_code == 200, url
    assert numbers[-1] == "A040"


def test_the_window_moves_on(tmp_path, clock, printer):
    app, passwords = make_app(tmp_path, clock, printer, LOGIN_LIMIT="2 per 4 seconds")
    try:
        client = app.test_client()
        attempt(client, "camat", "salah")
        attempt(client, "camat", "salah")
        assert attempt(client, "camat", passwords["camat"]).status_code == 429
        time.sleep(4.2)
        assert attempt(client, "camat", passwords["camat"]).status_code == 302
    finally:
        app.extensions["antrean.engine"].dispose()


def basic(username, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_the_staff_api_limits_failed_basic_logins_too(client, app_staff):
    for _ in range(5):
        assert client.get("/api/v1/staff/me", headers=basic("kasi", "salah")).status_code == 401
    resp = client.get("/api/v1/staff/me", headers=basic("kasi", app_staff["kasi"]))
    assert resp.status_code == 429 and resp.get_json()["code"] == "too_many_requests"
    ok = client.get("/api/v1/staff/me", headers=basic("camat", app_staff["camat"]))
    assert ok.status_code == 200 and ok.get_json()["username"] == "camat"
    for _ in range(10):  # an authenticated caller is never counted
        assert client.get("/api/v1/staff/queue", headers=basic("camat", app_staff["camat"])).status_code == 200
    assert client.get("/api/v1/staff/me", headers={"Authorization": "Basic !!!"}).status_code == 401


def make_app(tmp_path, clock, printer, **overrides):
    from antrean.shared.app import create_app
    from antrean.shared.services.demo import create_demo
    from tests.support.fakes import fast_hash

    app = create_app({"INSTANCE": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
                      "SECRET_KEY": "t", "TESTING": True, "WTF_CSRF_ENABLED": False, "ALWAYS_OPEN": True,
                      **overrides}, clock=clock, printer=printer, start_workers=False)
    passwords = {u: p for u, p, _r in create_demo(app.extensions["antrean"].sessions, hasher=fast_hash)}
    return app, passwords


@pytest.mark.parametrize("proxies", [0, 1])
def test_behind_a_reverse_proxy_the_forwarded_address_counts_only_when_trusted(tmp_path, clock, printer, proxies):
    app, passwords = make_app(tmp_path, clock, printer, PROXIES=proxies)
    try:
        client = app.test_client()

        def via(forwarded, password):
            return client.post("/counter/login", data={"username": "kasi", "password": password},
                               environ_base={"REMOTE_ADDR": "10.9.9.9"}, headers={"X-Forwarded-For": forwarded})
        for _ in range(5):
            via("192.168.1.21", "salah")
        assert via("192.168.1.21", passwords["kasi"]).status_code == 429
        # another PC in the office, through the same proxy: trusted header -> its own count;
        # untrusted -> the header is ignored (it could be forged to dodge the limit)
        assert via("192.168.1.22", passwords["kasi"]).status_code == (302 if proxies else 429)
    finally:
        app.extensions["antrean.engine"].dispose()


@pytest.mark.parametrize("how", ["form", "basic"])
def test_an_unknown_user_name_costs_a_password_check_too(client, app_staff, monkeypatch, how):
    """The answer to a wrong user name takes as long as to a wrong password: both check a password
    hash, so the timing does not tell which user names exist."""
    import werkzeug.security

    from antrean.shared.services import passwords

    checked = []
    real = werkzeug.security.check_password_hash
    monkeypatch.setattr(passwords, "check_password_hash", lambda h, p: checked.append(p) or real(h, p))

    def login(username, password):
        if how == "form":
            return attempt(client, username, password).status_code
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        return client.get("/api/v1/staff/queue", headers={"Authorization": f"Basic {token}"}).status_code

    refused = login("kasi", "salah")
    assert login("tidak-ada", "salah-juga") == refused  # same answer ...
    assert checked == ["salah", "salah-juga"]  # ... and each one checked a hash


@pytest.mark.parametrize("variant", [
    lambda token: token + "*",  # stray characters a lenient base64 decoder skips
    lambda token: "*" + token,
    lambda token: token[:4] + "*" + token[4:],
    lambda token: token.replace("=", "") + "!",
])
def test_a_mangled_basic_header_does_not_dodge_the_per_user_limit(client, app_staff, variant):
    """The limiter and authentication decode Basic credentials the same strict way
    (``shared/web/auth.basic_credentials``): once kasi is locked out, a ``*`` added to the header
    neither logs kasi in nor buys more guesses; it is a malformed header, refused as one."""
    for _ in range(5):
        assert client.get("/api/v1/staff/me", headers=basic("kasi", "salah")).status_code == 401
    right = basic("kasi", app_staff["kasi"])["Authorization"].removeprefix("Basic ")
    resp = client.get("/api/v1/staff/me", headers={"Authorization": "Basic " + variant(right)})
    assert resp.status_code in (401, 429), resp.get_json()
    assert client.get("/api/v1/staff/me", headers=basic("kasi", app_staff["kasi"])).status_code == 429


def test_basic_user_names_count_as_authentication_sees_them(client, app_staff):
    """A user name in other letters or with spaces is counted against the same user (and does not log in)."""
    for name in ("KASI", "kasi ", " Kasi", "kasi", "kAsI"):
        assert client.get("/api/v1/staff/me", headers=basic(name, "salah")).status_code == 401
    assert client.get("/api/v1/staff/me", headers=basic("kasi", app_staff["kasi"])).status_code == 429
