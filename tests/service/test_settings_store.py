"""The settings repository: typed reads, several keys in one read, writes in the caller's transaction."""
from __future__ import annotations

from antrean.shared.store import settings
from antrean.shared.store.db import core_transaction, reading, transaction


def test_read_get_and_put(desk, clock):
    sessions = desk.sessions
    with reading(sessions) as s:
        assert settings.read(s, ("call_rule", "no_show_requeues")) == {}
        assert settings.get(s, "call_rule", "priority_first") == "priority_first"
    with transaction(sessions) as s:
        settings.put(s, "call_rule", "fifo", clock.now)
        settings.put(s, "no_show_requeues", "2", clock.now, None)
        settings.put(s, "running_text", None, clock.now)  # stored as null: reads as unset
    with transaction(sessions) as s:
        assert settings.get_for_update(s, "call_rule") == "fifo"
        settings.put(s, "call_rule", "priority_first", clock.now)  # the same row, changed
    with reading(sessions) as s:
        assert settings.read(s, ["call_rule", "no_show_requeues", "running_text"]) == {
            "call_rule": "priority_first", "no_show_requeues": "2"}
        assert settings.get_int(s, "no_show_requeues", 1) == 2
        assert settings.get(s, "running_text", "x") == "x"
    with core_transaction(sessions) as conn:  # the kiosk's hot path reads on a Core connection
        assert settings.get(conn, "call_rule") == "priority_first"


def test_one_statement_per_set_of_keys():
    assert settings.statement(("a", "b")) is settings.statement(("a", "b"))
