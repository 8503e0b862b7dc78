"""E-mail over SMTP (smtplib): plain, STARTTLS or implicit TLS (SSL), with an optional login."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from antrean.hardware.messaging.base import SendError
from antrean.shared.domain.contact import Message

SECURITY = ("starttls", "ssl", "none")


class SmtpSender:
    def __init__(self, host: str, port: int = 587, sender: str = "antrean@localhost", security: str = "starttls",
                 username: str = "", password: str = "", timeout: float = 10.0):
        if security not in SECURITY:
            raise ValueError(f"SMTP security must be one of {', '.join(SECURITY)}")
        self.host, self.port, self.sender, self.security = host, port, sender, security
        self.username, self.password, self.timeout = username, password, timeout

    def describe(self) -> str:
        return f"SMTP {self.host}:{self.port} ({self.security})"

    def send(self, to: str, message: Message) -> None:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = to
        mail["Subject"] = message.subject
        mail.set_content(message.text)
        try:
            if self.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                        context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
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
