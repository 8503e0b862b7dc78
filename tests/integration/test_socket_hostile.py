"""Malformed Socket.IO packets sent over a real websocket to `antrean serve`: each is refused
(dropped) while its connection keeps serving, no traceback reaches the server log, the server keeps
serving everyone else, and a page of another site cannot open a socket with the staff's cookies."""
from __future__ import annotations

import json

import pytest
import requests
import socketio
import websocket
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.live_server import LiveServer, wait_for

KNOWN_BAD = [
    '42/display,[', '42/display,{}', '42/display,"x"', '42/display,[1]', '42/display,[null]', '42/display,[]',
    '4x', '49', '4', '42', '42/display,', '4' + '2' * 12, '42/display,99999999999999999999999["snapshot"]',
    '42/display,["connect", {"x": 1}]', '42/display,["disconnect", "x", "y"]', '42/display,["connect_error"]',
    '451-/display,["snapshot",{"_placeholder":true,"num":5}]', '451-/display,["snapshot",{"_placeholder":true}]',
    '45abc-/display,["x"]', '43/display,5[1,2]', '44/display,{"message":"x"}', '42/nosuch,["x"]',
    '40/printer,{"token": 5}', '40/printer,[1]', '40/printer,"x"', '40/counter,{"a":1}',
    '42/printer,["done", {"job": "1"}]', '42/ticket,1["follow"]', '42/ticket,2["follow", [1], 2, 3]',
    '42/ticket,3["follow", {"public_id": {"a": 1}}]', '42/display,4["snapshot", 1, 2, 3, 4]',
    '42/display,["\\ud800"]', b"\x00\x01garbage", b"", '6', '3', '2probe',
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # hundreds of packets on one connection: the event limit (tests/integration/test_socket_hostile.py) is set high
    srv = LiveServer(tmp_path_factory.mktemp("hostile"), {"ANTREAN_PRINTER": "none", "ANTREAN_SPEECH": "off",
                                                          "ANTREAN_SOCKET_EVENT_LIMIT": "1000000 per minute"})
    srv.create_demo()
    srv.start()
    yield srv
    srv.stop()


class RawSocket:
    """A websocket speaking Engine.IO 4 / Socket.IO 5 by hand, joined to /display."""

    def __init__(self, server):
        self.ws = websocket.create_connection(f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket",
                                              timeout=5)
        assert self.ws.recv().startswith("0{")  # the Engine.IO handshake
        self.ws.send("40/display,")
        self.next_ack = 100

    def send(self, frame) -> None:
        (self.ws.send_binary if isinstance(frame, bytes) else self.ws.send)(frame)

    def serves(self) -> bool:
        """Ask for a snapshot with an acknowledgement, twice (a broken binary packet takes the
        first message for its attachment); True when an answer comes back."""
        ids = []
        for _ in range(2):
            self.next_ack += 1
            ids.append(self.next_ack)
            self.ws.send(f'42/display,{self.next_ack}["snapshot"]')
        self.ws.settimeout(5)
        while True:
            try:
                message = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                return False
            if isinstance(message, str) and message == "2":
                self.ws.send("3")  # answer the server's ping
            elif isinstance(message, str) and any(message.startswith(f"43/display,{i}[") for i in ids):
                return '"office"' in message

    def close(self) -> None:
        self.ws.close()


def server_problems(server) -> list[str]:
    return [line for line in server.log.read_text(errors="replace").splitlines()
            if "Traceback" in line or " ERROR " in line or "failed with" in line]


def test_known_malformed_packets_are_dropped_and_the_connection_goes_on(server):
    raw = RawSocket(server)
    try:
        assert raw.serves()
        for frame in KNOWN_BAD:
            raw.send(frame)
            assert raw.serves(), f"the connection stopped serving after {frame!r}"
    finally:
        raw.close()
    assert server_problems(server) == []
    assert server.proc.poll() is None
    assert requests.get(f"{server.url}/api/v1/services", timeout=5).status_code == 200


frames = (st.text(max_size=60).map(lambda t: "42/display," + t)
          | st.text(max_size=60).map(lambda t: "4" + t)
          | st.lists(st.text(max_size=10) | st.integers() | st.none(), max_size=4).map(
              lambda items: "42/display," + json.dumps(items))
          | st.binary(max_size=40))


@pytest.fixture(scope="module")
def raw(server):
    sock = RawSocket(server)
    yield sock
    sock.close()


@settings(max_examples=150, deadline=None, database=None)
@given(frame=frames)
def test_any_frame_leaves_the_connection_and_the_server_serving(server, raw, frame):
    if isinstance(frame, str) and frame.startswith(("40", "41")):
        return  # a namespace connect or disconnect is a proper request, not a malformed one
    raw.send(frame)
    assert raw.serves(), f"the connection stopped serving after {frame!r}"
    assert server_problems(server) == []


def test_a_page_of_another_site_cannot_open_a_socket(server):
    poll = f"{server.url}/socket.io/?EIO=4&transport=polling"
    refused = requests.get(poll, headers={"Origin": "http://evil.example"}, timeout=5)
    assert refused.status_code == 400
    assert requests.get(poll, headers={"Origin": server.url}, timeout=5).status_code == 200
    assert requests.get(poll, timeout=5).status_code == 200  # agents send no Origin
    client = socketio.Client()
    client.connect(server.url, namespaces=["/display"], transports=["websocket"], wait_timeout=10)
    assert client.connected
    client.disconnect()


# -- floods cost the flooder only (shared/realtime/socket_limits.py, docs/security.md) ---------------

FLOODERS, NEIGHBOUR, MANY = ["203.0.113.7", "203.0.113.8", "203.0.113.9"], "198.51.100.2", "192.0.2.50"
# (addresses as the trusted reverse proxy names them)


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    """The default event limit (30 per 10 seconds), a cap of 4 connections per address, behind one
    trusted reverse proxy (ANTREAN_PROXIES=1: the address is the one X-Forwarded-For names)."""
    srv = LiveServer(tmp_path_factory.mktemp("limited"), {
        "ANTREAN_PRINTER": "none", "ANTREAN_SPEECH": "off", "ANTREAN_SOCKET_CONNECTIONS": "4",
        "ANTREAN_PROXIES": "1"})
    srv.create_demo()
    srv.start()
    yield srv
    srv.stop()


def ticket(server) -> dict:
    resp = requests.post(f"{server.url}/api/v1/tickets", json={"service": "ktp"}, timeout=10)
    assert resp.status_code == 201, resp.text
    return resp.json()


def raw_socket(server, address: str) -> websocket.WebSocket:
    return websocket.create_connection(f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket",
                                       timeout=10, header=[f"X-Forwarded-For: {address}"])


def flood(server, address: str, public_id: str, frames: int) -> tuple[int, bool]:
    """One connection from ``address`` sending ``frames`` snapshot and follow events (with
    acknowledgement ids) without pause; returns (answers it got, whether the server closed it)."""
    ws = raw_socket(server, address)
    assert ws.recv().startswith("0{")
    ws.send("40/display,")
    ws.send("40/ticket,")
    follow = json.dumps(["follow", {"public_id": public_id}])
    try:
        for n in range(1, frames + 1):
            ws.send(f'42/display,{n}["snapshot"]' if n % 2 else f"42/ticket,{n}{follow}")
    except OSError:  # dropped while still sending
        pass
    answers, closed = 0, False
    try:
        while True:
            message = ws.recv()
            if isinstance(message, str) and message.startswith("43/"):
                answers += 1
            elif message == "2":
                ws.send("3")
            elif not message:  # the server's close frame
                closed = True
                break
    except (websocket.WebSocketConnectionClosedException, OSError):
        closed = True
    except websocket.WebSocketTimeoutException:
        pass
    ws.shutdown()  # closes the socket even after the server dropped it (close() would not)
    return answers, closed


def display(server, address: str) -> tuple[socketio.Client, list]:
    snapshots: list = []
    client = socketio.Client(reconnection=False)
    client.on("snapshot", snapshots.append, namespace="/display")
    client.connect(server.url, namespaces=["/display"], transports=["websocket"], wait_timeout=10,
                   headers={"X-Forwarded-For": address})
    return client, snapshots


def test_a_flooding_client_is_dropped_while_displays_and_kiosks_go_on(limited):
    server = limited
    first = ticket(server)
    for flooder in FLOODERS:  # three flooders, one after the other
        answers, closed = flood(server, flooder, first["public_id"], 3000)
        assert closed, "the server kept the flooding connection open"
        assert answers <= 30  # the limit: events past it were neither read from the database nor answered
        # connecting again at once is refused for the rest of the window (10 s)
        with pytest.raises(websocket.WebSocketBadStatusException):
            raw_socket(server, flooder).close()
        # meanwhile another display (another address) gets its snapshot, and the kiosk issues tickets
        other, snapshots = display(server, NEIGHBOUR)
        assert wait_for(lambda got=snapshots: got, timeout=10), "the other display got no snapshot"
        assert snapshots[0]["office"]
        other.disconnect()
        assert ticket(server)["number"]
    log = server.log.read_text()
    # three drops within a minute: one line (the log throttle), and no traceback
    assert log.count("Socket.IO connection dropped: more than 30 events in 10 s") == 1
    assert server_problems(server) == []
    assert server.proc.poll() is None


def test_asks_under_the_limit_are_all_answered(limited):
    """A burst of asks under the limit is coalesced, not refused: each one gets the snapshot."""
    ws = websocket.create_connection(f"ws://127.0.0.1:{limited.port}/socket.io/?EIO=4&transport=websocket",
                                     timeout=10, header=[f"X-Forwarded-For: {NEIGHBOUR}"])
    try:
        ws.recv()
        ws.send("40/display,")
        for n in range(1, 21):
            ws.send(f'42/display,{n}["snapshot"]')
        answered = set()
        while len(answered) < 20:
            message = ws.recv()
            if isinstance(message, str) and message.startswith("43/display,"):
                assert '"office"' in message
                answered.add(message.split("[", 1)[0])
    finally:
        ws.close()


def test_connections_over_the_per_address_cap_are_refused(limited):
    server = limited
    clients = [display(server, MANY)[0] for _ in range(4)]
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            display(server, MANY)  # the fifth from that address
        neighbour, _ = display(server, NEIGHBOUR)  # another address is not affected
        assert neighbour.connected
        neighbour.disconnect()
        clients.pop().disconnect()

        def reconnects():
            try:
                clients.append(display(server, MANY)[0])
                return True
            except socketio.exceptions.ConnectionError:
                return False
        assert wait_for(reconnects, timeout=5, step=0.2), "a closed connection still counted"
    finally:
        for client in clients:
            client.disconnect()
    assert server.proc.poll() is None
