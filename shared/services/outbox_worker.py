"""The outbox worker: sends the messages the outbox holds, off the request thread (like the print worker).

Each due row is claimed (a lease), handed to the sender of its channel, and marked sent; on a
failure it waits with a growing delay, up to ``max_attempts`` tries, then shows as failed on the
staff page. When one channel's gateway fails, that channel's other claimed rows are given back
untried, so its messages still go out in order when it comes back. Rows live in the database: a
restart loses nothing.

Every ``sweep_seconds`` (5 minutes) the worker also runs the booking sweeps: the reminders
(``booking.remind_tomorrow``: from ``reminder_hour`` office time on, tomorrow's active bookings with
a contact get their reminder, once each) and the no-shows (``booking.sweep_no_shows``: a booking
whose session is over without a check-in releases its place and its contact). Every
``leave_seconds`` (1 minute), and at once after a call in this process (``queue_moved``), it asks
each remote joiner's estimate whether it is time to set off (``booking.remind_leave``, once each).
Without any message channel configured the worker only runs the no-show sweep.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from antrean.hardware.messaging.base import Sender, SendError, safe_error
from antrean.shared.services import booking, outbox
from antrean.shared.services.context import Context

log = logging.getLogger(__name__)


class OutboxWorker:
    def __init__(self, ctx: Context, senders: Mapping[str, Sender], public_url: Callable[[], str],
                 retry_seconds: float = 10.0, poll_seconds: float = 1.0, batch: int = 20,
                 lease_seconds: float = outbox.LEASE_SECONDS, max_attempts: int = outbox.MAX_ATTEMPTS,
                 reminder_hour: int = booking.REMINDER_HOUR, sweep_seconds: float = 300.0,
                 leave_seconds: float = 60.0):
        self.ctx = ctx
        self.senders = dict(senders)
        self.public_url = public_url
        self.retry_seconds = retry_seconds
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self.reminder_hour = reminder_hour
        self.sweep_seconds = sweep_seconds
        self.leave_seconds = leave_seconds
        self._swept_at: float | None = None
        self._leave_at: float | None = None
        self._leave_due = False  # a call moved the queue: ask the remote joiners' estimates now
        self.last_error: dict[str, str] = {}  # per channel, for the staff page
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="antrean-outbox", daemon=True)
            self._thread.start()

    def stop(self, wait: float = 0.0) -> None:
        self._stop.set()
        self._wake.set()
        if wait and self._thread is not None:
            self._thread.join(wait)

    def wake(self, event: Any = None) -> None:
        self._wake.set()

    def queue_moved(self, event: Any = None) -> None:
        """A call: the remote joiners' estimates changed; ask them at the loop's next turn."""
        self._leave_due = True
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.sweep_if_due()
                while self.senders and self.run_due() and not self._stop.is_set():
                    pass
            except Exception:
                log.exception("outbox worker loop failed")
            self._wake.wait(self.poll_seconds if self.senders else self.sweep_seconds)
            self._wake.clear()

    def sweep_if_due(self) -> int:
        """The booking sweeps when due (reminders and no-shows every ``sweep_seconds``, "set off
        now" every ``leave_seconds``); returns the messages written."""
        written = 0
        if self.senders and (self._leave_due or self._leave_at is None
                             or time.monotonic() - self._leave_at >= self.leave_seconds):
            self._leave_due, self._leave_at = False, time.monotonic()
            written += booking.remind_leave(self.ctx)
        if self._swept_at is None or time.monotonic() - self._swept_at >= self.sweep_seconds:
            self._swept_at = time.monotonic()
            booking.sweep_no_shows(self.ctx)
            if self.senders:
                written += booking.remind_tomorrow(self.ctx, self.reminder_hour)
        return written

    def run_due(self) -> int:
        """Send the due messages once (at most ``batch``); returns how many were tried."""
        claims = outbox.claim_due(self.ctx, limit=self.batch, lease_seconds=self.lease_seconds)
        released: set[int] = set()
        started = time.monotonic()
        for i, claim in enumerate(claims):
            if claim.id in released:
                continue
            if self._stop.is_set() or (i and time.monotonic() - started > self.lease_seconds / 2):
                outbox.release(self.ctx, [c for c in claims[i:] if c.id not in released])
                return i
            sender = self.senders.get(claim.channel)
            if sender is None or not claim.recipient:
                reason = "channel not configured" if sender is None else "contact removed"
                outbox.mark_failed(self.ctx, claim, reason, self.retry_seconds, permanent=True)
                continue
            try:
                message = outbox.compose(claim, self.public_url())
                sender.send(claim.recipient, message)
            except SendError as exc:
                self.last_error[claim.channel] = str(exc)
                state, next_try = outbox.mark_failed(self.ctx, claim, str(exc), self.retry_seconds, exc.permanent,
                                                     self.max_attempts)
                log.warning("message %s (%s, %s) not sent: %s; now %s", claim.id, claim.event, claim.channel,
                            exc, state)
                if next_try is not None:  # the gateway is down: this channel's later messages wait behind it
                    later = [c for c in claims[i + 1:] if c.channel == claim.channel and c.id not in released]
                    outbox.release(self.ctx, later)
                    released.update(c.id for c in later)
                    outbox.hold_channel(self.ctx, claim.channel, claim.id, next_try)
                continue
            except Exception as exc:  # a bug in a template or sender: keep the row, tell staff, go on
                log.exception("message %s (%s, %s) failed", claim.id, claim.event, claim.channel)
                outbox.mark_failed(self.ctx, claim, safe_error(f"{type(exc).__name__}: {exc}"), self.retry_seconds,
                                   max_attempts=self.max_attempts)
                continue
            # the one duplicate window: the gateway has the message; a crash before this line sends it again
            outbox.mark_sent(self.ctx, claim)
            self.last_error.pop(claim.channel, None)
            time.sleep(0)  # under gevent: let a waiting request go first
        return len(claims)
