"""E-mail over SMTP (smtplib): plain, STARTTLS or implicit TLS (SSL), with an optional login.

The server's certificate is checked (its chain and its name): against the system's certificate
authorities, or against ``cafile`` alone (ANTREAN_SMTP_CAFILE: an office mail server with its own
authority). A certificate that fails the check is a failed try, retried later, never a send in
the clear."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from antrean.hardware.messaging.base import SendError
from antrean.shared.domain.contact import Message

SECURITY = ("starttls", "ssl", "none")


class SmtpSender:
    def __init__(self, host: str, port: int = 587, sender: str = "antrean@localhost", security: str = "starttls",
                 username: str = "", password: str = "", timeout: float = 10.0, cafile: str | None = None):
        if security not in SECURITY:
            raise ValueError(f"SMTP security must be one of {', '.join(SECURITY)}")
        self.host, self.port, self.sender, self.security = host, port, sender, security
        self.username, self.password, self.timeout = username, password, timeout
        self.cafile = cafile or None

    def describe(self) -> str:
        return f"SMTP {self.host}:{self.port} ({self.security})"

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cafile)

    def send(self, to: str, message: Message) -> None:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = to
        mail["Subject"] = message.subject
        mail.set_content(message.text)
        try:
            if self.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                        context=self._tls())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.security == "starttls":
                    client.starttls(context=self._tls())
                if self.username:
                    client.login(self.username, self.password)
                client.send_message(mail)
        except smtplib.SMTPRecipientsRefused:
            raise SendError("SMTP: recipient refused", permanent=True) from None
        except smtplib.SMTPResponseException as exc:
            raise SendError(f"SMTP {exc.smtp_code}", permanent=500 <= exc.smtp_code < 600
                            and exc.smtp_code not in (521, 530, 535)) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"SMTP: {type(exc).__name__}: {exc}") from None
