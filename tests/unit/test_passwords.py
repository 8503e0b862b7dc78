"""Staff passwords are stored with a slow hash."""
from shared.passwords import hash_password, verify_password


def test_real_passwords_use_a_slow_hash():
    stored = hash_password("rahasia-loket")
    assert stored.startswith("scrypt:") and "rahasia-loket" not in stored
    assert verify_password(stored, "rahasia-loket") and not verify_password(stored, "salah")
