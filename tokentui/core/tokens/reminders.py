"""Expiry reminders: which tokens are due one, what it says, and sending each exactly once.

A token is due the reminder of the narrowest window it has entered (7 days, then 1
day), provided its whole lifetime is longer than that window: a 5-day token gets
only the 1-day reminder, a token living under a day gets none. Each reminder is
claimed, sent and recorded in one transaction: a second ``notify`` running at the
same time waits for the claim and then finds the reminder sent; a send that fails
rolls the claim back, so the reminder stays pending for the next run.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from tokentui.core.dates import Clock, minute_utc
from tokentui.core.errors import StoreError
from tokentui.core.models import Organization, ReminderSent, Space, Token, User
from tokentui.core.store import Store
from tokentui.core.vocabulary import TokenKind
from tokentui.settings import LIMITS
from tokentui.text import printable


class MailError(Exception):
    """A message could not be handed to the mail server or outbox."""


@dataclass(frozen=True)
class Reminder:
    """One reminder e-mail that is due."""

    token_id: str
    window_days: int
    recipient: str
    subject: str
    body: str

    def message(self, sender: str) -> EmailMessage:
        """The e-mail, ready to send."""
        message = EmailMessage()
        message["From"] = sender
        message["To"] = self.recipient
        message["Subject"] = self.subject
        message.set_content(self.body)
        return message

    def to_json(self) -> dict[str, object]:
        """JSON for ``notify --dry-run --json``."""
        return {
            "tokenId": self.token_id,
            "windowDays": self.window_days,
            "to": self.recipient,
            "subject": self.subject,
        }


@dataclass(frozen=True)
class Outcome:
    """What happened to one due reminder."""

    reminder: Reminder
    sent: bool
    error: str | None = None

    def to_json(self) -> dict[str, object]:
        """JSON for ``notify --json``."""
        return {**self.reminder.to_json(), "sent": self.sent, "error": self.error}


def due_window(created_at: datetime, expires_at: datetime, now: datetime) -> int | None:
    """The window (in days) whose reminder is due now, or None."""
    if expires_at <= now or expires_at - created_at < LIMITS.reminder_min_lifetime:
        return None
    lifetime = expires_at - created_at
    due = [w for w in LIMITS.reminder_windows if now >= expires_at - w and lifetime > w]
    return min(due).days if due else None


def _until(expires_at: datetime, now: datetime) -> str:
    left = expires_at - now
    if left >= timedelta(days=2):
        return f"in {left.days} days"
    if left >= timedelta(hours=2):
        return f"in {int(left.total_seconds() // 3600)} hours"
    return "within the hour" if left <= timedelta(hours=1) else "in about 2 hours"


def compose(token: Token, author: str, space: str | None, org: str | None, now: datetime) -> tuple[str, str]:
    """The subject and body of the reminder for ``token``."""
    assert token.expires_at is not None
    kind = TokenKind(token.kind)
    name = printable(token.name)
    expires = minute_utc(token.expires_at)
    subject = f'Your {kind.label.lower()} "{name}" (…{token.last4}) expires {_until(token.expires_at, now)}'
    command = ["tokentui", "tokens", "create", "--kind", kind.value, "--name", name]
    command += [arg for scope in token.scopes.split() for arg in ("--scope", scope)]
    if space:
        command += ["--space", printable(space)]
    if token.app_name:
        command += ["--app", printable(token.app_name)]
    command += ["--expires", f"{LIMITS.default_expiry_days}d"]
    where = f" in {printable(org)}" if org else ""
    lines = [
        "Hello,",
        "",
        f'your {kind.label.lower()} "{name}" (ending …{token.last4}){where} expires on {expires}, '
        f"{_until(token.expires_at, now)}. It stops working at that instant.",
        "",
        f"  Kind:     {kind.label}",
        f"  Space:    {printable(space) if space else '-'}"
        + (f" / {printable(token.environment)}" if token.environment else ""),
        f"  Scopes:   {', '.join(token.scopes.split()) or '-'}",
        f"  Expires:  {expires}",
        "",
        "To keep whatever uses it working, create a replacement before then and switch to it:",
        "",
        f"  In the console: run `tokentui`, press n (new token) and choose {kind.label}.",
        f"  From the CLI:   {shlex.join(command)}",
        "",
        f"Then revoke the old one: r in the console, or `tokentui tokens revoke {token.id}`.",
        "The secret of a token is shown only once, so the old one cannot be renewed in place.",
        "",
        "-- tokentui",
    ]
    return subject, "\n".join(lines) + "\n"


def due_reminders(store: Store, clock: Clock) -> list[Reminder]:
    """Every reminder due now and not yet sent (what ``notify --dry-run`` lists)."""
    return list(_due(store, clock()))


def _due(store: Store, now: datetime) -> Iterator[Reminder]:
    horizon = now + max(LIMITS.reminder_windows)
    with store.read() as session:
        rows = session.exec(
            select(Token, User.email, Space.name, Organization.name)
            .join(User, col(User.id) == col(Token.author_id))
            .outerjoin(Space, col(Space.id) == col(Token.space_id))
            .outerjoin(Organization, col(Organization.id) == col(Token.org_id))
            .where(
                col(Token.revoked_at).is_(None),
                col(Token.expires_at) > now,
                col(Token.expires_at) <= horizon,
                col(Token.notify).is_(True),
            )
            .order_by(col(Token.expires_at), col(Token.id))
        ).all()
        sent = {
            (r.token_id, r.window_days)
            for r in session.exec(
                select(ReminderSent).where(col(ReminderSent.token_id).in_([t.id for t, *_ in rows]))
            ).all()
        }
    for token, email, space, org in rows:
        assert token.expires_at is not None
        window = due_window(token.created_at, token.expires_at, now)
        if window is None or (token.id, window) in sent:
            continue
        subject, body = compose(token, email, space, org, now)
        yield Reminder(token.id, window, email, subject, body)


def send_reminders(store: Store, clock: Clock, deliver: Callable[[Reminder], None]) -> list[Outcome]:
    """Send every due reminder through ``deliver``, each at most once and only if it went out."""
    now = clock()
    outcomes: list[Outcome] = []
    for reminder in _due(store, now):
        try:
            with store.write() as session:
                # The claim waits for any other run's claim of the same reminder, then fails.
                if session.get(ReminderSent, (reminder.token_id, reminder.window_days)) is not None:
                    continue
                session.add(
                    ReminderSent(token_id=reminder.token_id, window_days=reminder.window_days, sent_at=now)
                )
                session.flush()
                deliver(reminder)
        except StoreError as error:
            if isinstance(error.__cause__, IntegrityError):
                continue  # another run claimed it first (PostgreSQL) and has sent it
            raise
        except MailError as failure:
            outcomes.append(Outcome(reminder, sent=False, error=str(failure)))
            continue
        outcomes.append(Outcome(reminder, sent=True))
    return outcomes


__all__ = ["MailError", "Outcome", "Reminder", "compose", "due_reminders", "due_window", "send_reminders"]
