"""Paths, environment variables and the table of limits.

Every number a rule depends on lives in :data:`LIMITS`, so the rules, the
console, the CLI and the API read one value and a change is made once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

APP_NAME = "tokentui"
ENV_DATABASE_URL = "TOKENTUI_DATABASE_URL"
ENV_ACTOR = "TOKENTUI_AS"
ENV_ORG = "TOKENTUI_ORG"
ENV_DATA_DIR = "TOKENTUI_DATA_DIR"
ENV_SMTP = "TOKENTUI_SMTP"
ENV_SMTP_USER = "TOKENTUI_SMTP_USER"
ENV_SMTP_PASSWORD = "TOKENTUI_SMTP_PASSWORD"
ENV_SMTP_STARTTLS = "TOKENTUI_SMTP_STARTTLS"
ENV_MAIL_FROM = "TOKENTUI_MAIL_FROM"


@dataclass(frozen=True)
class Limits:
    """The numbers behind the token rules (SPEC.md, "Token kinds")."""

    delivery_tokens_per_space: int = 20
    management_tokens_per_space: int = 10
    active_authtokens_per_user: int = 20
    # Legacy access tokens exist only for spaces created before this day.
    legacy_access_cutoff: date = date(2020, 12, 16)
    # Reminder windows, largest first; a token gets one e-mail per window.
    reminder_windows: tuple[timedelta, ...] = (timedelta(days=7), timedelta(days=1))
    # Tokens whose whole lifetime is shorter than this get no reminder.
    reminder_min_lifetime: timedelta = timedelta(days=1)
    # Choices of the expiry dropdown, in days; None stands for "no expiry".
    expiry_presets_days: tuple[int, ...] = (7, 30, 60, 90, 180, 365)
    default_expiry_days: int = 30
    max_name_length: int = 200
    max_app_name_length: int = 200
    max_expiry: timedelta = timedelta(days=3650)
    # How long a rotated token's old secret may keep working beside the new one.
    max_rotation_grace: timedelta = timedelta(days=7)
    # The console's choices of that grace period, in days (besides "now").
    rotation_grace_presets_days: tuple[int, ...] = (1, 7)
    page_size: int = 50
    # The console's "mark every match" (*): beyond this a bulk revoke, one transaction a token,
    # takes minutes and the marks hold every row; a narrower filter, or the CLI's
    # `tokens revoke -` fed by `tokens list`, does it.
    max_marks: int = 10_000
    secret_entropy_bytes: int = 32


LIMITS = Limits()


def data_dir() -> Path:
    """The directory holding the default database and the mail outbox."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_database_url() -> str:
    """The SQLite file in the user data directory, unless the environment names another."""
    url = os.environ.get(ENV_DATABASE_URL)
    if url:
        return url
    return f"sqlite:///{data_dir() / 'tokentui.db'}"


def outbox_path() -> Path:
    """The mbox file that receives reminders when no SMTP server is configured."""
    return data_dir() / "outbox.mbox"
