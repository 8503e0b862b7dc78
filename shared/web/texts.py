"""Words the kiosk shows for the opening rules, in the page's language (Flask-Babel)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_date
from flask_babel import get_locale
from flask_babel import gettext as _

from antrean.shared.domain.clock import local
from antrean.shared.domain.opening_hours import State
from antrean.shared.domain.queue import PRIORITY_TEXT


def _lang() -> str:
    return str(get_locale() or "id")


def when(at: datetime, now: datetime, tz: str) -> str:
    """``"hari ini 13.00"``, ``"besok 07.30"``, ``"Senin 07.30"`` or ``"Senin, 5 Januari 07.30"``."""
    at, now = local(at, tz), local(now, tz)
    lang = _lang()
    clock = at.strftime("%H.%M" if lang == "id" else "%H:%M")
    days = (at.date() - now.date()).days
    if days == 0:
        return _("hari ini %(time)s", time=clock)
    if days == 1:
        return _("besok %(time)s", time=clock)
    pattern = "EEEE" if days < 7 else "EEEE, d MMMM"
    return f"{format_date(at.date(), pattern, locale=lang)} {clock}"


def closed_message(state: State, now: datetime, tz: str) -> str:
    """Why a service takes no tickets, in plain words, with when it opens again."""
    if state.open:
        return ""
    again = when(state.reopens_at, now, tz) if state.reopens_at else None
    if state.reason == "outside_hours":
        return (_("Di luar jam pelayanan, buka kembali %(when)s", when=again) if again
                else _("Di luar jam pelayanan"))
    if state.reason == "holiday":
        return _("Hari libur, buka kembali %(when)s", when=again) if again else _("Hari libur")
    if state.reason == "quota_full":
        return _("Kuota hari ini sudah habis")
    return _("Layanan ditutup hari ini")


def state_dict(state: State, now: datetime, tz: str) -> dict[str, Any]:
    return {**state.to_dict(), "message": closed_message(state, now, tz)}


def office_message(states: dict[str, State], now: datetime, tz: str) -> str:
    """One banner for the whole kiosk when nothing can be taken for a shared reason."""
    closed = [st for st in states.values() if not st.open]
    if not states or len(closed) < len(states):
        return ""
    reasons = {st.reason for st in closed}
    if reasons <= {"outside_hours", "holiday", "office_closed"} and len(reasons) == 1:
        return closed_message(closed[0], now, tz)
    return ""


def priority_labels() -> dict[str, str]:
    """The kiosk's priority buttons: the domain's words (``domain.queue.PRIORITY_TEXT``) in the page's language."""
    return {reason: _(text) for reason, text in PRIORITY_TEXT.items()}
