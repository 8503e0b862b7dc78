"""Password hashing (werkzeug's scrypt) and the one-time passwords the demo command prints."""
from __future__ import annotations

import secrets

from werkzeug.security import check_password_hash, generate_password_hash


def hash_password(password: str) -> str:
    return generate_password_hash(password)


_UNKNOWN_USER_HASH: list[str] = []  # made on first use: a hash no password matches


def verify_login(stored: str | None, password: str) -> bool:
    """A login's password check. An unknown user name (``stored`` None) costs one hash check too,
    so the answer's timing does not tell which user names exist."""
    if stored is None:
        if not _UNKNOWN_USER_HASH:
            _UNKNOWN_USER_HASH.append(generate_password_hash(secrets.token_urlsafe(24)))
        check_password_hash(_UNKNOWN_USER_HASH[0], password)
        return False
    return check_password_hash(stored, password)


def new_password() -> str:
    words = secrets.token_urlsafe(9)
    return words.replace("-", "x").replace("_", "y")
