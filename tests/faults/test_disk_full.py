"""A full disk under a real server, with the kernel's own ENOSPC: /dev/full as the ticket file, and a
small tmpfs (mounted by the test, as root) that is filled up for the audio cache, the printed
tickets and the SQLite database. The failing part says so (log, counter), the ticket is still issued
when only printing or audio fails, nothing crashes, and everything works again once space is back."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
import requests

from tests.support.clients import DisplayClient, Staff
from tests.support.env import need
from tests.support.factories import issue
from tests.support.live_server import LiveServer
from tests.support.live_server import wait_until as wait_for

ENOSPC = "No space left on device"


def print_state(server, ticket) -> str:
    return requests.get(f"{server.url}/api/v1/tickets/{ticket['id']}/print", timeout=5).json()["status"]


@pytest.fixture
def small_disk(tmp_path):
    """An 8 MiB tmpfs; ``fill()`` takes every free block, ``free()`` gives them back."""
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)], capture_output=True)
    need(done.returncode == 0, f"cannot mount a tmpfs here (root needed): {done.stderr.decode().strip()}")
    yield SmallDisk(disk)
    subprocess.run(["umount", "-l", str(disk)], check=False)


class SmallDisk:
    def __init__(self, path: Path):
        self.path = path
        self.filler = path / "filler"

    def fill(self) -> None:
        with self.filler.open("ab", buffering=0) as fh:
            for size in (1 << 16, 4096, 1):
                try:
                    while True:
                        fh.write(b"\0" * size)
                except OSError as exc:
                    assert exc.errno == 28
        with pytest.raises(OSError):
            (self.path / "probe").write_bytes(b"x")

    def free(self) -> None:
        self.filler.unlink()


def test_ticket_file_on_dev_full(tmp_path):
    """The file printer writing to /dev/full (space coming back is in the tmpfs test below)."""
    server = LiveServer(tmp_path, {"ANTREAN_PRINTER": "file:///dev/full", "ANTREAN_PRINT_RETRY_SECONDS": "0.3"})
    server.create_demo()
    server.start()
    try:
        resp = issue(server, expect=None)
        assert resp.status_code == 201  # the ticket is issued all the same (and shown on the kiosk)
        ticket = resp.json()
        wait_for(lambda: print_state(server, ticket) == "fault")
        clerk = Staff(server, "pelayanan1")
        status = clerk.http.get(f"{server.url}/counter/printing/status.json", timeout=5).json()
        assert status["fault"] and any(ENOSPC in f for f in status["faults"])
        assert ENOSPC in clerk.http.get(f"{server.url}/counter/printing/", timeout=5).text
        assert 'data-ticket="A001"' in clerk.post("/counter/call-next")  # the counter works on
        assert issue(server, expect=None).json()["number"] == "A002"  # and so does the kiosk
        assert f"cannot write the ticket to file:///dev/full: {ENOSPC}" in server.log.read_text()
        assert server.proc.poll() is None
    finally:
        server.stop()


@pytest.mark.parametrize("speech", ["tone", pytest.param("on", marks=pytest.mark.speech)])
def test_audio_and_printed_tickets_on_a_full_disk(tmp_path, small_disk, speech):
    """``on``: pyttsx3 with espeak-ng's Indonesian voice; ``tone``: test tones through the same cache."""
    if speech == "on":
        need(shutil.which("espeak-ng") is not None, "espeak-ng is not installed (apt-get install espeak-ng)")
    (small_disk.path / "audio").mkdir()
    (tmp_path / "audio").symlink_to(small_disk.path / "audio")  # the server's audio cache on the small disk
    server = LiveServer(tmp_path, {"ANTREAN_SPEECH": speech, "ANTREAN_PRINT_RETRY_SECONDS": "0.3",
                                   "ANTREAN_PRINTER": f"file://{small_disk.path / 'printed'}/"})
    server.create_demo()
    server.start()
    display = DisplayClient(server.url)
    try:
        small_disk.fill()
        ticket = issue(server, expect=None)
        assert ticket.status_code == 201  # the database has room: the ticket is issued
        ticket = ticket.json()
        wait_for(lambda: print_state(server, ticket) == "fault")
        clerk = Staff(server, "pelayanan1")
        page = clerk.post("/counter/call-next")
        assert 'data-ticket="A001"' in page
        assert display.got_call.wait(5)
        call = display.calls[-1]
        assert call["number"] == "A001" and call["audio"]
        # The display gets no audio (it chimes and shows the call); staff see why.
        assert requests.get(f"{server.url}{call['audio']}", timeout=30).status_code == 404
        speech = clerk.http.get(f"{server.url}/display/speech.json", timeout=5).json()
        assert ENOSPC in speech["fault"]
        page = clerk.http.get(f"{server.url}/counter/", timeout=5).text
        assert 'id="speech-disk-fault"' in page and ENOSPC in page
        status = clerk.http.get(f"{server.url}/counter/printing/status.json", timeout=5).json()
        assert any(ENOSPC in f for f in status["faults"])
        log = server.log.read_text()
        assert "speech cache: cannot write" in log and ENOSPC in log
        assert not [p for p in (small_disk.path / "audio").iterdir() if p.suffix == ".tmp"]  # no debris
        assert server.proc.poll() is None

        small_disk.free()
        wait_for(lambda: print_state(server, ticket) == "printed")
        assert any(p.name.startswith("A001-") for p in (small_disk.path / "printed").iterdir())
        audio = requests.get(f"{server.url}{call['audio']}", timeout=30)
        assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
        assert clerk.http.get(f"{server.url}/display/speech.json", timeout=5).json()["fault"] is None
        assert clerk.http.get(f"{server.url}/counter/printing/status.json", timeout=5).json()["fault"] is False
    finally:
        display.close()
        server.stop()


def test_sqlite_database_on_a_full_disk(tmp_path, small_disk):
    db = small_disk.path / "antrean.db"
    server = LiveServer(tmp_path, {"DATABASE_URL": f"sqlite:///{db}", "ANTREAN_PRINTER": "none"})
    server.create_demo()
    server.start()
    try:
        assert issue(server, expect=None).json()["number"] == "A001"
        clerk = Staff(server, "pelayanan1")
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the next write must take new blocks
        conn.close()
        small_disk.fill()
        request_id = "0f1e2d3c-4b5a-4968-8776-000000000028"
        refused = issue(server, expect=None, request_id=request_id)
        assert refused.status_code == 503, refused.text
        assert refused.json()["code"] == "database_unavailable"
        assert "database or disk is full" in server.log.read_text()
        assert server.proc.poll() is None

        small_disk.free()
        again = issue(server, expect=None, request_id=request_id)
        assert again.status_code == 201 and again.json()["number"] == "A002"
        assert 'data-ticket="A001"' in clerk.post("/counter/call-next")
        conn = sqlite3.connect(db)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert [r[0] for r in conn.execute("SELECT number FROM tickets ORDER BY seq")] == ["A001", "A002"]
            assert conn.execute("SELECT count(*) FROM print_jobs").fetchone()[0] == 2
        finally:
            conn.close()
    finally:
        server.stop()
        os.sync()
