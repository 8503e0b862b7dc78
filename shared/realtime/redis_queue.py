"""The Socket.IO message queue over Redis, listening again every second after an outage.

python-socketio's ``RedisManager`` subscribes again after 1, 2, 4 ... 60 s, so after a Redis
restart the calls made on one process could take a minute to reach the displays and counters of
another. Here the listener tries every ``RETRY_SECONDS`` (a refused connection to a Redis that is
away costs nothing) and logs the outage once, not once per try. Publishing is python-socketio's:
a message published while Redis is away is dropped (the displays catch up from their snapshot,
shared/realtime/display_feed.py). See docs/operations.md.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import socketio

RETRY_SECONDS = 1.0

log = logging.getLogger(__name__)


class RedisQueue(socketio.RedisManager):
    def _redis_listen_with_retries(self) -> Iterator[dict]:  # python-socketio's hook, same contract
        subscribed, away = False, False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    assert self.pubsub is not None  # set by _redis_connect
                    self.pubsub.subscribe(self.channel)
                    subscribed = True
                    if away:
                        log.warning("Socket.IO message queue: Redis is back, listening again")
                        away = False
                assert self.pubsub is not None
                yield from self.pubsub.listen()
            except Exception as exc:  # noqa: BLE001 - python-socketio's own loop catches every error too
                if not away:  # once per outage
                    self._get_logger().error(
                        "Cannot receive from redis... retrying every %.0f s (%s)", RETRY_SECONDS, type(exc).__name__)
                    away = True
                subscribed = False
                time.sleep(RETRY_SECONDS)  # as python-socketio's loop: patched by gevent where it runs
