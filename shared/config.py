"""Configuration from environment variables (documented in docs/configuration.md)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Mapping


def load_config(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    env = os.environ if env is None else env
    instance = Path(env.get("ANTREAN_INSTANCE") or Path.cwd() / "instance").resolve()
    secret = env.get("SECRET_KEY") or _instance_secret(instance)
    return {
        "INSTANCE": instance,
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{instance / 'antrean.db'}",
        "REDIS_URL": env.get("REDIS_URL") or None,
        "SECRET_KEY": secret,
        "CATALOGUE": env.get("ANTREAN_CATALOGUE") or None,
        "PRINTER": env.get("ANTREAN_PRINTER") or f"file://{instance / 'printed'}/",
        "PUBLIC_URL": (env.get("ANTREAN_PUBLIC_URL") or "").rstrip("/"),
        "ASYNC_MODE": env.get("ANTREAN_ASYNC_MODE") or "threading",
        "DEFAULT_LANG": env.get("ANTREAN_LANG") or "id",
        "SESSION_MINUTES": int(env.get("ANTREAN_SESSION_MINUTES") or 480),
        "VENDOR_DIR": Path(env.get("ANTREAN_VENDOR_DIR") or Path(__file__).resolve().parents[1] / "node_modules"),
        "PRINT_RETRY_SECONDS": float(env.get("ANTREAN_PRINT_RETRY_SECONDS") or 5),
    }


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
