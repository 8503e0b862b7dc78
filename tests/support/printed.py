"""Reading an ESC/POS stream back: the commands a ticket must hold and its printed text."""
from __future__ import annotations

DOUBLE_SIZE = b"\x1b!\x30"   # ESC ! 0x30: double width (0x20) + double height (0x10)
QUAD_SIZE = b"\x1d!\x33"    # GS ! 0x33: four times the width (high nibble + 1) and height (low nibble + 1)
QR_STORE = b"\x1d(k"         # GS ( k: 2D code functions (model, size, level, store, print)
CUT = b"\x1dV"               # GS V: cut
INIT = b"\x1b@"              # ESC @
PAPER_QUERY = b"\x10\x04\x04"  # DLE EOT 4: paper sensor status
CONFIRM_QUERIES = b"\x10\x04\x01" + PAPER_QUERY  # after the ticket: still online, with paper?

_ESC_3 = set(b"!EatdM-")  # ESC x n


def visible_lines(data: bytes) -> list[str]:
    """The printed text of a stream, line by line, with every command taken out.

    Strict: an unknown command fails the test, so the stream holds only what we expect.
    """
    text = bytearray()
    i = 0
    while i < len(data):
        b = data[i]
        if b == 0x1B:  # ESC
            cmd = data[i + 1]
            if cmd == ord("@"):
                i += 2
            elif cmd in _ESC_3:
                i += 3
            else:
                raise AssertionError(f"unexpected ESC {bytes([cmd])!r} at {i}")
        elif b == 0x1D:  # GS
            cmd = data[i + 1]
            if cmd == ord("("):
                i += 5 + data[i + 3] + 256 * data[i + 4]
            elif cmd in (ord("V"), ord("!")):
                i += 3
            else:
                raise AssertionError(f"unexpected GS {bytes([cmd])!r} at {i}")
        elif b == 0x10:  # DLE EOT n
            i += 3
        else:
            assert b == 0x0A or 0x20 <= b < 0x7F, f"non-printable byte {b:#x} at {i}"
            text.append(b)
            i += 1
    return text.decode("ascii").split("\n")


def tickets_in(jobs: list[bytes]) -> list[bytes]:
    """The connections that carried a ticket (status queries alone carry none), each without the
    status questions a network printer is asked after the ticket (did it stay online with paper)."""
    return [j[:-len(CONFIRM_QUERIES)] if j.endswith(CONFIRM_QUERIES) else j for j in jobs if CUT in j]


def sized_lines(data: bytes) -> list[tuple[str, int, int]]:
    """Each printed line with the character size the printer is in when it prints it:
    ``(text, width multiple, height multiple)``. The size follows the printer's rules: ``ESC @``
    resets it, ``ESC ! n`` sets double width (bit 5) and height (bit 4), ``GS ! n`` sets the width
    (high nibble + 1) and height (low nibble + 1); the last of the two received counts. A line that
    changes size half-way gets the largest size on it."""
    lines: list[tuple[str, int, int]] = []
    text = bytearray()
    line_w = line_h = width = height = 1
    i = 0
    while i < len(data):
        b = data[i]
        if b == 0x1B:
            cmd = data[i + 1]
            if cmd == ord("@"):
                width = height = 1
                i += 2
                continue
            if cmd == ord("!"):
                n = data[i + 2]
                width, height = (2 if n & 0x20 else 1), (2 if n & 0x10 else 1)
            i += 3
            continue
        if b == 0x1D:
            cmd = data[i + 1]
            if cmd == ord("!"):
                n = data[i + 2]
                width, height = (n >> 4) + 1, (n & 0x0F) + 1
                i += 3
            elif cmd == ord("("):
                i += 5 + data[i + 3] + 256 * data[i + 4]
            else:
                i += 3
            continue
        if b == 0x10:
            i += 3
            continue
        if b == 0x0A:
            lines.append((text.decode("ascii"), line_w, line_h))
            text.clear()
            line_w = line_h = 1
        else:
            text.append(b)
            line_w, line_h = max(line_w, width), max(line_h, height)
        i += 1
    return lines


def size_of(data: bytes, printed: str) -> tuple[int, int]:
    """The character size of the first printed line that is exactly ``printed``."""
    for line, width, height in sized_lines(data):
        if line == printed:
            return width, height
    raise AssertionError(f"{printed!r} is not printed on a line of its own")


def printed_pickup_code(folder, number: str, timeout: float = 10.0) -> str:
    """The pickup code on the ticket ``number`` a live server printed into ``folder`` (its
    ``file://`` printer): what the applicant shows at the hand-over, as a clerk reads it off the paper."""
    import re
    import time

    deadline = time.time() + timeout
    while True:
        for path in sorted(folder.glob(f"{number}-*")):
            found = re.search(rb"(?:Kode pengambilan|Pickup code): ([A-Z0-9]{4,12})", path.read_bytes())
            if found:
                return found.group(1).decode()
        if time.time() > deadline:
            raise AssertionError(f"no printed ticket {number} with a pickup code in {folder}")
        time.sleep(0.1)
