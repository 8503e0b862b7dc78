"""Password hashing (werkzeug's scrypt) and the one-time passwords the demo command prints."""
from __future__ import annotations

import secrets

from werkzeug.security import check_password_hash, generate_password_hash


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def verify_password(stored: str, password: str) -> bool:
    return check_password_hash(stored, password)


def new_password() -> str:
    words = secrets.token_urlsafe(9)
    return words.replace("-", "x").replace("_", "y")
