"""SQLAlchemy 2 models. Times are stored as UTC and come back timezone-aware."""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Sequence(Base):
    """A counter per name and period: ticket numbers per prefix per office day, agenda numbers per year."""

    __tablename__ = "sequences"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    period: Mapped[str] = mapped_column(String(20), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, nullable=False)


class Loket(Base):
    __tablename__ = "lokets"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(60))
    groups: Mapped[list] = mapped_column(JSON, default=list)  # service groups served; empty = all
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def serves(self, group: str) -> bool:
        return not self.groups or group in self.groups


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    loket_id: Mapped[int | None] = mapped_column(ForeignKey("lokets.id"), nullable=True)
    loket: Mapped[Loket | None] = relationship()
    # Bumped when the user logs out, their password, roles or active flag change: every session
    # (and remember cookie) carries the epoch it was started in (``get_id``), and one of an older
    # epoch is refused (shared/services/accounts.py ``load_session_user``).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    # Flask-Login protocol, without importing Flask here.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # Flask-Login's "alternative id": the session and the remember cookie hold "id:epoch"
        return f"{self.id}:{self.session_epoch or 0}"


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("office_day", "prefix", "seq", name="uq_ticket_number"),
        Index("ix_tickets_queue", "status", "prefix", "priority", "id"),
        Index("ix_tickets_number_status", "number", "status"),  # the counter's search (bench/history.py)
        Index("ix_tickets_pickup_code", "pickup_code"),
        Index("ix_tickets_lapor_number", "lapor_number"),  # the staff search by SP4N-LAPOR! number
        # the waiting queue per group and service, read without the table (shared/services/issuing.py)
        Index("ix_tickets_waiting", "status", "group", "service_code", "priority", "current_since"),
        # PostgreSQL only: a group's recent calls for the wait estimate (migration 0006)
        Index("ix_tickets_group_called_at", "group", "called_at",
              info={"only_on": "postgresql"}).ddl_if(dialect="postgresql"),
        UniqueConstraint("request_key", name="uq_tickets_request_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    office_day: Mapped[date] = mapped_column(Date)
    prefix: Mapped[str] = mapped_column(String(3))
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(10))
    service_code: Mapped[str] = mapped_column(String(40))
    service_name: Mapped[str] = mapped_column(String(200))
    group: Mapped[str] = mapped_column(String(40))
    flow: Mapped[list] = mapped_column(JSON)  # the service's steps when the ticket was issued
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    priority_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    lang: Mapped[str] = mapped_column(String(5), default="id")
    status: Mapped[str] = mapped_column(String(20))
    current_step: Mapped[int] = mapped_column(Integer, default=1)
    current_since: Mapped[datetime] = mapped_column(UTCDateTime)
    loket_id: Mapped[int | None] = mapped_column(ForeignKey("lokets.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    pickup_code: Mapped[str] = mapped_column(String(12))
    agenda_number: Mapped[str | None] = mapped_column(String(60), nullable=True, unique=True)
    applicant_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    applicant_nik: Mapped[str | None] = mapped_column(String(16), nullable=True)
    applicant_address: Mapped[str | None] = mapped_column(String(255), nullable=True)
    applicant_phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    missing_documents: Mapped[list] = mapped_column(JSON, default=list)
    tms_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # the kiosk's request id: a double tap or a retried request gets the same ticket back
    request_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recalls: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # calls without an answer (no-show rule)
    # A complaint (Pengaduan; shared/domain/applicant.py): how it came in, what it says (personal data:
    # staff screens only, purged with the applicant's data) and its outcome, the berita acara.
    complaint_channel: Mapped[str | None] = mapped_column(String(10), nullable=True)
    complaint_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    complaint_outcome: Mapped[str | None] = mapped_column(Text, nullable=True)
    lapor_number: Mapped[str | None] = mapped_column(String(30), nullable=True)  # SP4N-LAPOR! tracking number

    loket: Mapped[Loket | None] = relationship()
    steps: Mapped[list[TicketStep]] = relationship(
        back_populates="ticket", order_by="TicketStep.id", cascade="all, delete-orphan"
    )


class TicketStep(Base):
    """A completed SOP step of a ticket: who, in which role, when, against which standard."""

    __tablename__ = "ticket_steps"
    __table_args__ = (UniqueConstraint("ticket_id", "number", name="uq_ticket_step"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    standard_minutes: Mapped[float] = mapped_column()
    decision: Mapped[str | None] = mapped_column(String(3), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    ticket: Mapped[Ticket] = relationship(back_populates="steps")


class Call(Base):
    """A call shown on the display and announced: intake, recall or pickup."""

    __tablename__ = "calls"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    loket_id: Mapped[int] = mapped_column(ForeignKey("lokets.id"))
    kind: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ticket: Mapped[Ticket] = relationship()
    loket: Mapped[Loket] = relationship()


class PrintJob(Base):
    """Outbox of the printer: written with the ticket, printed after the commit, retried until done."""

    __tablename__ = "print_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="ticket")
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime)
    target: Mapped[str | None] = mapped_column(String(60), nullable=True)  # a print agent's name, or the server's printer
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # a printer took the bytes and then failed: printed again, and the first copy may exist too
    possible_duplicate: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    ticket: Mapped[Ticket] = relationship()


class AuditEntry(Base):
    """Append-only trail of staff actions. No names or NIK in before/after."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    username: Mapped[str | None] = mapped_column(String(60), nullable=True)
    role: Mapped[str | None] = mapped_column(String(40), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True, index=True)
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class Setting(Base):
    """Office settings staff change at run time (running text, office hours, ...), by key."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[dict | list | str | int | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class DeviceToken(Base):
    """A token for a device acting without a person at a keyboard: a print or speaker agent, a call
    button, a script. Only a hash of the token is stored."""

    __tablename__ = "device_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # print_agent, speaker_agent, api
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session, _context, _instances) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError("the audit trail is append-only: entries cannot be changed or deleted")


class SurveyResponse(Base):
    """One Survei Kepuasan Masyarakat answer (PermenPANRB 14/2017): nine scores 1-4.

    Linked to the ticket (one answer per ticket) but anonymous: no name, no NIK, no user."""

    __tablename__ = "survey_responses"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    service_code: Mapped[str] = mapped_column(String(40), index=True)
    office_day: Mapped[date] = mapped_column(Date, index=True)
    answers: Mapped[dict] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the optional respondent profile of the regulation's questionnaire (codes: shared/domain/skm.py PROFILE)
    sex: Mapped[str | None] = mapped_column(String(10), nullable=True)
    age_group: Mapped[str | None] = mapped_column(String(10), nullable=True)
    education: Mapped[str | None] = mapped_column(String(10), nullable=True)
    occupation: Mapped[str | None] = mapped_column(String(10), nullable=True)


class SkmPublication(Base):
    """An SKM period whose results the office published (the public page shows the newest)."""

    __tablename__ = "skm_publications"
    __table_args__ = (UniqueConstraint("period_start", "period_end", name="uq_skm_publication_period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class SkmFollowUp(Base):
    """A follow-up plan (rencana tindak lanjut) of an SKM period: the plan, the elements it answers, the
    person responsible (a position), the due date, the status and the done date."""

    __tablename__ = "skm_followups"
    id: Mapped[int] = mapped_column(primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, index=True)
    period_end: Mapped[date] = mapped_column(Date)
    plan: Mapped[str] = mapped_column(Text)
    elements: Mapped[list] = mapped_column(JSON)
    responsible: Mapped[str] = mapped_column(String(120))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    done_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CatalogueVersion(Base):
    """The SOP catalogue as edited by the administrator: every save is a new row, the newest rules.

    ``data`` has the shape of the shipped data file (shared/domain/kampak.yaml). With no row, the file rules.
    Tickets keep the flow they were issued with (``Ticket.flow``), so an edit never changes them."""

    __tablename__ = "catalogue_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    data: Mapped[dict] = mapped_column(JSON)


class StandardVersion(Base):
    """A Standar Pelayanan of one service (``subject`` = its code) or the Maklumat Pelayanan (``subject`` =
    "maklumat"), as saved by the administrator: every save is a new row (``version`` 1, 2, ... per subject),
    old rows are kept. The Camat adopts one version with a decree (number and date); the newest adopted
    version is the one published."""

    __tablename__ = "standard_versions"
    __table_args__ = (UniqueConstraint("subject", "version", name="uq_standard_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    adopted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decree_number: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decree_date: Mapped[date | None] = mapped_column(Date, nullable=True)


class Contact(Base):
    """A phone number or e-mail address a citizen gave, by choice, for messages about one ticket or
    one booking (``subject`` = "ticket:<id>" or "booking:<code>"). Personal data: masked on staff
    screens, never on a public page or in a log, deleted by the retention purge."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("subject", "channel", name="uq_contact_subject_channel"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(60), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True, index=True)
    channel: Mapped[str] = mapped_column(String(10))  # whatsapp, sms, email
    address: Mapped[str] = mapped_column(String(200))  # +628... or an e-mail address
    lang: Mapped[str] = mapped_column(String(5), default="id")
    source: Mapped[str] = mapped_column(String(10))  # where consent was given: kiosk, status, counter, booking
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """Outbox of messages: one row per message, written in the transaction of the event that causes
    it, sent by the outbox worker after the commit. ``key`` (subject, event, channel) is unique: a
    message is never enqueued twice. ``recipient`` is personal data (purged with the contact);
    ``last_error`` never holds it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (UniqueConstraint("key", name="uq_outbox_key"),
                      Index("ix_outbox_due", "status", "next_attempt_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(String(60), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True, index=True)
    event: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lang: Mapped[str] = mapped_column(String(5), default="id")
    data: Mapped[dict] = mapped_column(JSON)  # what the message says (numbers, loket, purpose; no personal data)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending, sending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Booking(Base):
    """A booked visit (a service, a date, a session) or a remote join of today's queue
    (shared/domain/booking.py). Found by its code only; the name is optional, personal data (staff
    screens only, purged with the applicant's data). Becomes a ticket at check-in (``ticket_id``)."""

    __tablename__ = "bookings"
    __table_args__ = (
        UniqueConstraint("code", name="uq_bookings_code"),
        # a session's places and the no-show sweep
        Index("ix_bookings_slot", "service_code", "day", "session", "status"),
        Index("ix_bookings_status_day", "status", "day"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(10))
    service_code: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    session: Mapped[str | None] = mapped_column(String(10), nullable=True)
    status: Mapped[str] = mapped_column(String(12))
    name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    lang: Mapped[str] = mapped_column(String(5), default="id")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True)
