"""Fair use of the public API (kiosk/api.py, shared/web/login_limits.py): taking tickets is limited
per client address, a kiosk with its kiosk key has its own allowance, a wrong or revoked key is
refused, and an anonymous client cannot tell which print agents exist."""
from __future__ import annotations

import pytest

from antrean.shared.services import availability
from antrean.shared.services.errors import Actor
from antrean.shared.services.print_queue import revoke_token
from antrean.shared.services.tokens import create_token


@pytest.fixture
def limited_app(tmp_path, clock, printer):
    from antrean.shared.app import create_app

    app = create_app(
        {"INSTANCE": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "SECRET_KEY": "test",
         "TESTING": True, "WTF_CSRF_ENABLED": False, "ALWAYS_OPEN": True,
         "ISSUE_LIMIT": "10 per minute", "KIOSK_LIMIT": "25 per minute"},
        clock=clock, printer=printer, start_workers=False,
    )
    yield app
    app.extensions["antrean.engine"].dispose()


def _issue(client, addr="203.0.113.7", key=None, **fields):
    headers = {"X-Kiosk-Key": key} if key else {}
    return client.post("/api/v1/tickets", json={"service": "ktp", **fields}, headers=headers,
                       environ_base={"REMOTE_ADDR": addr})


def test_one_anonymous_client_cannot_empty_the_days_quota(limited_app):
    desk = limited_app.extensions["antrean"]
    availability.set_quota(desk, Actor(None, "cli", frozenset({"admin"})), "ktp", 20)
    client = limited_app.test_client()
    answers = [_issue(client) for _ in range(30)]
    assert [r.status_code for r in answers] == [201] * 10 + [429] * 20
    too_many = answers[-1]
    body = too_many.get_json()
    assert body["code"] == "too_many_requests" and "Terlalu banyak" in body["error"]
    assert int(too_many.headers["Retry-After"]) >= 1
    ktp = next(s for s in client.get("/api/v1/services").get_json()["services"] if s["code"] == "ktp")
    assert ktp["availability"]["issued"] == 10 and ktp["availability"]["remaining"] == 10
    # another address is not held back by this one
    assert _issue(client, addr="203.0.113.8").status_code == 201


def test_a_retried_request_id_does_not_count_twice(limited_app):
    client = limited_app.test_client()
    first = _issue(client, request_id="5f0c1a52-9d4e-4b7a-8f0e-2a1c3b4d5e6f")
    assert first.status_code == 201
    for _ in range(15):  # the kiosk's retries: the same ticket, never a 429
        again = _issue(client, request_id="5f0c1a52-9d4e-4b7a-8f0e-2a1c3b4d5e6f")
        assert again.status_code == 200 and again.get_json()["number"] == first.get_json()["number"]
    assert [_issue(client).status_code for _ in range(10)] == [201] * 9 + [429]


def test_a_kiosk_with_its_key_has_its_own_allowance(limited_app):
    desk = limited_app.extensions["antrean"]
    key = create_token(desk.sessions, "kiosk-1", "kiosk")
    client = limited_app.test_client()
    for _ in range(10):
        _issue(client)  # the address's own allowance is used up by anonymous requests
    assert _issue(client).status_code == 429
    kiosk = [_issue(client, key=key).status_code for _ in range(26)]
    assert kiosk == [201] * 25 + [429]


def test_a_wrong_or_revoked_kiosk_key_is_refused(limited_app):
    desk = limited_app.extensions["antrean"]
    key = create_token(desk.sessions, "kiosk-1", "kiosk")
    agent = create_token(desk.sessions, "printer-1", "print_agent")
    client = limited_app.test_client()
    for wrong in ("not-a-key-at-all-0000000000000", agent):  # a print agent's token is no kiosk key
        resp = _issue(client, key=wrong)
        assert resp.status_code == 401 and resp.get_json()["code"] == "bad_kiosk_key"
    assert _issue(client, key=key).status_code == 201
    assert revoke_token(desk.sessions, "kiosk-1")
    resp = _issue(client, key=key)
    assert resp.status_code == 401 and resp.get_json()["code"] == "bad_kiosk_key"
    # guessing keys is limited per address like any other request
    statuses = [_issue(client, key=f"guess-{i:02d}").status_code for i in range(12)]
    assert 429 in statuses


def test_an_anonymous_client_cannot_tell_which_printers_exist(limited_app):
    desk = limited_app.extensions["antrean"]
    create_token(desk.sessions, "loket-printer", "print_agent")
    client = limited_app.test_client()
    known = _issue(client, printer="loket-printer")
    unknown = _issue(client, printer="no-such-printer")
    assert known.status_code == unknown.status_code == 401
    assert known.get_json() == unknown.get_json()
    assert known.get_json()["code"] == "kiosk_key_required"
    # a kiosk with its key names its print agent; a name that is no print agent is a plain mistake
    key = create_token(desk.sessions, "kiosk-1", "kiosk")
    assert _issue(client, key=key, printer="loket-printer").status_code == 201
    wrong = _issue(client, key=key, printer="no-such-printer")
    assert wrong.status_code == 400 and wrong.get_json()["code"] == "bad_printer"


def test_a_burst_of_parallel_requests_cannot_slip_past_the_limit(limited_app):
    """Each request is counted before it runs, not after its answer: 30 at once still take at most 10."""
    from concurrent.futures import ThreadPoolExecutor

    def one(_n):
        return _issue(limited_app.test_client()).status_code

    with ThreadPoolExecutor(max_workers=15) as pool:
        statuses = list(pool.map(one, range(30)))
    assert statuses.count(201) <= 10 and statuses.count(429) >= 20, statuses
    client = limited_app.test_client()
    ktp = next(s for s in client.get("/api/v1/services").get_json()["services"] if s["code"] == "ktp")
    assert ktp["availability"]["issued"] <= 10
