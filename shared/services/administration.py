"""Administration (admin role): the SOP catalogue (office profile, services, steps), lokets, staff
users and the office logo. Plain Python; each change is validated, written in one transaction with its
audit entry, then announced with an event. A bad change raises OperationError and writes nothing.

The catalogue is versioned (shared/store/catalogue_versions.py): each save is a whole new version in the shape
of the shipped data file, so an export is a file an office can import elsewhere.
"""
from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from antrean.shared.domain.catalogue import (
    ADMIN_ROLE,
    Catalogue,
    CatalogueError,
    catalogue_to_data,
    office_to_data,
    parse_hours,
)
from antrean.shared.domain.events import CATALOGUE_CHANGED, LOKETS_CHANGED, OFFICE_CHANGED, Event
from antrean.shared.services import accounts
from antrean.shared.services.context import Context
from antrean.shared.services.errors import Actor, Conflict, Forbidden, NotFound, OperationError, clean_text, record_id
from antrean.shared.services.passwords import hash_password, password_problem
from antrean.shared.store import settings
from antrean.shared.store.db import reading, transaction
from antrean.shared.store.models import AuditEntry, Loket, User

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
LOGO_KEY = "office_logo"
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 512
OFFICE_TEXT_FIELDS = ("name", "regency", "code", "address", "phone", "postal", "timezone", "agenda_format",
                      "agenda_code")


def assignable_roles(catalogue: Catalogue) -> tuple[str, ...]:
    """The roles a user can hold: the catalogue's actors but the applicant, and admin."""
    return (*catalogue.staff_roles, ADMIN_ROLE)


def require_admin(actor: Actor) -> None:
    if ADMIN_ROLE not in actor.roles:
        raise Forbidden("only an administrator may change the office's set-up")


def _audit(s: Session, actor: Actor, action: str, before: Any, after: Any, now) -> None:
    s.add(AuditEntry(at=now, user_id=actor.user_id, username=actor.username, role=ADMIN_ROLE, action=action,
                     before=before, after=after))


# The catalogue's checks speak English (they also stop start-up, for whoever runs the server); the
# administrator reads them in Indonesian. An unknown message is shown as it is.
PROBLEMS_ID: tuple[tuple[str, str], ...] = (
    (r"is required", "wajib diisi"),
    (r"must be 1-3 capital letters", "harus 1-3 huruf kapital"),
    (r"a service needs at least two steps", "layanan memerlukan paling sedikit dua langkah"),
    (r"duplicate service code", "kode layanan dipakai dua kali"),
    (r"exactly one step must be the MS/TMS decision", "tepat satu langkah harus menjadi keputusan MS/TMS"),
    (r"no decision \(MS/TMS\) step", "belum ada langkah keputusan MS/TMS"),
    (r"step 1 is the applicant \(pemohon\) submitting", "langkah 1 adalah pemohon mengajukan permohonan"),
    (r"pemohon may act only in the first and last step", "pemohon hanya boleh pada langkah pertama dan terakhir"),
    (r"step numbers must run 1, 2, 3, \.\.\. without gaps; found (\d+) where (\d+) belongs",
     r"nomor langkah harus urut 1, 2, 3 tanpa loncatan; ada \1 di tempat \2"),
    (r"unknown group '([^']*)'.*", r"kelompok '\1' tidak dikenal (atau masih dipakai layanan)"),
    (r"unknown actor '([^']*)'.*", r"pelaksana '\1' tidak dikenal (atau masih dipakai langkah SOP)"),
    (r"unknown actor (None).*", r"pelaksana belum dipilih"),
    (r"unknown kind (.*); one of.*", r"jenis langkah \1 tidak dikenal"),
    (r"unknown SOP (.*)", r"SOP \1 tidak dikenal"),
    (r"unknown service code (.*)", r"kode layanan \1 tidak dikenal"),
    (r"must be a number of minutes from 0 to (\d+), got (.*)", r"menit baku harus angka 0 sampai \1, bukan \2"),
    (r"must be a whole number from 0 to (\d+), got (.*)", r"harus bilangan bulat 0 sampai \1, bukan \2"),
    (r"must be minutes from 0 to 240, got (.*)", r"harus 0 sampai 240 menit, bukan \1"),
    (r"(.*) is not a date \(YYYY-MM-DD\)", r"\1 bukan tanggal (TTTT-BB-HH)"),
    (r"unknown time zone", "zona waktu tidak dikenal"),
    (r"the catalogue has no services", "katalog tidak berisi layanan"),
    (r"the applicant \(pemohon\) is an actor of every service", "pemohon harus tetap ada sebagai pelaksana"),
    (r"a code is 2-40 lower-case letters, digits or '_'", "kode: 2-40 huruf kecil, angka atau '_'"),
    (r"needs a name", "nama wajib diisi"),
    (r"agenda format (.*) is not valid: .*",
     r"format nomor agenda \1 tidak sah; gunakan {kode}, {urut:03d}, {kantor}, {tahun}"),
    (r"must be a list of document names", "harus berupa daftar nama dokumen"),
)


FIELDS_ID = {"minutes": "menit baku", "actor": "pelaksana", "kind": "jenis", "activity": "kegiatan",
             "number": "nomor", "code": "kode", "name": "nama", "prefix": "huruf awalan", "group": "kelompok",
             "requirements": "persyaratan", "decision": "keputusan", "office": "kantor", "quotas": "kuota",
             "hours": "jam pelayanan", "holidays": "hari libur", "last_ticket_minutes": "batas tiket terakhir",
             "timezone": "zona waktu", "agenda_format": "format nomor agenda", "address": "alamat",
             "phone": "telepon", "postal": "kode pos", "regency": "kabupaten", "agenda_code": "kode agenda",
             "sops": "SOP", "services": "layanan", "steps": "langkah", "actors": "pelaksana", "groups": "kelompok"}


def _field_id(field: str) -> str:
    """``steps[2].minutes`` -> ``langkah 3, menit baku (minutes)``: the field's Indonesian name, with the
    data file's key the administrator also finds in an exported catalogue."""
    parts = []
    for part in field.split("."):
        step = re.fullmatch(r"steps\[(\d+)\]", part)
        parts.append(f"langkah {int(step.group(1)) + 1}" if step else part)
    names = [FIELDS_ID.get(p, p) for p in parts]
    if parts[-1] in FIELDS_ID:
        names[-1] += f" ({parts[-1]})"
    return ", ".join(names)


def describe_catalogue_error(exc: CatalogueError) -> str:
    where = []
    if exc.service:
        where.append(f"layanan {exc.service!r}")
    where.append(_field_id(exc.field))
    prefix = f"{exc.path}: " + (f"service {exc.service!r}, " if exc.service else "") + f"field {exc.field!r}: "
    problem = str(exc)[len(prefix):] if str(exc).startswith(prefix) else str(exc)
    for pattern, indonesian in PROBLEMS_ID:
        if re.fullmatch(pattern, problem, flags=re.S):
            problem = re.sub(pattern, indonesian, problem, count=1, flags=re.S)
            break
    return f"Perubahan ditolak ({', '.join(where)}): {problem}"


# -- the catalogue ------------------------------------------------------------------------------


def catalogue_data(desk: Context) -> dict[str, Any]:
    """The catalogue in force, in the data file's shape (a fresh copy, safe to change)."""
    return catalogue_to_data(desk.catalogue)


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    old = {s["code"]: s for s in before["services"]}
    new = {s["code"]: s for s in after["services"]}
    return {
        "office": before["office"] != after["office"],
        "sops": before["sops"] != after["sops"],
        "added": sorted(set(new) - set(old)),
        "removed": sorted(set(old) - set(new)),
        "changed": sorted(c for c in set(old) & set(new) if old[c] != new[c]),
    }


def save_catalogue(desk: Context, actor: Actor, data: Any, note: str = "") -> int:
    """Validate and put a whole catalogue in force; returns its version number. Tickets already issued
    keep their flow; new tickets follow the new catalogue at once (in other processes within seconds)."""
    clean_text(data, note)
    require_admin(actor)
    store = desk.catalogue_store
    if store is None:
        raise OperationError("the catalogue cannot be edited here (no catalogue store)", "no_store")
    before, before_version = catalogue_data(desk), store.version  # read before the write transaction
    now = desk.clock()
    try:
        with transaction(desk.sessions) as s:
            version, catalogue = store.add(s, data, actor.user_id, note, now)
            changes = _changes(before, catalogue_to_data(catalogue))
            _audit(s, actor, "admin:catalogue", {"version": before_version},
                   {"version": version, "note": note[:200], **changes}, now)
    except CatalogueError as exc:
        raise OperationError(describe_catalogue_error(exc), "bad_catalogue") from None
    store.installed(version, catalogue)
    desk.events.publish(Event(CATALOGUE_CHANGED, {"version": version}))
    return version


def import_catalogue(desk: Context, actor: Actor, text: str | bytes, note: str = "") -> int:
    """A catalogue data file (YAML, the format of shared/domain/kampak.yaml) put in force as a whole."""
    clean_text(text, note)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise OperationError(f"Berkas bukan YAML yang sah: {exc}", "bad_catalogue") from None
    if not isinstance(data, dict):
        raise OperationError("Berkas katalog harus berisi office, sops dan services.", "bad_catalogue")
    return save_catalogue(desk, actor, _plain(data), note or "impor berkas katalog")


MAX_NODES = 200_000  # a catalogue has a few thousand values; YAML aliases could make billions


def _plain(value: Any, budget: list[int] | None = None) -> Any:
    """YAML dates and other non-JSON scalars as text, so a version can be stored as JSON. Refuses a file
    whose aliases expand beyond any real catalogue (a "billion laughs" file)."""
    budget = budget if budget is not None else [MAX_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise OperationError("Berkas katalog terlalu besar atau berulang tanpa akhir.", "bad_catalogue")
    if isinstance(value, dict):
        return {str(k): _plain(v, budget) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, budget) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def restore_version(desk: Context, actor: Actor, version: Any) -> int:
    """Put an earlier version back in force (as a new version, so history stays linear)."""
    clean_text(version)
    try:
        number = int(version)
    except (TypeError, ValueError):
        raise NotFound(f"unknown catalogue version {version!r}") from None
    data = desk.catalogue_store.data_of(number) if desk.catalogue_store else None
    if data is None:
        raise NotFound(f"unknown catalogue version {version!r}")
    return save_catalogue(desk, actor, data, f"kembali ke versi {number}")


def update_office(desk: Context, actor: Actor, fields: dict[str, Any]) -> int:
    """The office profile and opening rules. ``fields``: the text fields, ``hours`` (weekday -> text),
    ``holidays`` (dates, one per line or a list), ``last_ticket_minutes``, ``quotas`` (code -> number)."""
    clean_text(fields)
    data = catalogue_data(desk)
    office = data["office"]
    for key in OFFICE_TEXT_FIELDS:
        if key in fields:
            office[key] = str(fields[key] or "").strip()
    if "hours" in fields:
        hours = fields["hours"]
        if hours is None:
            office.pop("hours", None)
        else:
            try:
                parse_hours(hours)
            except ValueError as exc:
                raise OperationError(f"Jam layanan tidak sah: {exc}", "bad_catalogue") from None
            office["hours"] = hours
    if "holidays" in fields:
        holidays = fields["holidays"]
        office["holidays"] = ([line.strip() for line in holidays.splitlines() if line.strip()]
                              if isinstance(holidays, str) else list(holidays))
    if "last_ticket_minutes" in fields:
        office["last_ticket_minutes"] = _whole(fields["last_ticket_minutes"], "last_ticket_minutes")
    if "quotas" in fields:
        office["quotas"] = {code: _whole(n, f"kuota {code}") for code, n in fields["quotas"].items()
                            if str(n).strip() != ""}
    return save_catalogue(desk, actor, data, "profil kantor")


def _whole(value: Any, name: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise OperationError(f"{name}: harus bilangan bulat, bukan {value!r}", "bad_catalogue") from None


def save_service(desk: Context, actor: Actor, service: dict[str, Any], original_code: str | None = None) -> int:
    """Add a service (``original_code`` None) or replace one, steps and all."""
    clean_text(service, original_code)
    data = catalogue_data(desk)
    codes = [s["code"] for s in data["services"]]
    code = service.get("code")
    if original_code is None:
        if code in codes:
            raise Conflict(f"Kode layanan {code!r} sudah dipakai.", "duplicate_service")
        data["services"].append(service)
        note = f"layanan baru {code}"
    else:
        if original_code not in codes:
            raise NotFound(f"unknown service {original_code!r}")
        if code != original_code and code in codes:
            raise Conflict(f"Kode layanan {code!r} sudah dipakai.", "duplicate_service")
        data["services"][codes.index(original_code)] = service
        if code != original_code and original_code in data["office"].get("quotas", {}):
            data["office"]["quotas"][code] = data["office"]["quotas"].pop(original_code)
        note = f"ubah layanan {original_code}"
    return save_catalogue(desk, actor, data, note)


def delete_service(desk: Context, actor: Actor, code: str) -> int:
    """Remove a service from the kiosk. Its tickets in progress finish on the flow they started with."""
    clean_text(code)
    data = catalogue_data(desk)
    kept = [s for s in data["services"] if s["code"] != code]
    if len(kept) == len(data["services"]):
        raise NotFound(f"unknown service {code!r}")
    data["services"] = kept
    data["office"].get("quotas", {}).pop(code, None)
    return save_catalogue(desk, actor, data, f"hapus layanan {code}")


def update_names(desk: Context, actor: Actor, groups: dict[str, str], actors: dict[str, str]) -> int:
    """The office's service groups (kiosk order) and actors (the roles of the steps and of users), code ->
    name. A group or actor still used by a service cannot be removed; the applicant (pemohon) stays."""
    clean_text(groups, actors)
    data = catalogue_data(desk)
    data["groups"], data["actors"] = dict(groups), dict(actors)
    return save_catalogue(desk, actor, data, "kelompok dan pelaksana")


def office_form_values(desk: Context) -> dict[str, Any]:
    """The office section as the administration form shows it."""
    return office_to_data(desk.catalogue.office)


# -- lokets --------------------------------------------------------------------------------------


def save_loket(desk: Context, actor: Actor, loket_id: Any, number: Any, name: Any, groups: list[str] | None,
               active: bool) -> int:
    clean_text(loket_id, number, name, groups, active)
    require_admin(actor)
    try:
        number = int(str(number).strip())
    except ValueError:
        raise OperationError("Nomor loket harus bilangan bulat.", "bad_loket") from None
    if not 1 <= number <= 999:
        raise OperationError("Nomor loket harus 1 sampai 999.", "bad_loket")
    name = str(name or "").strip() or f"Loket {number}"
    if len(name) > 60:
        raise OperationError("Nama loket paling banyak 60 karakter.", "bad_loket")
    groups = list(groups or [])
    unknown = [g for g in groups if g not in desk.catalogue.groups]
    if unknown:
        raise OperationError(f"Kelompok layanan tidak dikenal: {', '.join(unknown)}", "bad_loket")
    now = desk.clock()
    with transaction(desk.sessions) as s:
        loket: Loket | None
        clash = s.scalar(select(Loket).where(Loket.number == number))
        if loket_id in (None, ""):
            if clash is not None:
                raise Conflict(f"Loket {number} sudah ada.", "duplicate_loket")
            loket = Loket(number=number, name=name, groups=groups, active=active)
            s.add(loket)
            before = None
        else:
            loket = s.get(Loket, _id(loket_id))
            if loket is None:
                raise NotFound(f"unknown loket {loket_id!r}")
            if clash is not None and clash.id != loket.id:
                raise Conflict(f"Loket {number} sudah ada.", "duplicate_loket")
            before = _loket_state(loket)
            loket.number, loket.name, loket.groups, loket.active = number, name, groups, active
        s.flush()
        _audit(s, actor, "admin:loket", before, {"id": loket.id, **_loket_state(loket)}, now)
        loket_id = loket.id
    desk.events.publish(Event(LOKETS_CHANGED, {"loket_id": loket_id}))
    return loket_id


def _loket_state(loket: Loket) -> dict[str, Any]:
    return {"number": loket.number, "name": loket.name, "groups": list(loket.groups or []), "active": loket.active}


def _id(value: Any) -> int:
    try:
        return record_id(value, "record")
    except NotFound:
        raise NotFound(f"unknown id {value!r}") from None


# -- users ---------------------------------------------------------------------------------------


def save_user(desk: Context, actor: Actor, user_id: Any, *, username: Any, full_name: Any, roles: list[str],
              loket_id: Any = None, active: bool = True, password: str | None = None) -> int:
    """Create a staff user (a password is required) or change one (an empty password keeps it).
    An administrator cannot take away their own admin role or deactivate themselves."""
    clean_text(user_id, username, full_name, roles, loket_id, active, password)
    require_admin(actor)
    username = str(username or "").strip().lower()
    if not USERNAME_RE.fullmatch(username):
        raise OperationError("Nama pengguna: 2-60 huruf kecil, angka, titik, '-' atau '_'.", "bad_user")
    full_name = str(full_name or "").strip()
    if not full_name or len(full_name) > 120:
        raise OperationError("Nama lengkap wajib diisi (paling banyak 120 karakter).", "bad_user")
    roles = sorted(set(roles or []))
    unknown = [r for r in roles if r not in assignable_roles(desk.catalogue)]
    if unknown:
        raise OperationError(f"Peran tidak dikenal: {', '.join(unknown)}", "bad_user")
    if not roles:
        raise OperationError("Pilih paling sedikit satu peran.", "bad_user")
    if password:
        problem = password_problem(password, (username, full_name, desk.catalogue.office.name))
        if problem:
            raise OperationError(problem, "bad_password")
    now = desk.clock()
    with transaction(desk.sessions) as s:
        loket = None if loket_id in (None, "") else s.get(Loket, _id(loket_id))
        if loket_id not in (None, "") and loket is None:
            raise NotFound(f"unknown loket {loket_id!r}")
        user: User | None
        clash = s.scalar(select(User).where(User.username == username))
        if user_id in (None, ""):
            if clash is not None:
                raise Conflict(f"Nama pengguna {username!r} sudah dipakai.", "duplicate_user")
            if not password:
                raise OperationError("Pengguna baru memerlukan kata sandi.", "bad_password")
            user = User(username=username, full_name=full_name, password_hash=hash_password(password),
                        roles=roles, active=active, loket_id=loket.id if loket else None)
            s.add(user)
            before, ended = None, False
        else:
            user = s.get(User, _id(user_id))
            if user is None:
                raise NotFound(f"unknown user {user_id!r}")
            if clash is not None and clash.id != user.id:
                raise Conflict(f"Nama pengguna {username!r} sudah dipakai.", "duplicate_user")
            if user.id == actor.user_id and (ADMIN_ROLE not in roles or not active):
                raise OperationError("Anda tidak dapat mencabut peran admin atau menonaktifkan akun sendiri.",
                                     "self_lockout")
            before = _user_state(user)
            # a new password, other roles or deactivation ends every session the user has open
            ended = bool(password) or sorted(user.roles or []) != roles or (user.active and not active)
            user.username, user.full_name, user.roles, user.active = username, full_name, roles, active
            user.loket_id = loket.id if loket else None
            if password:
                user.password_hash = hash_password(password)
            if ended:
                user.session_epoch = (user.session_epoch or 0) + 1
        s.flush()
        if ADMIN_ROLE not in roles or not active:
            admins = [u for u in s.scalars(select(User).where(User.active.is_(True))) if ADMIN_ROLE in (u.roles or ())]
            if not admins:
                raise OperationError("Harus tetap ada paling sedikit satu admin aktif.", "last_admin")
        after = {"id": user.id, **_user_state(user), "password_changed": bool(password)}
        _audit(s, actor, "admin:user", before, after, now)
        user_id = user.id
    if before is not None and ended:
        desk.events.publish(accounts.sessions_ended(user_id))  # after the commit: the sockets close
    return user_id


def _user_state(user: User) -> dict[str, Any]:
    # usernames and roles only: staff names stay out of the audit trail like citizens' names
    return {"username": user.username, "roles": list(user.roles or []), "active": user.active,
            "loket_id": user.loket_id}


# -- the office logo -----------------------------------------------------------------------------


def save_logo(desk: Context, actor: Actor, upload: bytes | None) -> None:
    """A PNG/JPEG/WebP/GIF logo, resized to at most 512 px and stored as PNG; ``None`` removes it."""
    require_admin(actor)
    png = None
    if upload is not None:
        if len(upload) > LOGO_MAX_BYTES:
            raise OperationError("Berkas logo terlalu besar (paling besar 2 MB).", "bad_logo")
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(upload)) as img:
                if img.format not in ("PNG", "JPEG", "WEBP", "GIF"):
                    raise OperationError("Logo harus berkas PNG, JPEG, WebP atau GIF.", "bad_logo")
                img.load()
                rgba = img.convert("RGBA")
                rgba.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
                out = io.BytesIO()
                rgba.save(out, "PNG", optimize=True)
                png = base64.b64encode(out.getvalue()).decode("ascii")
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
            raise OperationError("Berkas itu bukan gambar yang dapat dibaca.", "bad_logo") from None
    now = desk.clock()
    with transaction(desk.sessions) as s:
        had = settings.get(s, LOGO_KEY) is not None
        settings.put(s, LOGO_KEY, png, now, actor.user_id)
        _audit(s, actor, "admin:logo", {"logo": had}, {"logo": png is not None}, now)
    desk.events.publish(Event(OFFICE_CHANGED, {"logo": png is not None}))


def logo_png(desk: Context) -> bytes | None:
    with reading(desk.sessions) as s:
        value = settings.get(s, LOGO_KEY)
        return base64.b64decode(value) if value else None


LOGO_FILES = {"logo.png": "image/png", "logo.svg": "image/svg+xml", "logo.jpg": "image/jpeg",
              "logo.webp": "image/webp"}


def office_logo(desk: Context, instance: Path) -> tuple[bytes, str] | None:
    """The logo the administrator uploaded, else a logo.* file put in the instance folder by hand."""
    png = logo_png(desk)
    if png is not None:
        return png, "image/png"
    for name, mimetype in LOGO_FILES.items():
        if (instance / name).is_file():
            return (instance / name).read_bytes(), mimetype
    return None


# -- reads for the staff screens (each in ``reading()``: no write lock) ------------------------------


def active_lokets(desk: Context) -> list[Loket]:
    """The lokets a clerk may sit at, by number (detached rows)."""
    with reading(desk.sessions) as s:
        return list(s.scalars(select(Loket).where(Loket.active.is_(True)).order_by(Loket.number)))


def all_lokets(desk: Context) -> list[Loket]:
    """Every loket, by number (detached rows)."""
    with reading(desk.sessions) as s:
        return list(s.scalars(select(Loket).order_by(Loket.number)))


def users_and_loket_names(desk: Context) -> tuple[list[User], dict[int, str]]:
    """Every staff user by user name, and each loket's name by its id (detached rows)."""
    with reading(desk.sessions) as s:
        users = list(s.scalars(select(User).order_by(User.username)))
        return users, {lk.id: lk.name for lk in s.scalars(select(Loket))}


def user_form_values(desk: Context, user_id: int | None) -> dict[str, Any] | None:
    """The user form's values for ``user_id`` (None: a new user's), or None for an unknown id."""
    if user_id is None:
        return {"username": "", "full_name": "", "roles": [], "loket_id": None, "active": True}
    with reading(desk.sessions) as s:
        user = s.get(User, user_id)
        if user is None:
            return None
        return {"username": user.username, "full_name": user.full_name, "roles": list(user.roles or []),
                "loket_id": user.loket_id, "active": user.active}
