"""The back-office queue (Kasi, Sekcam, Camat, and every role with files waiting): a compact list of
the files whose current step the user's roles may do, oldest file first, each with its age and how
long it has waited at this step. Opening one shows it on the loket screen with its step form.

    GET /counter/files/   the list (login required)
"""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template
from flask_babel import format_timedelta
from flask_login import login_required

from antrean.shared.web.helpers import current_actor, desk

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
    return render_template("files/index.html", files=rows)
