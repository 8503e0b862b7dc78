"""The print agent against a real `antrean serve`: the kiosk PC's printer is a real TCP test
printer on 127.0.0.1; the agent is a real `antrean print-agent` process (and, where a lost answer
must be staged, the same PrintAgent class in this process).

Every ticket is printed exactly once: tickets issued while the agent is away print when it
comes back, an unanswered job is sent again and not printed twice, and a wrong token is refused.
"""
from __future__ import annotations

import subprocess
import sys
import time

import pytest
import requests
import socketio

from antrean.hardware.agents.print_agent import PrintAgent
from antrean.hardware.printer import printer_from_url
from tests.support.clients import Staff
from tests.support.env import ROOT
from tests.support.factories import issue
from tests.support.fakes import FakeNetworkPrinter
from tests.support.live_server import LiveServer
from tests.support.live_server import wait_until as wait_for
from tests.support.printed import CUT, INIT, QR_STORE, tickets_in, visible_lines


@pytest.fixture
def printer():
    p = FakeNetworkPrinter()
    yield p
    p.close()


@pytest.fixture
def agent_server(tmp_path):
    server = LiveServer(tmp_path, {"ANTREAN_PRINTER": "agent://kiosk-1", "ANTREAN_PRINT_ACK_SECONDS": "2",
                                   "ANTREAN_PRINT_RETRY_SECONDS": "0.5"})
    server.create_demo()
    out = server.antrean("token", "create", "--name", "kiosk-1", "--kind", "print_agent")
    server.token = out.strip().splitlines()[-1]
    server.start()
    yield server
    server.stop()


class AgentProcess:
    def __init__(self, server, token, printer_url, state):
        self.log = state.with_suffix(".log")
        self._fh = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "antrean.shared.cli.main", "print-agent", "--server", server.url, "--token", token,
             "--printer", printer_url, "--state", str(state)],
            cwd=ROOT, env=server.env, stdout=self._fh, stderr=subprocess.STDOUT)

    def stop(self, kill=False):
        if self.proc.poll() is None:
            self.proc.kill() if kill else self.proc.terminate()
            self.proc.wait(10)
        self._fh.close()


def print_state(server, ticket):
    return requests.get(f"{server.url}/api/v1/tickets/{ticket['id']}/print", timeout=5).json()["status"]


def numbers(jobs):
    out = []
    for data in tickets_in(jobs):
        lines = visible_lines(data[data.index(b"\x1b@"):])
        out.append(lines[lines.index("Nomor antrean") + 1].strip())
    return out


def test_the_agent_prints_every_ticket_once_across_a_restart(agent_server, printer, tmp_path):
    state = tmp_path / "agent-state.json"
    first = issue(agent_server)  # issued before any agent is there: it waits
    agent = AgentProcess(agent_server, agent_server.token, printer.url, state)
    try:
        wait_for(lambda: numbers(printer.jobs) == ["A001"], 20)
        wait_for(lambda: print_state(agent_server, first) == "printed", 5)
        started = time.monotonic()
        second = issue(agent_server, "ahli_waris")
        wait_for(lambda: "B001" in numbers(printer.jobs), 5)
        through_agent = time.monotonic() - started
        wait_for(lambda: print_state(agent_server, second) == "printed", 5)
        clerk = Staff(agent_server, "pelayanan1")
        status = clerk.http.get(f"{agent_server.url}/counter/printing/status.json", timeout=5).json()
        assert status["fault"] is False
        assert any(p["name"] == "kiosk-1" and p["connected"] for p in status["printers"])

        agent.stop(kill=True)  # the kiosk PC is switched off
        wait_for(lambda: not any(p["name"] == "kiosk-1" and p["connected"] for p in clerk.http.get(
            f"{agent_server.url}/counter/printing/status.json", timeout=5).json()["printers"]), 10)
        third = issue(agent_server, "kk")  # the kiosk still issues
        status = clerk.http.get(f"{agent_server.url}/counter/printing/status.json", timeout=5).json()
        assert status["fault"] and any("kiosk-1" in f for f in status["faults"])
        assert print_state(agent_server, third) == "printing"

        agent = AgentProcess(agent_server, agent_server.token, printer.url, state)
        back = time.monotonic()
        wait_for(lambda: "A002" in numbers(printer.jobs), 20)
        print(f"\nissue to paper through the agent {through_agent * 1000:.0f} ms; "
              f"a ticket waiting for the agent printed {time.monotonic() - back:.2f} s after it started")
        wait_for(lambda: print_state(agent_server, third) == "printed", 5)
        time.sleep(3)  # longer than the ack timeout: nothing is printed twice
        assert numbers(printer.jobs) == ["A001", "B001", "A002"]
    finally:
        agent.stop()


def test_a_wrong_token_is_refused(agent_server, printer, tmp_path):
    agent = AgentProcess(agent_server, "this-is-not-the-token-0123456789", printer.url, tmp_path / "s.json")
    try:
        assert agent.proc.wait(30) == 2
    finally:
        agent.stop()
    assert "refused" in agent.log.read_text()
    # A plain Socket.IO client gets the same answer.
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(agent_server.url, auth={"token": "wrong" * 8}, namespaces=["/printer"], wait_timeout=5)
    issue(agent_server)
    time.sleep(0.5)
    assert not tickets_in(printer.jobs)


def test_a_lost_answer_is_sent_again_and_not_printed_twice(agent_server, printer, tmp_path):
    agent = PrintAgent(agent_server.url, agent_server.token, printer_from_url(printer.url, tmp_path),
                       state=tmp_path / "state.json")
    sent = {"done": 0}
    real_emit = agent._emit

    def lose_first_answer(event, data):
        if event == "done":
            sent["done"] += 1
            if sent["done"] == 1:
                return True  # printed, but the answer never reaches the server
        return real_emit(event, data)

    agent._emit = lose_first_answer
    thread = agent.start()
    try:
        assert agent.connected.wait(15)
        ticket = issue(agent_server)
        wait_for(lambda: numbers(printer.jobs) == ["A001"], 10)
        # the first answer was lost: the job is printed only once the server re-sent it (after 2 s) and
        # the agent answered again, from its state file, without printing a second time
        wait_for(lambda: print_state(agent_server, ticket) == "printed", 10)
        assert sent["done"] >= 2
        time.sleep(1)
        assert numbers(printer.jobs) == ["A001"]  # printed once
    finally:
        agent.stop()
        thread.join(10)


def test_tickets_reach_the_agent_even_when_the_agent_loses_its_printer(agent_server, tmp_path):
    from tests.support.live_server import free_port

    port = free_port()
    agent = PrintAgent(agent_server.url, agent_server.token,
                       printer_from_url(f"tcp://127.0.0.1:{port}?timeout=1", tmp_path), state=None)
    thread = agent.start()
    printer = None
    try:
        assert agent.connected.wait(15)
        ticket = issue(agent_server)
        wait_for(lambda: print_state(agent_server, ticket) == "fault", 10)  # the agent answered: not printed
        clerk = Staff(agent_server, "pelayanan1")
        status = clerk.http.get(f"{agent_server.url}/counter/printing/status.json", timeout=5).json()
        assert any("kiosk-1" in f and "refused" in f.lower() for f in status["faults"])
        printer = FakeNetworkPrinter(port=port)
        wait_for(lambda: numbers(printer.jobs) == ["A001"], 15)  # retried by the server
        wait_for(lambda: print_state(agent_server, ticket) == "printed", 5)
        time.sleep(1.5)
        assert numbers(printer.jobs) == ["A001"]
        # What comes out once the printer is back is the whole ticket, not a torn piece: its service,
        # the QR code of its status page, and one cut, at the end.
        job = tickets_in(printer.jobs)[0]
        ticket_bytes = job[job.index(INIT):]
        text = "\n".join(visible_lines(ticket_bytes))
        assert "Kartu Tanda Penduduk" in text and "Antrean di depan Anda: 0" in text
        assert QR_STORE in ticket_bytes and f"/kiosk/t/{ticket['public_id']}".encode() in ticket_bytes
        assert ticket_bytes.endswith(b"\x1bd\x06" + CUT + b"\x00") and ticket_bytes.count(CUT) == 1
    finally:
        agent.stop()
        thread.join(10)
        if printer is not None:
            printer.close()
