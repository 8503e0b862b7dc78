"""Configuration from environment variables (documented in docs/configuration.md)."""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def load_config(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    env = os.environ if env is None else env
    instance = Path(env.get("ANTREAN_INSTANCE") or Path.cwd() / "instance").resolve()
    secret = env.get("SECRET_KEY") or _instance_secret(instance)
    public_url = (env.get("ANTREAN_PUBLIC_URL") or "").rstrip("/")
    return {
        "INSTANCE": instance,
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{instance / 'antrean.db'}",
        # how long a SQLite writer waits for another's lock before the request gets a 503 (docs/operations.md)
        "DB_BUSY_SECONDS": float(env.get("ANTREAN_DB_BUSY_SECONDS") or 30),
        # personal data of finished tickets is removed after this many days; 0 = never (shared/services/retention.py)
        # PostgreSQL: connections kept open by each server process (and as many again at peaks); any
        # database: how long a request waits for a free connection before it gets a 503
        "DB_POOL_SIZE": int(env.get("ANTREAN_DB_POOL_SIZE") or 10),
        "DB_POOL_SECONDS": float(env.get("ANTREAN_DB_POOL_SECONDS") or 5),
        "RETENTION_DAYS": int(env.get("ANTREAN_RETENTION_DAYS") or 0),
        "REDIS_URL": env.get("REDIS_URL") or None,
        "SOCKETIO_CHANNEL": env.get("ANTREAN_SOCKETIO_CHANNEL") or "antrean",
        "SECRET_KEY": secret,
        "CATALOGUE": env.get("ANTREAN_CATALOGUE") or None,
        "PRINTER": env.get("ANTREAN_PRINTER") or f"file://{instance / 'printed'}/",
        "PUBLIC_URL": public_url,
        # cookies only over HTTPS: set explicitly, or implied by an https:// public URL (docs/security.md)
        "SECURE_COOKIES": _flag(env.get("ANTREAN_SECURE_COOKIES"), default=public_url.startswith("https://")),
        # failed staff logins allowed per user name and address (Flask-Limiter notation)
        "LOGIN_LIMIT": env.get("ANTREAN_LOGIN_LIMIT") or "5 per minute",
        "ISSUE_LIMIT": env.get("ANTREAN_ISSUE_LIMIT") or "10 per minute",
        "KIOSK_LIMIT": env.get("ANTREAN_KIOSK_LIMIT") or "60 per minute",
        # bookings per client address: making, moving, cancelling, checking in; and looking codes up
        "BOOKING_LIMIT": env.get("ANTREAN_BOOKING_LIMIT") or "10 per minute",
        "BOOKING_LOOKUP_LIMIT": env.get("ANTREAN_BOOKING_LOOKUP_LIMIT") or "30 per minute",
        # reverse proxies in front of the server whose X-Forwarded-For/-Proto/-Host are trusted
        "PROXIES": int(env.get("ANTREAN_PROXIES") or 0),
        # the largest request body taken (413 above it); the logo and catalogue uploads have their own allowance
        "MAX_CONTENT_LENGTH": int(env.get("ANTREAN_MAX_REQUEST_BYTES") or 2 * 1024 * 1024),
        # a flood costs the flooder only (shared/realtime/socket_limits.py, docs/security.md): Socket.IO
        # connections per client address, events per connection on the public namespaces (above it the
        # connection is dropped), tickets one /ticket connection follows
        "SOCKET_CONNECTIONS": int(env.get("ANTREAN_SOCKET_CONNECTIONS") or 50),
        "SOCKET_EVENT_LIMIT": env.get("ANTREAN_SOCKET_EVENT_LIMIT") or "30 per 10 seconds",
        "SOCKET_FOLLOWS": int(env.get("ANTREAN_SOCKET_FOLLOWS") or 5),
        "ASYNC_MODE": env.get("ANTREAN_ASYNC_MODE") or "threading",
        # how long a burst of ticket changes may settle before the displays get one snapshot of it
        "DISPLAY_FEED_SECONDS": float(env.get("ANTREAN_DISPLAY_FEED_SECONDS") or 0.1),
        "DEFAULT_LANG": env.get("ANTREAN_LANG") or "id",
        "SESSION_MINUTES": int(env.get("ANTREAN_SESSION_MINUTES") or 480),
        "PRINT_RETRY_SECONDS": float(env.get("ANTREAN_PRINT_RETRY_SECONDS") or 5),
        "PRINT_ACK_SECONDS": float(env.get("ANTREAN_PRINT_ACK_SECONDS") or 30),
        "ALERTS_REFRESH_SECONDS": int(env.get("ANTREAN_ALERTS_REFRESH_SECONDS") or 30),
        "ALWAYS_OPEN": (env.get("ANTREAN_ALWAYS_OPEN") or "").strip().lower() in ("1", "true", "yes", "on"),
        # speech (docs/display.md): on (pyttsx3), off (chime only) or tone (test tones)
        "SPEECH": env.get("ANTREAN_SPEECH") or "on",
        "SPEECH_RATE": int(env.get("ANTREAN_SPEECH_RATE") or 150),
        "SPEECH_CACHE_MB": int(env.get("ANTREAN_SPEECH_CACHE_MB") or 256),
        "SPEECH_VOICE_ID": env.get("ANTREAN_SPEECH_VOICE_ID") or None,
        "SPEECH_VOICE_EN": env.get("ANTREAN_SPEECH_VOICE_EN") or None,
        # messages to citizens who gave a contact (docs/notifications.md): a channel is on when its
        # gateway is configured
        "SMTP_HOST": env.get("ANTREAN_SMTP_HOST") or None,
        "SMTP_PORT": int(env.get("ANTREAN_SMTP_PORT") or 587),
        "SMTP_SECURITY": (env.get("ANTREAN_SMTP_SECURITY") or "starttls").strip().lower(),
        "SMTP_USER": env.get("ANTREAN_SMTP_USER") or "",
        "SMTP_PASSWORD": env.get("ANTREAN_SMTP_PASSWORD") or "",
        "SMTP_FROM": env.get("ANTREAN_SMTP_FROM") or "antrean@localhost",
        "SMTP_CAFILE": env.get("ANTREAN_SMTP_CAFILE") or None,
        **{f"{kind}_{key}": value for kind in ("WHATSAPP", "SMS") for key, value in _gateway(env, kind).items()},
        "MESSAGE_RETRY_SECONDS": float(env.get("ANTREAN_MESSAGE_RETRY_SECONDS") or 10),
        "MESSAGE_MAX_ATTEMPTS": int(env.get("ANTREAN_MESSAGE_MAX_ATTEMPTS") or 8),
        # the hour (office time, 0-23) from which tomorrow's bookings get their reminder
        "BOOKING_REMINDER_HOUR": _hour(env.get("ANTREAN_BOOKING_REMINDER_HOUR"), 15),
    }


def _hour(value: str | None, default: int) -> int:
    try:
        hour = int(value) if value else default
    except ValueError:
        hour = -1
    if not 0 <= hour <= 23:
        raise ValueError("ANTREAN_BOOKING_REMINDER_HOUR must be a whole hour, 0 to 23")
    return hour


def _gateway(env: Mapping[str, str], kind: str) -> dict[str, Any]:
    """ANTREAN_WHATSAPP_* or ANTREAN_SMS_*: an HTTP gateway's URL, token, token header, body format
    (json or form) and body template."""
    return {"URL": env.get(f"ANTREAN_{kind}_URL") or None,
            "TOKEN": env.get(f"ANTREAN_{kind}_TOKEN") or "",
            "TOKEN_HEADER": env.get(f"ANTREAN_{kind}_TOKEN_HEADER") or "Authorization",
            "FORMAT": (env.get(f"ANTREAN_{kind}_FORMAT") or "json").strip().lower(),
            "BODY": env.get(f"ANTREAN_{kind}_BODY") or ""}


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or not value.strip():
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _instance_secret(instance: Path) -> str:
    """A per-installation secret kept in the instance folder, made on first start."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        try:
            path.chmod(0o600)
        except OSError:  # Windows
            pass
    return path.read_text(encoding="utf-8").strip()
