"""Hostile Socket.IO events (shared/realtime/hub.py, shared/realtime/print_hub.py) through Flask-SocketIO's test
client, whose handlers run in the test (an exception fails it): any event name with any payload on
/display, /ticket, /counter (logged in) and /printer (a print agent) is answered or ignored, and the
connection still serves a proper request afterwards."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.fuzz import json_values

FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
EVENTS = {
    "/display": ["snapshot", "connect", "disconnect", "call"],
    "/ticket": ["follow", "refresh", "connect"],
    "/counter": ["queue", "ticket", "connect", "disconnect"],
    "/printer": ["ready", "status", "done", "job", "connect", "disconnect"],
}
payloads = st.lists(json_values | st.fixed_dictionaries({}, optional={
    "public_id": json_values, "job": json_values | st.integers(-2, 5), "ok": json_values, "error": json_values,
    "printer": json_values, "status": json_values, "online": json_values, "paper": json_values,
    "detail": json_values}), max_size=3)


@pytest.fixture
def sockets(app, client, login):
    from antrean.shared.realtime.hub import socketio
    from antrean.shared.services.tokens import create_token

    desk = app.extensions["antrean"]
    ticket = client.post("/api/v1/tickets", json={"service": "ktp"}).get_json()
    token = create_token(desk.sessions, "kiosk-1", "print_agent")
    staff = login("kasi")
    made = {
        "/display": socketio.test_client(app, namespace="/display"),
        "/ticket": socketio.test_client(app, namespace="/ticket"),
        "/counter": socketio.test_client(app, namespace="/counter", flask_test_client=staff),
        "/printer": socketio.test_client(app, namespace="/printer", auth={"token": token}),
    }
    for ns, c in made.items():
        assert c.is_connected(ns), ns
    yield made, ticket
    for ns, c in made.items():
        if c.is_connected(ns):
            c.disconnect(namespace=ns)


def still_serves(made, ticket) -> None:
    snap = made["/display"].emit("snapshot", callback=True, namespace="/display")
    assert isinstance(snap, dict) and "office" in snap
    view = made["/ticket"].emit("follow", {"public_id": ticket["public_id"]}, callback=True, namespace="/ticket")
    assert view["number"] == ticket["number"]
    ready = made["/printer"].emit("ready", {"printer": "usb"}, callback=True, namespace="/printer")
    assert ready["name"] == "kiosk-1"
    assert made["/counter"].is_connected("/counter")


@FUZZ
@given(data=st.data())
def test_any_event_with_any_payload_is_answered_or_ignored(sockets, data):
    made, ticket = sockets
    namespace = data.draw(st.sampled_from(sorted(EVENTS)))
    event = data.draw(st.sampled_from(EVENTS[namespace]) | st.text(max_size=20))
    args = data.draw(payloads)
    made[namespace].emit(event, *args, callback=data.draw(st.booleans()), namespace=namespace)
    still_serves(made, ticket)


@FUZZ
@given(auth=json_values | st.dictionaries(st.sampled_from(["token", "x"]), json_values))
def test_any_connect_payload_is_accepted_or_refused(app, auth):
    """The protocol wants an object (or nothing) as the connect payload: anything else is a
    malformed packet, dropped. The public namespaces take any object; the staff and print-agent
    ones refuse a connection without a valid login or token."""
    from antrean.shared.realtime.hub import socketio

    for namespace in ("/display", "/ticket", "/printer", "/counter"):
        c = socketio.test_client(app, namespace=namespace, auth=auth)
        if namespace in ("/printer", "/counter"):
            assert not c.is_connected(namespace)  # no valid token, no login
        elif isinstance(auth, dict) or auth is None:
            assert c.is_connected(namespace)
        if c.is_connected(namespace):
            c.disconnect(namespace=namespace)
