"""What the staff availability page reads: every service's state now and today's closures and
quotas, from one consistent read in ``reading()`` (the page never holds a kiosk back)."""
from __future__ import annotations

from datetime import datetime

from antrean.shared.domain import numbering
from antrean.shared.services import availability
from antrean.shared.services.context import Context
from antrean.shared.store.db import reading


def today(desk: Context, now: datetime) -> tuple[dict[str, availability.State], availability.Overrides]:
    """``(states by service code, today's overrides)`` at ``now``."""
    with reading(desk.sessions) as s:
        states = availability.service_states(desk, s, now)
        overrides = availability.load_overrides(s, numbering.office_day(now, desk.tz))
    return states, overrides
