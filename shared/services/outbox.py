"""The message outbox: contacts given by choice, and the messages to send to them (docs/notifications.md).

A contact (a phone number or e-mail address) is stored only when the citizen chose to give it, with
the purpose stated (``add_contact``: the status page, the counter, the booking service). Then an
event that concerns its ticket or booking writes one ``outbox_messages`` row per contact channel, in
the same transaction as the event (``enqueue``, called by the calling and step services next to the
TMS slip's print job). The outbox worker (``shared/services/outbox_worker.py``) sends the due rows
after the commit:

    pending --claim--> sending --ok--> sent
                          \\--error--> pending (after a growing delay) ... --> failed (attempts used up,
                                                                              or a permanent refusal)

The key ``subject:event:channel`` is unique: a message is never enqueued twice. A claim is one
conditional UPDATE of the oldest due rows (a lease), so two workers never send the same row. The one
window for a duplicate: the gateway took the message and the process died before the row was marked
sent; the lease then ends and the row is sent again (at-least-once, documented).

Functions take the ``Context``; no Flask.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from antrean.shared.domain import contact as contacts
from antrean.shared.domain.clock import local
from antrean.shared.domain.events import BOOKING_CONFIRMED, BOOKING_LEAVE_NOW, BOOKING_MOVED, BOOKING_REMINDER
from antrean.shared.domain.workflow import Status
from antrean.shared.services import tickets as ticket_views
from antrean.shared.services.context import Context
from antrean.shared.services.errors import Actor, Conflict, Forbidden, NotFound, OperationError, record_id
from antrean.shared.store import settings
from antrean.shared.store.db import core_transaction, reading, transaction
from antrean.shared.store.models import AuditEntry, Contact, OutboxMessage, Ticket

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
LEASE_SECONDS = 60.0  # a claimed row whose worker vanished is due again after this
MAX_ATTEMPTS = 8  # tries before a message is marked failed (staff can try it again)
MAX_BACKOFF_SECONDS = 900.0
AHEAD_KEY = "notify_ahead"  # the "nearly your turn" threshold (people ahead), a setting
AHEAD_DEFAULT = 3
STAFF_ROLES = frozenset({"admin", "kasi_pelayanan"})  # who sees the outbox and may try a message again
SOURCES = ("kiosk", "status", "counter", "booking")
# the booking hooks (shared/domain/events.py) and the outbox's event for each
BOOKING_EVENTS = {BOOKING_CONFIRMED: contacts.BOOKED, BOOKING_MOVED: contacts.MOVED,
                  BOOKING_REMINDER: contacts.REMINDER, BOOKING_LEAVE_NOW: contacts.LEAVE}


def backoff(attempts: int, retry_after: float) -> float:
    """Seconds before the next try after ``attempts`` failures: retry_after doubled each time, at most 15 min."""
    return min(MAX_BACKOFF_SECONDS, retry_after * (2 ** min(max(attempts, 1) - 1, 12)))


def ticket_subject(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


def booking_subject(code: str) -> str:
    return f"booking:{code}"


# -- contacts ------------------------------------------------------------------------------------


def add_contact_in(s: Session, ctx: Context, subject: str, channel: Any, address: Any, lang: Any,
                   source: str, consent: Any, ticket_id: int | None = None) -> Contact:
    """Store a contact inside the caller's transaction (the booking service uses this one). Only with
    ``consent`` given (True), for a channel the office sends on; the address is checked and
    normalised (``ContactError`` -> ``OperationError`` with an Indonesian message). A second contact
    on the same channel replaces the first."""
    if consent is not True:
        raise OperationError("Centang persetujuan agar kami boleh mengirim kabar ke kontak ini.", "consent_missing")
    if channel not in ctx.message_channels:
        raise OperationError("Kanal pesan ini tidak tersedia di kantor ini.", "channel_unavailable")
    if source not in SOURCES:
        raise OperationError("unknown contact source", "bad_source")
    try:
        normal = contacts.normalise(channel, address if isinstance(address, str) else "")
    except contacts.ContactError as exc:
        raise OperationError(str(exc), exc.code) from None
    now = ctx.clock()
    row = s.scalar(select(Contact).where(Contact.subject == subject, Contact.channel == channel))
    if row is None:
        row = Contact(subject=subject, channel=channel, ticket_id=ticket_id)
        s.add(row)
    row.address, row.lang, row.source, row.consent_at = normal, lang if lang in contacts.LANGS else "id", source, now
    s.flush()
    return row


def add_contact(ctx: Context, public_id: Any, channel: Any, address: Any, lang: Any, source: str,
                consent: Any, ticket_id: Any = None) -> dict[str, Any]:
    """A citizen (status page, kiosk: by ``public_id``) or the clerk with the citizen's consent
    (counter: by ``ticket_id``) gives a contact for a ticket. Returns the masked contact. NotFound
    for an unknown ticket; a finished ticket takes no contact. ``lang`` None: the ticket's language."""
    with transaction(ctx.sessions) as s:
        if ticket_id is not None:
            ticket = s.get(Ticket, record_id(ticket_id))
        else:
            ticket = s.scalar(select(Ticket).where(Ticket.public_id == str(public_id)))
        if ticket is None:
            raise NotFound("ticket not found")
        if Status(ticket.status).closed:
            raise Conflict("Tiket ini sudah selesai; tidak ada kabar lagi yang dikirim.", "ticket_closed")
        row = add_contact_in(s, ctx, ticket_subject(ticket.id), channel, address, lang or ticket.lang, source,
                             consent, ticket.id)
        return {"channel": row.channel, "masked": contacts.mask(row.address), "lang": row.lang}


def remove_contacts(ctx: Context, public_id: Any) -> int:
    """The citizen withdraws: every contact of the ticket and its unsent messages are deleted."""
    with transaction(ctx.sessions) as s:
        ticket = s.scalar(select(Ticket).where(Ticket.public_id == str(public_id)))
        if ticket is None:
            raise NotFound("ticket not found")
        subject = ticket_subject(ticket.id)
        s.execute(delete(OutboxMessage).where(OutboxMessage.subject == subject,
                                              OutboxMessage.status.in_((PENDING, FAILED))))
        return s.execute(delete(Contact).where(Contact.subject == subject)).rowcount  # type: ignore[attr-defined]  # a CursorResult


def contacts_of(ctx: Context, ticket_id: int) -> list[dict[str, Any]]:
    """A ticket's contacts as staff see them: masked."""
    with reading(ctx.sessions) as s:
        rows = s.scalars(select(Contact).where(Contact.subject == ticket_subject(ticket_id)).order_by(Contact.id))
        return [{"channel": c.channel, "masked": contacts.mask(c.address), "source": c.source} for c in rows]


def public_contacts(ctx: Context, public_id: str) -> list[str]:
    """The channels a ticket has a contact on (the status page says "kabar dikirim lewat WhatsApp",
    never the number)."""
    with reading(ctx.sessions) as s:
        return list(s.scalars(select(Contact.channel).join(Ticket, Ticket.id == Contact.ticket_id)
                              .where(Ticket.public_id == public_id).order_by(Contact.channel)))


def ahead_threshold(ctx: Context, s: Session | None = None) -> int:
    if s is None:
        with reading(ctx.sessions) as s2:
            return ahead_threshold(ctx, s2)
    return settings.get_int(s, AHEAD_KEY, AHEAD_DEFAULT)


def set_ahead_threshold(ctx: Context, actor: Actor, value: Any) -> int:
    if not actor.roles & STAFF_ROLES:
        raise Forbidden("Hanya administrator atau Kasi yang dapat mengubah pengaturan pesan.")
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise OperationError("Isi jumlah orang di depan dengan angka 1 sampai 20.", "bad_setting") from None
    if not 1 <= n <= 20:
        raise OperationError("Isi jumlah orang di depan dengan angka 1 sampai 20.", "bad_setting")
    now = ctx.clock()
    with transaction(ctx.sessions) as s:
        before = settings.get_for_update(s, AHEAD_KEY, AHEAD_DEFAULT)
        settings.put(s, AHEAD_KEY, n, now, actor.user_id)
        s.add(AuditEntry(at=now, user_id=actor.user_id, username=actor.username,
                         role=next(iter(sorted(actor.roles)), None), action="outbox:ahead",
                         before={"ahead": before}, after={"ahead": n}))
    return n


# -- enqueueing (inside the caller's transaction) ---------------------------------------------------


def enqueue(s: Session, ctx: Context, subject: str, event: str, data: dict[str, Any], now: datetime,
            ticket_id: int | None = None, occasion: str = "",
            recipients: list[Contact] | None = None) -> int:
    """Write one message per contact of ``subject`` for ``event`` (once ever per subject, event,
    occasion and channel). Returns how many rows were written. Runs in the caller's transaction:
    the message exists exactly when the event's change was committed."""
    if event not in contacts.MESSAGE_EVENTS:
        raise ValueError(f"unknown message event {event!r}")
    found = recipients if recipients is not None else list(
        s.scalars(select(Contact).where(Contact.subject == subject).order_by(Contact.id)))
    if not found:
        return 0
    name = f"{event}@{occasion}" if occasion else event
    keys = {c.channel: f"{subject}:{name}:{c.channel}"[:120] for c in found}
    known = set(s.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(list(keys.values())))))
    rows = [{"key": keys[c.channel], "subject": subject, "ticket_id": ticket_id, "event": event,
             "channel": c.channel, "recipient": c.address, "lang": c.lang, "data": data, "status": PENDING,
             "attempts": 0, "next_attempt_at": now, "created_at": now}
            for c in found if keys[c.channel] not in known]
    if not rows:
        return 0
    # INSERT ... ON CONFLICT (key) DO NOTHING: two calls at two lokets may both find a waiting ticket
    # near its turn (PostgreSQL, READ COMMITTED); the second finds the key taken and writes nothing,
    # instead of failing the clerk's call on the unique key
    dialect = s.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(OutboxMessage).values(rows).on_conflict_do_nothing(index_elements=["key"])
    return len(s.execute(statement.returning(OutboxMessage.id)).all())


def _ticket_data(ctx: Context, ticket: Ticket, **extra: Any) -> dict[str, Any]:
    return {"number": ticket.number, "service": ticket.service_name, "office": ctx.catalogue.office.name,
            "status_path": ctx.status_url(ticket.public_id), "public_id": ticket.public_id, **extra}


def on_called(s: Session, ctx: Context, ticket: Ticket, loket_name: str, kind: str, step: Any,
              now: datetime) -> int:
    """A call (calling service): the called ticket's message (``ready`` for a pickup call, ``called``
    otherwise, with the step's purpose for an in-person call) and ``nearly`` for the waiting tickets
    of the group with a contact that now have at most N people ahead."""
    if kind == "pickup":
        n = enqueue(s, ctx, ticket_subject(ticket.id), contacts.READY,
                    _ticket_data(ctx, ticket, loket=loket_name), now, ticket.id)
    else:
        purpose = {"purpose": step.purpose, "purpose_en": step.purpose_en} if step is not None else {}
        n = enqueue(s, ctx, ticket_subject(ticket.id), contacts.CALLED,
                    _ticket_data(ctx, ticket, loket=loket_name, **purpose), now, ticket.id,
                    occasion=f"step{step.number}" if kind == "in_person" and step is not None else "")
    return n + _nearly(s, ctx, ticket.group, now)


def _nearly(s: Session, ctx: Context, group: str, now: datetime) -> int:
    waiting = s.execute(select(Ticket, Contact).join(Contact, Contact.ticket_id == Ticket.id)
                        .where(Ticket.status == Status.WAITING.value, Ticket.group == group)
                        .order_by(Ticket.id, Contact.id)).all()
    if not waiting:
        return 0
    limit = ahead_threshold(ctx, s)
    by_ticket: dict[int, tuple[Ticket, list[Contact]]] = {}
    for t, c in waiting:
        by_ticket.setdefault(t.id, (t, []))[1].append(c)
    written = 0
    for t, found in by_ticket.values():
        ahead = ticket_views.position(s, t)
        if ahead <= limit:
            written += enqueue(s, ctx, ticket_subject(t.id), contacts.NEARLY, _ticket_data(ctx, t, ahead=ahead),
                               now, t.id, recipients=found)
    return written


def on_tms(s: Session, ctx: Context, ticket: Ticket, missing: list[str], now: datetime) -> int:
    return enqueue(s, ctx, ticket_subject(ticket.id), contacts.TMS, _ticket_data(ctx, ticket, missing=list(missing)),
                   now, ticket.id)


def on_handover(s: Session, ctx: Context, ticket: Ticket, now: datetime) -> int:
    return enqueue(s, ctx, ticket_subject(ticket.id), contacts.SURVEY,
                   _ticket_data(ctx, ticket, survey_path=f"/kiosk/survei/{ticket.public_id}"), now, ticket.id)


def enqueue_booking(s: Session, ctx: Context, name: str, payload: dict[str, Any], now: datetime) -> int:
    """A booking's message (``booking.confirmed``, ``booking.moved``, ``booking.reminder``) in the
    caller's transaction (the booking service's). The payload is the booking's view (``code``,
    ``service_name``, ``date``, ``session``, ``session_start``/``session_end``); the link is the
    booking page (code, documents to bring, move, cancel); the recipients are the booking's stored
    contacts (``add_contact_in`` with ``booking_subject(code)``). Once per booking, except a move
    (once per move) and the reminder (once per booked date)."""
    event = BOOKING_EVENTS.get(name)
    code = str(payload.get("code") or "")
    if event is None or not code:
        raise ValueError("a booking event needs its name and code")
    if event == contacts.BOOKED and payload.get("kind") == "remote":
        event = contacts.JOINED  # today's queue joined from afar: the code and when to set off
    day = str(payload.get("date", ""))
    remote = payload.get("remote") or {}
    data = {"code": payload.get("shown_code") or code, "service": payload.get("service_name", ""), "date": day,
            "session": payload.get("session", ""), "start": payload.get("session_start") or "",
            "end": payload.get("session_end") or "", "office": ctx.catalogue.office.name,
            "status_path": payload.get("status_url") or f"/booking/{code}",
            **({"leave_at": remote.get("leave_at", ""), "ahead": remote.get("ahead", "")} if remote else {})}
    occasion = {contacts.REMINDER: day,
                contacts.MOVED: f"{day}:{payload.get('session', '')}:{now:%Y%m%d%H%M%S}"}.get(event, "")
    return enqueue(s, ctx, booking_subject(code), event, data, now, occasion=occasion)


def booking_channels(s: Session, code: str) -> list[str]:
    """The channels a booking has a contact on (the booking page names the channel, never the number)."""
    return list(s.scalars(select(Contact.channel).where(Contact.subject == booking_subject(code))
                          .order_by(Contact.channel)))


def drop_booking_contacts(s: Session, code: str) -> int:
    """A booking cancelled or missed: its contacts and unsent messages are deleted at once (nothing
    more will be sent about it), in the caller's transaction."""
    subject = booking_subject(code)
    s.execute(delete(OutboxMessage).where(OutboxMessage.subject == subject,
                                          OutboxMessage.status.in_((PENDING, FAILED))))
    return s.execute(delete(Contact).where(Contact.subject == subject)).rowcount  # type: ignore[attr-defined]  # a CursorResult


def ticket_channels(conn: Connection, ticket_id: int) -> list[str]:
    """The channels a ticket has a contact on (the kiosk then offers no opt-in)."""
    rows = cast(Table, Contact.__table__)
    return list(conn.execute(select(rows.c.channel).where(rows.c.ticket_id == ticket_id)
                             .order_by(rows.c.channel)).scalars())


def carry_to_ticket(conn: Connection, code: str, ticket_id: int) -> int:
    """Check-in: the booking's contacts become the ticket's (in the check-in's transaction), so the
    ticket's messages reach the same citizen without asking again; the status page's "stop" and the
    retention purge then treat them as the ticket's."""
    rows = cast(Table, Contact.__table__)
    return conn.execute(update(rows).where(rows.c.subject == booking_subject(code))
                        .values(subject=ticket_subject(ticket_id), ticket_id=ticket_id)).rowcount


# -- the worker's side -------------------------------------------------------------------------------

_ROWS = cast(Table, OutboxMessage.__table__)
_DUE = (_ROWS.c.status.in_((PENDING, SENDING))) & (_ROWS.c.next_attempt_at <= bindparam("now"))
_OLDEST = select(_ROWS.c.id).where(_DUE).order_by(_ROWS.c.id).limit(bindparam("limit")).scalar_subquery()
_CLAIM = (update(_ROWS).where(_ROWS.c.id.in_(_OLDEST), _DUE)
          .values(status=SENDING, next_attempt_at=bindparam("lease_until"))
          .returning(_ROWS.c.id, _ROWS.c.event, _ROWS.c.channel, _ROWS.c.recipient, _ROWS.c.lang, _ROWS.c.data,
                     _ROWS.c.attempts))


@dataclass(frozen=True)
class Claim:
    id: int
    event: str
    channel: str
    recipient: str | None
    lang: str
    data: dict[str, Any]
    attempts: int
    lease_until: datetime


def claim_due(ctx: Context, limit: int = 20, lease_seconds: float = LEASE_SECONDS) -> list[Claim]:
    """Take the due messages, oldest first: one conditional UPDATE, so two workers never take the same."""
    now = ctx.clock()
    lease_until = now + timedelta(seconds=lease_seconds)
    with core_transaction(ctx.sessions) as conn:
        rows = conn.execute(_CLAIM, {"now": now, "limit": limit, "lease_until": lease_until}).all()
    return [Claim(r.id, r.event, r.channel, r.recipient, r.lang, dict(r.data or {}), r.attempts, lease_until)
            for r in sorted(rows, key=lambda r: r.id)]


def release(ctx: Context, claims: list[Claim]) -> int:
    """Give back claimed rows not tried (their channel failed first): due again now, order kept."""
    if not claims:
        return 0
    now = ctx.clock()
    with transaction(ctx.sessions) as s:
        return s.execute(update(OutboxMessage).where(OutboxMessage.id.in_([c.id for c in claims]),
                                                     OutboxMessage.status == SENDING)
                         .values(status=PENDING, next_attempt_at=now)
                         .execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]


def hold_channel(ctx: Context, channel: str, after_id: int, until: datetime) -> int:
    """A channel's gateway failed on message ``after_id``: its later waiting messages wait as long,
    so they go out after it, in order, when the gateway is back."""
    with transaction(ctx.sessions) as s:
        return s.execute(update(OutboxMessage).where(OutboxMessage.channel == channel, OutboxMessage.id > after_id,
                                                     OutboxMessage.status == PENDING,
                                                     OutboxMessage.next_attempt_at < until)
                         .values(next_attempt_at=until)
                         .execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]


def mark_sent(ctx: Context, claim: Claim) -> bool:
    now = ctx.clock()
    with transaction(ctx.sessions) as s:
        return s.execute(update(OutboxMessage).where(OutboxMessage.id == claim.id, OutboxMessage.status == SENDING)
                         .values(status=SENT, sent_at=now, last_error=None, attempts=OutboxMessage.attempts + 1)
                         .execution_options(synchronize_session=False)).rowcount == 1  # type: ignore[attr-defined]


def mark_failed(ctx: Context, claim: Claim, error: str, retry_after: float, permanent: bool = False,
                max_attempts: int = MAX_ATTEMPTS) -> tuple[str, datetime | None]:
    """A try failed: pending again after the back-off, or ``failed`` when the attempts are used up or
    the refusal is permanent. ``error`` must hold no personal data (the senders' ``SendError``).
    Returns the new status and, when pending, the time of the next try."""
    now = ctx.clock()
    with transaction(ctx.sessions) as s:
        row = s.get(OutboxMessage, claim.id)
        if row is None or row.status != SENDING:
            return "", None
        row.attempts += 1
        row.last_error = error[:300]
        if permanent or row.attempts >= max_attempts:
            row.status = FAILED
        else:
            row.status = PENDING
            row.next_attempt_at = now + timedelta(seconds=backoff(row.attempts, retry_after))
        return row.status, (row.next_attempt_at if row.status == PENDING else None)


def compose(claim: Claim, public_url: str) -> contacts.Message:
    data = dict(claim.data)
    status = data.pop("status_path", "") or ""
    if status.startswith("/"):
        status = public_url + status if public_url else ""
    survey = data.pop("survey_path", "")
    if survey:
        data["survey"] = public_url + survey if public_url else survey
    return contacts.compose(claim.event, claim.lang, data, status)


# -- what staff see ----------------------------------------------------------------------------------


def _row_dict(m: OutboxMessage, number: str | None, tz: str) -> dict[str, Any]:
    return {"id": m.id, "event": m.event, "channel": m.channel, "recipient": contacts.mask(m.recipient),
            "number": number or m.data.get("number") or m.data.get("code") or "", "status": m.status,
            "attempts": m.attempts, "error": m.last_error,
            "created_at": local(m.created_at, tz).isoformat(),
            "next_attempt_at": local(m.next_attempt_at, tz).isoformat() if m.status in (PENDING, SENDING) else None,
            "sent_at": local(m.sent_at, tz).isoformat() if m.sent_at else None}


def list_messages(ctx: Context, actor: Actor, which: str = "open", limit: int = 200) -> list[dict[str, Any]]:
    """Messages for staff, newest first, recipients masked: ``open`` (pending, sending, failed) or ``all``."""
    if not actor.roles & STAFF_ROLES:
        raise Forbidden("Hanya administrator atau Kasi yang dapat melihat pesan keluar.")
    with reading(ctx.sessions) as s:
        query = select(OutboxMessage, Ticket.number).outerjoin(Ticket, Ticket.id == OutboxMessage.ticket_id)
        if which == "open":
            query = query.where(OutboxMessage.status.in_((PENDING, SENDING, FAILED)))
        rows = s.execute(query.order_by(OutboxMessage.id.desc()).limit(limit)).all()
        return [_row_dict(m, number, ctx.tz) for m, number in rows]


def counts(ctx: Context) -> dict[str, int]:
    with reading(ctx.sessions) as s:
        rows = s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    return {status: n for status, n in rows}


def retry(ctx: Context, actor: Actor, message_id: Any) -> dict[str, Any]:
    """Try a failed or waiting message again now, with a fresh round of attempts (audited)."""
    if not actor.roles & STAFF_ROLES:
        raise Forbidden("Hanya administrator atau Kasi yang dapat mengirim ulang pesan.")
    now = ctx.clock()
    with transaction(ctx.sessions) as s:
        row = s.get(OutboxMessage, record_id(message_id, "message"))
        if row is None:
            raise NotFound("message not found")
        if row.status not in (PENDING, FAILED):
            raise Conflict("Hanya pesan yang gagal atau menunggu yang dapat dikirim ulang.", "not_retryable")
        if not row.recipient:
            raise Conflict("Kontak pesan ini sudah dihapus.", "contact_removed")
        row.status, row.attempts, row.next_attempt_at = PENDING, 0, now
        s.add(AuditEntry(at=now, user_id=actor.user_id, username=actor.username,
                         role=next(iter(sorted(actor.roles)), None), action="outbox:retry",
                         ticket_id=row.ticket_id, before=None,
                         after={"message": row.id, "event": row.event, "channel": row.channel}))
        return _row_dict(row, None, ctx.tz)
