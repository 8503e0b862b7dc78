"""A printer that took a ticket's bytes and then died: the ticket is not counted as printed, it is
printed again, and the print queue tells staff the applicant may hold two copies (issue 16: a printed
ticket is a printed ticket). The network printer's side is tests/hardware/test_printer.py."""
from __future__ import annotations

from antrean.hardware.printer import PrinterError
from antrean.shared.realtime.hub import socketio
from antrean.shared.services.print_queue import list_jobs
from antrean.shared.services.tokens import create_token
from tests.support.factories import issue

WARNING = "Mungkin tercetak dua kali"


def test_a_ticket_whose_printer_died_after_taking_it_is_printed_again_and_flagged(app, client, printer, clock,
                                                                                    monkeypatch, login):
    worker = app.extensions["antrean.printer"]
    real = printer.print_slip
    calls = []

    def dies_after_taking_it(slip):
        calls.append(slip.number)
        if len(calls) == 1:
            raise PrinterError("printer at tcp://10.0.0.9:9100 did not answer after taking the ticket: it may "
                               "have printed; printing it again", possible_duplicate=True)
        real(slip)

    monkeypatch.setattr(printer, "print_slip", dies_after_taking_it)
    ticket = issue(client, "ktp")
    assert worker.run_due() == 0
    assert client.get(f"/api/v1/tickets/{ticket['id']}/print").get_json()["status"] != "printed"
    clock.advance(seconds=60)
    assert worker.run_due() == 1  # printed again
    assert [s.number for s in printer.slips] == [ticket["number"]]
    (job,) = list_jobs(app.extensions["antrean"])
    assert job["status"] == "printed" and job["possible_duplicate"] is True

    login("kasi")
    page = client.get("/counter/printing/").get_data(as_text=True)
    assert WARNING in page and ticket["number"] in page


def test_a_ticket_printed_the_first_time_is_not_flagged(app, client, login):
    issue(client, "ktp")
    assert app.extensions["antrean.printer"].run_due() == 1
    (job,) = list_jobs(app.extensions["antrean"])
    assert job["possible_duplicate"] is False
    login("kasi")
    assert WARNING not in client.get("/counter/printing/").get_data(as_text=True)


def test_a_print_agent_reports_a_possible_duplicate(app, client):
    desk = app.extensions["antrean"]
    hub = app.extensions["antrean.print_hub"]
    token = create_token(desk.sessions, "kiosk-3", "print_agent")
    issue(client, "ktp", printer="kiosk-3", kiosk_key=create_token(desk.sessions, "kiosk-front", "kiosk"))
    agent = socketio.test_client(app, namespace="/printer", auth={"token": token})
    agent.emit("ready", {"printer": "tcp://10.0.0.9:9100"}, namespace="/printer", callback=True)
    assert hub.dispatch() == 1
    job = [m["args"][0] for m in agent.get_received("/printer") if m["name"] == "job"][0]["job"]
    answer = agent.emit("done", {"job": job, "ok": False, "error": "did not answer after taking the ticket",
                                 "possible_duplicate": True}, namespace="/printer", callback=True)
    assert answer == {"ok": True}
    (state,) = list_jobs(desk)
    assert state["status"] == "pending" and state["possible_duplicate"] is True
    agent.disconnect(namespace="/printer")
