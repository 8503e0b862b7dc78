"""The back-office queue (Kasi, Sekcam, Camat, and every role with files waiting): a compact list of
the files whose current step the user's roles may do, oldest file first, each with its age and how
long it has waited at this step. Opening one shows it on the loket screen with its step form.

    GET /counter/files/         the list (login required)
    GET /counter/files/alerts   the Kasi's live alerts (JSON; the Kasi's pages poll it)

The Kasi (kasi_pelayanan) also sees, on this list and on the counter page, the running requests that
are late: a step past its Mutu Baku by the configured margin, or a request past its promised time
(shared/services/evaluation.alerts). The pages refresh them by polling ``alerts`` every
``ALERTS_REFRESH_SECONDS`` (30 by default): ticket number, service, step and how late, never the
applicant's name.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import login_required

from antrean.shared.services.evaluation import ALERT_ROLES, alerts, sees_alerts
from antrean.shared.web.helpers import current_actor, desk, roles_required

bp = Blueprint("files", __name__, url_prefix="/counter/files", template_folder="templates")


def _age(since: str, now: datetime) -> str:
    return format_timedelta(now - datetime.fromisoformat(since), threshold=1.1, add_direction=False)


@bp.get("/")
@login_required
def index():
    d = desk()
    now = d.clock()
    files = sorted(d.work_queue(current_actor()), key=lambda t: t["created_at"])  # the oldest file first
    rows = [{**t, "age": _age(t["created_at"], now), "at_step": _age(t["since"], now),
             "step": next((st for st in t["steps"] if st["state"] == "current"), None)} for t in files]
    return render_template("files/index.html", files=rows, **alert_context())


def _minutes(value: float) -> str:
    return f"{value:g}"


def alert_text(a: dict[str, Any]) -> str:
    """One alert as the Kasi reads it (no applicant's name: the view has none)."""
    if a["kind"] == "step":
        return _("%(number)s · %(service)s · langkah %(step)s (%(activity)s): %(late)s menit melewati Mutu Baku "
                 "%(standard)s menit", number=a["number"], service=a["service"], step=a["step"],
                 activity=a["activity"], late=_minutes(a["late_minutes"]), standard=_minutes(a["standard_minutes"]))
    return _("%(number)s · %(service)s · langkah %(step)s: %(late)s menit melewati waktu yang dijanjikan "
             "(%(standard)s menit kerja)", number=a["number"], service=a["service"], step=a["step"],
             late=_minutes(a["late_minutes"]), standard=_minutes(a["standard_minutes"]))


def current_alerts() -> list[dict[str, Any]]:
    return [{"number": a["number"], "service": a["service"], "step": a["step"], "kind": a["kind"],
             "late_minutes": a["late_minutes"], "text": alert_text(a)} for a in alerts(desk())]


def alert_context() -> dict[str, Any]:
    """What a Kasi's page needs to show the alerts (nothing for other roles)."""
    if not sees_alerts(current_actor()):
        return {"late_alerts": None}
    return {"late_alerts": current_alerts(),
            "alerts_refresh": int(current_app.config.get("ALERTS_REFRESH_SECONDS", 30))}


@bp.get("/alerts")
@roles_required(*ALERT_ROLES)
def alerts_json():
    return jsonify({"alerts": current_alerts()})
