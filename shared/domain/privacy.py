"""No personal data in a log line: a logging filter that masks what can be recognised as personal in
every record's message, arguments, exception and stack text before any handler writes it.

Recognised: a NIK (16 digits, with or without single separators), an e-mail address, an Indonesian
mobile number (``08...``, ``+62 8...``, ``62 8...``) and any other international number written
with ``+``. Names cannot be recognised by their shape: the code that handles them logs no values
(the exports log a column and an exception's type, never its message). Plain Python, installed by
the composition root (``shared/app.py``) on the handlers of the root logger and of the app's logger."""
from __future__ import annotations

import logging
import re

NIK = re.compile(r"(?<![\d*])(?:\d[ .-]?){15}\d(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w+.])(?:(?:\+62|62)[ -]?|0)8\d(?:[ .-]?\d){6,11}(?!\d)|\+\d{1,3}(?:[ .()-]{0,2}\d){6,14}(?!\d)")
MASKS = ((EMAIL, "[email]"), (NIK, "[NIK]"), (PHONE, "[phone]"))


def mask_personal(text: str) -> str:
    """``text`` with every NIK, e-mail address and phone number replaced by a placeholder."""
    for pattern, placeholder in MASKS:
        text = pattern.sub(placeholder, text)
    return text


class PersonalDataFilter(logging.Filter):
    """Masks personal data in a record (never drops one). The message is formatted with its
    arguments and masked; an exception is formatted into ``exc_text`` and masked, and ``exc_info``
    cleared so that no later handler formats the unmasked exception again."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: keep its template, not its arguments
            message = str(record.msg)
        record.msg = mask_personal(message)
        record.args = None
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = mask_personal(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal(record.stack_info)
        return True


_FILTER = PersonalDataFilter()


def install_log_filter(*loggers: logging.Logger) -> None:
    """Put the filter on every handler of the root logger and of ``loggers`` (once each): every
    record that propagates to them, from any module, passes through it."""
    for logger in (logging.getLogger(), *loggers):
        for handler in logger.handlers:
            if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
                handler.addFilter(_FILTER)
