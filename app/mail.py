"""E-mail out through SMTP: called only by the outbox worker, never inside a request.

Each message carries a Message-ID derived from its outbox idempotency key, so a message the
worker delivers twice (killed between sending and recording) is recognisable as one.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from app.config import Settings

EMAIL_TOPIC = "email"


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    text: str
    html: str

    def as_payload(self) -> dict[str, str]:
        return {"to": self.to, "subject": self.subject, "text": self.text, "html": self.html}


def send_mail(settings: Settings, mail: OutgoingMail, idempotency_key: str) -> None:
    """Send one message, plain text with an HTML alternative; raises on any refusal, so the worker retries."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(idstring=idempotency_key.replace(":", "."), domain="cooc")
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    assert settings.smtp_host is not None
    context = ssl.create_default_context()
    server: smtplib.SMTP
    if settings.smtp_security == "tls":
        server = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds, context=context)
    else:
        server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds)
    with server:
        if settings.smtp_security == "starttls":
            server.starttls(context=context)
        if settings.smtp_user:
            server.login(settings.smtp_user, settings.smtp_password or "")
        server.send_message(message)
