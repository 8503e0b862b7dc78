"""A real `antrean serve` printing to a real TCP printer on 127.0.0.1 (the test printer of
tests/hardware) that is down, then up; out of paper, then refilled.

The ticket is issued at once whatever the printer does, staff see the fault, and the ticket is
printed exactly once when the printer is back. The measured figures are printed (pytest -s).
"""
from __future__ import annotations

import time

import requests

from tests.support.clients import Staff
from tests.support.fakes import FakeNetworkPrinter
from tests.support.live_server import LiveServer, free_port
from tests.support.live_server import wait_until as wait_for
from tests.support.printed import CUT, QR_STORE, QUAD_SIZE, size_of, tickets_in, visible_lines

PUBLIC = "http://antrean.kampak.test:5000"


def print_state(server, ticket) -> str:
    return requests.get(f"{server.url}/api/v1/tickets/{ticket['id']}/print", timeout=5).json()["status"]


def start(tmp_path, printer_url: str) -> LiveServer:
    server = LiveServer(tmp_path, {"ANTREAN_PRINTER": printer_url, "ANTREAN_PRINT_RETRY_SECONDS": "0.5",
                                   "ANTREAN_PUBLIC_URL": PUBLIC})
    server.create_demo()
    return server.start()


def test_a_real_ticket_reaches_the_printer_as_escpos(tmp_path):
    printer = FakeNetworkPrinter()
    server = start(tmp_path, printer.url)
    try:
        started = time.monotonic()
        resp = requests.post(f"{server.url}/api/v1/tickets", json={
            "service": "ahli_waris", "priority": True, "priority_reason": "lansia",
            "request_id": "a5c3e1f2-0000-4000-8000-000000000001"}, timeout=10)
        issued = time.monotonic() - started
        assert resp.status_code == 201
        ticket = resp.json()
        (data,) = wait_for(lambda: tickets_in(printer.jobs), 5)
        printed = time.monotonic() - started
        print(f"\nissue latency {issued * 1000:.0f} ms; on paper after {printed * 1000:.0f} ms")
        # The number four times the normal size, the QR code of the public status page, the cut.
        ticket_bytes = data[data.index(b"\x1b@"):]  # after the paper-state question
        at = ticket_bytes.index(b"B001")
        assert ticket_bytes.index(QUAD_SIZE) < at and ticket_bytes[at:].startswith(b"B001\n\x1d!\x00")
        assert size_of(ticket_bytes, "B001") == (4, 4)
        url = f"{PUBLIC}/kiosk/t/{ticket['public_id']}".encode()
        assert QR_STORE + bytes([len(url) + 3, 0]) + b"1P0" + url in ticket_bytes
        assert ticket_bytes.endswith(b"\x1bd\x06" + CUT + b"\x00") and ticket_bytes.count(CUT) == 1
        text = "\n".join(visible_lines(ticket_bytes))
        for expected in ("Kecamatan Kampak", "Surat Keterangan Ahli Waris", "Prioritas: lansia", "WIB",
                         "Antrean di depan Anda: 0", "Surat keterangan kematian pewaris", "Kode pengambilan"):
            assert expected in text
        assert print_state(server, ticket) == "printed"
        assert issued < 1.0
    finally:
        server.stop()
        printer.close()


def test_printer_down_then_up_prints_exactly_once(tmp_path):
    port = free_port()
    server = start(tmp_path, f"tcp://127.0.0.1:{port}?timeout=2")
    printer = None
    try:
        # Down: the ticket is issued at once all the same.
        started = time.monotonic()
        resp = requests.post(f"{server.url}/api/v1/tickets", json={"service": "ktp"}, timeout=10)
        issued = time.monotonic() - started
        assert resp.status_code == 201 and issued < 1.0
        ticket = resp.json()
        wait_for(lambda: print_state(server, ticket) == "fault", 5)  # the kiosk keeps it on screen
        clerk = Staff(server, "pelayanan1")
        status = clerk.http.get(f"{server.url}/counter/printing/status.json", timeout=5).json()
        assert status["fault"] and "Connection refused" in " ".join(status["faults"])
        assert status["jobs"][0]["number"] == "A001" and status["jobs"][0]["attempts"] >= 1
        page = clerk.http.get(f"{server.url}/counter/printing/", timeout=5).text  # the print-queue page says so
        assert "Connection refused" in page and "A001" in page
        more = requests.post(f"{server.url}/api/v1/tickets", json={"service": "ktp"}, timeout=10)
        assert more.status_code == 201 and more.json()["number"] == "A002"  # the kiosk goes on issuing
        assert requests.get(f"{server.url}/api/v1/tickets/{ticket['id']}", timeout=5).json()["status"] == "waiting"

        time.sleep(2)  # a few failed rounds, with their back-off
        printer = FakeNetworkPrinter(port=port)
        up = time.monotonic()
        wait_for(lambda: len(tickets_in(printer.jobs)) >= 2, 10)
        recovery = time.monotonic() - up
        print(f"\nissue latency while down {issued * 1000:.0f} ms; printed {recovery:.2f} s after the printer came back")
        time.sleep(2)  # nothing more comes
        first, second = tickets_in(printer.jobs)  # each ticket once, in the order issued
        assert b"A001" in first and QR_STORE in first and CUT in first and b"A002" in second
        assert print_state(server, ticket) == "printed"
        assert clerk.http.get(f"{server.url}/counter/printing/status.json", timeout=5).json()["fault"] is False
        assert recovery < 6
    finally:
        server.stop()
        if printer is not None:
            printer.close()


def test_paper_out_is_read_from_the_printer_and_the_ticket_prints_after_refill(tmp_path):
    printer = FakeNetworkPrinter(replies={1: b"\x1a", 4: b"\x72"})  # offline + paper end sensor
    server = start(tmp_path, printer.url)
    try:
        ticket = requests.post(f"{server.url}/api/v1/tickets", json={"service": "kk"}, timeout=10).json()
        wait_for(lambda: print_state(server, ticket) == "fault", 5)
        clerk = Staff(server, "pelayanan1")
        status = clerk.http.get(f"{server.url}/counter/printing/status.json", timeout=5).json()
        assert any("paper out" in f for f in status["faults"])
        assert status["printers"][0]["status"]["paper"] == "out"
        assert not tickets_in(printer.jobs)  # nothing was sent into an empty printer
        printer.replies = {1: b"\x12", 4: b"\x12"}  # paper refilled
        refilled = time.monotonic()
        wait_for(lambda: tickets_in(printer.jobs), 10)
        print(f"\nprinted {time.monotonic() - refilled:.2f} s after the paper was refilled")
        time.sleep(1.5)
        assert len(tickets_in(printer.jobs)) == 1
        assert print_state(server, ticket) == "printed"
    finally:
        server.stop()
        printer.close()
