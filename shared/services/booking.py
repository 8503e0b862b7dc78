"""Booking a visit, moving or cancelling it, checking it in, and joining today's queue from afar
(the rules: shared/domain/booking.py; the place in the queue: ``domain.queue.booked_since``).

A session's quota is never exceeded, on SQLite and PostgreSQL alike: a booking first takes the
session's counter row (``store.sequences.next_value``: ``INSERT ... ON CONFLICT DO UPDATE``), which
stays locked until the commit, then counts the session's active bookings; so two bookers of one
session run one after the other (SQLite's BEGIN IMMEDIATE serialises every writer anyway), and
bookers of other sessions never wait for each other. Cancelling frees the place (the count is of
active bookings).

Events (after the commit): ``BOOKING_CONFIRMED``, ``BOOKING_MOVED``, ``BOOKING_CANCELLED``,
``BOOKING_CHECKED_IN``, ``BOOKING_NO_SHOW`` with the booking's public view. The citizen's messages
(docs/notifications.md) are written in the booking's own transaction: the optional contact
(``outbox.add_contact_in``, the status page's rules) and "booking confirmed"/"moved"
(``outbox.enqueue_booking``); ``remind_tomorrow`` enqueues the day-before reminders; ``check_in``
hands the contact on to the ticket.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import String, Table, func, literal, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from antrean.shared.domain import booking as rules
from antrean.shared.domain import numbering, queue
from antrean.shared.domain.clock import local
from antrean.shared.domain.events import (
    BOOKING_CANCELLED,
    BOOKING_CHECKED_IN,
    BOOKING_CONFIRMED,
    BOOKING_LEAVE_NOW,
    BOOKING_MOVED,
    BOOKING_NO_SHOW,
    BOOKING_REMINDER,
    QUEUE_CHANGED,
    TICKET_ISSUED,
    Event,
)
from antrean.shared.domain.workflow import Status
from antrean.shared.services import estimate, issuing, outbox, tickets
from antrean.shared.services.context import Context
from antrean.shared.services.errors import Conflict, NotFound, OperationError, clean_text
from antrean.shared.store import sequences, settings
from antrean.shared.store.db import core_transaction, reading, retry_locked, transaction
from antrean.shared.store.models import Booking, Contact, Loket, Ticket

_bookings = cast(Table, Booking.__table__)
_tickets = cast(Table, Ticket.__table__)
NAME_MAX = 120
REMINDER_HOUR = 15  # office time; the reminders for tomorrow go out from then (ANTREAN_BOOKING_REMINDER_HOUR)


class BookingRefused(OperationError):
    """A booking that cannot be made or changed; ``code`` names why (the web layer words it)."""

    status = 409

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message, code)
        if code.startswith("bad_"):  # the request itself is wrong (400), not the state of the office (409)
            self.status = 400


def booking_settings(s: Session | Connection) -> rules.Settings:
    return rules.settings_of(settings.read(s, rules.SETTING_KEYS))


def _slot_lock(s: Session | Connection, kind: str, service_code: str, day: date, session: str | None) -> None:
    """Take the counter row of one session (a remote join: of one day) of a service: held until the
    commit, it makes the bookers of that session count and insert one after the other."""
    digest = hashlib.sha1(service_code.encode()).hexdigest()[:16]
    sequences.next_value(s, f"{kind}:{digest}", f"{day.isoformat()}:{session or '-'}")


def _active(s: Session, kind: str, service_code: str, day: date, session: str | None) -> int:
    q = select(func.count()).select_from(Booking).where(
        Booking.kind == kind, Booking.service_code == service_code, Booking.day == day,
        Booking.status.in_(rules.ACTIVE))
    if session is not None:
        q = q.where(Booking.session == session)
    return s.scalar(q) or 0


def _parse_day(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else date.min
    except ValueError:
        pass
    raise BookingRefused("date must be YYYY-MM-DD", "bad_date")


def _code(value: Any) -> str:
    code = rules.normalise_code(value)
    if code is None:
        raise NotFound("no booking with that code")
    return code


def _name(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > NAME_MAX:
        raise BookingRefused("name must be text of at most 120 characters", "bad_name")
    return value.strip() or None


def _lang(value: Any) -> str:
    if value is not None and not isinstance(value, str):
        raise BookingRefused("lang must be id or en", "bad_lang")
    return value if value in ("id", "en") else "id"


def _contact(value: Any) -> dict[str, Any] | None:
    """The optional contact of a booking: None when none was given (no address, no consent)."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"channel", "address", "consent"}:
        raise BookingRefused("contact must be an object with channel, address and consent", "bad_contact")
    if not value.get("address") and not value.get("consent"):
        return None
    return value


def _check_slot(ctx: Context, s: Session, service_code: str, day: date, session: Any, now: datetime,
                cfg: rules.Settings) -> None:
    if day == date.min:
        raise BookingRefused("date must be YYYY-MM-DD", "bad_date")
    if session not in rules.SESSIONS:
        raise BookingRefused("session must be pagi or siang", "bad_session")
    if cfg.quota(service_code) == 0:
        raise BookingRefused("this service takes no bookings", rules.NOT_BOOKABLE)
    why = rules.refusal(ctx.catalogue.office, day, session, now, cfg.days_ahead)
    if why is not None:
        raise BookingRefused(f"that session cannot be booked ({why})", why)


def _take_place(s: Session, service_code: str, day: date, session: str, quota: int) -> None:
    _slot_lock(s, rules.BOOKING, service_code, day, session)
    if _active(s, rules.BOOKING, service_code, day, session) >= quota:
        raise BookingRefused("that session is fully booked", "session_full")


def view(ctx: Context, b: Booking, ticket: Ticket | None = None) -> dict[str, Any]:
    """What anyone holding the code may see of a booking: never the name."""
    service = ctx.catalogue.services.get(b.service_code)
    found = rules.session_of(ctx.catalogue.office, b.day, b.session) if b.session else None
    return {
        "code": b.code,
        "shown_code": rules.shown_code(b.code),
        "kind": b.kind,
        "service": b.service_code,
        "service_name": service.name if service else b.service_code,
        "date": b.day.isoformat(),
        "session": b.session,
        "session_start": found.start.strftime("%H:%M") if found else None,
        "session_end": found.end.strftime("%H:%M") if found else None,
        "status": b.status,
        "requirements": list(service.requirements) if service else [],
        "lang": b.lang,
        "ticket": None if ticket is None else {"number": ticket.number, "status_url": ctx.status_url(ticket.public_id),
                                               "public_id": ticket.public_id},
    }


def options(ctx: Context, service_code: Any) -> dict[str, Any]:
    """The days and sessions still open to booking for a service, with the places left."""
    service = ctx.service(service_code)
    now = ctx.clock()
    office = ctx.catalogue.office
    with reading(ctx.sessions) as s:
        cfg = booking_settings(s)
        quota = cfg.quota(service.code)
        days = rules.bookable_days(office, now, cfg.days_ahead) if quota else []
        taken: dict[tuple[date, str], int] = {}
        if days:
            q = (select(Booking.day, Booking.session, func.count()).where(
                Booking.kind == rules.BOOKING, Booking.service_code == service.code,
                Booking.status.in_(rules.ACTIVE), Booking.day >= days[0][0], Booking.day <= days[-1][0])
                 .group_by(Booking.day, Booking.session))
            taken = {(d, str(sess)): n for d, sess, n in s.execute(q)}
    return {
        "service": service.code, "service_name": service.name, "quota": quota,
        "requirements": list(service.requirements),
        "days": [{"date": day.isoformat(), "sessions": [
            {"session": sess.code, "start": sess.start.strftime("%H:%M"), "end": sess.end.strftime("%H:%M"),
             "left": max(0, quota - taken.get((day, sess.code), 0))} for sess in found]} for day, found in days],
    }


def book(ctx: Context, service_code: Any, day: Any, session: Any, name: Any = None, lang: Any = "id",
         contact: Any = None) -> dict[str, Any]:
    """Book a session of a service; the booking's view (with its code, and ``messages_to``: the
    channels of its contact), ``BOOKING_CONFIRMED``. ``contact`` (optional): ``{"channel",
    "address", "consent"}``, checked as on the status page and stored with the booking, which
    then writes its "booking confirmed" message (one transaction: both or neither)."""
    clean_text(service_code, day, session, name, lang)
    service = ctx.service(service_code)
    when = _parse_day(day)
    person = _name(name)
    given = _contact(contact)
    now = ctx.clock()

    def attempt() -> dict[str, Any]:
        with transaction(ctx.sessions) as s:
            cfg = booking_settings(s)
            _check_slot(ctx, s, service.code, when, session, now, cfg)
            _take_place(s, service.code, when, session, cfg.quota(service.code))
            b = Booking(code=rules.new_code(), kind=rules.BOOKING, service_code=service.code, day=when,
                        session=session, status=rules.BOOKED, name=person,
                        lang=_lang(lang), created_at=now, updated_at=now)
            s.add(b)
            s.flush()
            shown = view(ctx, b)
            if given is not None:
                outbox.add_contact_in(s, ctx, outbox.booking_subject(b.code), given.get("channel"),
                                      given.get("address"), b.lang, "booking", given.get("consent"))
                outbox.enqueue_booking(s, ctx, BOOKING_CONFIRMED, shown, now)
            shown["messages_to"] = outbox.booking_channels(s, b.code)
            return shown

    made = retry_locked(attempt)
    ctx.publish([Event(BOOKING_CONFIRMED, made)])
    return made


def _find(s: Session, code: str, lock: bool = False) -> Booking:
    q = select(Booking).where(Booking.code == code)
    if lock and s.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    found = s.scalar(q)
    if found is None:
        raise NotFound("no booking with that code")
    return found


def get(ctx: Context, code: Any) -> dict[str, Any]:
    code = _code(code)
    with reading(ctx.sessions) as s:
        b = _find(s, code)
        ticket = s.get(Ticket, b.ticket_id) if b.ticket_id else None
        shown = view(ctx, b, ticket)
        shown["messages_to"] = outbox.booking_channels(s, b.code)
        if b.status == rules.BOOKED and rules.is_no_show(ctx.catalogue.office, b.kind, b.day, b.session, ctx.clock()):
            shown["status"] = rules.NO_SHOW  # the sweep marks it; the holder sees it now
        if b.kind == rules.REMOTE and b.status == rules.BOOKED and shown["status"] == rules.BOOKED:
            shown["remote"] = remote_estimate(ctx, s, b)
    return shown


def cancel(ctx: Context, code: Any) -> dict[str, Any]:
    code = _code(code)
    now = ctx.clock()

    def attempt() -> dict[str, Any]:
        with transaction(ctx.sessions) as s:
            b = _find(s, code, lock=True)
            if b.status != rules.BOOKED:
                raise BookingRefused(f"the booking is {b.status}", f"is_{b.status}")
            b.status, b.updated_at = rules.CANCELLED, now
            outbox.drop_booking_contacts(s, b.code)
            return {**view(ctx, b), "messages_to": []}  # nothing more is sent about it

    done = retry_locked(attempt)
    ctx.publish([Event(BOOKING_CANCELLED, done)])
    return done


def move(ctx: Context, code: Any, day: Any, session: Any) -> dict[str, Any]:
    """Move a booking to another date or session (its place there taken as by a new booking)."""
    clean_text(code, day, session)
    code = _code(code)
    when = _parse_day(day)
    now = ctx.clock()

    def attempt() -> dict[str, Any]:
        with transaction(ctx.sessions) as s:
            b = _find(s, code, lock=True)
            if b.kind != rules.BOOKING or b.status != rules.BOOKED:
                raise BookingRefused(f"the booking is {b.status}", f"is_{b.status}")
            if (b.day, b.session) == (when, session):
                return {**view(ctx, b), "messages_to": outbox.booking_channels(s, b.code)}
            cfg = booking_settings(s)
            _check_slot(ctx, s, b.service_code, when, session, now, cfg)
            _take_place(s, b.service_code, when, session, cfg.quota(b.service_code))
            b.day, b.session, b.updated_at = when, session, now
            shown = view(ctx, b)
            outbox.enqueue_booking(s, ctx, BOOKING_MOVED, shown, now)
            return {**shown, "messages_to": outbox.booking_channels(s, b.code)}

    moved = retry_locked(attempt)
    ctx.publish([Event(BOOKING_MOVED, moved)])
    return moved


def join_remote(ctx: Context, service_code: Any, name: Any = None, lang: Any = "id",
                contact: Any = None) -> dict[str, Any]:
    """Join today's queue of a service from afar, where the office allows it, within the day's cap;
    the place is kept from now until check-in at the kiosk (``queue.booked_since``). ``contact``
    (optional, as for a booking): the "you joined" message now, "set off now" when the estimate
    says so (``remind_leave``), then the ticket's messages after check-in."""
    from antrean.shared.services import availability

    clean_text(service_code, name, lang)
    service = ctx.service(service_code)
    person = _name(name)
    given = _contact(contact)
    now = ctx.clock()
    day = numbering.office_day(now, ctx.tz)

    def attempt() -> dict[str, Any]:
        with transaction(ctx.sessions) as s:
            cfg = booking_settings(s)
            cap = cfg.remote_cap(service.code)
            if cap == 0:
                raise BookingRefused("this service cannot be joined from afar", "no_remote")
            if not availability.service_states(ctx, s, now)[service.code].open:
                raise BookingRefused("the service takes no tickets now", "service_closed")
            _slot_lock(s, rules.REMOTE, service.code, day, None)
            if _active(s, rules.REMOTE, service.code, day, None) >= cap:
                raise BookingRefused("today's remote places are taken", "remote_full")
            b = Booking(code=rules.new_code(), kind=rules.REMOTE, service_code=service.code, day=day,
                        session=None, status=rules.BOOKED, name=person,
                        lang=_lang(lang), created_at=now, updated_at=now)
            s.add(b)
            s.flush()
            shown = view(ctx, b)
            shown["remote"] = remote_estimate(ctx, s, b)
            if given is not None:
                outbox.add_contact_in(s, ctx, outbox.booking_subject(b.code), given.get("channel"),
                                      given.get("address"), b.lang, "booking", given.get("consent"))
                # "you joined, set off around HH:MM", or at once "set off now" (then nothing more till check-in)
                outbox.enqueue_booking(s, ctx, BOOKING_LEAVE_NOW if shown["remote"]["leave_now"]
                                       else BOOKING_CONFIRMED, shown, now)
            shown["messages_to"] = outbox.booking_channels(s, b.code)
            return shown

    made = retry_locked(attempt)
    ctx.publish([Event(BOOKING_CONFIRMED, made)])
    return made


def remote_estimate(ctx: Context, s: Session, b: Booking) -> dict[str, Any]:
    """The people ahead of a remote joiner's place, the wait estimate and when to set off."""
    service = ctx.catalogue.services[b.service_code]
    now = ctx.clock()
    cfg = booking_settings(s)
    t = _tickets.c
    rows = s.execute(select(t.service_code, func.count()).where(
        t.status == Status.WAITING.value, t.group == service.group, t.current_since <= b.created_at)
        .group_by(t.service_code)).all()
    mix = {code: n for code, n in rows}
    ahead = sum(mix.values())
    wait = 0
    if ahead:
        mix[service.code] = mix.get(service.code, 0) + 1
        lokets = s.scalars(select(Loket.groups).where(Loket.active.is_(True)))
        wait = estimate.estimate_wait(ctx.catalogue, service.code, ahead, mix,
                                      estimate.group_visits(s, service.group, now),
                                      estimate.serving_count(lokets, service.group, service.code))
    leave = rules.leave_at(now, wait, cfg.travel_minutes)
    return {"ahead": ahead, "estimated_wait_minutes": wait, "travel_minutes": cfg.travel_minutes,
            "leave_at": local(leave, ctx.tz).strftime("%H:%M"), "leave_now": leave <= now}


def check_in(ctx: Context, code: Any, print_target: str | None = None, print_base: str | None = None
             ) -> dict[str, Any]:
    """Turn a booking into a ticket (printed like any ticket) at its place (``queue.booked_since``).
    Checking in twice answers the same ticket, marked ``"repeated": True``."""
    code = _code(code)
    now = ctx.clock()
    day = numbering.office_day(now, ctx.tz)
    office = ctx.catalogue.office
    target = print_target or ctx.print_target

    def attempt() -> tuple[dict[str, Any], dict[str, int], dict[str, Any]] | dict[str, Any]:
        with core_transaction(ctx.sessions) as conn:
            row = conn.execute(select(_bookings).where(_bookings.c.code == code)).mappings().first()
            if row is None:
                raise NotFound("no booking with that code")
            if row["status"] == rules.CHECKED_IN and row["ticket_id"]:
                ticket = conn.execute(select(Ticket.public_id).where(Ticket.id == row["ticket_id"])).scalar_one()
                return {"repeated": True, "public_id": ticket}
            if row["status"] != rules.BOOKED:
                raise BookingRefused(f"the booking is {row['status']}", f"is_{row['status']}")
            if row["day"] != day:
                raise BookingRefused("the booking is for another day", "wrong_day")
            if rules.is_no_show(office, row["kind"], row["day"], row["session"], now):
                raise BookingRefused("the booking's session is over", "session_over")
            service = ctx.catalogue.services.get(row["service_code"])
            if service is None:
                raise BookingRefused("the service is no longer offered", "no_service")
            cfg = rules.settings_of(settings.read(conn, rules.SETTING_KEYS))
            if row["kind"] == rules.REMOTE:
                since, kept = queue.booked_since(now, joined=row["created_at"])
            else:
                found = rules.session_of(office, row["day"], row["session"])
                since, kept = queue.booked_since(now, found.start if found else None, cfg.grace_minutes)
            taken = conn.execute(update(_bookings).where(_bookings.c.id == row["id"],
                                                         _bookings.c.status == rules.BOOKED)
                                 .values(status=rules.CHECKED_IN, updated_at=now))
            if taken.rowcount != 1:
                raise Conflict("the booking was checked in already", "checked_in_already")
            ticket_view, counts = issuing.issue(
                conn, ctx.catalogue, service, priority=False, reason=None, lang=row["lang"], request_key=None,
                print_target=target, now=now, day=day, always_open=True, status_url=ctx.status_url,
                since=since, checked=False)
            conn.execute(update(_bookings).where(_bookings.c.id == row["id"]).values(ticket_id=ticket_view["id"]))
            carried = outbox.carry_to_ticket(conn, code, ticket_view["id"])
            ticket_view["messages_to"] = outbox.ticket_channels(conn, ticket_view["id"]) if carried else []
            shown = {"code": code, "kind": row["kind"], "service": service.code, "date": row["day"].isoformat(),
                     "session": row["session"], "status": rules.CHECKED_IN, "place_kept": kept,
                     "lang": row["lang"]}
            return {**ticket_view, "booking": shown}, counts, shown

    try:
        result = retry_locked(attempt)
    except Conflict:
        result = retry_locked(attempt)  # a check-in of the same code at the same instant: its ticket
    if isinstance(result, dict):  # checked in before: the same ticket, nothing issued now
        again = tickets.get_ticket_by_public_id(ctx, result["public_id"])
        with reading(ctx.sessions) as s:
            channels = outbox.ticket_channels(s.connection(), again["id"])
        return {**again, "repeated": True, "messages_to": channels}
    ticket_view, counts, shown = result
    issued = {**ticket_view, "print_target": target, "print_base": print_base}
    ctx.publish([Event(TICKET_ISSUED, issued), Event(QUEUE_CHANGED, counts), Event(BOOKING_CHECKED_IN, shown)])
    return ticket_view


def sweep_no_shows(ctx: Context) -> int:
    """Mark the bookings whose session (a remote join: day) is over without a check-in as no-shows;
    ``BOOKING_NO_SHOW`` for each. Run by the reports and the check-in; cheap when there are none."""
    now = ctx.clock()
    today = numbering.office_day(now, ctx.tz)
    office = ctx.catalogue.office
    events = []
    with transaction(ctx.sessions) as s:
        for b in s.scalars(select(Booking).where(Booking.status == rules.BOOKED, Booking.day <= today)):
            if rules.is_no_show(office, b.kind, b.day, b.session, now):
                b.status, b.updated_at = rules.NO_SHOW, now
                outbox.drop_booking_contacts(s, b.code)
                events.append(Event(BOOKING_NO_SHOW, view(ctx, b)))
    ctx.publish(events)
    return len(events)


def remind_tomorrow(ctx: Context, hour: int = REMINDER_HOUR) -> int:
    """From ``hour`` o'clock office time on, enqueue "a reminder the day before" for each active
    booking of the next calendar day that has a contact: once per booking and date (the outbox key),
    so the outbox worker may run this every few minutes. Returns how many messages were written."""
    now = ctx.clock()
    at = local(now, ctx.tz)
    if at.time() < time(hour % 24):
        return 0
    tomorrow = at.date() + timedelta(days=1)
    written = 0
    with transaction(ctx.sessions) as s:
        for b in _active_with_contact(s, rules.BOOKING, tomorrow):
            written += outbox.enqueue_booking(s, ctx, BOOKING_REMINDER, view(ctx, b), now)
    return written


def _active_with_contact(s: Session, kind: str, day: date) -> list[Booking]:
    """The active bookings (or remote joins) of ``day`` that have a contact, oldest first."""
    with_contact = select(Contact.id).where(Contact.subject == literal("booking:", String) + Booking.code)
    return list(s.scalars(select(Booking).where(Booking.kind == kind, Booking.status == rules.BOOKED,
                                                Booking.day == day, with_contact.exists())
                          .order_by(Booking.id)))


def remind_leave(ctx: Context) -> int:
    """For each of today's remote joins with a contact that is not checked in: when its estimate
    says "set off now", enqueue that message (once per join: the outbox key). The outbox worker runs
    this every minute. Returns how many messages were written."""
    now = ctx.clock()
    today = numbering.office_day(now, ctx.tz)
    written = 0
    with transaction(ctx.sessions) as s:
        for b in _active_with_contact(s, rules.REMOTE, today):
            shown = view(ctx, b)
            shown["remote"] = remote_estimate(ctx, s, b)
            if shown["remote"]["leave_now"]:
                written += outbox.enqueue_booking(s, ctx, BOOKING_LEAVE_NOW, shown, now)
    return written


def report(ctx: Context, first: date, last: date) -> dict[str, int]:
    """Bookings of the days ``first``..``last`` (kept, checked in, no-shows, cancelled; remote joins apart)."""
    sweep_no_shows(ctx)
    counts = {"booked": 0, "checked_in": 0, "no_show": 0, "cancelled": 0, "remote": 0, "remote_checked_in": 0}
    with reading(ctx.sessions) as s:
        for kind, status, n in s.execute(select(Booking.kind, Booking.status, func.count())
                                         .where(Booking.day >= first, Booking.day <= last)
                                         .group_by(Booking.kind, Booking.status)):
            if kind == rules.REMOTE:
                counts["remote"] += n
                if status == rules.CHECKED_IN:
                    counts["remote_checked_in"] += n
                continue
            counts["booked"] += n
            if status in counts and status != "booked":
                counts[status] += n
    return counts


def save_settings(ctx: Context, values: dict[str, Any], user_id: int | None = None) -> rules.Settings:
    """Store the booking settings the administrator edits; a value out of its bounds is refused."""
    def whole(value: Any, bounds: tuple[int, int], what: str) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = bounds[0] - 1
        if not bounds[0] <= number <= bounds[1]:
            raise BookingRefused(f"{what} must be {bounds[0]}-{bounds[1]}", "bad_setting")
        return number

    now = ctx.clock()
    stored: dict[str, Any] = {}
    for key, bounds in ((rules.DEFAULT_QUOTA_KEY, rules.QUOTA_BOUNDS), (rules.DAYS_AHEAD_KEY, rules.DAYS_AHEAD_BOUNDS),
                        (rules.GRACE_KEY, rules.GRACE_BOUNDS), (rules.TRAVEL_KEY, rules.TRAVEL_BOUNDS)):
        if key in values:
            stored[key] = whole(values[key], bounds, key)
    for key, bounds in ((rules.QUOTAS_KEY, rules.QUOTA_BOUNDS), (rules.REMOTE_KEY, rules.REMOTE_BOUNDS)):
        if key in values:
            given = values[key] or {}
            if not isinstance(given, dict):
                raise BookingRefused(f"{key} must map services to numbers", "bad_setting")
            stored[key] = {str(code): whole(n, bounds, key) for code, n in given.items()
                           if code in ctx.catalogue.services}
    with transaction(ctx.sessions) as s:
        for key, value in stored.items():
            settings.put(s, key, value, now, user_id)
        return booking_settings(s)


def remote_allowed(ctx: Context, service_code: str) -> bool:
    """Whether the office lets citizens join the service's queue from afar (cap above 0)."""
    with reading(ctx.sessions) as s:
        return booking_settings(s).remote_cap(service_code) > 0


def current_settings(ctx: Context) -> rules.Settings:
    """The booking settings in force (the settings page)."""
    with reading(ctx.sessions) as s:
        return booking_settings(s)
