"""Message senders for the notification outbox (docs/notifications.md): e-mail over SMTP, WhatsApp and
SMS through an HTTP gateway, and the test double. Chosen by configuration in the composition root
(``shared/app.py``); the outbox worker (``shared/services/outbox.py``) calls ``send`` off the request."""
from antrean.hardware.messaging.base import Sender, SendError
from antrean.hardware.messaging.http import HttpGateway
from antrean.hardware.messaging.recording import RecordingSender
from antrean.hardware.messaging.smtp import SmtpSender

__all__ = ["HttpGateway", "RecordingSender", "SendError", "Sender", "SmtpSender"]
