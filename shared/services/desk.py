"""The service layer: each operation is one transaction, then its events.

Blueprints, the CLI and the API call these; they hold no Flask. Domain rules live in
``workflow``; this module loads and stores tickets, numbers them, and audits staff actions.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload, sessionmaker

from antrean.shared.domain import numbering
from antrean.shared.domain.catalogue import Catalogue, Service, step_from_dict
from antrean.shared.domain.clock import local, utcnow
from antrean.shared.domain.events import Event, EventBus
from antrean.shared.domain.workflow import CLOSED, Status, StepRecord, TicketFlow, WorkflowError
from antrean.shared.services import estimate
from antrean.shared.store import sequences
from antrean.shared.store.db import core_transaction, reading, retry_locked, transaction
from antrean.shared.store.models import AuditEntry, Call, Loket, PrintJob, Setting, Ticket, TicketStep, User

PRIORITY_REASONS = ("lansia", "disabilitas", "ibu_hamil_menyusui")
CALL_RULES = ("priority_first", "fifo")
NIK_RE = re.compile(r"^\d{16}$")
PICKUP_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # no look-alikes (0/O, 1/I/L, 5/S, 8/B, 2/Z)


class OperationError(Exception):
    """A request that cannot be done; ``code`` maps to an HTTP status in the blueprints."""

    status = 400

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.code = code


class NotFound(OperationError):
    status = 404

    def __init__(self, message: str):
        super().__init__(message, "not_found")


class Forbidden(OperationError):
    status = 403

    def __init__(self, message: str):
        super().__init__(message, "forbidden")


class Conflict(OperationError):
    status = 409


@dataclass(frozen=True)
class Actor:
    """Who acts: a logged-in user (or a device acting for one)."""

    user_id: int
    username: str
    roles: frozenset[str]
    loket_id: int | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.username, frozenset(user.roles or ()), user.loket_id)


def flow_of(ticket: Ticket) -> TicketFlow:
    steps = tuple(step_from_dict(s) for s in ticket.flow)
    records = [
        StepRecord(number=r.number, actor=r.actor, role=r.role, user_id=r.user_id,
                   available_at=r.available_at, finished_at=r.finished_at,
                   standard_minutes=r.standard_minutes, decision=r.decision,
                   missing=tuple(ticket.missing_documents or ()) if r.decision == "TMS" else (),
                   note=r.note or "")
        for r in ticket.steps
    ]
    return TicketFlow(steps=steps, status=Status(ticket.status), current_step=ticket.current_step,
                      current_since=ticket.current_since, records=records, recalls=ticket.recalls or 0)


def public_view(ticket, flow: TicketFlow, service: Service | None, loket_name: str | None, ahead: int, wait: int,
                tz: str, status_url: Callable[[str], str]) -> dict[str, Any]:
    """What anyone may see of a ticket (a Ticket, or the values of one just inserted): no name, no NIK."""
    step = flow.step
    return {
        "id": ticket.id,
        "public_id": ticket.public_id,
        "number": ticket.number,
        "service": ticket.service_code,
        "service_name": ticket.service_name,
        "group": ticket.group,
        "priority": ticket.priority,
        "status": ticket.status,
        "position": ahead,
        "estimated_wait_minutes": wait,
        "current_step": None if step is None else {
            "number": step.number, "activity": step.activity, "actor": step.actor_name,
            "minutes": step.minutes,
        },
        "steps_total": len(flow.steps),
        "ready": flow.awaits_applicant,  # documents ready: the applicant is to come to a loket
        "loket": loket_name,
        "issued_at": local(ticket.created_at, tz).isoformat(),
        "office_day": ticket.office_day.isoformat(),
        "status_url": status_url(ticket.public_id),
        "requirements": list(service.requirements) if service else [],
        "missing_documents": list(ticket.missing_documents or []) if ticket.status == Status.RETURNED.value else [],
    }


MAX_ID = 2**63 - 1  # the largest key SQLite and PostgreSQL (BIGINT) store


def record_id(value: Any, what: str = "ticket") -> int:
    """A row id from a request (path, JSON or form): a whole number, or its digits as text; else
    ``NotFound``. So is a number too large for the database (the driver would fail: a 500), and
    what ``int()`` would stretch into an id: ``true``, ``2.5``, ``" 2"``, ``"2_0"``, ``"٢"``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise NotFound(f"{what} not found")
    return value


def mask_nik(nik: str | None) -> str:
    if not nik:
        return ""
    return nik[:4] + "*" * 8 + nik[-4:]


class Desk:
    """The office's operations over one database and one catalogue."""

    # Set by the app from its configuration; these class defaults serve tests and the CLI.
    always_open = False  # ANTREAN_ALWAYS_OPEN=1: office hours and holidays do not stop the kiosk
    print_target: str | None = None  # a print agent's name (ANTREAN_PRINTER=agent://NAME), else None

    def __init__(
        self,
        catalogue: Catalogue,
        sessions: sessionmaker[Session],
        events: EventBus | None = None,
        clock: Callable[[], datetime] = utcnow,
        status_url: Callable[[str], str] = lambda public_id: f"/kiosk/t/{public_id}",
    ):
        self._catalogue = catalogue
        self.catalogue_store = None  # a CatalogueStore: the administrator's edits, newest first
        self.sessions = sessions
        self.events = events or EventBus()
        self.clock = clock
        self.status_url = status_url

    @property
    def catalogue(self) -> Catalogue:
        """The catalogue in force now. A ticket keeps the flow it was issued with (``Ticket.flow``)."""
        return self.catalogue_store.current() if self.catalogue_store is not None else self._catalogue

    @property
    def catalogue_version(self) -> int:
        """0 for the shipped file, else the administrator's newest saved version (kiosks reload on change)."""
        return self.catalogue_store.version if self.catalogue_store is not None else 0

    @property
    def tz(self) -> str:
        return self.catalogue.office.timezone

    def _publish(self, events: Iterable[Event]) -> None:
        for event in events:
            if event.name == "ticket.updated":  # a call or a step may end a desk visit
                estimate.forget_visits()
            self.events.publish(event)

    # -- kiosk -----------------------------------------------------------------------------

    def service(self, code: Any) -> Service:
        if not isinstance(code, str) or code not in self.catalogue.services:
            raise NotFound(f"unknown service {code!r}")
        return self.catalogue.services[code]

    def issue_ticket(self, service_code: Any, priority: Any = False, reason: Any = None,
                     lang: str = "id", request_key: Any = None,
                     print_target: str | None = None, print_base: str | None = None) -> dict[str, Any]:
        """Issue a ticket (checked against the opening rules) with its print job, in one transaction.

        ``print_base``: the address the printed QR code starts with for this ticket (the one the
        kiosk used), when the office configured none.

        ``request_key`` (the kiosk's id of one tap) makes the call idempotent: a repeated key
        returns the ticket made the first time, marked ``"repeated": True``, and issues nothing.
        """
        if request_key is not None and not (isinstance(request_key, str)
                                            and re.fullmatch(r"[A-Za-z0-9_-]{8,64}", request_key)):
            raise OperationError("request_id must be 8-64 letters, digits, '-' or '_'", "bad_request_id")
        service = self.service(service_code)
        if not isinstance(priority, bool):
            raise OperationError("priority must be true or false")
        if priority and reason is not None and reason not in PRIORITY_REASONS:
            raise OperationError(f"priority reason must be one of {', '.join(PRIORITY_REASONS)}")
        if reason is not None and not priority:
            priority = reason in PRIORITY_REASONS
            if not priority:
                raise OperationError(f"priority reason must be one of {', '.join(PRIORITY_REASONS)}")
        lang = lang if lang in ("id", "en") else "id"
        now = self.clock()
        day = numbering.office_day(now, self.tz)

        catalogue = self.catalogue

        def attempt() -> tuple[dict[str, Any], dict[str, int]]:
            from antrean.shared.services import issuing  # (imports this module)

            with core_transaction(self.sessions) as conn:
                return issuing.issue(conn, catalogue, service, priority=priority, reason=reason,
                                     lang=lang, request_key=request_key,
                                     print_target=print_target or self.print_target, now=now, day=day,
                                     always_open=bool(self.always_open), status_url=self.status_url)

        try:
            view, counts = retry_locked(attempt)  # SQLite locked past its busy timeout: a short bounded retry
        except (IntegrityError, Conflict):
            # A repeated tap (the request id is unique): the ticket made the first time, issued
            # nothing now -- also when that first ticket took the last place of the quota.
            earlier = self._repeated(request_key, now)
            if earlier is None:
                raise
            return earlier
        # the printer the job went to rides along, so the print hub need not read it back
        issued = {**view, "print_target": print_target or self.print_target, "print_base": print_base}
        # ``counts``: the new ticket's group only (the counter screens update the groups they are given)
        self._publish([Event("ticket.issued", issued), Event("queue.changed", counts)])
        return view

    def _repeated(self, request_key: str | None, now: datetime) -> dict[str, Any] | None:
        """The view of the ticket issued earlier for this kiosk request id, marked ``repeated``."""
        if request_key is None:
            return None
        with reading(self.sessions) as s:
            earlier = s.scalar(select(Ticket).where(Ticket.request_key == request_key))
            return None if earlier is None else {**self._public_view(s, earlier, now), "repeated": True}

    def get_ticket(self, ticket_id: Any) -> dict[str, Any]:
        with reading(self.sessions) as s:
            ticket = self._ticket(s, ticket_id)
            return self._public_view(s, ticket, self.clock())

    def get_ticket_by_public_id(self, public_id: str) -> dict[str, Any]:
        with reading(self.sessions) as s:
            ticket = s.scalar(select(Ticket).where(Ticket.public_id == public_id))
            if ticket is None:
                raise NotFound("ticket not found")
            return self._public_view(s, ticket, self.clock())

    def _ticket(self, s: Session, ticket_id: Any, lock: bool = False) -> Ticket:
        ticket_id = record_id(ticket_id)
        ticket = s.get(Ticket, ticket_id, with_for_update=lock and s.get_bind().dialect.name == "postgresql")
        if ticket is None:
            raise NotFound("ticket not found")
        return ticket

    def setting(self, s: Session, key: str, default: Any = None) -> Any:
        row = s.get(Setting, key)
        return default if row is None or row.value is None else row.value

    def call_rule(self, s: Session) -> str:
        """'priority_first' (default: lansia, disabilitas, ibu hamil/menyusui first) or 'fifo'."""
        rule = self.setting(s, "call_rule", "priority_first")
        return rule if rule in CALL_RULES else "priority_first"

    def _queue_order(self, rule: str) -> tuple:
        order = (Ticket.current_since.asc(), Ticket.id.asc())
        return ((Ticket.priority.desc(), *order) if rule == "priority_first" else order)

    def _position(self, s: Session, ticket: Ticket) -> int:
        """People ahead of a waiting ticket in its group's queue, by the office's call rule."""
        if ticket.status != Status.WAITING.value:
            return 0
        earlier = or_(Ticket.current_since < ticket.current_since,
                      and_(Ticket.current_since == ticket.current_since, Ticket.id < ticket.id))
        if self.call_rule(s) == "priority_first":
            if ticket.priority:
                earlier = and_(Ticket.priority.is_(True), earlier)
            else:
                earlier = or_(Ticket.priority.is_(True), earlier)
        ahead = select(func.count()).select_from(Ticket).where(
            Ticket.status == Status.WAITING.value, Ticket.group == ticket.group, Ticket.id != ticket.id,
            earlier)
        return s.scalar(ahead) or 0

    def _open_lokets(self, s: Session, group: str) -> int:
        lokets = s.scalars(select(Loket).where(Loket.active.is_(True))).all()
        return sum(1 for lk in lokets if lk.serves(group))

    def _public_view(self, s: Session, ticket: Ticket, now: datetime) -> dict[str, Any]:
        """What anyone may see of a ticket: no name, no NIK."""
        ahead = self._position(s, ticket)
        wait = estimate.ticket_wait_minutes(s, self.catalogue, ticket, ahead, now)
        return public_view(ticket, flow_of(ticket), self.catalogue.services.get(ticket.service_code),
                           ticket.loket.name if ticket.loket else None, ahead, wait, self.tz, self.status_url)

    # -- counter ---------------------------------------------------------------------------

    def loket_of(self, s: Session, actor: Actor, loket_id: Any = None) -> Loket:
        loket_id = loket_id if loket_id is not None else actor.loket_id
        if loket_id is None:
            raise OperationError("choose a loket first", "no_loket")
        loket = s.get(Loket, record_id(loket_id, "loket"))
        if loket is None or not loket.active:
            raise NotFound("loket not found")
        return loket

    def _waiting_at(self, loket: Loket):
        """Waiting tickets this loket may call: those transferred to it, and those of what it serves."""
        query = select(Ticket).where(Ticket.status == Status.WAITING.value)
        mine = Ticket.loket_id == loket.id
        free = Ticket.loket_id.is_(None)
        if loket.groups:
            free = and_(free, or_(Ticket.group.in_(loket.groups), Ticket.service_code.in_(loket.groups)))
        return query.where(or_(mine, free))

    def waiting_list(self, actor: Actor, loket_id: Any = None, limit: int = 50) -> list[dict[str, Any]]:
        """The queue a loket sees, in calling order (for 'call a chosen ticket')."""
        now = self.clock()
        with reading(self.sessions) as s:
            loket = self.loket_of(s, actor, loket_id)
            rule = self.call_rule(s)
            tickets = s.scalars(self._waiting_at(loket).order_by(
                (Ticket.loket_id == loket.id).desc(), *self._queue_order(rule)).limit(limit)).all()
            return [{"id": t.id, "number": t.number, "service": t.service_code, "service_name": t.service_name,
                     "priority": t.priority, "recalls": t.recalls,
                     "waiting_minutes": round((now - t.current_since).total_seconds() / 60, 1)}
                    for t in tickets]

    def call_next(self, actor: Actor, loket_id: Any = None) -> dict[str, Any] | None:
        """Call the next waiting ticket this loket serves: by the office's rule (priority first)."""
        now = self.clock()
        with transaction(self.sessions) as s:
            loket = self.loket_of(s, actor, loket_id)
            query = self._waiting_at(loket).order_by(
                (Ticket.loket_id == loket.id).desc(), *self._queue_order(self.call_rule(s))).limit(1)
            if s.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            ticket = s.scalar(query)
            if ticket is None:
                return None
            call, view = self._call(s, actor, ticket, loket, now)
        self._after_call(call, view)
        return view

    def call_ticket(self, actor: Actor, ticket_id: Any, loket_id: Any = None) -> dict[str, Any]:
        """Call a chosen waiting ticket out of order (the clerk picks it from the list)."""
        now = self.clock()
        with transaction(self.sessions) as s:
            loket = self.loket_of(s, actor, loket_id)
            ticket = self._ticket(s, ticket_id, lock=True)
            if ticket.status != Status.WAITING.value:
                raise Conflict(f"{ticket.number} is not waiting", "not_waiting")
            call, view = self._call(s, actor, ticket, loket, now, action="call_chosen")
        self._after_call(call, view)
        return view

    def _call(self, s: Session, actor: Actor, ticket: Ticket, loket: Loket, now: datetime,
              action: str = "call") -> tuple[dict, dict]:
        before = _state(ticket)
        flow = flow_of(ticket)
        try:
            flow.call(now)
        except WorkflowError as exc:
            raise Conflict(str(exc), exc.code) from None
        self._store(s, ticket, flow, [], actor)
        ticket.loket_id = loket.id
        ticket.called_at = now
        s.add(Call(ticket_id=ticket.id, loket_id=loket.id, kind="call", at=now))
        self._audit(s, actor, action, ticket, before, now, {"loket": loket.number})
        s.flush()
        return self._call_payload(ticket, loket, "call", now), self.staff_view(s, ticket, now)

    def _after_call(self, call: dict, view: dict) -> None:
        # The call goes out first: the displays get it before the queue is counted again.
        self._publish([Event("ticket.called", call)])
        self._publish([Event("ticket.updated", _update_payload(view)), Event("queue.changed", self.queue_counts())])

    def recall(self, actor: Actor, ticket_id: Any, kind: str = "recall", loket_id: Any = None) -> dict[str, Any]:
        """Call a ticket again (recall) or call its applicant to collect the result (pickup)."""
        if kind not in ("recall", "pickup"):
            raise OperationError("kind must be recall or pickup")
        now = self.clock()
        with transaction(self.sessions) as s:
            ticket = self._ticket(s, ticket_id)
            if Status(ticket.status).closed or ticket.status == Status.WAITING.value:
                raise Conflict("only a called ticket or one in progress can be called again", "not_in_progress")
            if kind == "pickup" and ticket.status != Status.IN_PROGRESS.value:
                raise Conflict("only a ticket in progress can be called for pickup", "not_in_progress")
            if loket_id is None and actor.loket_id is None:
                loket_id = ticket.loket_id
            loket = self.loket_of(s, actor, loket_id)
            ticket.loket_id = loket.id
            s.add(Call(ticket_id=ticket.id, loket_id=loket.id, kind=kind, at=now))
            self._audit(s, actor, kind, ticket, _state(ticket), now, {"loket": loket.number})
            s.flush()
            call = self._call_payload(ticket, loket, kind, now)
            view = self.staff_view(s, ticket, now)
        self._publish([Event("ticket.called", call), Event("ticket.updated", _update_payload(view))])
        return call

    def arrive(self, actor: Actor, ticket_id: Any) -> dict[str, Any]:
        """The called applicant is at the loket: step 1 (submitting the request) is recorded."""
        return self._flow_action(actor, ticket_id, "arrive", lambda flow, now, s: flow.arrive(now))

    def no_show(self, actor: Actor, ticket_id: Any) -> dict[str, Any]:
        """The called applicant did not come: back to the queue (as often as the office allows), then dropped."""
        def act(flow: TicketFlow, now: datetime, s: Session) -> list:
            flow.no_show(now, int(self.setting(s, "no_show_requeues", 1)))
            return []
        return self._flow_action(actor, ticket_id, "no_show", act, release_loket=True)

    def transfer(self, actor: Actor, ticket_id: Any, loket_id: Any = None, service: Any = None) -> dict[str, Any]:
        """Send a ticket that has not been received yet to another loket or another service.

        It keeps its number and goes to the front of that loket's queue (a transfer to a loket)
        or joins the other service's queue in its place (a transfer to a service)."""
        if loket_id in (None, "") and service in (None, ""):
            raise OperationError("choose a loket or a service to transfer to")
        now = self.clock()
        with transaction(self.sessions) as s:
            ticket = self._ticket(s, ticket_id, lock=True)
            before = {**_state(ticket), "service": ticket.service_code}
            flow = flow_of(ticket)
            try:
                flow.requeue(now)
            except WorkflowError as exc:
                raise Conflict(str(exc), exc.code) from None
            target = None
            if service not in (None, ""):
                svc = self.service(service)
                ticket.service_code, ticket.service_name, ticket.group = svc.code, svc.name, svc.group
                ticket.flow = [asdict(st) for st in svc.steps]
                flow = flow_of(ticket)
                flow.status, flow.current_since = Status.WAITING, now
            if loket_id not in (None, ""):
                target = self.loket_of(s, actor, loket_id)
            self._store(s, ticket, flow, [], actor)
            ticket.loket_id = target.id if target else None
            self._audit(s, actor, "transfer", ticket, before, now,
                        {"service": ticket.service_code, "to_loket": target.number if target else None})
            s.flush()
            view = self.staff_view(s, ticket, now)
        self._publish([Event("ticket.updated", _update_payload(view)), Event("queue.changed", self.queue_counts())])
        return view

    def _flow_action(self, actor: Actor, ticket_id: Any, action: str, act, release_loket: bool = False) -> dict[str, Any]:
        now = self.clock()
        with transaction(self.sessions) as s:
            ticket = self._ticket(s, ticket_id, lock=True)
            before = _state(ticket)
            flow = flow_of(ticket)
            try:
                records = act(flow, now, s)
            except WorkflowError as exc:
                raise Conflict(str(exc), exc.code) from None
            self._store(s, ticket, flow, records, actor)
            ticket.recalls = flow.recalls
            if release_loket and flow.status is Status.WAITING:
                ticket.loket_id = None
            self._audit(s, actor, action, ticket, before, now)
            s.flush()
            view = self.staff_view(s, ticket, now)
        self._publish([Event("ticket.updated", _update_payload(view)), Event("queue.changed", self.queue_counts())])
        return view

    def find_tickets(self, query: str) -> list[dict[str, Any]]:
        """Open tickets by number (any day: a file may wait overnight) or by pickup code."""
        text = re.sub(r"\s", "", str(query or "")).upper()
        if not text:
            return []
        now = self.clock()
        with reading(self.sessions) as s:
            tickets = s.scalars(select(Ticket).where(
                or_(Ticket.number == text, Ticket.pickup_code == text),
                Ticket.status.notin_([st.value for st in CLOSED])).order_by(Ticket.id.desc()).limit(20)).all()
            return [self.staff_view(s, t, now) for t in tickets]

    def complete_step(
        self, actor: Actor, ticket_id: Any, step: Any, decision: Any = None,
        missing: Sequence[str] = (), note: str = "", applicant: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        now = self.clock()
        try:
            step = int(step)
        except (TypeError, ValueError):
            raise OperationError("step must be a step number") from None
        if decision not in (None, "MS", "TMS"):
            raise OperationError("decision must be MS or TMS")
        missing = [str(m) for m in (missing or []) if str(m).strip()]
        note = (note or "").strip()
        with transaction(self.sessions) as s:
            ticket = self._ticket(s, ticket_id, lock=True)
            flow = flow_of(ticket)
            before = _state(ticket)
            try:
                records = flow.complete(step, actor.roles, actor.user_id, now, decision=decision,
                                        missing=missing, note=note)
            except WorkflowError as exc:
                raise Conflict(str(exc), exc.code) from None
            current = flow.steps[[st.number for st in flow.steps].index(step)]
            # Step data is checked after the workflow accepted the action; any error rolls back both.
            if current.kind == "receive":
                self._record_applicant(ticket, applicant or {})
            if decision == "TMS":
                # named from the service's list; free text when the service has none (or was removed)
                known = set(step_requirements(self.catalogue, ticket))
                unknown = [m for m in missing if known and m not in known]
                if unknown:
                    raise OperationError(f"unknown documents: {', '.join(unknown)}", "unknown_document")
                ticket.missing_documents = missing
                ticket.tms_note = note or None
                s.add(PrintJob(ticket_id=ticket.id, kind="tms_slip", status="pending", created_at=now,
                               next_try_at=now, target=self.print_target))
            if current.kind == "register":
                ticket.agenda_number = self._next_agenda_number(s, ticket, now)
            self._store(s, ticket, flow, records, actor)
            self._audit(s, actor, f"step:{current.kind}", ticket, before, now,
                        {"done_step": step, "decision": decision})
            s.flush()
            view = self.staff_view(s, ticket, now)
        self._publish([Event("ticket.updated", _update_payload(view))])
        return view

    def _record_applicant(self, ticket: Ticket, applicant: dict[str, Any]) -> None:
        name = str(applicant.get("name") or "").strip()
        nik = re.sub(r"\s", "", str(applicant.get("nik") or ""))
        if not name:
            raise OperationError("the applicant's name is required", "name_required")
        if not NIK_RE.match(nik):
            raise OperationError("NIK must be 16 digits", "bad_nik")
        ticket.applicant_name = name[:120]
        ticket.applicant_nik = nik
        ticket.applicant_address = (str(applicant.get("address") or "").strip() or None)
        phone = str(applicant.get("phone") or "").strip()
        if phone and not re.fullmatch(r"\+?[0-9 \-]{6,20}", phone):
            raise OperationError("the phone number is not valid", "bad_phone")
        ticket.applicant_phone = phone or None

    def _next_agenda_number(self, s: Session, ticket: Ticket, now: datetime) -> str:
        service = self.catalogue.services.get(ticket.service_code)
        office = self.catalogue.office
        kode = (service.agenda_code if service else None) or office.agenda_code
        year = local(now, self.tz).year
        urut = sequences.next_value(s, f"agenda:{kode}", str(year))
        return numbering.agenda_number(office.agenda_format, kode=kode, urut=urut,
                                       kantor=office.code, tahun=year)

    def _store(self, s: Session, ticket: Ticket, flow: TicketFlow, records: list[StepRecord],
               actor: Actor) -> None:
        for r in records:
            ticket.steps.append(TicketStep(number=r.number, actor=r.actor, role=r.role,
                             user_id=r.user_id, available_at=r.available_at, finished_at=r.finished_at,
                             standard_minutes=r.standard_minutes, decision=r.decision,
                             note=r.note or None))
        ticket.status = flow.status.value
        ticket.current_step = flow.current_step
        ticket.current_since = flow.current_since
        if flow.closed:
            ticket.finished_at = flow.current_since

    def _audit(self, s: Session, actor: Actor, action: str, ticket: Ticket | None,
               before: dict | None, at: datetime, extra: dict | None = None) -> None:
        after = {**_state(ticket), **(extra or {})} if ticket is not None else extra
        role = next(iter(sorted(actor.roles)), None)
        if ticket is not None and action.startswith("step:"):
            role = flow_of_step_actor(ticket, before) or role
        s.add(AuditEntry(at=at, user_id=actor.user_id, username=actor.username, role=role,
                         action=action, ticket_id=ticket.id if ticket else None, before=before,
                         after=after))

    def _call_payload(self, ticket: Ticket, loket: Loket, kind: str, at: datetime) -> dict[str, Any]:
        return {"ticket_id": ticket.id, "number": ticket.number, "prefix": ticket.prefix,
                "seq": ticket.seq, "service": ticket.service_code, "service_name": ticket.service_name,
                "group": ticket.group, "loket": loket.number, "loket_name": loket.name, "kind": kind,
                "at": local(at, self.tz).isoformat()}

    def staff_view(self, s: Session, ticket: Ticket, now: datetime) -> dict[str, Any]:
        """A ticket as the counter screens show it (NIK masked)."""
        view = self._public_view(s, ticket, now)
        flow = flow_of(ticket)
        done = {r.number: r for r in flow.records}
        view.update({
            "applicant_name": ticket.applicant_name,
            "applicant_nik": mask_nik(ticket.applicant_nik),
            "agenda_number": ticket.agenda_number,
            "pickup_code": ticket.pickup_code,
            "tms_note": ticket.tms_note,
            "missing_documents": list(ticket.missing_documents or []),
            "timer": flow.timer_state(now),
            "elapsed_minutes": round(flow.elapsed_minutes(now), 1),
            "since": local(ticket.current_since, self.tz).isoformat(),  # with its offset: counter.js times from it
            # A called ticket is timed against the receiving step: its time runs from the call.
            "step_minutes": (flow.steps[1].minutes if flow.status is Status.CALLED
                             else flow.step.minutes if flow.step else 0),
            "actor": flow.step.actor if flow.step else None,
            "actor_name": flow.step.actor_name if flow.step else None,
            "awaits_applicant": flow.awaits_applicant,
            "recalls": ticket.recalls,
            "created_at": local(ticket.created_at, self.tz).isoformat(),
            "steps": [
                {"number": st.number, "activity": st.activity, "actor": st.actor,
                 "actor_name": st.actor_name, "minutes": st.minutes, "kind": st.kind,
                 "decision": st.decision, "output": st.output,
                 "state": "done" if st.number in done else (
                     "current" if not flow.closed and st.number == flow.current_step else "todo"),
                 "took_minutes": round(done[st.number].minutes, 1) if st.number in done else None,
                 "within_standard": done[st.number].within_standard if st.number in done else None,
                 "result": done[st.number].decision if st.number in done else None}
                for st in flow.steps
            ],
            "documents": step_requirements(self.catalogue, ticket),
        })
        return view

    def staff_ticket(self, ticket_id: Any) -> dict[str, Any]:
        with reading(self.sessions) as s:
            return self.staff_view(s, self._ticket(s, ticket_id), self.clock())

    def work_queue(self, actor: Actor) -> list[dict[str, Any]]:
        """Tickets in progress whose current step this user's roles may do, oldest first."""
        with reading(self.sessions) as s:
            now = self.clock()
            tickets = s.scalars(select(Ticket).where(Ticket.status == Status.IN_PROGRESS.value)
                                .options(selectinload(Ticket.steps), joinedload(Ticket.loket))
                                .order_by(Ticket.current_since)).all()
            out = []
            for t in tickets:
                step = flow_of(t).step
                if step is not None and step.actor in actor.roles:
                    out.append(self.staff_view(s, t, now))
            return out

    # -- display ---------------------------------------------------------------------------

    def queue_counts(self, s: Session | None = None) -> dict[str, int]:
        """Waiting tickets per group (inside the caller's transaction ``s`` when given)."""
        if s is None:
            with reading(self.sessions) as s2:
                return self.queue_counts(s2)
        rows = s.execute(select(Ticket.group, func.count()).where(
            Ticket.status == Status.WAITING.value).group_by(Ticket.group)).all()
        counts = {g: 0 for g in self.catalogue.by_group()}
        counts.update({g: n for g, n in rows})
        return counts

    def display_snapshot(self, last: int = 8) -> dict[str, Any]:
        """The true state for a display: now serving per loket, the last calls, the queue."""
        now = self.clock()
        today = numbering.office_day(now, self.tz)
        start = datetime.combine(today, datetime.min.time(), tzinfo=local(now, self.tz).tzinfo)
        newest = (Call.at.desc(), Call.id.desc())
        # Today's calls ranked newest first, per loket and overall (the index on calls.at): only the
        # one each loket serves and the last ``last`` come back, as plain rows with the ticket and
        # loket fields a call shows (not the ticket's stored flow, no ORM objects)
        ranked = select(Call.id,
                        func.row_number().over(partition_by=Call.loket_id, order_by=newest).label("per_loket"),
                        func.row_number().over(order_by=newest).label("overall")).where(Call.at >= start).subquery()
        shown = (select(*CALL_FIELDS, Call.loket_id, ranked.c.overall)
                 .join(ranked, ranked.c.id == Call.id).join(Ticket, Ticket.id == Call.ticket_id)
                 .join(Loket, Loket.id == Call.loket_id)
                 .where(or_(ranked.c.per_loket == 1, ranked.c.overall <= last)).order_by(*newest))
        with reading(self.sessions) as s:
            rows = s.execute(shown).all()
            lokets = s.execute(select(Loket.id, Loket.number, Loket.name).where(Loket.active.is_(True))
                               .order_by(Loket.number)).all()
            # whether a file awaits its applicant depends on its flow and current step only: no step rows
            in_progress = s.execute(select(Ticket.number, Ticket.flow, Ticket.current_step)
                                    .where(Ticket.status == Status.IN_PROGRESS.value)
                                    .order_by(Ticket.current_since)).all()
            waiting = self.queue_counts(s)
        serving: dict[int, dict] = {}
        recent = []
        for row in rows:
            payload = {**{k: row._mapping[k] for k in CALL_KEYS}, "at": local(row.at, self.tz).isoformat()}
            serving.setdefault(row.loket_id, payload)
            if row.overall <= last:
                recent.append(payload)
        ready = [number for number, flow, step in in_progress if _awaits_applicant(flow, step)]
        return {
            "office": {"name": self.catalogue.office.name, "regency": self.catalogue.office.regency},
            "lokets": [{"number": lk.number, "name": lk.name, "serving": serving.get(lk.id)}
                       for lk in lokets],
            "recent": recent,
            "waiting": waiting,
            "ready": ready,
            "at": local(now, self.tz).isoformat(),
        }

    # -- printing: the print outbox lives in shared/print_queue.py (claims, agents, reprints) ----


# A call as the displays get it (Desk._call_payload), as the columns of one row
CALL_FIELDS = (Ticket.id.label("ticket_id"), Ticket.number, Ticket.prefix, Ticket.seq,
               Ticket.service_code.label("service"), Ticket.service_name, Ticket.group,
               Loket.number.label("loket"), Loket.name.label("loket_name"), Call.kind, Call.at)
CALL_KEYS = ("ticket_id", "number", "prefix", "seq", "service", "service_name", "group", "loket", "loket_name",
             "kind")


def _awaits_applicant(flow: list[dict], current_step: int) -> bool:
    """``TicketFlow.awaits_applicant`` of a ticket in progress, from its stored flow and current step."""
    steps = tuple(step_from_dict(st) for st in flow)
    return TicketFlow(steps=steps, status=Status.IN_PROGRESS, current_step=current_step).awaits_applicant


def step_requirements(catalogue: Catalogue, ticket: Ticket) -> list[str]:
    service = catalogue.services.get(ticket.service_code)
    return list(service.requirements) if service else []


def flow_of_step_actor(ticket: Ticket, before: dict | None) -> str | None:
    if not before:
        return None
    for st in ticket.flow:
        if st["number"] == before.get("step"):
            return st["actor"]
    return None


def _state(ticket: Ticket) -> dict[str, Any]:
    return {"status": ticket.status, "step": ticket.current_step, "loket": ticket.loket_id,
            "agenda": ticket.agenda_number}


def _update_payload(view: dict[str, Any]) -> dict[str, Any]:
    # ``actor``: the role whose step is current (counter screens refresh for files reaching them)
    return {k: view[k] for k in ("id", "number", "status", "current_step", "actor", "loket", "group",
                                 "public_id", "position")}
