"""CSRF: every HTML form carries the Flask-WTF token and every form POST without it is refused; the
JSON APIs, exempt from the token, trust no cookie (the staff API wants Basic or a device token and
refuses a browser's cross-site POST)."""
from __future__ import annotations

import base64

import pytest

from tests.support.security import ALL_ROLES, PASSWORD, add_user, csrf_token, forms_of, login, methods_of, sample_url

JSON_APIS = {"api", "staff_api"}  # blueprints exempt from the token: no cookie is trusted there


@pytest.fixture
def app(tmp_path, clock, printer):
    from antrean.shared.app import create_app

    app = create_app(
        {"INSTANCE": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "SECRET_KEY": "test",
         "TESTING": True, "WTF_CSRF_ENABLED": True, "ALWAYS_OPEN": True},
        clock=clock, printer=printer, start_workers=False)
    from antrean.shared.services.demo import create_demo
    from tests.support.fakes import fast_hash

    create_demo(app.extensions["antrean"].sessions, hasher=fast_hash)
    add_user(app, "semua", ALL_ROLES, loket=2)  # every role: every staff form is shown to this user
    yield app
    app.extensions["antrean.engine"].dispose()


def form_routes(app):
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rpartition(".")[0]
        unsafe = [m for m in methods_of(rule) if m in ("POST", "PUT", "PATCH", "DELETE")]
        if unsafe and blueprint not in JSON_APIS:
            yield rule, unsafe


def test_every_form_route_refuses_a_post_without_the_token(app):
    routes = list(form_routes(app))
    endpoints = {rule.endpoint for rule, _ in routes}
    # the staff and citizen forms known today; routes added later are walked the same way
    assert {"counter.login", "counter.call_next", "counter.complete_step", "display.settings", "survey.start",
            "survey.form", "printing.reprint", "availability.close"} <= endpoints
    anonymous, staff = app.test_client(), login(app.test_client(), "semua", csrf=True)
    token = csrf_token(staff.get("/counter/").get_data(as_text=True))
    for rule, methods in routes:
        url = sample_url(app, rule)
        for method in methods:
            for client in (anonymous, staff):
                resp = client.open(url, method=method, data={"username": "semua", "password": PASSWORD})
                assert resp.status_code == 400 and b"CSRF" in resp.data, (method, url, resp.status_code)
            resp = staff.open(url, method=method, data={"csrf_token": "forged" + token[6:]})
            assert resp.status_code == 400 and b"CSRF" in resp.data, ("forged", method, url)
            resp = staff.open(url, method=method, json={}, headers={"X-CSRFToken": "x"})
            assert resp.status_code == 400, ("json with a wrong header", method, url)
    assert anonymous.get("/counter/").status_code == 302  # refused means refused: nobody logged in


def test_a_login_without_the_token_does_not_log_in(app):
    client = app.test_client()
    resp = client.post("/counter/login", data={"username": "kasi", "password": PASSWORD})
    assert resp.status_code == 400
    assert client.get("/counter/").status_code == 302  # still anonymous
    login(client, "semua", csrf=True)
    assert client.get("/counter/").status_code == 200


def test_every_post_form_on_every_page_carries_a_token_the_server_accepts(app):
    client = app.test_client()
    ticket = client.post("/api/v1/tickets", json={"service": "ahli_waris"}).get_json()
    staff = login(app.test_client(), "semua", csrf=True)
    token = csrf_token(staff.get("/counter/").get_data(as_text=True))
    staff.post("/counter/loket", data={"csrf_token": token, "loket_id": 2})
    assert staff.post("/counter/call-next", data={"csrf_token": token}).status_code == 302
    pages = {
        "anonymous": (client, ["/counter/login", "/kiosk/survei/", f"/kiosk/survei/{ticket['public_id']}"]),
        "staff": (staff, ["/counter/", "/counter/printing/", "/counter/availability/", "/display/settings",
                          "/counter/reports/", "/counter/reports/register"]),
    }
    seen = 0
    for who, (c, urls) in pages.items():
        for url in urls:
            resp = c.get(url)
            assert resp.status_code == 200, (who, url)
            page = resp.get_data(as_text=True)
            for form in forms_of(page, url):
                if form.method != "post":
                    continue
                seen += 1
                data = form.data()
                assert data.get("csrf_token"), f"a form on {url} ({form.action}) has no csrf_token"
                if form.action.endswith("/logout"):
                    continue  # submitted last: it ends the session the other forms use
                answer = c.post(form.action, data=data)
                assert answer.status_code != 400, (url, form.action, answer.get_data(as_text=True)[:300])
    assert seen >= 10
    logout = next(f for f in forms_of(staff.get("/counter/").get_data(as_text=True), "/counter/")
                  if f.action.endswith("/logout"))
    assert staff.post(logout.action, data=logout.data()).status_code == 302
    assert staff.get("/counter/").status_code == 302


def test_the_json_apis_trust_no_cookie(app):
    staff = login(app.test_client(), "semua", csrf=True)
    # the staff API ignores the session cookie: it wants Basic or a device token
    assert staff.get("/api/v1/staff/me").status_code == 401
    assert staff.post("/api/v1/staff/call-next", json={"loket": 2}).status_code == 401
    # the public API answers a logged-in browser exactly as an anonymous one
    anonymous = app.test_client()
    ticket = anonymous.post("/api/v1/tickets", json={"service": "ahli_waris"}).get_json()
    for url in ("/api/v1/services", f"/api/v1/tickets/{ticket['id']}", f"/api/v1/tickets/{ticket['public_id']}"):
        assert staff.get(url).get_json() == anonymous.get(url).get_json(), url


def test_the_staff_api_refuses_a_cross_site_browser_post_with_remembered_basic_credentials(app):
    client = app.test_client()
    client.post("/api/v1/tickets", json={"service": "ahli_waris"})
    basic = {"Authorization": "Basic " + base64.b64encode(f"semua:{PASSWORD}".encode()).decode()}
    # a form on another site, posted by a browser that remembers the Basic login
    resp = client.post("/api/v1/staff/call-next", data={"loket": "2"},
                       headers={**basic, "Origin": "http://evil.example"})
    assert resp.status_code == 403 and resp.get_json()["code"] == "cross_site"
    assert client.get("/api/v1/tickets/1").get_json()["status"] == "waiting"  # not called
    # the same call from a script (no Origin) or from a page of this server works
    resp = client.post("/api/v1/staff/call-next", json={"loket": 2}, headers=basic)
    assert resp.status_code == 200 and resp.get_json()["ticket"]["number"] == "B001"
    client.post("/api/v1/tickets", json={"service": "ahli_waris"})
    resp = client.post("/api/v1/staff/call-next", json={"loket": 2, "force": True},  # B001 is still called there
                       headers={**basic, "Origin": "http://localhost"})
    assert resp.status_code == 200 and resp.get_json()["ticket"]["number"] == "B002"


@pytest.mark.parametrize("origin", ["null", "file://", "file:///home/user/evil.html", "chrome-extension://abc"])
def test_the_staff_api_refuses_an_opaque_or_file_origin_without_a_public_url(app, origin):
    """``Origin: null`` (a sandboxed frame, a file:// page, a redirect) and a file:// page are another
    site's page too, also while ANTREAN_PUBLIC_URL is unset (the old check compared empty hosts)."""
    assert not app.config.get("PUBLIC_URL")
    client = app.test_client()
    client.post("/api/v1/tickets", json={"service": "ahli_waris"})
    basic = {"Authorization": "Basic " + base64.b64encode(f"semua:{PASSWORD}".encode()).decode()}
    resp = client.post("/api/v1/staff/call-next", json={"loket": 2}, headers={**basic, "Origin": origin})
    assert resp.status_code == 403
    assert resp.get_json() == {"error": "requests from another site's page are refused", "code": "cross_site"}
    assert client.get("/api/v1/tickets/1").get_json()["status"] == "waiting"  # not called
