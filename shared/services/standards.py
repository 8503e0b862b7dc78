"""Standar Pelayanan per service and the Maklumat Pelayanan: saved (each save a new version, old ones kept),
adopted by the Camat with a decree, audited, and read back for the public pages and the posters.

The administrator edits; the Camat adopts. The newest adopted version is published; before any adoption
the public pages show the catalogue's prefill marked "belum ditetapkan".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from antrean.shared.domain import standards as rules
from antrean.shared.domain.catalogue import ADMIN_ROLE, Service
from antrean.shared.domain.clock import local
from antrean.shared.services.context import Context
from antrean.shared.services.errors import Actor, Conflict, Forbidden, NotFound, OperationError, clean_text
from antrean.shared.store.db import reading, transaction
from antrean.shared.store.models import AuditEntry, StandardVersion

MAKLUMAT = "maklumat"  # the subject of the Maklumat's versions (never a service code: codes have no such name)
ADOPTER_ROLE = "camat"
MAX_NOTE = 200


class StandardFormError(OperationError):
    """The form does not pass; ``errors`` maps each bad field to its Indonesian message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()), "invalid_standard")
        self.errors = errors


@dataclass(frozen=True)
class Version:
    subject: str
    version: int
    data: dict[str, str]
    note: str
    created_at: datetime
    adopted_at: datetime | None = None
    decree_number: str | None = None
    decree_date: date | None = None

    @property
    def adopted(self) -> bool:
        return self.adopted_at is not None


@dataclass(frozen=True)
class Standing:
    """A subject's state: the newest saved version, the one in force (newest adopted), all versions."""

    subject: str
    prefill: dict[str, str]
    latest: Version | None = None
    adopted: Version | None = None
    history: list[Version] = field(default_factory=list)

    @property
    def draft(self) -> dict[str, str]:
        """What the edit form shows: the newest saved version, else the prefill."""
        return dict(self.latest.data) if self.latest else dict(self.prefill)

    @property
    def published(self) -> dict[str, str]:
        """What citizens see: the adopted version, else the prefill (marked not adopted)."""
        return dict(self.adopted.data) if self.adopted else dict(self.prefill)


def _version(row: StandardVersion) -> Version:
    return Version(row.subject, row.version, dict(row.data), row.note, row.created_at, row.adopted_at,
                   row.decree_number, row.decree_date)


def _audit(s: Session, actor: Actor, role: str, action: str, before: Any, after: Any, now: datetime) -> None:
    s.add(AuditEntry(at=now, user_id=actor.user_id, username=actor.username, role=role, action=action,
                     before=before, after=after))


def _require(actor: Actor, role: str, what: str) -> None:
    if role not in actor.roles:
        raise Forbidden(what)


def _service(desk: Context, code: Any) -> Service:
    return desk.service(code)


def _note(note: Any) -> str:
    text = note.strip() if isinstance(note, str) else ""
    if len(text) > MAX_NOTE:
        raise StandardFormError({"note": f"Catatan paling banyak {MAX_NOTE} karakter."})
    return text


def _standing(desk: Context, subject: str, prefill: dict[str, str]) -> Standing:
    with reading(desk.sessions) as s:
        rows = s.scalars(select(StandardVersion).where(StandardVersion.subject == subject)
                         .order_by(StandardVersion.version.desc())).all()
        history = [_version(r) for r in rows]
    adopted = max((v for v in history if v.adopted_at is not None),
                  key=lambda v: (v.adopted_at, v.version), default=None)
    return Standing(subject, prefill, history[0] if history else None, adopted, history)


def _save(desk: Context, actor: Actor, subject: str, data: dict[str, str], note: str, action: str) -> int:
    try:
        return _insert(desk, actor, subject, data, note, action)
    except IntegrityError:  # another save took the same number at the same moment: the next one is free
        try:
            return _insert(desk, actor, subject, data, note, action)
        except IntegrityError:
            raise Conflict("Standar sedang disimpan oleh pengguna lain; coba simpan lagi.") from None


def _insert(desk: Context, actor: Actor, subject: str, data: dict[str, str], note: str, action: str) -> int:
    now = desk.clock()
    with transaction(desk.sessions) as s:
        newest = s.scalar(select(func.max(StandardVersion.version)).where(StandardVersion.subject == subject)) or 0
        row = StandardVersion(subject=subject, version=newest + 1, data=data, note=note, created_at=now,
                              created_by=actor.user_id)
        s.add(row)
        # the text itself is kept in the version; the trail says who saved which version
        _audit(s, actor, ADMIN_ROLE, action, {"subject": subject, "version": newest or None},
               {"subject": subject, "version": newest + 1, "note": note}, now)
    return newest + 1


def _adopt(desk: Context, actor: Actor, subject: str, version: Any, decree: rules.Decree, action: str) -> None:
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version < 2**31:
        raise NotFound("unknown version")
    now = desk.clock()
    with transaction(desk.sessions) as s:
        row = s.scalar(select(StandardVersion).where(StandardVersion.subject == subject,
                                                     StandardVersion.version == version))
        if row is None:
            raise NotFound("unknown version")
        if row.adopted_at is not None:
            raise StandardFormError({"version": f"Versi {version} sudah ditetapkan."})
        row.adopted_at, row.adopted_by = now, actor.user_id
        row.decree_number, row.decree_date = decree.number, decree.day
        _audit(s, actor, ADOPTER_ROLE, action, {"subject": subject, "version": version, "adopted": False},
               {"subject": subject, "version": version, "adopted": True, "decree_number": decree.number,
                "decree_date": decree.day.isoformat()}, now)


def _today(desk: Context) -> date:
    return local(desk.clock(), desk.tz).date()


# -- Standar Pelayanan -----------------------------------------------------------------------------------


def standing(desk: Context, code: Any) -> Standing:
    service = _service(desk, code)
    return _standing(desk, service.code, rules.prefill(desk.catalogue, service))


def all_standings(desk: Context) -> list[tuple[Service, Standing]]:
    return [(svc, standing(desk, svc.code)) for svc in desk.catalogue.services.values()]


def save_standard(desk: Context, actor: Actor, code: Any, values: dict[str, Any], note: Any = "") -> int:
    """Save the 14 components as the service's next version; returns its number."""
    _require(actor, ADMIN_ROLE, "only an administrator may edit a service standard")
    service = _service(desk, code)
    clean_text(values, note)
    try:
        data = rules.validate_components(values)
    except rules.StandardInvalid as exc:
        raise StandardFormError(exc.errors) from None
    return _save(desk, actor, service.code, data, _note(note), "standar:simpan")


def adopt_standard(desk: Context, actor: Actor, code: Any, version: Any, decree_number: Any,
                   decree_date: Any) -> None:
    """The Camat adopts a saved version with the number and date of the Keputusan Camat."""
    _require(actor, ADOPTER_ROLE, "only the Camat may adopt a service standard")
    service = _service(desk, code)
    clean_text(decree_number, decree_date)
    try:
        decree = rules.validate_decree(decree_number, decree_date, _today(desk))
    except rules.StandardInvalid as exc:
        raise StandardFormError(exc.errors) from None
    _adopt(desk, actor, service.code, version, decree, "standar:tetapkan")


# -- Maklumat Pelayanan ----------------------------------------------------------------------------------


def maklumat(desk: Context) -> Standing:
    return _standing(desk, MAKLUMAT, rules.maklumat_prefill(desk.catalogue.office))


def save_maklumat(desk: Context, actor: Actor, text: Any, signatory_name: Any, signatory_title: Any,
                  note: Any = "") -> int:
    _require(actor, ADMIN_ROLE, "only an administrator may edit the Maklumat")
    clean_text(text, signatory_name, signatory_title, note)
    try:
        data = rules.validate_maklumat(text, signatory_name, signatory_title)
    except rules.StandardInvalid as exc:
        raise StandardFormError(exc.errors) from None
    return _save(desk, actor, MAKLUMAT, data, _note(note), "maklumat:simpan")


def adopt_maklumat(desk: Context, actor: Actor, version: Any, decree_date: Any, decree_number: Any = "") -> None:
    """The Camat signs the Maklumat on a date (a decree number is optional for a Maklumat)."""
    _require(actor, ADOPTER_ROLE, "only the Camat may adopt the Maklumat")
    clean_text(decree_number, decree_date)
    number = decree_number.strip() if isinstance(decree_number, str) else ""
    try:
        decree = rules.validate_decree(number or "-", decree_date, _today(desk))
    except rules.StandardInvalid as exc:
        raise StandardFormError(exc.errors) from None
    _adopt(desk, actor, MAKLUMAT, version, decree, "maklumat:tetapkan")


def published_all(desk: Context) -> dict[str, tuple[dict[str, str], Version | None]]:
    """Every service's published components (the newest adopted version, else the prefill) and the adopted
    version (None: not adopted yet), with one read: the kiosk lists them all."""
    with reading(desk.sessions) as s:
        rows = s.scalars(select(StandardVersion).where(StandardVersion.adopted_at.is_not(None),
                                                       StandardVersion.subject != MAKLUMAT)).all()
        adopted: dict[str, Version] = {}
        for row in rows:
            v = _version(row)
            held = adopted.get(v.subject)
            if held is None or (v.adopted_at, v.version) > (held.adopted_at, held.version):
                adopted[v.subject] = v
    out: dict[str, tuple[dict[str, str], Version | None]] = {}
    for code, service in desk.catalogue.services.items():
        found = adopted.get(code)
        out[code] = (dict(found.data) if found else rules.prefill(desk.catalogue, service), found)
    return out
