"""Device tokens: a print agent, a speaker agent, a call button, a kiosk or a script authenticates with one.

A ``kiosk`` token (the kiosk key) identifies a kiosk page to the public API: its ticket requests get
the kiosk's own allowance (ANTREAN_KIOSK_LIMIT) and it may name a print agent (docs/printing.md).

The token is shown once when made; only its SHA-256 hash is stored (tokens are 32 random bytes,
so a slow password hash adds nothing).
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from antrean.shared.domain.clock import utcnow
from antrean.shared.store.db import reading, transaction
from antrean.shared.store.models import DeviceToken, User

KINDS = ("api", "print_agent", "speaker_agent", "kiosk")
SEEN_EVERY = timedelta(minutes=1)  # how fresh "last seen" is kept


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(sessions: sessionmaker[Session], name: str, kind: str, username: str | None = None) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    if kind == "api" and not username:
        raise ValueError("an api token acts for a user: give --user")
    token = secrets.token_urlsafe(32)
    with transaction(sessions) as s:
        user_id = None
        if username:
            user = s.scalar(select(User).where(User.username == username))
            if user is None:
                raise ValueError(f"no user {username!r}")
            user_id = user.id
        if s.scalar(select(DeviceToken).where(DeviceToken.name == name)) is not None:
            raise ValueError(f"a token named {name!r} exists already")
        s.add(DeviceToken(name=name, kind=kind, token_hash=hash_token(token), user_id=user_id,
                          active=True, created_at=utcnow()))
    return token


def check_token(sessions: sessionmaker[Session], token: str | None, kinds: Iterable[str],
                now: datetime | None = None) -> DeviceToken | None:
    """The active token of one of ``kinds`` matching ``token`` (detached), or None.

    Read in ``reading()``; its "last seen" time is kept to the minute in a short transaction of its
    own, so a request in between writes nothing (no commit to disk, no write lock)."""
    if not token:
        return None
    with reading(sessions) as s:
        row = s.scalar(select(DeviceToken).where(DeviceToken.token_hash == hash_token(token)))
        if row is None or not row.active or row.kind not in set(kinds):
            return None
        s.expunge(row)
    now = now or utcnow()
    if row.last_seen_at is None or abs(now - row.last_seen_at) >= SEEN_EVERY:
        with transaction(sessions) as s:
            s.execute(update(DeviceToken).where(DeviceToken.id == row.id).values(last_seen_at=now))
        row.last_seen_at = now
    return row
