"""The SOP catalogue: services, their steps, actors and Mutu Baku, loaded from a data file.

Plain Python: no Flask, no database. The data file (``kampak.yaml`` beside this module by
default) is the office's to edit; a malformed file stops start-up with one message naming the
file, the service and the field.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

DEFAULT_CATALOGUE = Path(__file__).with_name("kampak.yaml")

# The actors of the seeds, by role code, with the words the office uses.
ROLES: dict[str, str] = {
    "pemohon": "Pemohon",
    "petugas_pelayanan": "Petugas Pelayanan",
    "petugas_verifikasi": "Petugas Verifikasi",
    "petugas_register": "Petugas Register",
    "kasi_pelayanan": "Kasi Pelayanan dan Perizinan",
    "sekcam": "Sekretaris Kecamatan",
    "camat": "Camat",
    "tim_teknis": "Tim Teknis",
    "pengolah_data": "Pengolah Data",
    "tim_pengaduan": "Tim Pengaduan",
}
STAFF_ROLES = tuple(r for r in ROLES if r != "pemohon")
ADMIN_ROLE = "admin"

# What a step does; the counter screen shows the matching form.
STEP_KINDS = {
    "submit",  # the applicant hands in the request (recorded when the ticket is called)
    "receive",  # a clerk receives the file and records the applicant
    "verify",  # the MS/TMS decision
    "register",  # validation and the agenda number
    "sign_request",  # the file goes to the signer
    "sign",  # a signature
    "process",  # other work (e-KTP recording, data input, complaint handling)
    "handover",  # the result is handed to the applicant
    "collect",  # the applicant receives the result
}

# Bounds of the numbers an office types in: a step's Mutu Baku minutes (a working day at most) and a
# service's daily quota. Written once: the catalogue's checks, the administration forms and the
# kiosk availability page (services/availability.py) all use these.
MAX_STEP_MINUTES = 1440
MAX_DAILY_QUOTA = 10_000

# Extra data a step records (``form`` of a step; shared/domain/applicant.py checks it):
STEP_FORMS = {
    "complaint",  # the complaint's text, its channel and an SP4N-LAPOR! tracking number (Pengaduan intake)
    "outcome",  # the outcome of a complaint: the berita acara kesepakatan
}

GROUPS: dict[str, str] = {
    "adminduk": "Administrasi Kependudukan",
    "surat_keterangan": "Surat Keterangan",
    "perizinan": "Perizinan/OSS",
    "pengaduan": "Pengaduan",
}


class CatalogueError(ValueError):
    """The catalogue file is malformed; the message names the file, the service and the field."""

    def __init__(self, path: Path | str, service: str | None, field_name: str, problem: str):
        self.path = str(path)
        self.service = service
        self.field = field_name
        where = f"service {service!r}, " if service else ""
        super().__init__(f"{self.path}: {where}field {field_name!r}: {problem}")


@dataclass(frozen=True)
class Step:
    number: int
    activity: str
    actor: str
    minutes: float  # whole minutes as an int; the catalogue allows fractions (2.5)
    kind: str
    documents: str = ""
    output: str = ""
    decision: bool = False
    in_person: bool = False
    note: str = ""
    actor_label: str = ""  # the office's name for the actor (catalogue ``actors``), kept in ticket flows
    form: str = ""  # extra data the step records (STEP_FORMS): "complaint" at intake, "outcome" at the decision

    @property
    def actor_name(self) -> str:
        return self.actor_label or ROLES.get(self.actor, self.actor)


@dataclass(frozen=True)
class Sop:
    code: str
    number: str
    title: str
    legal_basis: tuple[str, ...] = ()
    qualifications: str = ""  # the SOP's Kualifikasi Pelaksana (the standard's kompetensi pelaksana)
    equipment: tuple[str, ...] = ()  # the SOP's Peralatan / Perlengkapan (sarana dan prasarana)


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    group: str
    prefix: str
    steps: tuple[Step, ...]
    sop: str | None = None
    agenda_code: str | None = None
    requirements: tuple[str, ...] = ()
    name_en: str = ""
    source: str = ""
    group_label: str = ""  # the office's name for the group (catalogue ``groups``)
    anonymous: bool = False  # the applicant may stay anonymous: name and NIK optional (Pengaduan)

    @property
    def group_name(self) -> str:
        return self.group_label or GROUPS.get(self.group, self.group)

    @property
    def total_minutes(self) -> float:
        return sum(s.minutes for s in self.steps)

    @property
    def decision_step(self) -> Step:
        return next(s for s in self.steps if s.decision)

    def step(self, number: int) -> Step:
        for s in self.steps:
            if s.number == number:
                return s
        raise KeyError(number)

    @property
    def first_step(self) -> Step:
        return self.steps[0]

    @property
    def last_step(self) -> Step:
        return self.steps[-1]

    @property
    def actors(self) -> tuple[str, ...]:
        seen: list[str] = []
        for s in self.steps:
            if s.actor not in seen:
                seen.append(s.actor)
        return tuple(seen)


@dataclass(frozen=True)
class Office:
    name: str
    code: str
    address: str
    regency: str = ""
    phone: str = ""
    postal: str = ""
    timezone: str = "Asia/Jakarta"
    agenda_format: str = "{kode}/{urut:03d}/{kantor}/{tahun}"
    agenda_code: str = "470"
    # Opening rules (shared/services/availability.py). hours: Monday..Sunday, each a tuple of ("HH:MM", "HH:MM")
    # ranges (empty = closed that day); None = no office-hour limits.
    hours: tuple[tuple[tuple[str, str], ...], ...] | None = None
    holidays: tuple[str, ...] = ()  # ISO dates the office is closed
    quotas: dict[str, int] = field(default_factory=dict)  # daily ticket quota per service code
    last_ticket_minutes: int = 0  # the kiosk stops issuing this many minutes before closing


@dataclass(frozen=True)
class Catalogue:
    office: Office
    sops: dict[str, Sop]
    services: dict[str, Service]
    path: str = ""
    # The office's service groups (kiosk order) and actors, code -> name; defaults: GROUPS and ROLES.
    groups: dict[str, str] = field(default_factory=lambda: dict(GROUPS))
    actors: dict[str, str] = field(default_factory=lambda: dict(ROLES))

    @property
    def staff_roles(self) -> tuple[str, ...]:
        """The actors a staff user can hold (everyone but the applicant)."""
        return tuple(a for a in self.actors if a != "pemohon")

    def service(self, code: str) -> Service:
        return self.services[code]

    def by_group(self) -> dict[str, list[Service]]:
        out: dict[str, list[Service]] = {g: [] for g in self.groups}
        for s in self.services.values():
            out[s.group].append(s)
        return out

    def sop_of(self, service: Service) -> Sop | None:
        return self.sops.get(service.sop) if service.sop else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "office": asdict(self.office),
            "sops": [
                {**asdict(s), "legal_basis": list(s.legal_basis), "equipment": list(s.equipment)}
                for s in self.sops.values()
            ],
            "services": [service_to_dict(s, self) for s in self.services.values()],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def service_to_dict(service: Service, catalogue: Catalogue | None = None) -> dict[str, Any]:
    data = asdict(service)
    data["requirements"] = list(service.requirements)
    data["steps"] = [asdict(s) for s in service.steps]
    data["group_name"] = service.group_name
    data["total_minutes"] = service.total_minutes
    if catalogue is not None and service.sop:
        sop = catalogue.sops.get(service.sop)
        data["sop_number"] = sop.number if sop else None
    return data


def step_from_dict(data: dict[str, Any]) -> Step:
    """Rebuild a step from its stored form (the snapshot a ticket keeps of its flow)."""
    return Step(**{k: v for k, v in data.items() if k in Step.__dataclass_fields__})


# ---------------------------------------------------------------------------------------------
# Loading and validation


def load_catalogue(path: Path | str | None = None) -> Catalogue:
    path = Path(path) if path else DEFAULT_CATALOGUE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogueError(path, None, "file", "file not found") from None
    except yaml.YAMLError as exc:
        raise CatalogueError(path, None, "file", f"not valid YAML: {exc}") from None
    return parse_catalogue(raw, path)


def parse_catalogue(raw: Any, path: Path | str = "<catalogue>") -> Catalogue:
    if not isinstance(raw, dict):
        raise CatalogueError(path, None, "file", "must be a mapping with office, sops and services")
    office = _parse_office(raw.get("office"), path)
    sops: dict[str, Sop] = {}
    for i, item in enumerate(_list(raw.get("sops", []), path, None, "sops")):
        code = _text(item, "code", path, None, f"sops[{i}].code")
        if code in sops:
            raise CatalogueError(path, None, f"sops[{i}].code", f"duplicate SOP code {code!r}")
        sops[code] = Sop(
            code=code,
            number=_text(item, "number", path, None, f"sops[{i}].number"),
            title=_text(item, "title", path, None, f"sops[{i}].title"),
            legal_basis=tuple(str(x) for x in item.get("legal_basis", []) or []),
            qualifications=str(item.get("qualifications") or "").strip(),
            equipment=tuple(str(x) for x in item.get("equipment", []) or []),
        )
    groups = _parse_names(raw.get("groups"), GROUPS, path, "groups")
    actors = _parse_names(raw.get("actors"), ROLES, path, "actors")
    if "pemohon" not in actors:
        raise CatalogueError(path, None, "actors.pemohon", "the applicant (pemohon) is an actor of every service")
    services: dict[str, Service] = {}
    prefixes: dict[str, str] = {}
    items = _list(raw.get("services"), path, None, "services")
    if not items:
        raise CatalogueError(path, None, "services", "the catalogue has no services")
    for item in items:
        service = _parse_service(item, path, sops, groups, actors)
        if service.code in services:
            raise CatalogueError(path, service.code, "code", "duplicate service code")
        services[service.code] = service
        prefixes.setdefault(service.prefix, service.group)
    for code in office.quotas:
        if code not in services:
            raise CatalogueError(path, None, f"office.quotas.{code}", f"unknown service code {code!r}")
    return Catalogue(office=office, sops=sops, services=services, path=str(path), groups=groups, actors=actors)


CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def _parse_names(value: Any, default: dict[str, str], path, field_name: str) -> dict[str, str]:
    """An optional mapping of code -> name (``groups``, ``actors``); absent: the defaults."""
    if value is None:
        return dict(default)
    if not isinstance(value, dict) or not value:
        raise CatalogueError(path, None, field_name, "must be a mapping of code to name")
    out: dict[str, str] = {}
    for code, name in value.items():
        if not isinstance(code, str) or not CODE_RE.fullmatch(code):
            raise CatalogueError(path, None, f"{field_name}.{code}", "a code is 2-40 lower-case letters, digits or '_'")
        if not isinstance(name, str) or not name.strip():
            raise CatalogueError(path, None, f"{field_name}.{code}", "needs a name")
        out[code] = name.strip()
    return out


def _parse_office(data: Any, path) -> Office:
    if not isinstance(data, dict):
        raise CatalogueError(path, None, "office", "missing or not a mapping")
    kwargs: dict[str, Any] = {k: str(v) for k, v in data.items()
                              if k in Office.__dataclass_fields__ and k not in OPENING_FIELDS}
    for required in ("name", "code", "address"):
        if not kwargs.get(required, "").strip():
            raise CatalogueError(path, None, f"office.{required}", "is required")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(kwargs.get("timezone", "Asia/Jakarta"))
    except Exception:
        raise CatalogueError(path, None, "office.timezone", "unknown time zone") from None
    if "agenda_format" in kwargs:
        from antrean.shared.domain.numbering import agenda_number

        try:
            agenda_number(kwargs["agenda_format"], kode="470", urut=1, kantor=kwargs["code"], tahun=2026)
        except ValueError as exc:
            raise CatalogueError(path, None, "office.agenda_format",
                                 f"{exc}; use the fields {{kode}}, {{urut:03d}}, {{kantor}}, {{tahun}}") from None
    kwargs.update(_parse_opening(data, path))
    return Office(**kwargs)


# -- opening rules (office.hours, office.holidays, office.quotas, office.last_ticket_minutes) --

OPENING_FIELDS = ("hours", "holidays", "quotas", "last_ticket_minutes")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NAMES = {
    **{d: i for i, d in enumerate(WEEKDAYS)},
    **{d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                   "sunday"))},
    **{d: i for i, d in enumerate(("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu"))},
}
_CLOSED_WORDS = ("closed", "tutup", "libur", "")


def parse_time_ranges(value: Any) -> tuple[tuple[str, str], ...]:
    """``"07:30-15:30"``, ``"07.30-11.00, 13.00-14.00"``, a list of such, or ``closed``/``tutup``
    -> (("07:30", "15:30"), ...). Raises ValueError with a plain message."""
    if value is None or value is False:
        return ()
    parts = value if isinstance(value, list) else str(value).split(",")
    ranges: list[tuple[str, str]] = []
    for part in parts:
        text = str(part).strip().lower()
        if text in _CLOSED_WORDS:
            continue
        m = re.fullmatch(r"(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})", text)
        if not m:
            raise ValueError(f"{part!r} is not a time range like '07:30-15:30' (or 'closed')")
        h1, m1, h2, m2 = (int(x) for x in m.groups())
        if not (h1 <= 23 and m1 <= 59 and h2 <= 24 and m2 <= 59 and (h2 < 24 or m2 == 0)):
            raise ValueError(f"{part!r} is not a valid time of day")
        start, end = f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"
        if end <= start:
            raise ValueError(f"{part!r} ends before it starts")
        if ranges and start < ranges[-1][1]:
            raise ValueError(f"{part!r} overlaps or comes before the range before it")
        ranges.append((start, end))
    return tuple(ranges)


def parse_hours(value: Any) -> tuple[tuple[tuple[str, str], ...], ...]:
    """A mapping of weekday (mon..sun, senin..minggu) to time ranges -> 7 tuples, Monday first.
    A weekday not listed is closed. Raises ValueError naming the day. The exported form (a list of
    seven lists of [start, end] pairs, Monday first) is read back too."""
    if isinstance(value, (list, tuple)) and len(value) == 7:
        value = {WEEKDAYS[i]: day if not isinstance(day, (list, tuple)) else [
            f"{r[0]}-{r[1]}" if isinstance(r, (list, tuple)) and len(r) == 2 else r for r in day]
            for i, day in enumerate(value)}
    if not isinstance(value, dict):
        raise ValueError("must be a mapping of weekday (mon, tue, ... sun) to '07:30-15:30' or 'closed'")
    week: list[tuple[tuple[str, str], ...]] = [()] * 7
    for key, ranges in value.items():
        day = _WEEKDAY_NAMES.get(str(key).strip().lower())
        if day is None:
            raise ValueError(f"unknown weekday {key!r}; use mon, tue, wed, thu, fri, sat, sun")
        try:
            week[day] = parse_time_ranges(ranges)
        except ValueError as exc:
            raise ValueError(f"{WEEKDAYS[day]}: {exc}") from None
    return tuple(week)


def _parse_opening(data: dict, path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if data.get("hours") is not None:
        try:
            out["hours"] = parse_hours(data["hours"])
        except ValueError as exc:
            raise CatalogueError(path, None, "office.hours", str(exc)) from None
    holidays = data.get("holidays") or []
    if not isinstance(holidays, list):
        raise CatalogueError(path, None, "office.holidays", "must be a list of dates (YYYY-MM-DD)")
    days = []
    for item in holidays:
        try:
            days.append((item if isinstance(item, date) else date.fromisoformat(str(item).strip())).isoformat())
        except ValueError:
            raise CatalogueError(path, None, "office.holidays", f"{item!r} is not a date (YYYY-MM-DD)") from None
    out["holidays"] = tuple(sorted(set(days)))
    quotas = data.get("quotas") or {}
    if not isinstance(quotas, dict):
        raise CatalogueError(path, None, "office.quotas", "must be a mapping of service code to a daily number")
    for code, n in quotas.items():
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= MAX_DAILY_QUOTA:
            raise CatalogueError(path, None, f"office.quotas.{code}",
                                 f"must be a whole number from 0 to {MAX_DAILY_QUOTA}, got {n!r}")
    out["quotas"] = {str(k): v for k, v in quotas.items()}
    last = data.get("last_ticket_minutes", 0)
    if not isinstance(last, int) or isinstance(last, bool) or not 0 <= last <= 240:
        raise CatalogueError(path, None, "office.last_ticket_minutes", f"must be minutes from 0 to 240, got {last!r}")
    out["last_ticket_minutes"] = last
    return out


def _parse_service(item: Any, path, sops: dict[str, Sop], groups: dict[str, str] = GROUPS,
                   actors: dict[str, str] = ROLES) -> Service:
    if not isinstance(item, dict):
        raise CatalogueError(path, None, "services", "each service must be a mapping")
    code = item.get("code")
    if not isinstance(code, str) or not code.strip():
        raise CatalogueError(path, str(item.get("name", "?")), "code", "is required")
    name = _text(item, "name", path, code, "name")
    group = _text(item, "group", path, code, "group")
    if group not in groups:
        raise CatalogueError(path, code, "group", f"unknown group {group!r}; one of {sorted(groups)}")
    prefix = _text(item, "prefix", path, code, "prefix")
    if not (prefix.isalpha() and prefix.isupper() and len(prefix) <= 3):
        raise CatalogueError(path, code, "prefix", "must be 1-3 capital letters")
    sop = item.get("sop")
    if sop is not None and sop not in sops:
        raise CatalogueError(path, code, "sop", f"unknown SOP {sop!r}")
    raw_steps = _list(item.get("steps"), path, code, "steps")
    if len(raw_steps) < 2:
        raise CatalogueError(path, code, "steps", "a service needs at least two steps")
    steps = tuple(_parse_step(s, i, path, code, actors) for i, s in enumerate(raw_steps))
    for expected, step in enumerate(steps, start=1):
        if step.number != expected:
            raise CatalogueError(
                path, code, f"steps[{expected - 1}].number",
                f"step numbers must run 1, 2, 3, ... without gaps; found {step.number} where {expected} belongs",
            )
    decisions = [s for s in steps if s.decision]
    if len(decisions) != 1:
        raise CatalogueError(
            path, code, "steps.decision",
            "exactly one step must be the MS/TMS decision" if decisions else "no decision (MS/TMS) step",
        )
    if steps[0].actor != "pemohon":
        raise CatalogueError(path, code, "steps[0].actor", "step 1 is the applicant (pemohon) submitting")
    if any(s.actor == "pemohon" for s in steps[1:-1]):
        raise CatalogueError(path, code, "steps.actor", "pemohon may act only in the first and last step")
    requirements = item.get("requirements", []) or []
    if not isinstance(requirements, list) or not all(isinstance(r, str) for r in requirements):
        raise CatalogueError(path, code, "requirements", "must be a list of document names")
    return Service(
        code=code,
        name=name,
        group=group,
        prefix=prefix,
        steps=steps,
        sop=sop,
        agenda_code=str(item["agenda_code"]) if item.get("agenda_code") is not None else None,
        requirements=tuple(requirements),
        name_en=str(item.get("name_en", "")),
        source=str(item.get("source", "")),
        group_label=groups[group],
        anonymous=_flag(item, "anonymous", path, code),
    )


def _flag(item: dict, name: str, path, code: str) -> bool:
    value = item.get(name, False)
    if not isinstance(value, bool):
        raise CatalogueError(path, code, name, f"must be true or false, got {value!r}")
    return value


def _parse_step(data: Any, index: int, path, code: str, actors: dict[str, str] = ROLES) -> Step:
    where = f"steps[{index}]"
    if not isinstance(data, dict):
        raise CatalogueError(path, code, where, "each step must be a mapping")
    number = data.get("number")
    if not isinstance(number, int) or isinstance(number, bool):
        raise CatalogueError(path, code, f"{where}.number", "must be a whole number")
    actor = data.get("actor")
    if actor not in actors:
        raise CatalogueError(path, code, f"{where}.actor", f"unknown actor {actor!r}; one of {sorted(actors)}")
    minutes = data.get("minutes")
    if not isinstance(minutes, (int, float)) or isinstance(minutes, bool) or not 0 <= minutes <= MAX_STEP_MINUTES:
        raise CatalogueError(path, code, f"{where}.minutes",
                             f"must be a number of minutes from 0 to {MAX_STEP_MINUTES}, got {minutes!r}")
    kind = data.get("kind")
    if kind not in STEP_KINDS:
        raise CatalogueError(path, code, f"{where}.kind", f"unknown kind {kind!r}; one of {sorted(STEP_KINDS)}")
    form = data.get("form") or ""
    if form and form not in STEP_FORMS:
        raise CatalogueError(path, code, f"{where}.form", f"unknown form {form!r}; one of {sorted(STEP_FORMS)}")
    activity = data.get("activity")
    if not isinstance(activity, str) or not activity.strip():
        raise CatalogueError(path, code, f"{where}.activity", "is required")
    return Step(
        number=number,
        activity=activity.strip(),
        actor=actor,
        minutes=int(minutes) if float(minutes).is_integer() else minutes,
        kind=kind,
        documents=str(data.get("documents", "")),
        output=str(data.get("output", "")),
        decision=bool(data.get("decision", False)),
        in_person=bool(data.get("in_person", kind in ("submit", "handover", "collect"))),
        note=str(data.get("note", "")),
        actor_label=actors[actor],
        form=form,
    )


def _list(value: Any, path, service, field_name) -> list:
    if value is None:
        raise CatalogueError(path, service, field_name, "is required")
    if not isinstance(value, list):
        raise CatalogueError(path, service, field_name, "must be a list")
    return value


def _text(data: dict, key: str, path, service, field_name) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(path, service, field_name, "is required")
    return value.strip()


# ---------------------------------------------------------------------------------------------
# Export: the catalogue back in the data file's own shape (what load_catalogue reads)

_STEP_DEFAULTS = {"documents": "", "output": "", "note": "", "form": ""}


def catalogue_to_data(catalogue: Catalogue) -> dict[str, Any]:
    """The catalogue as the data file holds it: ``parse_catalogue(catalogue_to_data(c))`` equals ``c``."""
    return {
        "office": office_to_data(catalogue.office),
        "sops": [{"code": s.code, "number": s.number, "title": s.title, "legal_basis": list(s.legal_basis),
                  **({"qualifications": s.qualifications} if s.qualifications else {}),
                  **({"equipment": list(s.equipment)} if s.equipment else {})}
                 for s in catalogue.sops.values()],
        "groups": dict(catalogue.groups),
        "actors": dict(catalogue.actors),
        "services": [service_to_data(s) for s in catalogue.services.values()],
    }


def office_to_data(office: Office) -> dict[str, Any]:
    data: dict[str, Any] = {k: getattr(office, k) for k in Office.__dataclass_fields__ if k not in OPENING_FIELDS}
    if office.hours is not None:
        data["hours"] = {WEEKDAYS[i]: ", ".join(f"{a}-{b}" for a, b in ranges) or "closed"
                         for i, ranges in enumerate(office.hours)}
    data["last_ticket_minutes"] = office.last_ticket_minutes
    data["holidays"] = list(office.holidays)
    data["quotas"] = dict(office.quotas)
    return data


def service_to_data(service: Service) -> dict[str, Any]:
    data: dict[str, Any] = {"code": service.code, "name": service.name}
    if service.name_en:
        data["name_en"] = service.name_en
    data.update(group=service.group, prefix=service.prefix, sop=service.sop)
    if service.agenda_code is not None:
        data["agenda_code"] = service.agenda_code
    if service.source:
        data["source"] = service.source
    if service.anonymous:
        data["anonymous"] = True
    data["requirements"] = list(service.requirements)
    data["steps"] = [step_to_data(s) for s in service.steps]
    return data


def step_to_data(step: Step) -> dict[str, Any]:
    data: dict[str, Any] = {"number": step.number, "activity": step.activity, "actor": step.actor,
                            "kind": step.kind}
    if step.decision:
        data["decision"] = True
    if step.in_person != (step.kind in ("submit", "handover", "collect")):
        data["in_person"] = step.in_person
    data["minutes"] = step.minutes
    data.update({k: getattr(step, k) for k, default in _STEP_DEFAULTS.items() if getattr(step, k) != default})
    return data


def dump_catalogue(catalogue: Catalogue) -> str:
    """The catalogue as a YAML data file (the format of shared/domain/kampak.yaml), for export."""
    header = (f"# Antrean SOP catalogue: {catalogue.office.name}"
              f"{', ' + catalogue.office.regency if catalogue.office.regency else ''}.\n"
              "# Exported by Antrean; the format is described at the top of shared/domain/kampak.yaml.\n\n")
    return header + yaml.safe_dump(catalogue_to_data(catalogue), allow_unicode=True, sort_keys=False, width=120)
