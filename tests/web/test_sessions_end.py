"""Sessions end when they should (issue 16): logging out, or an administrator changing a user's
password, roles or active flag, ends every session of that user at once -- a session cookie copied
before, the remember cookie, the staff API and the user's open ``/counter`` sockets; a socket whose
session has been idle past ANTREAN_SESSION_MINUTES is closed."""
import base64
import time

import pytest

from antrean.shared.services.tokens import create_token

PELAYANAN1 = {"username": "pelayanan1", "full_name": "Petugas Pelayanan 1", "roles": ["petugas_pelayanan"],
              "loket_id": "1", "active": "1"}


def _basic(username, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def _user_id(app, username):
    from sqlalchemy import select

    from antrean.shared.store.models import User

    with app.extensions["antrean"].sessions() as s:
        return s.scalar(select(User.id).where(User.username == username))


def _cookie(client):
    return client.get_cookie("session").value


def _socket(app, client):
    from antrean.shared.realtime.hub import socketio

    screen = socketio.test_client(app, namespace="/counter", flask_test_client=client)
    assert screen.is_connected("/counter")
    return screen


def test_a_session_cookie_copied_before_logout_is_refused_after_it(app, client, login):
    login("pelayanan1")
    copy = app.test_client()
    copy.set_cookie("session", _cookie(client))
    assert copy.get("/counter/").status_code == 200  # the copy works while the session lasts
    screen = _socket(app, copy)
    client.post("/counter/logout")
    resp = copy.get("/counter/")
    assert resp.status_code == 302 and "/counter/login" in resp.headers["Location"]
    assert not screen.is_connected("/counter")  # the copy's socket is closed too
    login("pelayanan1")  # logging in again works
    assert client.get("/counter/").status_code == 200


@pytest.mark.parametrize("change", [{"password": "kata-sandi-baru-1"}, {"active": ""},
                                    {"roles": ["petugas_verifikasi"]}])
def test_an_administrators_change_ends_the_users_sessions_and_sockets(app, client, login, change):
    login("pelayanan1")
    screen = _socket(app, client)
    admin = login("admin", app.test_client())
    user_id = _user_id(app, "pelayanan1")
    resp = admin.post(f"/counter/admin/users/{user_id}", data={**PELAYANAN1, **change})
    assert resp.status_code == 302
    resp = client.get("/counter/")
    assert resp.status_code == 302 and "/counter/login" in resp.headers["Location"]
    assert not screen.is_connected("/counter")


def test_a_change_of_name_or_loket_keeps_the_session(app, client, login):
    login("pelayanan1")
    screen = _socket(app, client)
    admin = login("admin", app.test_client())
    admin.post(f"/counter/admin/users/{_user_id(app, 'pelayanan1')}",
               data={**PELAYANAN1, "full_name": "Petugas Satu", "loket_id": "2"})
    assert client.get("/counter/").status_code == 200
    assert screen.is_connected("/counter")
    screen.disconnect(namespace="/counter")


def test_the_staff_api_refuses_the_old_password_and_a_deactivated_users_token(app, client, login, app_staff):
    token = create_token(app.extensions["antrean"].sessions, "loket-1-button", "api", "pelayanan1")
    bearer = {"Authorization": f"Bearer {token}"}
    old = _basic("pelayanan1", app_staff["pelayanan1"])
    assert client.get("/api/v1/staff/me", headers=old).status_code == 200
    assert client.get("/api/v1/staff/me", headers=bearer).status_code == 200
    admin = login("admin", app.test_client())
    user_id = _user_id(app, "pelayanan1")
    admin.post(f"/counter/admin/users/{user_id}", data={**PELAYANAN1, "password": "kata-sandi-baru-1"})
    assert client.get("/api/v1/staff/me", headers=old).status_code == 401
    assert client.get("/api/v1/staff/me", headers=_basic("pelayanan1", "kata-sandi-baru-1")).status_code == 200
    admin.post(f"/counter/admin/users/{user_id}", data={**PELAYANAN1, "active": ""})
    assert client.get("/api/v1/staff/me", headers=bearer).status_code == 401


def test_a_remember_cookie_of_an_ended_session_is_refused(app, client, login):
    from flask_login import encode_cookie

    login("pelayanan1")
    user_id = _user_id(app, "pelayanan1")
    with app.test_request_context():
        stale = encode_cookie(f"{user_id}:0")  # what a remember cookie of this session holds
    client.post("/counter/logout")
    other = app.test_client()
    other.set_cookie("remember_token", stale)
    resp = other.get("/counter/")
    assert resp.status_code == 302 and "/counter/login" in resp.headers["Location"]


def test_a_socket_whose_session_expired_is_closed(app, client, login):
    login("pelayanan1")
    assert client.get("/counter/").status_code == 200  # the session's last activity: now
    screen = _socket(app, client)
    counter = app.extensions["socketio"].server.namespace_handlers["/counter"]
    counter.sweep()
    assert screen.is_connected("/counter")  # within the limit
    counter.sweep(now=time.time() + app.config["SESSION_MINUTES"] * 60 + 5)
    assert not screen.is_connected("/counter")
    # and a session idle past the limit cannot open one
    with client.session_transaction() as sess:
        sess["seen"] -= app.config["SESSION_MINUTES"] * 60 + 1
    from antrean.shared.realtime.hub import socketio

    late = socketio.test_client(app, namespace="/counter", flask_test_client=client)
    assert not late.is_connected("/counter")
