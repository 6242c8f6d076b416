"""``tokentui notify``: e-mail the authors of tokens about to expire (safe to run from cron)."""

from __future__ import annotations

import sys

import click

from tokentui.cli.context import Context, common_options, emit_json, json_option, pass_context
from tokentui.text import printable


@click.command()
@common_options
@click.option(
    "--smtp", metavar="HOST:PORT", help="SMTP server (default: TOKENTUI_SMTP; none: the mbox outbox)."
)
@click.option("--dry-run", is_flag=True, help="List the reminders that are due; send nothing.")
@json_option
@pass_context
def notify(obj: Context, smtp: str | None, dry_run: bool, as_json: bool) -> None:
    """Send each due expiry reminder once; a failed send stays pending for the next run (exit 1)."""
    from tokentui.mail import mailer_from_settings

    mailer = mailer_from_settings(smtp)
    if dry_run:
        due = obj.service.due_reminders()
        if as_json:
            emit_json([reminder.to_json() for reminder in due])
        else:
            for reminder in due:
                click.echo(f"{printable(reminder.recipient)}: {printable(reminder.subject)}")
            click.echo(f"{len(due)} reminder(s) due; nothing sent (--dry-run).")
        return
    outcomes = obj.service.send_reminders(mailer)
    failed = [o for o in outcomes if not o.sent]
    if as_json:
        emit_json([o.to_json() for o in outcomes])
    else:
        click.echo(f"Sent {len(outcomes) - len(failed)} reminder(s) to {mailer.destination}.")
    for outcome in failed:
        click.echo(
            f"tokentui: error: reminder for token {outcome.reminder.token_id} to "
            f"{printable(outcome.reminder.recipient)} not sent ({printable(outcome.error or '')}); "
            "it stays pending for the next run",
            err=True,
        )
    if failed:
        sys.exit(1)
