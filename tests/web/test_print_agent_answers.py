"""A print agent's answers are believed only for the jobs it was sent (issue 16, strict edges): it cannot
mark another ticket printed, a wild job id is refused without a traceback, a refused answer says
``ok: false``, and a revoked token disconnects its agent at once instead of at its next reconnect."""
from __future__ import annotations

import logging
import secrets

import pytest

from antrean.shared.realtime.hub import socketio
from antrean.shared.services.print_queue import revoke_token
from antrean.shared.services.tokens import create_token
from tests.support.factories import issue

NS = "/printer"


@pytest.fixture
def agent(app):
    """Print agent kiosk-2, connected and ready."""
    token = create_token(app.extensions["antrean"].sessions, "kiosk-2", "print_agent")
    client = socketio.test_client(app, namespace=NS, auth={"token": token})
    assert client.is_connected(NS)
    client.emit("ready", {"printer": "usb://04b8:0e15", "status": {"online": True, "paper": "ok"}},
                namespace=NS, callback=True)
    yield client
    if client.is_connected(NS):
        client.disconnect(namespace=NS)


def kiosk_key(app) -> str:
    """A kiosk key: only a kiosk with one names a print agent."""
    return create_token(app.extensions["antrean"].sessions, f"kiosk-{secrets.token_hex(4)}", "kiosk")


def print_status(client, ticket) -> str:
    return client.get(f"/api/v1/tickets/{ticket['id']}/print").get_json()["status"]


def sent_jobs(agent) -> list[dict]:
    return [m["args"][0] for m in agent.get_received(NS) if m["name"] == "job"]


def test_an_agent_cannot_mark_printed_a_job_it_was_never_sent(app, client, agent):
    ticket = issue(client, "ktp", printer="kiosk-2", kiosk_key=kiosk_key(app))
    from antrean.shared.services.print_queue import list_jobs

    job = list_jobs(app.extensions["antrean"])[0]["job"]
    answer = agent.emit("done", {"job": job, "ok": True}, namespace=NS, callback=True)
    assert answer["ok"] is False
    assert print_status(client, ticket) != "printed"  # the ticket still waits to be printed for real
    assert app.extensions["antrean.print_hub"].dispatch() == 1  # and is sent when its turn comes


def test_a_refused_answer_says_so(app, client, agent):
    ticket = issue(client, "ktp", printer="kiosk-2", kiosk_key=kiosk_key(app))
    hub = app.extensions["antrean.print_hub"]
    assert hub.dispatch() == 1
    job = sent_jobs(agent)[0]["job"]
    assert agent.emit("done", {"job": job, "ok": True}, namespace=NS, callback=True) == {"ok": True}
    assert print_status(client, ticket) == "printed"
    again = agent.emit("done", {"job": job, "ok": True}, namespace=NS, callback=True)
    assert again["ok"] is False  # answered already: nothing was recorded this time


@pytest.mark.parametrize("job", [1e30, "1e30", 10**30, True, -1, 2.5, None, [1], {"id": 1}])
def test_a_wild_job_id_is_refused_without_a_traceback(app, client, agent, caplog, job):
    issue(client, "ktp", printer="kiosk-2", kiosk_key=kiosk_key(app))
    app.extensions["antrean.print_hub"].dispatch()
    with caplog.at_level(logging.WARNING):
        answer = agent.emit("done", {"job": job, "ok": True}, namespace=NS, callback=True)
    assert answer["ok"] is False
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_a_revoked_token_disconnects_its_agent_at_once(app, client, agent):
    hub = app.extensions["antrean.print_hub"]
    assert hub.agents_state()["kiosk-2"]["connected"] is True
    assert hub.drop_revoked() == []  # a valid token stays
    assert agent.is_connected(NS)
    assert revoke_token(app.extensions["antrean"].sessions, "kiosk-2")
    assert hub.drop_revoked() == ["kiosk-2"]
    assert not agent.is_connected(NS)
    assert hub.agents_state()["kiosk-2"]["connected"] is False
    assert hub.dispatch() == 0  # nothing goes to a revoked agent


def test_an_agents_error_text_is_stored_without_nul_or_lone_surrogates(app, client, agent):
    """PostgreSQL refuses both: the agent's failure must be recorded, not turned into a 500."""
    from antrean.shared.services.print_queue import list_jobs

    issue(client, "ktp", printer="kiosk-2", kiosk_key=kiosk_key(app))
    assert app.extensions["antrean.print_hub"].dispatch() == 1
    job = sent_jobs(agent)[0]["job"]
    answer = agent.emit("done", {"job": job, "ok": False, "error": "paper\x00 jam \ud800"}, namespace=NS,
                        callback=True)
    assert answer == {"ok": True}
    (state,) = list_jobs(app.extensions["antrean"])
    assert state["status"] == "pending" and state["error"] == "kiosk-2: paper jam ?"
