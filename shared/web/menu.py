"""The staff menu on every staff page: the pages this user's roles may open.

Who may open a page is written once, on its route (``roles_required(...)`` keeps the roles on the
view as ``view.roles``; a view with only ``login_required`` is open to every staff user). The menu
reads those rules from the app's view functions, so a link is shown exactly when following it
would not answer 403."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user


def N_(message: str) -> str:
    """Marks a label for the translation catalogue; translated when the menu is drawn."""
    return message


@dataclass(frozen=True)
class Entry:
    endpoint: str
    label: str


# The staff pages, in the order the menu shows them.
ENTRIES: tuple[Entry, ...] = (
    Entry("counter.index", N_("Loket")),
    Entry("files.index", N_("Berkas menunggu")),
    Entry("reports.index", N_("Laporan")),
    Entry("reports.register", N_("Buku Register")),
    Entry("reports.evaluation", N_("Paket evaluasi")),
    Entry("skm.index", N_("Hasil SKM")),
    Entry("availability.index", N_("Layanan kios")),
    Entry("printing.index", N_("Antrean cetak")),
    Entry("outbox.index", N_("Pesan keluar")),
    Entry("display.settings", N_("Layar & suara")),
    Entry("standards.index", N_("Standar Pelayanan")),
    Entry("admin.index", N_("Administrasi")),
)

# Pages under these blueprints are staff pages: they show the menu.
STAFF_BLUEPRINTS = frozenset({"counter", "files", "reports", "availability", "printing", "admin", "standards", "skm",
                              "outbox"})
# Pages whose own header has the user's name and a logout button: the menu leaves them out there
# (the counter screen, also as the answer to a refused call or step).
OWN_HEADER = frozenset({"counter.index", "counter.call_next", "counter.call_chosen", "counter.complete_step"})


def init_app(app: Flask) -> None:
    app.context_processor(_inject)


def may_open(endpoint: str, roles: Iterable[str], app: Flask | None = None) -> bool:
    """Whether a user holding ``roles`` may open ``endpoint``: the route's own rule (``view.roles``)."""
    view = (app or current_app).view_functions.get(endpoint)
    if view is None:
        return False
    allowed = getattr(view, "roles", None)
    return allowed is None or bool(set(roles) & set(allowed))


def menu_for(roles: Iterable[str], app: Flask | None = None) -> list[Entry]:
    """The entries a user with ``roles`` may open, in menu order."""
    held = set(roles)
    return [e for e in ENTRIES if may_open(e.endpoint, held, app)]


def _is_staff_page() -> bool:
    return request.blueprint in STAFF_BLUEPRINTS or request.endpoint in {e.endpoint for e in ENTRIES}


def _inject() -> dict[str, Any]:
    if not _is_staff_page() or not getattr(current_user, "is_authenticated", False):
        return {"staff_menu": None}
    entries = menu_for(getattr(current_user, "roles", None) or ())
    here = request.endpoint or ""
    current = here if any(e.endpoint == here for e in entries) else next(
        (e.endpoint for e in entries if e.endpoint.split(".")[0] == here.split(".")[0]), None)
    return {"staff_menu": [{"url": url_for(e.endpoint), "label": _(e.label), "endpoint": e.endpoint,
                            "current": e.endpoint == current} for e in entries],
            "staff_user": None if here in OWN_HEADER else getattr(current_user, "full_name", "")}
