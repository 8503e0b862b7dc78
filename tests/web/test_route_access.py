"""Every registered route is either on the short public list below or refuses an anonymous user
(a redirect to the login page, or 401/403); a view decorated with shared.web.roles_required also
refuses every other role (403) and lets its roles in. Routes added later (e.g. /counter/admin/...)
are walked the same way: a new route that is neither listed here nor protected fails this test."""
from __future__ import annotations

import base64

import pytest

from tests.support.security import ALL_ROLES, PASSWORD, add_user, login, methods_of, sample_url

# Pages and APIs for citizens, the kiosk and the waiting-room screen; nothing else is public.
PUBLIC = {
    "index", "static", "vendor", "kiosk.static", "display.static", "counter.static",  # scripts and styles, no data
    "kiosk.index", "kiosk.status", "kiosk.qr", "kiosk.preview", "kiosk.lapor_qr",
    "kiosk.notify",  # the citizen opts in to messages for the ticket whose link they hold
    "survey.start", "survey.form",
    "informasi.index", "informasi.service", "informasi.maklumat", "informasi.service_poster",
    "informasi.maklumat_poster",  # the published standards and Maklumat: the office's texts, no person's
    "informasi.skm_results", "informasi.skm_report",  # the published SKM figures and follow-up plans (page
    # and PDF): no respondent, no person responsible
    "api.openapi", "api.services", "api.issue_ticket", "api.get_ticket", "api.print_state",
    "display.index", "display.state", "display.speech", "display.chime", "display.audio", "display.logo",
    "counter.login",
    # booking a visit and joining from afar (docs/booking.md): found by an unguessable code, rate-limited
    "booking.form", "booking.create", "booking.lookup", "booking.show", "booking.cancel", "booking.move",
    "booking.qr", "booking.join", "booking.join_qr",
    "api.booking_options", "api.create_booking", "api.get_booking", "api.cancel_booking", "api.move_booking",
    "api.check_in_booking", "api.join_remote",
}


@pytest.fixture
def users(app):
    """One user per role (loket 2 for the front-desk roles), plus a user with no role at all."""
    made = {role: add_user(app, f"u_{role}", [role], loket=2) for role in ALL_ROLES}
    made[None] = add_user(app, "u_none", [])
    return made


def refused_anonymous(resp) -> bool:
    if resp.status_code in (401, 403):
        return True
    return resp.status_code == 302 and "/counter/login" in resp.headers.get("Location", "")


def call(client, method, url, headers=None):
    return client.open(url, method=method, headers=headers or {}, data={} if method != "GET" else None)


def walk(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in methods_of(rule):
            yield rule, method, sample_url(app, rule)


def as_user(app, username):
    return login(app.test_client(), username)


def basic(username):
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()}


def test_every_route_is_public_listed_or_refuses_anonymous_users(app, users):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert not PUBLIC - endpoints, f"public list names routes that no longer exist: {PUBLIC - endpoints}"
    anonymous = app.test_client()
    open_routes, protected = [], 0
    for rule, method, url in walk(app):
        if rule.endpoint in PUBLIC:
            continue
        resp = call(anonymous, method, url)
        if not refused_anonymous(resp):
            open_routes.append(f"{method} {rule.rule} ({rule.endpoint}) answered {resp.status_code}")
        protected += 1
    assert not open_routes, ("routes neither on the public list nor protected:\n" + "\n".join(open_routes))
    assert protected >= 35


def test_role_checked_views_refuse_every_other_role_and_admit_theirs(app, users):
    clients = {role: as_user(app, name) for role, name in users.items()}
    checked = set()
    for rule, method, url in walk(app):
        roles = getattr(app.view_functions[rule.endpoint], "roles", None)
        if roles is None:
            continue
        checked.add(rule.endpoint)
        for role, client in clients.items():
            resp = call(client, method, url)
            if role in roles:
                assert resp.status_code not in (401, 403) and not refused_anonymous(resp), (role, method, url)
            else:
                assert resp.status_code == 403, (f"{role} reached {method} {url}", resp.status_code)
    # the role-checked staff views of today; later ones (the administration) join automatically
    assert {"reports.index", "reports.register", "reports.export", "display.settings", "availability.close",
            "availability.open", "availability.quota"} <= checked


def test_views_for_any_staff_admit_every_staff_user(app, users):
    """The protected views without roles (the loket screen, the print queue, the staff API) let any
    logged-in user in: the session for the screens, Basic credentials for the API."""
    clients = {role: as_user(app, name) for role, name in users.items() if role}
    anonymous = app.test_client()
    for rule, method, url in walk(app):
        view = app.view_functions[rule.endpoint]
        if rule.endpoint in PUBLIC or getattr(view, "roles", None) is not None or rule.endpoint == "counter.logout":
            continue
        api = call(anonymous, method, url).status_code == 401
        for role, client in clients.items():
            resp = call(client, method, url, headers=basic(users[role]) if api else None)
            assert resp.status_code != 401 and not refused_anonymous(resp) or resp.status_code == 403 and api, \
                (role, method, url, resp.status_code)


def test_the_staff_socket_namespace_refuses_anonymous_users(app, users):
    from antrean.shared.realtime.hub import socketio

    anonymous = socketio.test_client(app, namespace="/counter", flask_test_client=app.test_client())
    assert not anonymous.is_connected("/counter")
    staff = as_user(app, users["camat"])
    connected = socketio.test_client(app, namespace="/counter", flask_test_client=staff)
    assert connected.is_connected("/counter")
    assert any(m["name"] == "queue" for m in connected.get_received("/counter"))
    connected.disconnect(namespace="/counter")
