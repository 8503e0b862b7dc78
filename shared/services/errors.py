"""What every operation shares: its errors, who acts, and the checks of ids and personal data a
request brings. No Flask: the web edge maps ``OperationError.status`` to an HTTP status."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from antrean.shared.store.models import User


class OperationError(Exception):
    """A request that cannot be done; ``code`` maps to an HTTP status in the blueprints."""

    status = 400

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.code = code


class NotFound(OperationError):
    status = 404

    def __init__(self, message: str):
        super().__init__(message, "not_found")


class Forbidden(OperationError):
    status = 403

    def __init__(self, message: str):
        super().__init__(message, "forbidden")


class Conflict(OperationError):
    status = 409


@dataclass(frozen=True)
class Actor:
    """Who acts: a logged-in user (or a device acting for one)."""

    user_id: int | None  # None: the command line (audited as ``cli``)
    username: str
    roles: frozenset[str]
    loket_id: int | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.username, frozenset(user.roles or ()), user.loket_id)


MAX_ID = 2**63 - 1  # the largest key SQLite and PostgreSQL (BIGINT) store


def record_id(value: Any, what: str = "ticket") -> int:
    """A row id from a request (path, JSON or form): a whole number, or its digits as text; else
    ``NotFound``. So is a number too large for the database (the driver would fail: a 500), and
    what ``int()`` would stretch into an id: ``true``, ``2.5``, ``" 2"``, ``"2_0"``, ``"٢"``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise NotFound(f"{what} not found")
    return value


def mask_nik(nik: str | None) -> str:
    if not nik:
        return ""
    return nik[:4] + "*" * 8 + nik[-4:]


_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")
BAD_TEXT = "Teks berisi karakter yang tidak sah (NUL atau surrogate tunggal). Periksa lalu ketik ulang."


def clean_text(*values: Any) -> None:
    """Refuse text no database stores: NUL (PostgreSQL's text refuses it) and a lone UTF-16 surrogate
    (a JSON ``"\\ud800"`` escape; neither SQLite nor PostgreSQL can encode it). Strings are looked for
    in ``values`` and inside their lists, tuples and dicts (keys and values). The one rule every
    service that stores text calls, before its transaction: a 400 ``bad_text``, never a 500."""
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _BAD_CHARS.search(value):
                raise OperationError(BAD_TEXT, "bad_text")
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, (list, tuple, set, frozenset)):
            stack.extend(value)
