"""Delivering reminder e-mails: SMTP (standard library) when a server is configured, else an mbox outbox.

Settings come from the environment: ``TOKENTUI_SMTP`` (``HOST:PORT``), ``TOKENTUI_SMTP_USER`` and
``TOKENTUI_SMTP_PASSWORD`` (login, only after STARTTLS unless ``TOKENTUI_SMTP_STARTTLS=0``),
``TOKENTUI_MAIL_FROM`` (the sender).
"""

from __future__ import annotations

import mailbox
import os
import smtplib
import ssl
from dataclasses import dataclass
from pathlib import Path

from tokentui import settings
from tokentui.core.errors import InvalidInput
from tokentui.core.tokens.reminders import MailError, Reminder

SMTP_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to hand messages to an SMTP server."""

    host: str
    port: int
    user: str | None = None
    password: str | None = None
    starttls: bool = False

    @classmethod
    def parse(
        cls, address: str, *, user: str | None = None, password: str | None = None, starttls: bool = False
    ) -> SmtpServer:
        """``HOST:PORT`` (or ``HOST``, port 25), or InvalidInput."""
        host, _, port = address.strip().rpartition(":") if ":" in address else (address.strip(), ":", "25")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise InvalidInput(f"not an SMTP server address (HOST:PORT): {address!r}")
        return cls(host, int(port), user or None, password or None, starttls)


class Mailer:
    """Sends reminders through an SMTP server, or appends them to the outbox when there is none."""

    def __init__(self, server: SmtpServer | None, outbox: Path, sender: str) -> None:
        self.server = server
        self.outbox = outbox
        self.sender = sender

    @property
    def destination(self) -> str:
        """Where messages go, in words."""
        if self.server is None:
            return f"the outbox {self.outbox}"
        return f"SMTP server {self.server.host}:{self.server.port}"

    def __call__(self, reminder: Reminder) -> None:
        """Deliver ``reminder``, or raise MailError."""
        message = reminder.message(self.sender)
        if self.server is None:
            self._to_outbox(message)
            return
        server = self.server
        try:
            with smtplib.SMTP(server.host, server.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
                if server.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if server.user:
                    smtp.login(server.user, server.password or "")
                refused = smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as failure:
            raise MailError(f"{self.destination}: {_reason(failure)}") from failure
        if refused:
            raise MailError(f"{self.destination} refused {', '.join(refused)}")

    def _to_outbox(self, message: object) -> None:
        try:
            self.outbox.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            box = mailbox.mbox(self.outbox)
            box.lock()
            try:
                box.add(message)  # type: ignore[arg-type]
                box.flush()
            finally:
                box.unlock()
                box.close()
            os.chmod(self.outbox, 0o600)
        except (OSError, mailbox.Error) as failure:
            raise MailError(f"{self.destination}: {failure}") from failure


def _reason(failure: Exception) -> str:
    if isinstance(failure, smtplib.SMTPResponseException):
        text = (
            failure.smtp_error.decode(errors="replace")
            if isinstance(failure.smtp_error, bytes)
            else str(failure.smtp_error)
        )
        return f"{failure.smtp_code} {text}"
    if isinstance(failure, smtplib.SMTPRecipientsRefused):
        return "recipient refused: " + ", ".join(
            f"{address} ({code} {reply.decode(errors='replace')})"
            for address, (code, reply) in failure.recipients.items()
        )
    return str(failure) or type(failure).__name__


def mailer_from_settings(smtp: str | None = None) -> Mailer:
    """The mailer the environment (or ``--smtp``) configures."""
    address = smtp or os.environ.get(settings.ENV_SMTP)
    server = None
    if address:
        server = SmtpServer.parse(
            address,
            user=os.environ.get(settings.ENV_SMTP_USER),
            password=os.environ.get(settings.ENV_SMTP_PASSWORD),
            starttls=os.environ.get(
                settings.ENV_SMTP_STARTTLS, "1" if os.environ.get(settings.ENV_SMTP_USER) else "0"
            )
            not in ("0", "false", "no", ""),
        )
    sender = os.environ.get(settings.ENV_MAIL_FROM) or "tokentui <tokentui@localhost>"
    return Mailer(server, settings.outbox_path(), sender)
