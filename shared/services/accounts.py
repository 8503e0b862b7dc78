"""Staff accounts: the one staff login check, shared by the login form and the staff API.

A user name and password (the form, HTTP Basic), a device token acting for a user (``Bearer``), the
user of a session cookie: each is read in ``reading()`` (a login never waits behind a kiosk, nor
makes one wait). Only a device token's "last seen" time is written, at most once a minute, in its
own short transaction (shared/services/tokens.py).

A session ends for good: the session cookie and the remember cookie hold ``id:epoch``
(``User.get_id``), and logging out, or an administrator changing the user's password, roles or
active flag, bumps the user's ``session_epoch`` (``end_sessions``): every older cookie is refused
and the user's ``/counter`` sockets are closed (``STAFF_SESSIONS_ENDED``, shared/realtime/hub.py).
"""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from antrean.shared.domain.events import STAFF_SESSIONS_ENDED, Event
from antrean.shared.services.context import Context
from antrean.shared.services.errors import Actor
from antrean.shared.services.passwords import verify_login
from antrean.shared.services.tokens import check_token
from antrean.shared.store.db import reading, transaction
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


def parse_session_id(session_id: object) -> tuple[int, int] | None:
    """``(user_id, epoch)`` of a session's or remember cookie's ``id:epoch``, or None (a cookie of
    before the epoch, or not ours)."""
    user_id, colon, epoch = str(session_id).partition(":")
    if not colon or not user_id.isdigit() or not epoch.isdigit():
        return None
    return int(user_id), int(epoch)


def load_session_user(sessions: sessionmaker[Session], session_id: object) -> User | None:
    """The active user of a session or remember cookie (``id:epoch``), or None when that user's
    sessions were ended since (``end_sessions``) or the user is inactive."""
    parsed = parse_session_id(session_id)
    if parsed is None:
        return None
    user = load_user(sessions, parsed[0])
    if user is None or (user.session_epoch or 0) != parsed[1]:
        return None
    return user


def bump_epoch(s: Session, user_id: int) -> None:
    """Ends every session of ``user_id`` inside the caller's transaction; the caller publishes
    ``sessions_ended(user_id)`` after the commit."""
    s.execute(update(User).where(User.id == user_id).values(session_epoch=User.session_epoch + 1))


def sessions_ended(user_id: int) -> Event:
    return Event(STAFF_SESSIONS_ENDED, {"user_id": user_id})


def end_sessions(desk: Context, user_id: int) -> None:
    """Logout: every session of the user ends, on every PC, the remember cookie and the sockets too."""
    with transaction(desk.sessions) as s:
        bump_epoch(s, user_id)
    desk.events.publish(sessions_ended(user_id))


def session_epochs(sessions: sessionmaker[Session], user_ids: set[int]) -> dict[int, int]:
    """The session epoch of each of ``user_ids`` that is active (an inactive user has none)."""
    with reading(sessions) as s:
        rows = s.execute(select(User.id, User.session_epoch).where(User.id.in_(user_ids), User.active.is_(True)))
        return {uid: epoch or 0 for uid, epoch in rows}
