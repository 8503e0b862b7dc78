"""The waiting-room displays' snapshots between calls: sent when what a display shows has changed.

A call goes to the displays at once (the hub sends it). A full snapshot (now serving per loket,
the last calls, the queue counts, the documents ready) is the display's truth; it used to be read
and sent to every display after every step of every ticket, in the clerk's request, and the queue
counts besides. Now every change only marks the feed; one task per server process then waits a moment
(a burst of changes becomes one snapshot), reads the true state once, and sends it to the displays
only when it differs from the snapshot they were last sent (its clock field ``at`` aside). A step
that changes nothing on the screen (receiving a file, a signature queue) sends nothing.

Convergence: a change marks the feed after its commit, and the task clears the mark before it
reads, so the last snapshot read after the last change is the true state; a snapshot read while
another change came in is read again before it is sent, never sent stale. A display that
(re)connects gets a full snapshot of its own (the hub's connect handler); if that differs from the
feed's last one, the feed forgets its last one, so the next snapshot goes to every display.

Several server processes (Redis message queue): each process sends snapshots only to its own
displays, and tells the other processes that something changed over Redis (channel
``<channel>:display``), where each reads the state and sends its own. A display so gets its
snapshots from one process, in the order they were read, and the newest one holds every change.
When Redis is away the nudges are lost; once it is back every process reads the state again.

No display connected to this process (``audience()`` false): no snapshot is read at all (a kiosk
issuing tickets with no display open costs nothing here); the other processes are still told. A
display that connects gets the true state from its connect handler (it counts as connected before
that snapshot is read, so a change committed after the read is read again for it).

Plain Python: the hub passes in how to read a snapshot, send it, and run a background task.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
Snapshot = dict[str, Any]
RETRIES = 5  # a snapshot that cannot be read (database away): tries before waiting for the next change
STALE_READS = 3  # a snapshot overtaken by a change while read is read again, at most this often in a row


def _shown(snapshot: Snapshot) -> Snapshot:
    """What a display shows of a snapshot: all of it but the time it was read."""
    return {k: v for k, v in snapshot.items() if k != "at"}


class DisplayFeed:
    """``snapshot()`` reads the true state; ``send(snapshot)`` sends it to this process's displays.

    ``spawn(fn)`` starts a background task and ``sleep(seconds)`` pauses one (the server's own:
    greenlets under gevent). Without ``spawn`` the feed works inline: every change reads and sends
    (if changed) before ``changed()`` returns (tests, and an app without background workers).

    ``audience()`` tells whether any display is connected to this process (``None``: assume one
    is); while none is, no snapshot is read.
    """

    def __init__(self, snapshot: Callable[[], Snapshot], send: Callable[[Snapshot], None],
                 spawn: Callable[[Callable[[], None]], Any] | None = None,
                 sleep: Callable[[float], None] = time.sleep, delay: float = 0.1,
                 nudges: Nudges | None = None, audience: Callable[[], bool] | None = None):
        self._snapshot, self._send = snapshot, send
        self.audience = audience
        self._spawn, self._sleep, self.delay = spawn, sleep, delay
        self.nudges = nudges
        self._lock = threading.Lock()
        self._dirty = False  # a change not yet read
        self._told = False  # the other processes were told of it (once a burst)
        self._running = False  # the background task is on its way
        self._last: Snapshot | None = None  # what the displays were last sent (``_shown``)

    def changed(self, remote: bool = False) -> None:
        """Something a display may show has changed (call after the commit). ``remote``: another
        process said so (not passed on again)."""
        if self.nudges is None and not self._listened():
            return  # nobody to send to here, and no other process to tell
        with self._lock:
            self._dirty = True
            tell = not remote and not self._told and self.nudges is not None
            self._told = self._told or tell
            start = not self._running
            self._running = self._running or self._spawn is not None
        nudges = self.nudges
        # at once, so all processes read at about the same time
        if tell and nudges is not None and self._spawn is not None:
            self._spawn(nudges.publish)
        if not start:
            return
        if self._spawn is None:
            self._run_inline()
        else:
            self._spawn(self._run)

    def expect(self) -> None:
        """A change is on its way (a call about to be sent): a snapshot being read now is read again
        before it is sent. ``changed()`` follows."""
        with self._lock:
            self._dirty = True

    def connected(self, snapshot: Snapshot) -> None:
        """A display was sent ``snapshot`` on its own (on connect)."""
        with self._lock:
            if self._last != _shown(snapshot):
                self._last = None  # the displays do not all show the same: the next one goes to all

    # -- inside ------------------------------------------------------------------------------

    def _listened(self) -> bool:
        return self.audience is None or bool(self.audience())

    def _take(self) -> bool:
        """Clear the change mark (before reading: a change after it marks again)."""
        with self._lock:
            if not self._dirty:
                return False
            self._dirty = False
            self._told = False
        return True

    def _offer(self, snapshot: Snapshot, stale_ok: bool) -> bool:
        """Send ``snapshot`` if the displays show something else; False if it was overtaken by a
        change while it was read (it is to be read again)."""
        shown = _shown(snapshot)
        with self._lock:
            if self._dirty and not stale_ok:
                return False
            if shown == self._last:
                return True
            self._last = shown
        self._send(snapshot)
        return True

    def _run_inline(self) -> None:
        while self._take():
            if self._listened():
                self._offer(self._snapshot(), stale_ok=True)

    def _run(self) -> None:
        failures = stale = 0
        try:
            while True:
                self._sleep(self.delay * (1 + failures))  # a burst of changes settles into one read
                if not self._take():
                    return
                if not self._listened():  # the other processes were told; none of ours to send to
                    continue
                try:
                    snapshot = self._snapshot()
                except Exception:  # the database away: try again a little later, then wait for a change
                    failures += 1
                    log.warning("display snapshot could not be read (try %d of %d)", failures, RETRIES,
                                exc_info=True)
                    if failures < RETRIES:
                        with self._lock:
                            self._dirty = True
                    continue
                failures = 0
                if self._offer(snapshot, stale_ok=stale >= STALE_READS):
                    stale = 0
                else:
                    stale += 1
        except Exception:  # never leave the feed stuck as "running"
            log.exception("display feed failed")
        finally:
            with self._lock:
                self._running = False
                again = self._dirty
            if again:  # a change that came in as the task ended
                self.changed(remote=True)


class Nudges:
    """"Something changed" between server processes, over Redis pub/sub.

    ``publish()`` tells the other processes; each one's ``on_nudge()`` runs in its listening task
    (``start(spawn, sleep)``). A process ignores its own nudges. Redis away: a publish is dropped
    with a warning, and the listener connects again (it tries every second, so the displays are right
    again within about a second of Redis returning) and then calls ``on_nudge()`` once, since it may
    have missed some."""

    RETRY_SECONDS = 1.0  # a refused connection to a Redis that is away costs nothing

    def __init__(self, url: str, channel: str, on_nudge: Callable[[], None]):
        import redis

        self._redis_errors = (redis.RedisError, OSError)
        self._client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self._listen_client = redis.Redis.from_url(url, socket_connect_timeout=2)
        self.channel = channel
        self.on_nudge = on_nudge
        self.me = uuid.uuid4().hex.encode()
        self._warned = False

    def publish(self) -> None:
        try:
            self._client.publish(self.channel, self.me)
            self._warned = False
        except self._redis_errors as exc:
            if not self._warned:  # once per outage
                log.warning("display nudge not sent: Redis unavailable (%s)", type(exc).__name__)
                self._warned = True

    def start(self, spawn: Callable[[Callable[[], None]], Any], sleep: Callable[[float], None]) -> None:
        spawn(lambda: self._listen(sleep))

    def _listen(self, sleep: Callable[[float], None]) -> None:
        first, away = True, False
        while True:
            pubsub = self._listen_client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self.channel)
                if not first:
                    log.warning("display nudges: Redis is back, listening again")
                    self.on_nudge()  # what changed while Redis was away
                first, away = False, False
                for message in pubsub.listen():
                    if message.get("type") == "message" and message.get("data") != self.me:
                        self.on_nudge()
            except self._redis_errors as exc:
                if not away:  # once per outage, not once a second
                    log.warning("display nudges: Redis unavailable (%s); trying again every %.0f s",
                                type(exc).__name__, self.RETRY_SECONDS)
                    away = True
            finally:
                try:
                    pubsub.close()
                except self._redis_errors:
                    pass
            first = False
            sleep(self.RETRY_SECONDS)
