"""Staff accounts: the one staff login check, shared by the login form and the staff API.

A user name and password (the form, HTTP Basic), a device token acting for a user (``Bearer``), the
user of a session cookie: each is read in ``reading()`` (a login never waits behind a kiosk, nor
makes one wait). Only a device token's "last seen" time is written, at most once a minute, in its
own short transaction (shared/services/tokens.py).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from antrean.shared.services.errors import Actor
from antrean.shared.services.passwords import verify_login
from antrean.shared.services.tokens import check_token
from antrean.shared.store.db import reading
from antrean.shared.store.models import User


def _detached(s: Session, user: User | None) -> User | None:
    if user is None or not user.active:
        return None
    s.expunge(user)
    return user


def check_password(sessions: sessionmaker[Session], username: str, password: str) -> User | None:
    """The active user ``username`` if ``password`` is theirs, else None. An unknown name costs one
    hash check too (``verify_login``), so the timing does not tell which names exist."""
    with reading(sessions) as s:
        user = s.scalar(select(User).where(User.username == username))
        if not verify_login(user.password_hash if user is not None else None, password):
            return None
        return _detached(s, user)


def check_api_token(sessions: sessionmaker[Session], token: str) -> User | None:
    """The active user an ``api`` device token acts for, or None."""
    row = check_token(sessions, token.strip(), kinds=("api",))
    if row is None or not row.user_id:
        return None
    return load_user(sessions, row.user_id)


def staff_actor(sessions: sessionmaker[Session], scheme: str, credentials: str | tuple[str, str]) -> Actor | None:
    """The staff login check of the staff API: ``bearer`` with a device token, or ``basic`` with
    ``(username, password)``. The same check as the login form's (``check_password``)."""
    if scheme == "bearer" and isinstance(credentials, str):
        user = check_api_token(sessions, credentials)
    elif scheme == "basic" and isinstance(credentials, tuple):
        user = check_password(sessions, *credentials)
    else:
        user = None
    return Actor.of(user) if user is not None else None


def load_user(sessions: sessionmaker[Session], user_id: int) -> User | None:
    """The active user of a session cookie (every staff request), detached, or None."""
    with reading(sessions) as s:
        return _detached(s, s.get(User, int(user_id)))
