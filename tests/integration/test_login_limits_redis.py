"""Failed logins counted in Redis: two `antrean serve` processes share the count (REDIS_URL)."""
from __future__ import annotations

import re
import secrets

import pytest
import requests

from tests.support.env import REDIS_TEST_URL, need
from tests.support.env import redis_available as _redis_available
from tests.support.live_server import LiveServer
from tests.support.security import TOO_MANY


@pytest.mark.redis
def test_two_processes_share_the_count_in_redis(tmp_path):
    """Over real HTTP against two `antrean serve` processes sharing Redis (and the SQLite file)."""
    need(_redis_available(), f"Redis is not reachable at {REDIS_TEST_URL}")
    env = {"REDIS_URL": REDIS_TEST_URL, "ANTREAN_SOCKETIO_CHANNEL": f"antrean-test-{secrets.token_hex(4)}",
           "ANTREAN_PRINTER": "none", "SECRET_KEY": "shared"}
    one, two = LiveServer(tmp_path, env), LiveServer(tmp_path, env)
    two.log = tmp_path / "server2.log"
    one.create_demo()
    one.start()
    two.start()
    try:
        def post(server, password):
            http = requests.Session()
            token = re.search(r'name="csrf_token" value="([^"]+)"', http.get(f"{server.url}/counter/login").text)
            return http.post(f"{server.url}/counter/login", allow_redirects=False, timeout=10,
                             data={"csrf_token": token.group(1), "username": "kasi", "password": password})
        for server in (one, two, one, two, one):
            assert post(server, "salah").status_code == 200
        refused = post(two, one.passwords["kasi"])
        assert refused.status_code == 429 and TOO_MANY in refused.text
        assert post(one, one.passwords["kasi"]).status_code == 429
        import redis

        keys = redis.Redis.from_url(REDIS_TEST_URL).keys(f"*{env['ANTREAN_SOCKETIO_CHANNEL']}*")
        assert keys, "the counts are not in Redis"
    finally:
        one.stop()
        two.stop()
