"""In-process event bus. Events are published after the database commit, never before.

Subscribers (the Socket.IO hub, the print worker) register callables; a failing subscriber is
logged and never breaks the publisher or the other subscribers.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

# Every event name, written once: the services publish these and the realtime layer subscribes to them.
TICKET_ISSUED = "ticket.issued"  # a kiosk issued a ticket (its public view, the printer it went to)
TICKET_CALLED = "ticket.called"  # a call, recall or pickup call for the displays and the speaker
TICKET_UPDATED = "ticket.updated"  # a ticket's status or step changed (counter screens, status pages)
QUEUE_CHANGED = "queue.changed"  # waiting tickets per group ({group: n})
PRINT_QUEUED = "print.queued"  # a print job waits (a reprint, a TMS slip)
PRINTER_PRINTED = "printer.printed"  # a print job went out
PRINTER_FAULT = "printer.fault"  # a printer failed (or came back)
CATALOGUE_CHANGED = "catalogue.changed"  # the administrator saved a catalogue version
LOKETS_CHANGED = "lokets.changed"  # a loket was added, changed or closed
OFFICE_CHANGED = "office.changed"  # the office's logo or details changed
STAFF_SESSIONS_ENDED = "staff.sessions_ended"  # every session of one user ended ({"user_id"})
# Bookings (shared/services/booking.py; payload: the booking's public view, its ``lang`` and no name)
BOOKING_CONFIRMED = "booking.confirmed"  # a visit booked, or today's queue joined from afar
BOOKING_MOVED = "booking.moved"  # a booking moved to another date or session
BOOKING_CANCELLED = "booking.cancelled"  # cancelled by its holder
BOOKING_CHECKED_IN = "booking.checked_in"  # checked in at the kiosk or by staff: it is a ticket now
BOOKING_NO_SHOW = "booking.no_show"  # not checked in by its session's end
# The message outbox (shared/services/outbox.py) turns BOOKING_CONFIRMED and these into messages:
BOOKING_REMINDER = "booking.reminder"  # the day before a booked visit
BOOKING_LEAVE_NOW = "booking.leave_now"  # a remote joiner's estimate says: set off now
MESSAGE_FAILED = "message.failed"  # an outbox message failed a try (staff page: masked, no address)
ALL = "*"  # subscribe to every event


@dataclass(frozen=True)
class Event:
    name: str
    payload: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)

    def subscribe(self, name: str, handler: Handler) -> None:
        """``name`` is an event name or ``*`` for every event."""
        self._handlers[name].append(handler)

    def publish(self, event: Event) -> None:
        for handler in [*self._handlers.get(event.name, ()), *self._handlers.get("*", ())]:
            try:
                handler(event)
            except Exception:  # a display or printer problem must not undo a committed ticket
                log.exception("event handler failed for %s", event.name)
