"""The administration forms <-> the catalogue data file's shape. A form that fails validation is shown
again with what the administrator typed, so nothing is lost."""
from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from antrean.shared.domain.catalogue import WEEKDAYS

BLANK_STEP_ROWS = 2  # empty rows under a service's steps, for adding steps without script
STEP_TEXT_FIELDS = ("activity", "documents", "output", "note")


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _number(text: str | None) -> Any:
    """Minutes as a number when they are one; otherwise the text, which the catalogue refuses by name."""
    text = (text or "").strip().replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def service_from_form(form: MultiDict) -> dict[str, Any]:
    """A service in the data file's shape from the edit form. Step rows: ``steps-<i>-<field>``; a row
    with no activity or with ``delete`` ticked is dropped; rows are ordered by ``order`` and renumbered."""
    service: dict[str, Any] = {
        "code": (form.get("code") or "").strip(),
        "name": (form.get("name") or "").strip(),
        "name_en": (form.get("name_en") or "").strip(),
        "group": form.get("group") or "",
        "prefix": (form.get("prefix") or "").strip().upper(),
        "sop": form.get("sop") or None,
        "agenda_code": (form.get("agenda_code") or "").strip() or None,
        "source": (form.get("source") or "").strip(),
        "requirements": _lines(form.get("requirements")),
        "anonymous": True if form.get("anonymous") else None,  # name and NIK optional (Pengaduan)
    }
    rows = []
    decision = form.get("decision")
    i = 0
    while f"steps-{i}-activity" in form:
        row = {k: (form.get(f"steps-{i}-{k}") or "").strip() for k in STEP_TEXT_FIELDS}
        if row["activity"] and not form.get(f"steps-{i}-delete"):
            step = {"activity": row["activity"], "actor": form.get(f"steps-{i}-actor") or "",
                    "kind": form.get(f"steps-{i}-kind") or "",
                    "minutes": _number(form.get(f"steps-{i}-minutes")),
                    "in_person": bool(form.get(f"steps-{i}-in_person"))}
            if decision == str(i):
                step["decision"] = True
            step.update({k: row[k] for k in ("documents", "output", "note") if row[k]})
            if form.get(f"steps-{i}-form"):  # what the step records besides (a complaint, its outcome)
                step["form"] = form.get(f"steps-{i}-form")
            order = _number(form.get(f"steps-{i}-order"))
            rows.append((order if isinstance(order, (int, float)) else 10_000 + i, i, step))
        i += 1
    rows.sort(key=lambda r: (r[0], r[1]))
    service["steps"] = [{"number": n, **step} for n, (_o, _i, step) in enumerate(rows, start=1)]
    return {k: v for k, v in service.items() if v not in ("", None) or k in ("code", "name", "group", "prefix")}


def step_rows(service: dict[str, Any]) -> list[dict[str, Any]]:
    """The service's steps plus blank rows, as the form shows them."""
    blank = {"activity": "", "actor": "petugas_pelayanan", "kind": "process", "minutes": "", "in_person": False}
    return [*service.get("steps", []), *[dict(blank) for _ in range(BLANK_STEP_ROWS)]]


def names_from_form(form: MultiDict, kind: str) -> dict[str, str]:
    """``<kind>-<i>-code`` / ``-name`` rows (kind: groups or actors) -> {code: name}; a row ticked
    ``delete`` or with no code is dropped; a code with no name is kept so the catalogue refuses it by name."""
    out: dict[str, str] = {}
    i = 0
    while f"{kind}-{i}-code" in form:
        code = (form.get(f"{kind}-{i}-code") or "").strip()
        if code and not form.get(f"{kind}-{i}-delete"):
            out[code] = (form.get(f"{kind}-{i}-name") or "").strip()
        i += 1
    return out


def office_from_form(form: MultiDict, service_codes: list[str]) -> dict[str, Any]:
    fields: dict[str, Any] = {k: form.get(k, "") for k in ("name", "regency", "code", "address", "phone",
                                                           "postal", "timezone", "agenda_format", "agenda_code")}
    if form.get("limit_hours"):
        fields["hours"] = {day: (form.get(f"hours-{day}") or "").strip() or "closed" for day in WEEKDAYS}
    else:
        fields["hours"] = None
    fields["holidays"] = form.get("holidays", "")
    fields["last_ticket_minutes"] = form.get("last_ticket_minutes", "0") or "0"
    fields["quotas"] = {code: form.get(f"quota-{code}", "") for code in service_codes}
    return fields
