"""How the kiosk behaves, as the administrator set it (the ``settings`` table, so every server process
and every kiosk sees it, and it survives a restart).

``kiosk_confirm`` (on unless turned off): after a tap on a service the kiosk shows the service and
the documents to bring, with "Ambil tiket" and "Kembali", so one wrong tap prints no ticket.

Plain Python over SQLAlchemy sessions: no Flask.
"""
from __future__ import annotations

from typing import Any

from antrean.shared.services.context import Context
from antrean.shared.services.errors import Actor, Forbidden, OperationError
from antrean.shared.store import settings
from antrean.shared.store.db import reading, transaction
from antrean.shared.store.models import AuditEntry

CONFIRM_KEY = "kiosk_confirm"
EDITOR_ROLES = frozenset({"admin"})  # who may change how the kiosk behaves


def options(ctx: Context) -> dict[str, Any]:
    """``{"confirm": bool}``: what every kiosk page needs to know."""
    with reading(ctx.sessions) as s:
        stored = settings.get(s, CONFIRM_KEY, True)
    return {"confirm": stored if isinstance(stored, bool) else True}


def set_confirm(ctx: Context, actor: Actor, on: Any) -> dict[str, Any]:
    """Turn the confirmation step on or off (an administrator; audited)."""
    if not actor.roles & EDITOR_ROLES:
        raise Forbidden("Hanya administrator yang dapat mengubah pengaturan kios.")
    if not isinstance(on, bool):
        raise OperationError("Pilih apakah kios menampilkan konfirmasi (ya atau tidak).", "bad_setting")
    now = ctx.clock()
    with transaction(ctx.sessions) as s:
        before = settings.get_for_update(s, CONFIRM_KEY, True)
        settings.put(s, CONFIRM_KEY, on, now, actor.user_id)
        s.add(AuditEntry(at=now, user_id=actor.user_id, username=actor.username, role="admin",
                         action="kiosk:confirm", before={"confirm": before}, after={"confirm": on}))
    return {"confirm": on}
