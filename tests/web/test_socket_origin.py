"""The Socket.IO origin check (shared/realtime/hub.same_origin_or) trusts X-Forwarded-Host and
X-Forwarded-Proto only when ANTREAN_PROXIES says a reverse proxy sets them (Werkzeug's ProxyFix,
wrapped outside the Socket.IO middleware in shared/app.py): otherwise a page of evil.example that
makes the browser send a matching X-Forwarded-Host would connect with the staff's cookies."""
from __future__ import annotations

import pytest

POLL = "/socket.io/?EIO=4&transport=polling"


def make_app(tmp_path, clock, printer, **overrides):
    from antrean.shared.app import create_app

    return create_app({"INSTANCE": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
                       "SECRET_KEY": "t", "TESTING": True, "WTF_CSRF_ENABLED": False, "ALWAYS_OPEN": True,
                       **overrides}, clock=clock, printer=printer, start_workers=False)


@pytest.fixture(params=[0, 1], ids=["no-proxy", "one-proxy"])
def proxied(request, tmp_path, clock, printer):
    app = make_app(tmp_path, clock, printer, PROXIES=request.param)
    yield app, request.param
    app.extensions["antrean.engine"].dispose()


@pytest.mark.parametrize("namespace", ["/display", "/counter"])
def test_a_forwarded_host_is_trusted_only_behind_a_configured_proxy(proxied, namespace):
    app, proxies = proxied
    client = app.test_client()
    forged = {"Origin": "https://evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    resp = client.get(f"{POLL}&ns={namespace}", headers=forged)
    # without ANTREAN_PROXIES nobody vouches for the header: refused; behind one trusted proxy, the
    # header is the proxy's word for the address the browser used, so that origin is the page's own
    assert resp.status_code == (200 if proxies else 400)


def test_the_own_origin_and_no_origin_still_connect(proxied):
    app, _ = proxied
    client = app.test_client()
    assert client.get(POLL, headers={"Origin": "http://localhost"}).status_code == 200
    assert client.get(POLL).status_code == 200  # agents send no Origin
    assert client.get(POLL, headers={"Origin": "http://evil.example"}).status_code == 400
