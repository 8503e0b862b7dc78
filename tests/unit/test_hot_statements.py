"""The statements the ticket issue and print paths run for every ticket are built once and have
no expanding IN: their SQL is the same on every execution (docs/performance.md, session 4)."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from antrean.shared.services import issuing, print_queue


def sql(statement, dialect) -> str:
    return str(statement.compile(dialect=dialect))


def test_hot_statements_have_one_parameter_per_value():
    statements = [issuing._READ_SETTINGS, print_queue._CLAIM[False], print_queue._CLAIM[True],
                  print_queue._printed_statement((print_queue.PRINTING,), "server"), print_queue._slip_tickets(3)]
    for statement in statements:
        for dialect in (sqlite.dialect(), postgresql.dialect()):
            assert "POSTCOMPILE" not in sql(statement, dialect)
    assert sql(issuing._READ_SETTINGS, sqlite.dialect()).endswith("IN (?, ?, ?)")
    assert print_queue._slip_tickets(3) is print_queue._slip_tickets(3)  # one statement per batch size
