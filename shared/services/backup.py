"""Backup and restore of an office's database (docs/operations.md).

SQLite: SQLite's online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot
while the server keeps writing (WAL readers never block writers), into a ``.part`` file renamed
when complete and checked (integrity check, Alembic revision). Restore copies a checked backup
back with the same API (so the server's open connections see the restored pages, never a torn
file), after keeping a copy of what it replaces.

PostgreSQL: ``pg_dump --format=custom`` when the program is installed (it ships with PostgreSQL on
Linux and Windows); otherwise the advice of what to run. Restore on PostgreSQL is ``pg_restore``
(documented, not wrapped).
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from antrean.shared.store.db import alembic_config

SQLITE_MAGIC = b"SQLite format 3\x00"
REQUIRED_TABLES = {"alembic_version", "tickets", "ticket_steps", "sequences", "print_jobs", "audit_log"}


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    revision: str
    tickets: int
    size: int

    def describe(self) -> str:
        return f"{self.path} ({self.size / 1024:.0f} KiB, schema {self.revision}, {self.tickets} tickets)"


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL, or None for another database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(parsed.database)


def known_revisions(url: str = "sqlite://") -> list[str]:
    """The Alembic revisions this version of Antrean knows, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(url))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")[:-3]


def _is_folder(target: str | Path) -> bool:
    """An existing folder, or a name written as one (ending in / or \\)."""
    return str(target).endswith(("/", "\\")) or Path(target).is_dir()


def default_target(instance: Path, name: str = "antrean") -> Path:
    return Path(instance) / "backups" / f"{name}-{_stamp()}.db"


def _connect(path: Path, readonly: bool = False, timeout: float = 30.0) -> sqlite3.Connection:
    if readonly:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)
    return sqlite3.connect(str(path), timeout=timeout)


def inspect(path: Path) -> BackupInfo:
    """Check that ``path`` is a sound Antrean SQLite database at a known schema revision."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{path}: not a SQLite database")
    conn = _connect(path, readonly=True)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise BackupError(f"{path}: damaged ({ok})")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = REQUIRED_TABLES - tables
        if missing:
            raise BackupError(f"{path}: not an Antrean database (no table {', '.join(sorted(missing))})")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        tickets = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: {exc}") from None
    finally:
        conn.close()
    revision = row[0] if row else ""
    if revision not in known_revisions():
        raise BackupError(f"{path}: schema revision {revision or '(none)'} is unknown to this version of "
                          f"Antrean (known: {', '.join(known_revisions())}); use the Antrean that made it")
    return BackupInfo(path=path, revision=revision, tickets=tickets, size=path.stat().st_size)


def backup_sqlite(source: Path, target: str | Path) -> BackupInfo:
    """A consistent copy of the live database ``source`` at ``target`` (a file or a folder)."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such database")
    target = Path(target) / f"{source.stem}-{_stamp()}.db" if _is_folder(target) else Path(target)
    if target.exists():
        raise BackupError(f"{target} exists; choose another name")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    partial.unlink(missing_ok=True)
    src = _connect(source)  # read only in effect; a plain connection also reads a WAL database at rest
    dst = sqlite3.connect(str(partial))
    try:
        # All pages in one step: one read transaction, so the copy is one moment of the database.
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
    except sqlite3.Error as exc:
        dst.close()
        partial.unlink(missing_ok=True)
        raise BackupError(f"backup failed: {exc}") from None
    finally:
        src.close()
    dst.close()
    partial.replace(target)
    return inspect(target)


def restore_sqlite(backup: Path, database: Path, keep_dir: Path) -> tuple[BackupInfo, Path | None]:
    """Replace the contents of ``database`` with the checked ``backup``. What it replaces is first
    copied to ``keep_dir`` (returned). The caller brings the schema up to date afterwards."""
    info = inspect(backup)
    database = Path(database)
    kept = None
    if database.exists() and database.stat().st_size > 0:
        kept = backup_sqlite(database, Path(keep_dir) / f"before-restore-{_stamp()}.db").path
    database.parent.mkdir(parents=True, exist_ok=True)
    src = _connect(info.path, readonly=True)
    dst = _connect(database)
    try:
        src.backup(dst)  # page by page under the destination's write lock: readers never see half of it
    except sqlite3.Error as exc:
        raise BackupError(f"restore failed: {exc}; the previous database is kept at {kept}") from None
    finally:
        src.close()
        dst.close()
    return info, kept


# -- PostgreSQL --------------------------------------------------------------------------------


def libpq_url(url: str) -> str:
    """The URL without SQLAlchemy's driver part, as pg_dump and psql take it."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def pg_dump_advice(url: str) -> str:
    shown = make_url(url).set(drivername="postgresql").render_as_string(hide_password=True)
    return (f"PostgreSQL is backed up with its own tools (docs/operations.md):\n"
            f"  pg_dump --format=custom --file antrean-$(date +%Y%m%d).dump '{shown}'\n"
            f"and restored into an empty database with:\n"
            f"  pg_restore --no-owner --dbname '<new database URL>' antrean-YYYYMMDD.dump")


def backup_postgresql(url: str, target: str | Path) -> Path:
    """Run pg_dump (custom format) when it is installed; BackupError with the advice otherwise."""
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupError("pg_dump is not installed here.\n" + pg_dump_advice(url))
    target = Path(target) / f"antrean-{_stamp()}.dump" if _is_folder(target) else Path(target)
    if target.exists():
        raise BackupError(f"{target} exists; choose another name")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    done = subprocess.run([program, "--format=custom", "--no-owner", f"--file={partial}",
                           f"--dbname={libpq_url(url)}"], capture_output=True, text=True)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    partial.replace(target)
    return target
