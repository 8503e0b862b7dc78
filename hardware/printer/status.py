"""Real-time status bytes (DLE EOT answers) read into online, paper state and a sentence."""
from __future__ import annotations


def _status_byte(reply: bytes | None) -> int | None:
    """The byte of a DLE EOT answer, or None when there is none (fixed bits: 0xx1xx10)."""
    if not reply:
        return None
    byte = reply[0]
    return byte if byte & 0x93 == 0x12 else None


def parse_online(reply: bytes | None) -> bool | None:
    byte = _status_byte(reply)
    return None if byte is None else not byte & 0x08


def parse_paper(reply: bytes | None) -> str | None:
    byte = _status_byte(reply)
    if byte is None:
        return None
    if byte & 0x60:
        return "out"
    if byte & 0x0C:
        return "near_end"
    return "ok"


def status_detail(online: bool | None, paper: str | None) -> str:
    if online is None and paper is None:
        return "connected; the printer does not answer status queries"
    if paper == "out":
        return "paper out"
    if online is False:
        return "printer offline (cover open, paper out or error)"
    if paper == "near_end":
        return "paper near end"
    return "printer ready"
