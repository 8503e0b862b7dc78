"""The interface every sender has: ``send(to, message)``, raising ``SendError`` when it did not go out."""
from __future__ import annotations

from typing import Protocol

from antrean.shared.domain.contact import Message
from antrean.shared.domain.privacy import mask_personal


class SendError(RuntimeError):
    """A message did not go out. The text is stored on the outbox row and shown to staff: it holds no
    address or number (``safe_error``). ``permanent``: trying again cannot help (a rejected address)."""

    def __init__(self, text: str, permanent: bool = False):
        super().__init__(safe_error(text))
        self.permanent = permanent


def safe_error(text: str) -> str:
    """An error's text without personal data, on one line, at most 300 characters."""
    return mask_personal(" ".join(str(text).split()))[:300]


class Sender(Protocol):
    def send(self, to: str, message: Message) -> None:
        """Hand ``message`` to the gateway for ``to`` (an e-mail address or a ``+62...`` number)."""
        ...

    def describe(self) -> str:
        """What it sends through, for the staff page and the log (no secret)."""
        ...
