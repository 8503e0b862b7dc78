"""Password hashing (werkzeug's scrypt), the check of a new staff password, and the one-time
passwords the demo command prints."""
from __future__ import annotations

import secrets
from collections.abc import Iterable

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


MIN_PASSWORD = 8
MIN_SCORE = 2  # zxcvbn's 0-4: 0 and 1 are guessed within about a million tries

# Words an office's passwords are made of that zxcvbn's (English) lists do not hold: checked as
# dictionary words, so "rahasia", "bismillah1" or "kecamatan2026" count as easily guessed.
LOCAL_WORDS = ("rahasia", "sandi", "katasandi", "kata-sandi", "bismillah", "indonesia", "merdeka", "sayang",
               "sayangku", "cinta", "kecamatan", "kelurahan", "pelayanan", "antrean", "antrian", "loket",
               "paten", "camat", "sekcam", "kasi", "admin", "petugas", "pegawai", "kantor", "garuda",
               "jakarta", "surabaya", "bandung", "trenggalek", "kampak", "masuk", "selamat", "semangat")


def password_problem(password: str, personal: Iterable[str] = ()) -> str | None:
    """Why a new staff password is refused (Indonesian), or None when it may be used.

    At least ``MIN_PASSWORD`` characters, and not easily guessed: zxcvbn (a well-kept estimator
    that ships the 30,000 most common passwords and common words, and needs no network) scores it
    against those lists, keyboard patterns, dates and ``personal`` (the user name, full name and the
    office's name), plus ``LOCAL_WORDS``."""
    if len(password) < MIN_PASSWORD:
        return f"Kata sandi paling sedikit {MIN_PASSWORD} karakter."
    from zxcvbn import zxcvbn

    inputs = [w for text in personal for w in str(text or "").lower().split() if len(w) >= 3]
    result = zxcvbn(password[:100], user_inputs=[*inputs, *LOCAL_WORDS])  # long ones are strong; bound the work
    if result["score"] < MIN_SCORE:
        return ("Kata sandi terlalu mudah ditebak (kata sandi umum, pola papan ketik, tanggal, atau nama). "
                "Gunakan gabungan beberapa kata yang tidak berhubungan, misalnya 'meja-hujan-kopi-17'.")
    return None
