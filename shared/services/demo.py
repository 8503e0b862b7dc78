"""The demo office: lokets and one user per role, each with a new password shown once (``antrean demo``,
``scripts/start.sh``, the tests and the benchmarks)."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from antrean.shared.services.passwords import hash_password, new_password
from antrean.shared.store.db import transaction
from antrean.shared.store.models import Loket, User

DEMO_LOKETS = [
    (1, "Loket 1", ["adminduk"]),
    (2, "Loket 2", ["surat_keterangan"]),
    (3, "Loket 3", ["perizinan", "pengaduan"]),
]
DEMO_USERS = [
    ("pelayanan1", "Petugas Pelayanan 1", ["petugas_pelayanan"], 1),
    ("pelayanan2", "Petugas Pelayanan 2", ["petugas_pelayanan"], 2),
    ("verifikasi", "Petugas Verifikasi", ["petugas_verifikasi"], 1),
    ("register", "Petugas Register", ["petugas_register"], None),
    ("kasi", "Kasi Pelayanan dan Perizinan", ["kasi_pelayanan"], None),
    ("sekcam", "Sekretaris Kecamatan", ["sekcam"], None),
    ("camat", "Camat", ["camat"], None),
    ("teknis", "Tim Teknis OSS", ["tim_teknis"], 3),
    ("pengolah", "Pengolah Data OSS", ["pengolah_data"], None),
    ("pengaduan", "Tim Pengaduan", ["tim_pengaduan"], 3),
    ("admin", "Administrator", ["admin"], None),
]


def create_demo(sessions: sessionmaker[Session], hasher: Callable[[str], str] | None = None,
                ) -> list[tuple[str, str, list[str]]]:
    """Make what is missing of the demo office; returns (username, password, roles) of each new user."""
    made = []
    with transaction(sessions) as s:
        lokets = {}
        for number, name, groups in DEMO_LOKETS:
            loket = s.scalar(select(Loket).where(Loket.number == number))
            if loket is None:
                loket = Loket(number=number, name=name, groups=groups, active=True)
                s.add(loket)
                s.flush()
            lokets[number] = loket
        for username, full_name, roles, loket_number in DEMO_USERS:
            if s.scalar(select(User).where(User.username == username)) is not None:
                continue
            password = new_password()
            s.add(User(username=username, full_name=full_name, password_hash=(hasher or hash_password)(password),
                       roles=roles, active=True, loket_id=lokets[loket_number].id if loket_number else None))
            made.append((username, password, roles))
    return made
